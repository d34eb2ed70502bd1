# The over-pressure guard: is the person pressing harder than the step
# allows? Sans-I/O like gestures.py: samples in (permille, with the tick
# they were read at), events out of poll().
#
# Rules:
# - A sample above the band raises the warning at once (WARN), and while
#   samples stay above it the warning is repeated every WARN_REPEAT_MS
#   (REPEAT), so a person who does not let up keeps being told.
# - CLEAR_AFTER_MS of samples within the band clears it (CLEAR): one light
#   sample in a firm press is not relief.
# - No sample for PRESSURE_STALE_MS counts as within the band from the time
#   it went stale (a sensor that went away cannot keep a warning on).
# - The band is the current step's pressure_max; the engine sets it and
#   resets the guard when a session stops (no warning outside a session).
from facewand.compat import add, diff

from facewand.compat import const

NONE = const(0)
WARN = const(1)
REPEAT = const(2)
CLEAR = const(3)

WARN_REPEAT_MS = const(2000)
CLEAR_AFTER_MS = const(500)
PRESSURE_STALE_MS = const(500)


class PressureGuard:
    def __init__(self):
        self.band = 1000          # permille: above this is too hard
        self.value = 0            # the last sample (the engine writes value, t, seen)
        self.t = 0                # when it was read
        self.seen = False         # any sample yet (no sensor: never)
        self.warning = False
        self.ok = False           # within the band since ok_t
        self.ok_t = 0
        self.buzz_t = 0           # when the warning was last given

    def poll(self, now):
        if not self.seen:
            return NONE
        if self.value > self.band and diff(now, self.t) < PRESSURE_STALE_MS:
            self.ok = False
            if not self.warning:
                self.warning = True
                self.buzz_t = now
                return WARN
            if diff(now, self.buzz_t) >= WARN_REPEAT_MS:
                self.buzz_t = now
                return REPEAT
            return NONE
        if not self.warning:
            return NONE
        if not self.ok:
            self.ok = True
            # A stale reading counts from when it went stale.
            if diff(now, self.t) < PRESSURE_STALE_MS:
                self.ok_t = self.t
            else:
                self.ok_t = add(self.t, PRESSURE_STALE_MS)
        if diff(now, self.ok_t) >= CLEAR_AFTER_MS:
            self.warning = False
            self.ok = False
            return CLEAR
        return NONE

    def stop(self):
        """The session stopped: True if a warning was on (and is now off)."""
        was = self.warning
        self.warning = False
        self.ok = False
        return was
