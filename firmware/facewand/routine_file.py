# Routine files: JSON in, a checked Routine out, or one clear error.
#
# The same code checks a file on the host (`host_tools routine check`, the
# simulator) and on the wand at start-up, so a file that passes here runs
# there. Every error names the file, the field path and what was expected:
#     full.json: steps[3].strokes: expected an integer 0..20, got 25
# Runs at load time only, never on the tick path, so it may allocate.
from facewand.routines import Routine, Step, MAX_STEPS
from facewand.schema import Checker, SchemaError, is_int, load_json, parse_json

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
    "pressure_min": ("frac", False, 0, 900),
    "hint": ("text", False, 0, 80),
}


class RoutineError(SchemaError):
    pass


class _Checker(Checker):
    error = RoutineError
    shared = None             # {name: name, step: step}: what the files loaded so far hold

    def special(self, v, kind, lo, hi, path):
        if kind == "frac":
            ok = (is_int(v) or isinstance(v, float)) and lo <= v * 1000 <= hi
            if not ok:
                self.expect(path, "a number %s..%s" % (_frac(lo), _frac(hi)), v)
            return int(v * 1000 + 0.5)
        if kind == "name":
            if not isinstance(v, str) or not lo <= len(v) <= hi or not _is_id(v):
                self.expect(path, "a lowercase name of %d..%d letters, digits, - or _" % (lo, hi), v)
            return v
        if kind == "colour":
            if not isinstance(v, str) or len(v) != 7 or v[0] != "#" or not _is_hex(v[1:]) or v[1:] == "000000":
                self.expect(path, 'a colour "#RRGGBB", not black', v)
            return full_strength(int(v[1:], 16))
        if kind == "pace":
            return self.obj(v, PACE_FIELDS, path)
        # steps
        if not isinstance(v, list) or not lo <= len(v) <= hi:
            self.expect(path, "a list of %d..%d steps" % (lo, hi), v if not isinstance(v, list) else len(v))
        steps = []
        for i in range(len(v)):
            steps.append(self.step(v[i], "%s[%d]" % (path, i)))
        return tuple(steps)

    def step(self, data, path):
        f = self.obj(data, STEP_FIELDS, path)
        presses = f.get("presses", 0)
        hold = f.get("hold_ms", 0)
        if presses and not hold:
            self.fail(path + ".hold_ms", "missing (needed when presses > 0)")
        if not presses and hold:
            self.fail(path + ".hold_ms", "given but the step has no presses")
        if not presses and not f["strokes"]:
            self.fail(path, "a step needs strokes or presses (both are 0)")
        low = f.get("pressure_min", 0)
        if low >= f["pressure_max"]:
            self.fail(path + ".pressure_min", "below pressure_max (%s), not %s"
                      % (_frac(f["pressure_max"]), _frac(low)))
        # A step's words (name, zone, direction, hint) are for the simulator,
        # the trace and the journal; the running wand keeps none of them
        # (checked.lean).
        name = f["name"]
        shared = self.shared
        if shared is not None:
            name = shared.setdefault(name, name)
        s = Step(name, f["zone"], f["direction"], f["strokes"], presses, hold,
                 f["pressure_max"], f.get("hint", ""), low)
        # Routines repeat steps ("Neck" in three of the five built-ins):
        # one copy of each name and of each step, the same in every file.
        return s if shared is None else shared.setdefault(s, s)


def full_strength(rgb):
    """The colour's hue with its brightest channel at 255: a routine's
    colour says which hue, the ring says how bright (a dark "#102030"
    would otherwise never be visible on the ring)."""
    r, g, b = (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF
    top = max(r, g, b)
    return ((r * 255 // top) << 16) | ((g * 255 // top) << 8) | (b * 255 // top)


def _frac(permille):
    return "%d.%03d" % (permille // 1000, permille % 1000) if permille % 1000 else str(permille // 1000)


def _is_hex(s):
    for c in s:
        if c not in "0123456789abcdefABCDEF":
            return False
    return True


def _is_id(s):
    for c in s:
        if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-" or c == "_"):
            return False
    return True


def parse(data, source, shared=None):
    """Check decoded JSON data and build the Routine it describes. Given a
    dict as `shared`, its steps and their names are those already in it
    when they are alike, and the new ones go in."""
    c = _Checker(source)
    c.shared = shared
    f = c.obj(data, ROUTINE_FIELDS, "")
    pace = f["pace"]
    r = Routine(f["name"], f["colour"], f["rounds"], pace["start_ms"],
                pace["end_ms"], f["intensity"], f["steps"])
    for i in range(len(r.steps)):
        if r.step_ms(i) > STEP_MAX_MS:
            c.fail("steps[%d]" % i, "lasts %d s, longer than the %d s a step may take"
                   % (r.step_ms(i) // 1000, STEP_MAX_MS // 1000))
    total = r.total_ms()
    if total > SESSION_MAX_MS:
        c.fail("", "the session would last %d s, over the %d s safety cap"
               % (total // 1000, SESSION_MAX_MS // 1000))
    return r


def parse_bytes(raw, source):
    return parse(parse_json(raw, source, RoutineError), source)


def load(path, source=None, shared=None):
    """Read and check one routine file; errors name the file by its base
    name, or as `source` says."""
    data, source = load_json(path, RoutineError, source)
    return parse(data, source, shared)
