# Button gesture recognition from raw edges: debounce, short, long, double.
#
# It lives in the engine (not in the button driver) so the simulator and the
# device share it: drivers only timestamp edges.
#
# Rules:
# - An edge counts once the line has stayed at its new level for DEBOUNCE_MS;
#   bounces shorter than that are absorbed, and the change is dated at the
#   edge that started the stable level.
# - Held for long_ms (LONG_MS unless the wearer set another): LONG fires at once, while the button is still down, so
#   the person feels the response without guessing when to let go. The
#   release that follows is ignored.
# - Released sooner: a click. A second click that starts within DOUBLE_GAP_MS
#   of the first one's release makes DOUBLE; otherwise, once that gap has
#   passed with no new press, the first click is a PRESS.
# - At most one gesture is reported per poll(); the rest wait for the next.
from facewand.compat import diff

from facewand.compat import const

NONE = const(0)
PRESS = const(1)
LONG = const(2)
DOUBLE = const(3)

DEBOUNCE_MS = const(25)
LONG_MS = const(800)
DOUBLE_GAP_MS = const(300)


class Gestures:
    def __init__(self, long_ms=LONG_MS):
        self.long_ms = long_ms  # held this long: LONG (the wearer's setting: 400, 800 or 1500)
        self.raw = 0          # last level seen on the line
        self.raw_t = 0        # when it changed to that level
        self.level = 0        # debounced level
        self.down_t = 0       # when the debounced press began
        self.long_fired = False
        self.pending = False  # a click is waiting to see if a second follows
        self.click_t = 0      # release time of that click
        self.second = False   # the current press is the second of a pair
        self.ready = NONE     # a gesture recognised but not yet reported
        self.busy = False     # anything in hand: poll() has work (else it returns NONE)

    def edge(self, pressed, now):
        level = 1 if pressed else 0
        if level != self.raw:
            self.busy = True
            # The level being left may have been stable long enough to count
            # even if no poll came in between (a shell that polls slowly).
            self._settle(now)
            self.raw = level
            self.raw_t = now

    def _settle(self, now):
        if self.raw != self.level and diff(now, self.raw_t) >= DEBOUNCE_MS:
            self.level = self.raw
            if self.level:
                self._pressed(self.raw_t)
            else:
                self._released()

    def poll(self, now):
        """Advance to `now` and return the next recognised gesture, or NONE."""
        if not self.busy:
            return NONE               # released and nothing waiting: most ticks
        if self.raw != self.level:    # (_settle's own first test, without its call)
            self._settle(now)
        if self.ready == NONE:
            if self.level and not self.long_fired:
                if diff(now, self.down_t) >= self.long_ms:
                    self.long_fired = True
                    self.pending = False
                    self.second = False
                    self.ready = LONG
            elif self.pending and not self.level:
                if diff(now, self.click_t) > DOUBLE_GAP_MS:
                    self.pending = False
                    self.ready = PRESS
        g = self.ready
        self.ready = NONE
        self.busy = (self.raw != self.level or (self.level and not self.long_fired)
                     or self.pending or self.ready != NONE)
        return g

    def _pressed(self, t):
        self.down_t = t
        self.long_fired = False
        self.second = self.pending and diff(t, self.click_t) <= DOUBLE_GAP_MS
        if not self.second and self.pending:
            # The first click's window had closed: it was a press of its own.
            self.ready = PRESS
        self.pending = False

    def _released(self):
        if self.long_fired:
            self.long_fired = False
            return
        if self.second:
            self.second = False
            self.ready = DOUBLE
        else:
            self.pending = True
            self.click_t = self.raw_t
