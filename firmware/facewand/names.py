# What the numbers the engine sends are called, for whoever reads them: the
# trace and the journal written at power-off, the simulator, the host tools
# and the tests. The loop never needs a name, so the wand imports this only
# when it writes its journal: the names take no heap while it runs.
from facewand.cues import MAX_ROUTINES, MAX_STEP_CUE

STATE_NAMES = ("idle", "running", "paused", "done", "off", "offer")   # by commands.IDLE..OFFER

REASON_NAMES = ("", "pressure_high", "battery_low")          # by commands.REASON_*

GESTURE_NAMES = ("none", "press", "long", "double")          # by gestures.NONE..DOUBLE

# By pattern number (cues.V_*): step N's cue is pattern N, routine N's is
# cues.V_ROUTINE + N.
VIBE_NAMES = tuple(["none"] + ["step%d" % n for n in range(1, MAX_STEP_CUE + 1)] + [
    "stroke", "stroke_last", "press", "release", "pressure_high",
    "battery_low", "start", "pause", "resume", "end", "finish", "power_off",
    "wake",
] + ["routine%d" % n for n in range(1, MAX_ROUTINES + 1)] + ["fault", "offer", "level", "light"])

# By ring pattern (view.L_*, numbered in facewand/view.py).
LED_NAMES = ("off", "idle", "start", "step", "stroke", "hold", "paused",
             "warn", "battery_low", "done", "routine", "error", "offer", "level")

# What the stroke detector sensed (facewand.sense, following the person):
# its command, kept here rather than in commands.py because only the
# detector sends it (its own private copy: a test holds the two together)
# and the running wand of a person not followed should intern no name of it.
# a = SENSED_*; b = the person's period in 4 ms (a stroke: the detector's
# is at most 6 s), or the stroke's peak, permille (too light); c = its
# number in the step's part (at most 1023).
CMD_SENSED = 13
SENSED_STROKE = 1
SENSED_PRESS = 2
SENSED_LIGHT = 3      # a stroke that peaked under the step's pressure_min
SENSED_NAMES = ("", "stroke", "press", "light")

# By the notes' numbers (what the wand says at power-on about its memory:
# facewand.memory).
NOTE_NAMES = ("", "settings_missing", "settings_bad", "not_littlefs", "history_damaged")

# By the engine's SET_* (a setting changed on the wand itself).
SET_NAMES = ("", "intensity")

# How a session ended, by the code the engine, the keeper and the history
# use (each module keeps the codes it needs as private consts; a test holds
# them to these places).
END_NAMES = ("", "finished", "ended early", "battery low", "time cap", "auto-off",
             "crash", "power cut")


def date_of(mins):
    """(year, month, day, hour, minute) for minutes since 2000-01-01."""
    days, m = divmod(mins, 1440)
    # the inverse of minutes(): the civil date from a day count
    z = days + 730425
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    mo = mp + 3 if mp < 10 else mp - 9
    if mo <= 2:
        y += 1
    return y, mo, d, m // 60, m % 60

