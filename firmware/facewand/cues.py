# The cue vocabulary: what the motor and the ring say, and the caps on them.
#
# A person massaging with eyes closed must tell every cue apart by feel, on
# a coin motor (ERM) that takes 50-100 ms to spin up and as long to stop.
# The vocabulary keeps to what a hand can feel and count (the figures are
# checked against a motor model by `python -m sim cues` and its test):
# - every pulse lasts at least 100 ms (an ERM pulse under about 80 ms may
#   not be felt at all), every gap inside a cue at least 140 ms (the motor
#   must coast down for the gap to be felt), at most ~4 pulses a second;
# - two durations only, short (100 ms) and long (300 ms, 3x: a long must be
#   2-3x a short to be told apart);
# - three strengths only, soft, medium and strong (60, 80, 100% of the
#   session level), and a pulse may swell or fade between them;
# - never more than three identical pulses in a row: four are grouped 2+2
#   with a longer pause (people miscount longer runs).
#
# What each cue says:
# - step N starts: N counted like Roman numerals, strong: a long pulse for
#   each five, a short for each one (step 7 = long short short; step 4 =
#   short short, pause, short short).
# - each stroke: one soft short tick on the beat; the last stroke of a step
#   a soft double tick, so the move to the next step is never a surprise.
# - press the point: a swell from soft to strong; release: two falling taps.
# - pressing too hard: three strong long buzzes; battery low: long short long.
# - start, pause, resume, end early, finish, power off, wake: each its own.
# - choosing routine N while idle: N counted like a step, at medium strength.
# - a fault at start-up (a part that will not start): strong shorts, 3 + 3.
# - a session cut off by a power loss, offered back at power-on: a soft
#   long, then resume's rising pair ("resume?").
# - intensity changed (double press while paused): short, short, long, all
#   strong, at the new strength.
# - a stroke sensed lighter than the step asks (following the person's
#   strokes, facewand.sense): "a little more", a soft short then a soft long,
#   as gentle as "too hard" is insistent.
#
# A pattern is written below as a flat tuple of (on_ms, off_ms, level)
# triples; level is in permille of the session intensity, and a triple with
# off_ms 0 runs on into the next (one felt pulse whose strength changes).
# Every time is a multiple of the shell's 20 ms tick, so the pin carries
# exactly these lengths, and every level a multiple of 20 permille: the wand
# keeps all the patterns as bytes in those UNITs (VIBE, VIBE_AT, VIBE_MS,
# packed at import), a third of the heap the tuples would take. The
# engine sends only the pattern's number, its total length and the session
# level; the motor driver plays the segments. Nothing here can exceed the
# caps below: tests check every pattern against them, the engine clamps the
# level when it sends, and the driver maps MAX_LEVEL to at most 80% duty.
from facewand.compat import const

# Safety caps, enforced by the engine whatever a routine or setting asks.
MAX_LEVEL = const(800)      # permille of full drive: never run the motor flat out
MIN_LEVEL = const(300)      # the softest session level whose soft pulses are still felt
MAX_ON_MS = const(600)      # longest single pulse
MAX_CUE_MS = const(2000)    # longest whole pattern
UNIT = const(20)            # ms and permille: every time and level in a pattern is a multiple

MAX_STEP_CUE = const(12)    # step numbers with a cue: routines have at most 12 steps

# Pattern numbers. Step cues take 1..12, so step N's cue is pattern N.
V_NONE = const(0)
V_STROKE = const(13)
V_STROKE_LAST = const(14)
V_PRESS = const(15)
V_RELEASE = const(16)
V_PRESSURE_HIGH = const(17)
V_BATTERY_LOW = const(18)
V_START = const(19)
V_PAUSE = const(20)
V_RESUME = const(21)
V_END = const(22)
V_FINISH = const(23)
V_POWER_OFF = const(24)
V_WAKE = const(25)
V_ROUTINE = const(25)       # routine N's cue is pattern V_ROUTINE + N, N = 1..MAX_ROUTINES
MAX_ROUTINES = const(8)
V_FAULT = const(34)         # at start-up: a part will not start, or nothing to run
V_OFFER = const(35)         # at power-on: resume the session the power cut off?
V_LEVEL = const(36)         # the intensity just chosen, felt at its new strength
# 37, light: a stroke sensed lighter than the step asks (facewand.sense,
# which alone sends it, keeps the number: a name here would be interned on
# every wand; names.VIBE_NAMES has it)


def _vocabulary():
    """Every pattern by number (V_*), as tuples: packed below, then gone.
    Its words are local here, so the wand keeps no name of theirs."""
    SHORT = 100
    LONG = 300
    GAP = 140
    GROUP_GAP = 400      # between groups: 2+2
    SOFT = 600
    MEDIUM = 800
    STRONG = 1000

    def count(n, level):
        """N as Roman-style pulses: a long per five, then the ones, four
        of them grouped 2+2."""
        pulses = [LONG] * (n // 5) + [SHORT] * (n % 5)
        seg = []
        for i in range(len(pulses)):
            ones_before = i - n // 5
            gap = GROUP_GAP if n % 5 == 4 and ones_before == 1 else GAP
            seg += [pulses[i], gap, level]
        seg[-2] = 0
        return tuple(seg)

    return [()] + [count(n, STRONG) for n in range(1, MAX_STEP_CUE + 1)] + [
        (SHORT, 0, SOFT),                                           # stroke
        (SHORT, GAP, SOFT, SHORT, 0, SOFT),                         # stroke_last
        (160, 0, SOFT, 300, 0, STRONG),                             # press: swell
        (SHORT, GAP, STRONG, SHORT, 0, SOFT),                       # release: falling taps
        (LONG, GAP, STRONG, LONG, GAP, STRONG, LONG, 0, STRONG),    # pressure_high
        (LONG, GAP, STRONG, SHORT, GAP, STRONG, LONG, 0, STRONG),   # battery_low
        (SHORT, GAP, SOFT, SHORT, GAP, MEDIUM, SHORT, 0, STRONG),   # start: rising triple
        (LONG, 0, SOFT),                                            # pause: one soft long
        (SHORT, GAP, MEDIUM, SHORT, 0, STRONG),                     # resume: rising pair
        (LONG, 0, STRONG, 200, 0, SOFT),                            # end early: a fade
        (160, 0, SOFT, 160, GAP, STRONG, 160, 0, SOFT, 160, GAP, STRONG,
         160, 0, SOFT, 160, 0, STRONG),                             # finish: three waves
        (LONG, GAP, MEDIUM, LONG, 0, SOFT),                         # power_off: falling pair
        (SHORT, GAP, STRONG, LONG, 0, STRONG),                      # wake: tap, buzz
    ] + [count(n, MEDIUM) for n in range(1, MAX_ROUTINES + 1)] + [
        count(3, STRONG)[:-2] + (GROUP_GAP, STRONG) + count(3, STRONG),   # fault: 3 + 3
        (LONG, GROUP_GAP, SOFT, SHORT, GAP, MEDIUM, SHORT, 0, STRONG),    # offer: soft long, rising pair
        (SHORT, GAP, STRONG, SHORT, GAP, STRONG, LONG, 0, STRONG),  # level: short short long
        (SHORT, GAP, SOFT, LONG, 0, SOFT),                          # light: a soft nudge, short long
    ]


def _packed():
    """The vocabulary packed by facewand/cue_pack.py, which is then dropped
    (the simulator packs its own test patterns with the same code)."""
    import sys
    import facewand
    from facewand.cue_pack import pack
    try:
        return pack(_vocabulary(), UNIT)
    finally:
        sys.modules.pop("facewand.cue_pack", None)
        try:
            delattr(facewand, "cue_pack")
        except (AttributeError, KeyError):    # (MicroPython raises KeyError)
            pass


VIBE, VIBE_AT, VIBE_MS = _packed()
del _vocabulary, _packed    # import-time helpers: the wand need not keep them

# Colours are packed 0xRRGGBB ints (small ints: no allocation to pass
# around), each at full strength in its brightest channel: the ring painter
# sets brightness. These two start-up uses too; the ring's own patterns and
# colours are the view's (facewand.view).
WHITE = const(0xFFFFFF)
RED = const(0xFF0000)
