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
] + ["routine%d" % n for n in range(1, MAX_ROUTINES + 1)] + ["fault", "offer", "level"])

# By ring pattern (view.L_*, numbered in facewand/view.py).
LED_NAMES = ("off", "idle", "start", "step", "stroke", "hold", "paused",
             "warn", "battery_low", "done", "routine", "error", "offer", "level")

# By commands.NOTE_* (what the wand says at power-on about its memory).
NOTE_NAMES = ("", "settings_missing", "settings_bad", "not_littlefs", "history_damaged")

# By commands.SET_* (a setting changed on the wand itself).
SET_NAMES = ("", "intensity")
