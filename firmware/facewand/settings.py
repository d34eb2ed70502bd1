# Wearer's settings and the hard limits no setting can pass.
#
# Values are integers in device units (ms, permille, mV) so the engine never
# touches a float. Out-of-range values are refused with the field's name;
# the safety caps themselves live in the engine and cues modules.
from facewand.compat import const

AUTO_OFF_MIN_MS = const(10000)
AUTO_OFF_MAX_MS = const(1800000)   # nothing stays on unattended past 30 min

# field: (default, lowest, highest, what it means)
FIELDS = (
    ("auto_off_ms", 120000, AUTO_OFF_MIN_MS, AUTO_OFF_MAX_MS),
    ("intensity", 700, 100, 1000),        # permille; capped again by the engine
    ("brightness", 100, 20, 100),         # ring, % of the board's max_brightness
    ("battery_low_mv", 3400, 2800, 4200),
)


class Settings:
    def __init__(self, **values):
        for name, default, lo, hi in FIELDS:
            v = values.pop(name, default)
            if not isinstance(v, int) or isinstance(v, bool) or v < lo or v > hi:
                raise ValueError("%s: expected an integer %d..%d, got %r" % (name, lo, hi, v))
            setattr(self, name, v)
        for name in values:
            raise ValueError("%s: unknown setting" % name)
