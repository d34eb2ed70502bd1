# The ring as the engine shows it: which pattern (the state, the step, a
# warning) and the picture of it. The engine calls the view once a tick;
# the view reads the engine's state and never changes it.
#
# A picture is redrawn only when what it shows has moved: each pattern
# boils its moment down to a few numbers (the pattern, a level quantised
# to LEVEL_STEP, a boundary to a quarter pixel, a blink phase) and the ring
# is painted only when one of them differs from the last painting. A
# breathing ring is repainted about ten times a second, a still one never,
# which is what the eye needs and saves the wand most of a tick.
from facewand import cues, ticks
from facewand.commands import IDLE, PAUSED, DONE, OFF
from facewand.ring import Ring, triangle, decay
from facewand.routines import LEAD_MS

from facewand.compat import const

BATTERY_SHOW_MS = const(3000)
LEVEL_STEP = const(8)     # breathing levels move in steps of this (of 255)

# What the current step is doing (the engine's `doing`), which also picks
# the ring pattern while running.
A_LEAD = const(0)
A_INTRO = const(1)
A_HOLD = const(2)
A_GAP = const(3)
A_STROKE = const(4)


def _q(level):
    return level - level % LEVEL_STEP


class RingView:
    def __init__(self, pixels):
        self.ring = Ring(pixels)
        # what the ring was last painted from
        self.k0 = -1
        self.k1 = -1
        self.k2 = -1
        self.k3 = -1

    def pattern(self, e, now):
        """The ring pattern for the engine `e` at `now`."""
        st = e.state
        if st == OFF:
            return cues.L_OFF
        if e.b_latched and ticks.diff(now, e.b_shown_t) < BATTERY_SHOW_MS:
            return cues.L_BATTERY
        if st == IDLE:
            return e.show or cues.L_IDLE
        if st == PAUSED:
            return cues.L_PAUSED
        if st == DONE:
            return cues.L_DONE
        if e.guard.warning:
            return cues.L_WARN
        sch = e.sch
        d = sch.doing
        if ticks.diff(now, sch.step_t) < 0 or d == A_LEAD:
            return cues.L_START
        if d == A_INTRO:
            return cues.L_STEP
        if d == A_HOLD:
            return cues.L_HOLD
        return cues.L_STROKE

    def draw(self, e, p, now):
        """Paint pattern `p` for the engine `e` at `now`, if it moved."""
        r = e.routine
        since = ticks.diff(now, e.state_t)
        if since < 0:
            since = 0
        n = len(r.steps)
        sch = e.sch
        idx = sch.inst % n
        # k1..k3: what this pattern's picture depends on at this moment.
        k1 = k2 = k3 = 0
        if p == cues.L_IDLE:
            k1 = _q(triangle(since, 4000, 40, 200))
        elif p == cues.L_START:
            k1 = _q(triangle(since, LEAD_MS * 2, 40, 255))
        elif p == cues.L_STEP:
            k1 = idx
        elif p == cues.L_HOLD:
            held = ticks.diff(now, sch.step_t) - sch.mark_t
            hold = r.step_of(sch.inst).hold_ms
            k1 = idx
            k2 = _quarters(hold - held, hold, self.ring.count)
        elif p == cues.L_STROKE:
            local = ticks.diff(now, sch.step_t)
            beat = local - sch.mark_t
            if beat < 0:
                beat = 0
            k1 = idx
            k2 = _quarters(local, sch.step_len, self.ring.count)
            # The fill flashes on each beat, with the stroke's tick.
            k3 = _q(decay(beat, r.period(sch.inst), 150, 255))
        elif p == cues.L_ROUTINE:
            k1 = e.choice
        elif p == cues.L_ERROR:
            k1 = ticks.diff(now, e.show_t) // 250 % 2
        elif p == cues.L_PAUSED:
            k1 = idx
            k2 = _q(triangle(since, 2000, 90, 230))
        elif p == cues.L_WARN:
            k1 = ticks.diff(now, e.guard.buzz_t) // 125 % 2
        elif p == cues.L_BATTERY:
            k1 = ticks.diff(now, e.b_shown_t) // 500 % 2
        elif p == cues.L_DONE:
            k1 = _q(triangle(since, 3000, 60, 220))
        if p == self.k0 and k1 == self.k1 and k2 == self.k2 and k3 == self.k3:
            return
        self.k0 = p
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
        self._paint(e, p, k1, k2, k3)

    def _paint(self, e, p, k1, k2, k3):
        ring = self.ring
        r = e.routine
        colour = cues.STEP_COLOURS[k1 % len(cues.STEP_COLOURS)]
        if p == cues.L_OFF:
            ring.fill(0, 0)
        elif p == cues.L_IDLE or p == cues.L_START:
            ring.fill(r.colour, k1)
        elif p == cues.L_STEP:
            ring.marks(colour, k1 + 1, 255, 140)
        elif p == cues.L_HOLD:
            ring.arc(colour, k2, ring.count * 4, 255, 0)
        elif p == cues.L_STROKE:
            ring.arc(colour, k2, ring.count * 4, k3, 0, e.sch.inst * ring.count // r.instances())
        elif p == cues.L_ROUTINE:
            ring.marks(r.colour, k1 + 1, 255, 140)
        elif p == cues.L_ERROR:
            ring.fill(cues.MAGENTA, 220 if k1 == 0 else 0)
        elif p == cues.L_PAUSED:
            ring.marks(cues.AMBER, k1 + 1, k2, 90)
        elif p == cues.L_WARN:
            ring.fill(cues.RED, 255 if k1 == 0 else 90)
        elif p == cues.L_BATTERY:
            ring.fill(cues.ORANGE, 220 if k1 == 0 else 0)
        else:
            ring.fill(cues.GREEN, k1)


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
