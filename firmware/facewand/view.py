# The ring as the engine shows it: which pattern (the state, the step, a
# warning) and the picture of it. The engine calls the view once a tick;
# the view reads the engine's state and never changes it.
#
# A picture is redrawn only when what it shows has moved: each pattern
# boils its moment down to a few numbers (the pattern, a level quantised
# to _LEVEL_STEP, a boundary to a quarter pixel, a blink phase) and the ring
# is painted only when one of them differs from the last painting. A
# breathing ring is repainted about ten times a second, a still one never,
# which is what the eye needs and saves the wand most of a tick.
from facewand.commands import IDLE, RUNNING, PAUSED, OFF, OFFER
from facewand.cues import RED
from facewand.ring import Ring, triangle
from facewand.routines import LEAD_MS
from facewand.compat import add, diff

from facewand.compat import const

BATTERY_SHOW_MS = const(3000)
_LEVEL_STEP = const(8)     # breathing levels move in steps of this (of 255)
_FRAME_MS = const(80)      # a moving picture is looked at no more often than this
PAINT_LAG = const(1)      # ticks from a pattern's start to its first paint

# What the current step is doing (the engine's `doing`), which also picks
# the ring pattern while running.
A_LEAD = const(0)
A_INTRO = const(1)
A_HOLD = const(2)
A_GAP = const(3)
A_STROKE = const(4)

# Ring patterns: what the ring is showing (names.LED_NAMES by number). The
# trace records every change. The engine sets the two idle overlays.
_L_OFF = const(0)
_L_IDLE = const(1)
_L_START = const(2)
_L_STEP = const(3)      # a step begins: its number as lit marks on a clock face
_L_STROKE = const(4)    # strokes: the step fills around the ring
_L_HOLD = const(5)      # holding a point: the ring empties as the hold runs
_L_PAUSED = const(6)
_L_WARN = const(7)      # pressing too hard
_L_BATTERY = const(8)
_L_DONE = const(9)
L_ROUTINE = const(10)   # idle, a routine just chosen: its number in its colour
L_ERROR = const(11)     # at power-on: a routine file was bad and skipped
_L_OFFER = const(12)    # a session a power cut stopped: its step's number, blinking slowly
L_LEVEL = const(13)     # paused, intensity just changed: 1-5 white marks, how strong
_LOWEST = const(400)    # the engine's INTENSITY_STEPS: 400, 550, ... 1000 permille
_PER_MARK = const(150)

# Colours are packed 0xRRGGBB ints (small ints: no allocation to pass
# around), each at full strength in its brightest channel: the ring painter
# sets brightness. None is grey, so the white session-progress dot always
# stands out from the fill it sits on.
STEP_COLOURS = (
    0xFF5A1E, 0xFFB400, 0xC8FF00, 0x3CFF3C, 0x00FFC0,
    0x00A0FF, 0x3C50FF, 0x9646FF, 0xFF3CD2, 0xFF3C78,
    0xFF8C50, 0x50FFFF,
)
_AMBER = const(0xFF8C00)
_ORANGE = const(0xFF4600)
_GREEN = const(0x00FF40)
_MAGENTA = const(0xFF00C0)
_WHITE = const(0xFFFFFF)


def _q(level):
    return level - level % _LEVEL_STEP


class RingView:
    def __init__(self, pixels, picture=None, lag=0):
        """picture: the ring.Ring to paint, of `pixels` pixels (the
        simulator's keeps a perceptual copy too: sim.picture); none (None
        or False): a plain one. lag: paint a new pattern PAINT_LAG ticks
        late (the wand, whose ring driver then holds back that much less)."""
        self.ring = picture or Ring(pixels)
        self.lag = lag
        # what the ring was last painted from
        self.k0 = -1
        self.k1 = -1
        self.k2 = -1
        self.k3 = -1
        self.until = 0
        self.look_t = 0           # show() need not look before this
        self.p = -1               # the pattern shown (or about to be)
        self.owed = False         # a new pattern waits for its paint

    def show(self, e, now):
        """The ring pattern for the engine `e` at `now`, its picture painted
        if it moved. A pattern changes only with something the engine says
        (a state, a step's item, a warning) or when a timed overlay ends, so
        on a tick that said nothing, within _FRAME_MS of the last look and
        before `until`, nothing is worked out at all."""
        said = e.out.n
        if said == 0 and diff(now, self.look_t) < 0:
            return self.p
        if said and self.lag and not self.owed:
            # The engine said something: the pattern it belongs to is worked
            # out now (the engine announces it with the tick), its picture
            # painted on the next tick, which has little else to do; the
            # ring's driver holds pictures back one tick less for it
            # (PAINT_LAG). A tick on a wand costs the most where a cue
            # begins: the schedule, the motor, and a repaint (the journal
            # waits too: the shell takes it after the paint).
            p = self.pattern(e, now)
            self.p = p
            self.owed = True
            self.look_t = now
            return p
        return self.look(e, now)

    def look(self, e, now):
        """show() without its first test: work the pattern out, and paint
        its picture if it moved. A new pattern, or anything the engine said
        this tick (a stroke's flash, a repeated warning), is painted at
        once: its light belongs to a cue. Otherwise the picture is looked
        at every _FRAME_MS (12.5 Hz: the eye sees no steps in a breathing
        light, and most ticks save its cost); blinks keep to multiples of
        it."""
        self.owed = False
        p = self.p
        # The pattern worked out last still holds if the engine has said
        # nothing since (it has said nothing this tick, and every tick it
        # says something is shown) and it cannot have ended by itself.
        if e.out.n or p < 0 or diff(now, self.until) >= 0:
            p = self.pattern(e, now)
            self.p = p
        # Look again at the next frame, or when the pattern can end by itself.
        t = add(now, _FRAME_MS)
        if diff(self.until, t) < 0:
            t = self.until
        self.look_t = t
        sch = e.sch
        # k1..k3: what the picture depends on at this moment (the running
        # patterns first: they are painted most, a warning the most often).
        # A step's patterns show its number (k1) in its colour.
        k1 = k2 = k3 = 0
        if p == _L_WARN:
            k1 = diff(now, e.guard.buzz_t) // 160 % 2
        elif p == _L_STROKE:
            # (the most painted pattern: _quarters written in)
            local = diff(now, sch.step_t)
            k1 = sch.inst % len(e.routine.steps)
            den = sch.step_len
            if local <= 0 or den <= 0:
                k2 = 0
            elif local >= den:
                k2 = self.ring.count * 4
            else:
                num = local
                while den > 65536:
                    num >>= 1
                    den >>= 1
                k2 = num * self.ring.count * 4 // den
            # The fill flashes on each beat, with the stroke's tick: 255
            # fading to 150 over the first half of the period, then held.
            beat = local - sch.mark_t
            half = sch.period // 2
            if beat >= half:
                k3 = 150
            else:
                k3 = 255 - 105 * (beat if beat > 0 else 0) // half
            k3 -= k3 % _LEVEL_STEP
        elif p == _L_HOLD:
            held = diff(now, sch.step_t) - sch.mark_t
            hold = sch.cur.hold_ms
            k1 = sch.inst % len(e.routine.steps)
            k2 = _quarters(hold - held, hold, self.ring.count)
        elif p == _L_STEP:
            k1 = sch.inst % len(e.routine.steps)
        else:
            since = diff(now, e.state_t)
            if since < 0:
                since = 0
            if p == _L_IDLE:
                k1 = _q(triangle(since, 4000, 40, 200))
            elif p == _L_START:
                k1 = _q(triangle(since, LEAD_MS * 2, 40, 255))
            elif p == L_ROUTINE:
                k1 = e.choice
            elif p == L_ERROR:
                k1 = diff(now, e.show_t) // 240 % 2
            elif p == _L_PAUSED:
                k1 = sch.inst % len(e.routine.steps)
                k2 = _q(triangle(since, 2000, 90, 230))
            elif p == _L_BATTERY:
                k1 = diff(now, e.b_shown_t) // 480 % 2
            elif p == _L_DONE:
                k1 = _q(triangle(since, 3000, 60, 220))
            elif p == _L_OFFER:
                k1 = e.offer_inst % len(e.routine.steps)
                k2 = since // 600 % 2
            elif p == L_LEVEL:
                k1 = (e.settings.intensity - _LOWEST) // _PER_MARK
        if p == self.k0 and k1 == self.k1 and k2 == self.k2 and k3 == self.k3:
            return p
        self.k0 = p
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
        if p == _L_STROKE:
            # (_paint's, without its call) The step fills around the ring;
            # the white mark is where the session has got to.
            ring = self.ring
            ring.arc(STEP_COLOURS[k1 % len(STEP_COLOURS)], k2, ring.count * 4, k3, 0,
                     sch.inst * ring.count // sch.count)
        else:
            self._paint(e, p, k1, k2, k3)
        return p

    def pattern(self, e, now):
        """The ring pattern for the engine `e` at `now`; sets `until`, the
        moment it could change by itself."""
        self.until = add(now, 3600000)
        st = e.state
        if st == OFF or e.settings.haptic_only:
            return _L_OFF           # (haptic-only: the ring stays dark)
        if e.b_latched and diff(now, e.b_shown_t) < BATTERY_SHOW_MS:
            self.until = add(e.b_shown_t, BATTERY_SHOW_MS)
            return _L_BATTERY
        if st != RUNNING:
            if e.show:
                self.until = add(e.show_t, e.show_ms)
                return e.show
            if st == IDLE:
                return _L_IDLE
            if st == OFFER:
                return _L_OFFER
            return _L_PAUSED if st == PAUSED else _L_DONE
        if e.guard.warning:
            return _L_WARN
        sch = e.sch
        d = sch.doing
        if diff(now, sch.step_t) < 0 or d == A_LEAD:
            return _L_START
        if d == A_INTRO:
            return _L_STEP
        if d == A_HOLD:
            return _L_HOLD
        return _L_STROKE

    def _paint(self, e, p, k1, k2, k3):
        ring = self.ring
        if p == _L_WARN:
            ring.fill(RED, 255 if k1 == 0 else 90)
            return
        if p == _L_HOLD or p == _L_STEP:
            colour = STEP_COLOURS[k1 % len(STEP_COLOURS)]
            if p == _L_HOLD:
                ring.arc(colour, k2, ring.count * 4, 255, 0)
            else:
                ring.marks(colour, k1 + 1, 255, 140)
            return
        r = e.routine
        if p == _L_OFF:
            ring.fill(0, 0)
        elif p == _L_IDLE or p == _L_START:
            ring.fill(r.colour, k1)
        elif p == L_ROUTINE:
            ring.marks(r.colour, k1 + 1, 255, 140)
        elif p == L_ERROR:
            ring.fill(_MAGENTA, 220 if k1 == 0 else 0)
        elif p == _L_PAUSED:
            ring.marks(_AMBER, k1 + 1, k2, 90)
        elif p == _L_BATTERY:
            ring.fill(_ORANGE, 220 if k1 == 0 else 0)
        elif p == _L_OFFER:
            ring.marks(STEP_COLOURS[k1 % len(STEP_COLOURS)], k1 + 1, 255 if k2 == 0 else 40, 90)
        elif p == L_LEVEL:
            ring.marks(_WHITE, k1 + 1 if k1 >= 0 else 1, 255, 255)
        else:
            ring.fill(_GREEN, k1)


def _quarters(num, den, count):
    """num/den of the ring in quarter pixels (0..count*4): where a fill's
    edge is, as finely as a pixel's brightness can show it."""
    if den <= 0:
        return 0
    if num <= 0:
        return 0
    if num >= den:
        return count * 4
    while den > 65536:            # keep num * count * 4 a small int on the device
        num >>= 1
        den >>= 1
    return num * count * 4 // den
