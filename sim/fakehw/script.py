# Event scripts: '<seconds> press|long|double|pressure V|battery V|end',
# one per line, '#' comments. Parsed without floats so CPython and
# MicroPython read a script identically.

# How a script's gestures become button edges (ms after the line's time).
GESTURE_EDGES = {
    "press": ((0, True), (120, False)),
    "long": ((0, True), (1200, False)),
    "double": ((0, True), (100, False), (220, True), (320, False)),
}


class ScriptError(ValueError):
    pass


def decimal_to_int(text, scale):
    """'12.345' with scale 1000 -> 12345. None if not a plain decimal."""
    if not text or text[0] == "-" or text[0] == "+":
        return None
    whole, _, frac = text.partition(".")
    if not whole:
        whole = "0"
    if not whole.isdigit() or (frac and not frac.isdigit()) or text.endswith("."):
        return None
    digits = 0
    s = scale
    while s > 1:
        s //= 10
        digits += 1
    frac = (frac + "0" * digits)[:digits] if digits else ""
    return int(whole) * scale + (int(frac) if frac else 0)


def parse_script(text, source):
    """Script text -> sorted list of (t_ms, kind, value). Errors name the
    file and line. Values: pressure in permille, battery in mV."""
    events = []
    lines = text.split("\n")
    for n in range(len(lines)):
        line = lines[n].split("#", 1)[0].strip()
        if not line:
            continue
        where = "%s:%d: " % (source, n + 1)
        words = line.split()
        t = decimal_to_int(words[0], 1000)
        if t is None:
            raise ScriptError(where + "expected a time in seconds first, got %r" % words[0])
        if len(words) < 2:
            raise ScriptError(where + "expected an event after the time")
        kind = words[1]
        if kind in GESTURE_EDGES or kind == "end":
            if len(words) != 2:
                raise ScriptError(where + "'%s' takes no value" % kind)
            events.append((t, kind, 0))
        elif kind == "pressure" or kind == "battery":
            if len(words) != 3:
                raise ScriptError(where + "'%s' needs one value" % kind)
            v = decimal_to_int(words[2], 1000)
            if kind == "pressure" and (v is None or v > 1000):
                raise ScriptError(where + "pressure must be 0..1, got %r" % words[2])
            if kind == "battery" and (v is None or v < 2000 or v > 5000):
                raise ScriptError(where + "battery must be 2.0..5.0 volts, got %r" % words[2])
            events.append((t, kind, v))
        else:
            raise ScriptError(where + "unknown event %r (expected press, long, double, "
                              "pressure, battery or end)" % kind)
    events.sort(key=lambda e: e[0])
    return events
