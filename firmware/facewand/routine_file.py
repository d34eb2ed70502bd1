# Routine files: JSON in, a checked Routine out, or one clear error.
#
# The same code checks a file on the host (`host_tools routine check`, the
# simulator) and on the wand at start-up, so a file that passes here runs
# there. Every error names the file, the field path and what was expected:
#     full.json: steps[3].strokes: expected an integer 0..20, got 25
# Runs at load time only, never on the tick path, so it may allocate.
import json

from facewand.routines import Routine, Step, MAX_STEPS

SESSION_MAX_MS = 1800000     # refuse anything planned longer than 30 minutes
STEP_MAX_MS = 300000         # and any one step longer than 5 minutes

ZONES = ("chin", "jaw", "cheeks", "cheekbones", "forehead", "brows",
         "temples", "lips", "nose", "ears", "eyes", "neck", "face")
DIRECTIONS = ("up", "out", "out_up", "along", "around", "circles", "pinch",
              "still")

# field: (kind, required, low, high). Kinds: int, frac (a number 0..1 kept
# as permille), name (lowercase id), text, colour (#RRGGBB), or a tuple of
# allowed words.
ROUTINE_FIELDS = {
    "name": ("name", True, 1, 24),
    "description": ("text", False, 0, 200),
    "colour": ("colour", True, 0, 0),
    "rounds": ("int", True, 1, 20),
    "pace": ("pace", True, 0, 0),
    "intensity": ("frac", True, 100, 1000),
    "steps": ("steps", True, 1, MAX_STEPS),
}
PACE_FIELDS = {
    "start_ms": ("int", True, 1000, 10000),
    "end_ms": ("int", True, 1000, 10000),
}
STEP_FIELDS = {
    "name": ("text", True, 1, 32),
    "zone": (ZONES, True, 0, 0),
    "direction": (DIRECTIONS, True, 0, 0),
    "strokes": ("int", True, 0, 20),
    "presses": ("int", False, 0, 10),
    "hold_ms": ("int", False, 500, 10000),
    "pressure_max": ("frac", True, 50, 1000),
    "hint": ("text", False, 0, 80),
}


class RoutineError(ValueError):
    pass


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _show(v):
    # JSON spelling, so the message reads like the file.
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        # Control characters escaped and long text cut short, so the
        # message stays one readable line (the same on both Pythons).
        if len(v) > 40:
            v = v[:37] + "..."
        return '"%s"' % "".join(c if c >= " " else "\\x%02x" % ord(c) for c in v)
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    return str(v)


def _range(lo, hi, unit=""):
    return "%d..%d%s" % (lo, hi, unit)


class _Checker:
    def __init__(self, source):
        self.source = source

    def fail(self, path, expected, got):
        raise RoutineError("%s: %s: expected %s, got %s" % (self.source, path, expected, _show(got)))

    def fail_msg(self, path, message):
        raise RoutineError("%s: %s: %s" % (self.source, path, message))

    def obj(self, data, fields, path):
        if not isinstance(data, dict):
            self.fail(path or "(top)", "an object", data)
        for key in sorted(data):
            if key not in fields:
                self.fail_msg(self._join(path, key),
                              "unknown field (expected one of %s)" % ", ".join(sorted(fields)))
        out = {}
        for key in sorted(fields):
            kind, required, lo, hi = fields[key]
            p = self._join(path, key)
            if key not in data:
                if required:
                    self.fail_msg(p, "missing")
                continue
            out[key] = self.value(data[key], kind, lo, hi, p)
        return out

    def _join(self, path, key):
        return key if not path else path + "." + key

    def value(self, v, kind, lo, hi, path):
        if isinstance(kind, tuple):
            if not isinstance(v, str) or v not in kind:
                self.fail(path, "one of " + ", ".join(kind), v)
            return v
        if kind == "int":
            if not _is_int(v) or v < lo or v > hi:
                self.fail(path, "an integer " + _range(lo, hi), v)
            return v
        if kind == "frac":
            ok = (_is_int(v) or isinstance(v, float)) and lo <= v * 1000 <= hi
            if not ok:
                self.fail(path, "a number %s..%s" % (_frac(lo), _frac(hi)), v)
            return int(v * 1000 + 0.5)
        if kind == "name":
            if not isinstance(v, str) or not lo <= len(v) <= hi or not _is_id(v):
                self.fail(path, "a lowercase name of %s letters, digits, - or _" % _range(lo, hi), v)
            return v
        if kind == "text":
            if not isinstance(v, str) or not lo <= len(v) <= hi or not _is_line(v):
                self.fail(path, "one line of text of %s characters" % _range(lo, hi), v)
            return v
        if kind == "colour":
            if not isinstance(v, str) or len(v) != 7 or v[0] != "#" or not _is_hex(v[1:]):
                self.fail(path, 'a colour "#RRGGBB"', v)
            return int(v[1:], 16)
        if kind == "pace":
            return self.obj(v, PACE_FIELDS, path)
        # steps
        if not isinstance(v, list) or not lo <= len(v) <= hi:
            self.fail(path, "a list of %s steps" % _range(lo, hi), v if not isinstance(v, list) else len(v))
        steps = []
        for i in range(len(v)):
            steps.append(self.step(v[i], "%s[%d]" % (path, i)))
        return tuple(steps)

    def step(self, data, path):
        f = self.obj(data, STEP_FIELDS, path)
        presses = f.get("presses", 0)
        hold = f.get("hold_ms", 0)
        if presses and not hold:
            self.fail_msg(path + ".hold_ms", "missing (needed when presses > 0)")
        if not presses and hold:
            self.fail_msg(path + ".hold_ms", "given but the step has no presses")
        if not presses and not f["strokes"]:
            self.fail_msg(path, "a step needs strokes or presses (both are 0)")
        return Step(f["name"], f["zone"], f["direction"], f["strokes"], presses,
                    hold, f["pressure_max"], f.get("hint", ""))


def _frac(permille):
    return "%d.%03d" % (permille // 1000, permille % 1000) if permille % 1000 else str(permille // 1000)


def _is_hex(s):
    for c in s:
        if c not in "0123456789abcdefABCDEF":
            return False
    return True


def _is_line(s):
    # No line breaks, tabs or other control characters: names and hints
    # are shown on one line.
    for c in s:
        if c < " " or c == "\x7f":
            return False
    return True


def _is_id(s):
    for c in s:
        if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-" or c == "_"):
            return False
    return True


def parse(data, source):
    """Check decoded JSON data and build the Routine it describes."""
    c = _Checker(source)
    f = c.obj(data, ROUTINE_FIELDS, "")
    pace = f["pace"]
    r = Routine(f["name"], f["colour"], f["rounds"], pace["start_ms"],
                pace["end_ms"], f["intensity"], f["steps"])
    for i in range(len(r.steps)):
        if r.step_ms(i) > STEP_MAX_MS:
            c.fail_msg("steps[%d]" % i, "lasts %d s, longer than the %d s a step may take"
                       % (r.step_ms(i) // 1000, STEP_MAX_MS // 1000))
    total = r.total_ms()
    if total > SESSION_MAX_MS:
        c.fail_msg("(top)", "the session would last %d s, over the %d s safety cap"
                   % (total // 1000, SESSION_MAX_MS // 1000))
    return r


def parse_bytes(raw, source):
    try:
        text = raw.decode("utf-8")
    except UnicodeError:
        raise RoutineError("%s: not UTF-8 text" % source)
    if text[:1] == "\ufeff":
        text = text[1:]          # a byte-order mark some editors write
    try:
        data = json.loads(text)
    except ValueError as e:
        # CPython says where; MicroPython does not.
        line = getattr(e, "lineno", None)
        raise RoutineError("%s: not valid JSON%s" % (source, " (line %d)" % line if line else ""))
    except RuntimeError:
        # CPython's RecursionError on very deep nesting.
        raise RoutineError("%s: not valid JSON (nested too deeply)" % source)
    return parse(data, source)


def load(path):
    """Read and check one routine file; the error names the file by its
    base name, as a person would call it."""
    source = path.rstrip("/").rsplit("/", 1)[-1] or path
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        raise RoutineError("%s: cannot be read" % source)
    return parse_bytes(raw, source)
