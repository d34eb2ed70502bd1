# Event scripts: '<seconds> press|long|double|pressure V|battery V|end|
# powercut|set NAME VALUE', one per line, '#' comments. `end` stops the run
# as a wand switched off does (what it owes its flash is written);
# `powercut` stops it at once, nothing more written. `set` (at time 0 only)
# is a setting the wand has at power-on (facewand.settings; VALUE an
# integer, or true/false), e.g. the wearer's pressure calibration. Parsed without floats so CPython and
# MicroPython read a script identically.

# How a script's gestures become button edges (ms after the line's time).
GESTURE_EDGES = {
    "press": ((0, True), (120, False)),
    "long": ((0, True), (1200, False)),
    "double": ((0, True), (100, False), (220, True), (320, False)),
}


class ScriptError(ValueError):
    pass


MAX_SECONDS = 14400           # a simulated run stops at 4 hours: no later time means anything


def _digits(s):
    # ASCII digits only: str.isdigit() also takes "²" and "٣", and the two
    # interpreters disagree about which of those int() reads.
    for c in s:
        if c < "0" or c > "9":
            return False
    return len(s) > 0


def decimal_to_int(text, scale):
    """'12.345' with scale 1000 -> 12345. None if not a plain decimal of
    ASCII digits, or if it has more than 6 whole digits (no script time or
    value is that large, and a 5000-digit number must not reach int())."""
    if not text or text[0] == "-" or text[0] == "+":
        return None
    whole, _, frac = text.partition(".")
    if not whole:
        whole = "0"
    if not _digits(whole) or (frac and not _digits(frac)) or text.endswith("."):
        return None
    if len(whole) > 6:
        return None
    digits = 0
    s = scale
    while s > 1:
        s //= 10
        digits += 1
    frac = (frac + "0" * digits)[:digits] if digits else ""
    return int(whole) * scale + (int(frac) if frac else 0)


def parse_script(text, source):
    """Script text -> list of (t_ms, kind, value) in time order. Errors
    name the file and line: a time must not go back. Values: pressure in
    permille, battery in mV."""
    events = []
    last = 0
    lines = text.split("\n")
    for n in range(len(lines)):
        line = lines[n].split("#", 1)[0].strip()
        if not line:
            continue
        where = "%s:%d: " % (source, n + 1)
        words = line.split()
        t = decimal_to_int(words[0], 1000)
        if t is None or t > MAX_SECONDS * 1000:
            raise ScriptError(where + "expected a time in seconds 0..%d first, got %s"
                              % (MAX_SECONDS, _quote(words[0])))
        if t < last:
            raise ScriptError(where + "time %s comes before the time of an earlier line; "
                              "lines go in time order" % _quote(words[0]))
        last = t
        if len(words) < 2:
            raise ScriptError(where + "expected an event after the time")
        kind = words[1]
        if kind in GESTURE_EDGES or kind == "end" or kind == "powercut":
            if len(words) != 2:
                raise ScriptError(where + "'%s' takes no value" % kind)
            events.append((t, kind, 0))
        elif kind == "set":
            events.append((t, kind, _setting(words, t, where)))
        elif kind == "pressure" or kind == "battery":
            if len(words) != 3:
                raise ScriptError(where + "'%s' needs one value" % kind)
            v = decimal_to_int(words[2], 1000)
            if kind == "pressure" and (v is None or v > 1000):
                raise ScriptError(where + "pressure must be 0..1, got %s" % _quote(words[2]))
            if kind == "battery" and (v is None or v < 2000 or v > 5000):
                raise ScriptError(where + "battery must be 2.0..5.0 volts, got %s" % _quote(words[2]))
            events.append((t, kind, v))
        else:
            raise ScriptError(where + "unknown event %s (expected press, long, double, "
                              "pressure, battery, end, powercut or set)" % _quote(kind))
    return events


def _setting(words, t, where):
    """A `set NAME VALUE` line's (name, value), checked by the firmware's
    own settings checker."""
    if len(words) != 4:
        raise ScriptError(where + "'set' needs a setting's name and a value")
    if t != 0:
        raise ScriptError(where + "'set' is a setting at power-on: its time must be 0")
    word = words[3]
    if word == "true" or word == "false":
        v = word == "true"
    elif _digits(word) and len(word) <= 7:
        v = int(word)
    else:
        raise ScriptError(where + "expected an integer or true/false, got %s" % _quote(word))
    from facewand.settings import Settings
    from facewand.settings_limits import check_one
    try:
        check_one(Settings(), words[2], v)
    except ValueError as e:
        raise ScriptError(where + _quote(words[2])[1:-1] + str(e)[len(words[2]):])
    return (words[2], v)


def _quote(word):
    """A word of the script quoted back, short and printable on one line,
    the same on both interpreters."""
    if len(word) > 20:
        word = word[:17] + "..."
    out = ""
    for c in word:
        out += c if " " <= c <= "~" else "\\u%04x" % ord(c)
    return "'" + out + "'"
