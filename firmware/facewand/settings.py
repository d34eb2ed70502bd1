# Wearer's settings and the hard limits no setting can pass.
#
# Values are integers in device units (ms, permille, %, mV) so the engine
# never touches a float. Out-of-range values are refused with the field's
# name; the safety caps themselves live in the engine and cues modules.
from facewand.compat import const

_AUTO_OFF_MIN_MS = const(10000)
_AUTO_OFF_MAX_MS = const(1800000)   # nothing stays on unattended past 30 min

# field: (lowest, highest); the default is the class attribute below.
FIELDS = (
    ("auto_off_ms", _AUTO_OFF_MIN_MS, _AUTO_OFF_MAX_MS),
    ("intensity", 100, 1000),       # permille; the engine keeps it within its floor and cap
    ("brightness", 20, 100),        # ring, % of the board's max_brightness
    ("battery_low_mv", 2800, 4200),
)


class Settings:
    auto_off_ms = 120000
    intensity = 700
    brightness = 100
    battery_low_mv = 3400

    def __init__(self, **values):
        for name, lo, hi in FIELDS:
            v = values.pop(name, getattr(Settings, name))
            if not isinstance(v, int) or isinstance(v, bool) or v < lo or v > hi:
                raise ValueError("%s: expected an integer %d..%d, got %r" % (name, lo, hi, v))
            setattr(self, name, v)
        for name in values:
            raise ValueError("%s: unknown setting" % name)
