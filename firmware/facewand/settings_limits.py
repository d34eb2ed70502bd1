# The hard limits no wearer's setting (facewand.settings) can pass, and
# their check: out-of-range values are refused with the field's name.
# Loaded only when a setting is given a value (the simulator, the tests);
# the wand runs on the defaults, which a test holds within these limits.
from facewand.compat import const

_AUTO_OFF_MIN_MS = const(10000)
_AUTO_OFF_MAX_MS = const(1800000)   # nothing stays on unattended past 30 min

# field: (lowest, highest); the default is Settings' class attribute.
FIELDS = (
    ("auto_off_ms", _AUTO_OFF_MIN_MS, _AUTO_OFF_MAX_MS),
    ("intensity", 100, 1000),       # permille; the engine keeps it within its floor and cap
    ("brightness", 20, 100),        # ring, % of the board's max_brightness
    ("battery_low_mv", 2800, 4200),
)


def check(settings, values):
    """Give `settings` the values {name: value}, each checked; ValueError
    naming the first that is unknown or out of its limits."""
    for name, lo, hi in FIELDS:
        v = values.pop(name, getattr(settings, name))
        if not isinstance(v, int) or isinstance(v, bool) or v < lo or v > hi:
            raise ValueError("%s: expected an integer %d..%d, got %r" % (name, lo, hi, v))
        setattr(settings, name, v)
    for name in values:
        raise ValueError("%s: unknown setting" % name)
