# Routines: what a session asks the person to do, and when.
#
# A routine is data: an ordered list of steps done once per round, for a
# number of rounds. Each step starts with an intro (its number is announced),
# then its acupressure presses (press, hold, release, pause), then its
# strokes, one per beat of the pace. The pace is the stroke period; it moves
# in equal ms steps from pace_start_ms at the first step of the session to
# pace_end_ms at the last, so a session that slows down does so evenly.
#
# All times are integers in ms and every instant is an exact offset from the
# session's start, so a long session cannot drift.
from collections import namedtuple

from facewand.compat import const

LEAD_MS = const(1200)        # start cue to first step: time to get into place
INTRO_MS = const(1800)       # step cue, then a breath before the first move
PRESS_GAP_MS = const(700)    # after a release, before the next press or stroke
MAX_STEPS = const(12)        # step cues are defined for steps 1..12


# A step is a tuple with named fields: measured on the emulated Pico
# (MicroPython 1.28's rp2 port, ../shared/rp2), it takes 55 bytes of heap
# where an object with the same eight attributes takes 88 (an instance's
# attribute table grows in steps), and a wand holds every step of every
# routine it has.
_Step = namedtuple("Step", ("name", "zone", "direction", "strokes", "presses", "hold_ms",
                            "pressure_max", "hint", "pressure_min"))


def Step(name, zone, direction, strokes, presses, hold_ms, pressure_max, hint="", pressure_min=0):
    """pressure_max and pressure_min are in permille of full scale (0: no
    lower band). The words (name, zone, direction, hint) are for the
    simulator, the trace and the docs: the wand's steps have them empty
    (routine_file, `words`)."""
    return _Step(name, zone, direction, strokes, presses, hold_ms, pressure_max, hint, pressure_min)


class Routine:
    def __init__(self, name, colour, rounds, pace_start_ms, pace_end_ms,
                 intensity, steps):
        self.name = name
        self.colour = colour               # 0xRRGGBB
        self.rounds = rounds
        self.pace_start_ms = pace_start_ms
        self.pace_end_ms = pace_end_ms
        self.intensity = intensity         # permille
        self.steps = steps                 # tuple of Step

    # --- the timeline; i counts step instances over the whole session ---
    def instances(self):
        return self.rounds * len(self.steps)

    def step_of(self, i):
        return self.steps[i % len(self.steps)]

    def period(self, i):
        n = self.instances()
        if n <= 1:
            return self.pace_start_ms
        return self.pace_start_ms + (self.pace_end_ms - self.pace_start_ms) * i // (n - 1)

    def step_ms(self, i):
        return step_length(self.step_of(i), self.period(i))

    def total_ms(self):
        """Planned session length from the start press to the finish cue."""
        t = LEAD_MS
        for i in range(self.instances()):
            t += self.step_ms(i)
        return t


def step_length(s, period):
    """How long step `s` lasts at stroke `period` ms: its intro, its
    presses (each held, then a gap), its strokes."""
    return INTRO_MS + s.presses * (s.hold_ms + PRESS_GAP_MS) + s.strokes * period
