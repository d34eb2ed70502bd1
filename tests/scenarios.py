# Named scenarios shared by the differential test (CPython vs MicroPython)
# and the simulator tests: (name, routine, script text or None, start tick).
import random

import fsr_signal


def following(routine, seed):
    """A wand with a calibrated sensor following a generated person
    (tests/fsr_signal.py): their pressure at the tick rate, as a script."""
    return fsr_signal.session(routine, seed)[0]

HANDWRITTEN = [
    ("daily-default", "daily", None, 0),
    ("full-default", "full", None, 0),
    ("guasha-default", "guasha", None, 0),
    ("acupressure-default", "acupressure", None, 0),
    ("eyes-default", "eyes", None, 0),
    ("daily-near-wrap", "daily", None, (1 << 30) - 30000),
    ("pause-resume", "daily", """
        0.5 press
        12 press        # pause in step 1
        40 press        # resume
    """, 0),
    ("skip-steps", "daily", """
        0.5 press
        4 double
        6 double
        7.5 double
    """, 0),
    ("end-early-then-off", "daily", """
        0.5 press
        20 long         # end the session
        25 long         # power off
    """, 0),
    ("pressure-warn-clear", "daily", """
        0.5 press
        5 pressure 0.3
        9 pressure 0.85  # too hard on the jaw
        12 pressure 0.4
        20 pressure 0.5  # fine on the cheekbones, too hard for the nose later
        60 pressure 0.1
    """, 0),
    ("battery-low-running", "daily", """
        0 battery 3.9
        0.5 press
        20 battery 3.2
    """, 0),
    ("battery-low-idle", "daily", """
        1 battery 3.1
    """, 0),
    ("idle-auto-off", "eyes", """
        0 battery 4.1
    """, 0),
    ("paused-auto-off", "acupressure", """
        0.5 press
        10 press
    """, (1 << 30) - 60000),
    ("pause-stronger", "daily", """
        0.5 press
        8 press          # pause
        10 double        # stronger: 700 -> 850
        13 double        # 850 -> 1000
        16 press         # resume at the new strength
    """, 0),
    ("choose-routine", "daily", """
        0.5 double       # daily -> full
        2 double         # full -> guasha
        4 press          # start guasha
    """, 0),
    ("wake-and-run", "eyes", """
        0.5 long
        5 press          # wake
        8 press          # start
        30 end
    """, 0),
]


# A wand that keeps its flash (sim --flash), over more than one power-on:
# (name, routine, one script per power-on, start tick, board). The first
# power-on finds the flash empty.
REMEMBERING = [
    ("cut-then-resume", "daily", [
        "0.5 press\n20 powercut\n",
        "1 press\n25 end\n",
    ], 0, "pico"),
    ("cut-then-start-over", "eyes", [
        "0.5 press\n12 press\n14 double\n16 press\n30 powercut\n",
        "1 double\n20 end\n",
    ], 0, "esp32-devkitc"),
    ("left-paused-then-resume", "acupressure", [
        "0.5 press\n10 press\n",           # paused, then auto-off: kept for the offer
        "2 press\n15 end\n",
    ], (1 << 30) - 60000, "xiao-rp2040"),
]


def random_script(seed):
    """A reproducible jumble of everything a script can say."""
    rnd = random.Random(seed)
    t = 0
    lines = []
    for _ in range(rnd.randint(3, 25)):
        t += rnd.randint(0, 8000)
        kind = rnd.choice(["press", "press", "double", "long", "pressure", "pressure", "battery"])
        if kind == "pressure":
            lines.append("%d.%03d pressure 0.%03d" % (t // 1000, t % 1000, rnd.randint(0, 999)))
        elif kind == "battery":
            lines.append("%d.%03d battery 3.%d" % (t // 1000, t % 1000, rnd.randint(0, 9)))
        else:
            lines.append("%d.%03d %s" % (t // 1000, t % 1000, kind))
    return "\n".join(lines) + "\n"


# Following the person's strokes (issue 12), one on each board (the cue
# timings it changes reach every motor driver and ring): a quick person on
# daily (the pace cue drifts to the routine's fastest allowed), a slow one
# with pauses and a held press on guasha near the tick counter's
# wraparound, and eyes (long holds between its strokes) on the DRV2605.
FOLLOWING = [
    ("daily-following", "daily", following("daily", 2), 0),
    ("guasha-following-near-wrap", "guasha", following("guasha", 17), (1 << 30) - 40000),
    ("eyes-following", "eyes", following("eyes", 5), 0),
]


def generated(count=24):
    names = ["daily", "guasha", "acupressure", "eyes"]
    return [("random-%02d" % i, names[i % len(names)], random_script(i),
             random.Random(1000 + i).randrange(1 << 30)) for i in range(count)]


BOARDS = ("pico", "esp32-devkitc", "xiao-rp2040")


def all_scenarios():
    """Each scenario on a board; the generated ones cycle through all boards."""
    out = [s + ("pico",) for s in HANDWRITTEN]
    out += [s + (BOARDS[i % len(BOARDS)],) for i, s in enumerate(FOLLOWING)]
    out += [s + (BOARDS[i % len(BOARDS)],) for i, s in enumerate(generated())]
    return out
