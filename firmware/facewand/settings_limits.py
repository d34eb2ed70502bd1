# The hard limits no wearer's setting (facewand.settings) can pass, and
# their check: a value out of its limits is refused with the setting's name
# and what was expected. Loaded at start-up (settings.json), by the
# simulator and by the host tools (`host_tools settings`), never by the
# running loop.
from facewand.compat import const

_AUTO_OFF_MIN_MS = const(10000)
_AUTO_OFF_MAX_MS = const(1800000)   # nothing stays on unattended past 30 min

LONG_PRESS_CHOICES = (400, 800, 1500)

# name: (kind, lowest, highest); kinds: "int", "bool", "choice" (lowest is
# the tuple of choices), "name" (a routine name, up to `highest` letters).
# The default is Settings' class attribute.
FIELDS = (
    ("intensity", "int", 100, 1000),        # permille; the engine keeps it within its floor and cap
    ("brightness", "int", 20, 100),         # ring, % of the board's max_brightness
    ("routine", "name", 0, 24),
    ("auto_off_ms", "int", _AUTO_OFF_MIN_MS, _AUTO_OFF_MAX_MS),
    ("battery_low_mv", "int", 2800, 4200),
    ("pressure_zero", "int", 0, 65535),
    ("pressure_full", "int", 0, 65535),
    ("haptic_only", "bool", 0, 1),
    ("long_press_ms", "choice", LONG_PRESS_CHOICES, 0),
    ("strong_cues", "bool", 0, 1),
    ("resume_window_s", "int", 0, 14400),
    ("follow", "bool", 0, 1),
)


def _expected(kind, lo, hi):
    if kind == "int":
        return "an integer %d..%d" % (lo, hi)
    if kind == "bool":
        return "true or false"
    if kind == "choice":
        return " or ".join(str(c) for c in lo)
    return "a routine name (lowercase letters, digits, - and _; up to %d) or \"\"" % hi


def _ok(kind, lo, hi, v):
    if kind == "bool":
        return v is True or v is False
    if kind == "name":
        if not isinstance(v, str) or len(v) > hi:
            return False
        for c in v:
            if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-" or c == "_"):
                return False
        return True
    if not isinstance(v, int) or isinstance(v, bool):
        return False
    if kind == "choice":
        return v in lo
    return lo <= v <= hi


def check_one(settings, name, v):
    """Give `settings` the value `v` for `name`; ValueError("NAME: expected
    ..., got ...") if it is unknown or out of its limits."""
    for n, kind, lo, hi in FIELDS:
        if n == name:
            if not _ok(kind, lo, hi, v):
                raise ValueError("%s: expected %s, got %s" % (name, _expected(kind, lo, hi), _show(v)))
            if v != getattr(type(settings), name) or name in settings.__dict__:
                setattr(settings, name, v)    # (a default stays the class's: no room taken)
            return
    raise ValueError("%s: unknown setting (known: %s)" % (name, ", ".join(f[0] for f in FIELDS)))


def check(settings, values):
    """Give `settings` the values {name: value}, each checked; ValueError
    naming the first that is unknown or out of its limits."""
    for name in values:
        check_one(settings, name, values[name])


def as_dict(settings):
    return dict((f[0], getattr(settings, f[0])) for f in FIELDS)


def _show(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, str):
        return '"%s"' % v[:40]
    if isinstance(v, (int, float)):
        return repr(v)
    return "a %s" % ("list" if isinstance(v, list) else "object" if isinstance(v, dict) else "value")
