# The cue vocabulary: what the motor and the ring say, and the caps on them.
#
# A person massaging with eyes closed must tell every cue apart by feel, so
# each meaning has its own vibration pattern (tests check no two coincide):
# - step N starts: N counted like Roman numerals, a long pulse for each five
#   and a short pulse for each one (step 7 = long short short), all at full
#   strength. Counting ten identical buzzes is hard; this stays countable.
# - each stroke: one soft tick on the beat; the last stroke of a step gets a
#   soft double tick, so the move to the next step is never a surprise.
# - press the point: a swell from medium to full; release: two falling taps.
# - pressing too hard: a rapid buzz; battery low: long-short-long.
# - start, pause, resume, end early, finish, power off: each its own shape.
# - choosing routine N while idle: N soft quick taps.
#
# A pattern is a flat tuple of (on_ms, off_ms, level) triples; level is in
# permille of the session intensity. The engine sends only the pattern's
# number, its total length and the session intensity; the motor driver plays
# the segments. Nothing here can exceed the caps below: tests check every
# pattern against them and the engine clamps intensity when it sends.
from facewand.compat import const

# Safety caps, enforced by the engine whatever a routine or setting asks.
MAX_LEVEL = const(800)      # permille of full drive: never run the motor flat out
MIN_LEVEL = const(200)      # below this an ERM coin motor stalls and says nothing
MAX_ON_MS = const(600)      # longest single pulse
MAX_CUE_MS = const(2000)    # longest whole pattern

SHORT = const(100)
LONG = const(400)
GAP = const(150)
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


def _step_cue(n):
    # Longs first, then shorts; the last pulse has no trailing gap.
    seg = []
    for _ in range(n // 5):
        seg += [LONG, GAP, 1000]
    for _ in range(n % 5):
        seg += [SHORT, GAP, 1000]
    seg[-2] = 0
    return tuple(seg)


def _routine_cue(n):
    # Soft quick taps, one per routine number: lighter and faster than a
    # step count, so choosing a routine never feels like a step beginning.
    seg = []
    for _ in range(n):
        seg += [50, 110, 450]
    seg[-2] = 0
    return tuple(seg)


VIBE_NAMES = ["none"] + ["step%d" % n for n in range(1, MAX_STEP_CUE + 1)] + [
    "stroke", "stroke_last", "press", "release", "pressure_high",
    "battery_low", "start", "pause", "resume", "end", "finish", "power_off",
    "wake",
] + ["routine%d" % n for n in range(1, MAX_ROUTINES + 1)]

VIBE_PATTERNS = [()] + [_step_cue(n) for n in range(1, MAX_STEP_CUE + 1)] + [
    (70, 0, 450),                                  # stroke
    (70, 90, 450, 70, 0, 450),                     # stroke_last
    (150, 0, 550, 250, 0, 1000),                   # press: swell
    (60, 60, 700, 60, 0, 350),                     # release: falling taps
    (50, 50, 1000, 50, 50, 1000, 50, 50, 1000, 50, 0, 1000),  # pressure_high
    (300, 150, 900, 100, 150, 900, 300, 0, 900),   # battery_low
    (80, 80, 500, 80, 80, 750, 80, 0, 1000),       # start: rising triple
    (250, 0, 600),                                 # pause
    (150, 100, 450, 150, 0, 800),                  # resume: rising pair
    (500, 0, 600),                                 # end early
    (300, 150, 600, 300, 150, 800, 500, 0, 1000),  # finish
    (300, 0, 800, 300, 0, 400),                    # power_off: falling
    (60, 0, 650),                                  # wake
] + [_routine_cue(n) for n in range(1, MAX_ROUTINES + 1)]

VIBE_MS = [0] * len(VIBE_PATTERNS)
for _i in range(len(VIBE_PATTERNS)):
    _p = VIBE_PATTERNS[_i]
    for _j in range(0, len(_p), 3):
        VIBE_MS[_i] += _p[_j] + _p[_j + 1]
VIBE_PATTERNS = tuple(VIBE_PATTERNS)
VIBE_MS = tuple(VIBE_MS)
VIBE_NAMES = tuple(VIBE_NAMES)

# Ring patterns: what the ring is showing. The trace records every change.
L_OFF = const(0)
L_IDLE = const(1)
L_START = const(2)
L_STEP = const(3)       # a step begins: its number as lit segments
L_STROKE = const(4)     # strokes: the step fills around the ring
L_HOLD = const(5)       # holding a point: the ring empties as the hold runs
L_PAUSED = const(6)
L_WARN = const(7)       # pressing too hard
L_BATTERY = const(8)
L_DONE = const(9)
L_ROUTINE = const(10)   # idle, a routine just chosen: its number in its colour
L_ERROR = const(11)     # at power-on: a routine file was bad and skipped
LED_NAMES = ("off", "idle", "start", "step", "stroke", "hold", "paused",
             "warn", "battery_low", "done", "routine", "error")

# Colours are packed 0xRRGGBB ints (small ints: no allocation to pass around).
STEP_COLOURS = (
    0xFF5A1E, 0xFFB400, 0xC8E600, 0x3CDC3C, 0x00D2A0,
    0x00A0FF, 0x3C50FF, 0x9646FF, 0xE63CC8, 0xFF3C78,
    0xFFFFFF, 0x969696,
)
WHITE = const(0xFFFFFF)
AMBER = const(0xFF8C00)
RED = const(0xFF0000)
ORANGE = const(0xFF4600)
GREEN = const(0x00FF40)
MAGENTA = const(0xFF00C0)
