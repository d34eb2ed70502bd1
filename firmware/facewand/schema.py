# Checking data files against field tables, shared by routine and board
# files so both refuse bad input the same way: one line naming the file,
# the field path and what was expected, e.g.
#     full.json: steps[3].strokes: expected an integer 0..20, got 25
# Fields are checked in sorted order, so the first error reported is the
# same on CPython and MicroPython (their dicts iterate differently).
#
# A field table maps name -> (kind, required, low, high). Kinds here: "int",
# "bool", "text" (one line, low..high characters), or a tuple of allowed
# words. A Checker subclass handles its own further kinds in special().


class SchemaError(ValueError):
    pass


def show(v):
    """A value in JSON spelling, cut short and without control characters,
    so a message reads like the file and stays one line."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        if len(v) > 40:
            v = v[:37] + "..."
        return '"%s"' % "".join(c if printable(c) else "\\u%04x" % ord(c) for c in v)
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    return str(v)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def printable(c):
    """False for what would break a line of text or a UTF-8 file: control
    characters (C0, DEL, C1 such as U+0085), the line and paragraph
    separators U+2028/U+2029, and lone surrogates (CPython lets "\\ud800"
    into a str; it cannot be written as UTF-8)."""
    o = ord(c)
    return not (o < 0x20 or 0x7F <= o <= 0x9F or o == 0x2028 or o == 0x2029
                or 0xD800 <= o <= 0xDFFF)


def is_line(s):
    """True when every character of s is printable(), looked at in s's UTF-8
    bytes: on MicroPython each character taken out of a str is interned
    and never freed (a routine's hints would leave ~40 on the wand's heap)."""
    try:
        b = s.encode()
    except UnicodeError:
        return False              # CPython: a lone surrogate
    p1 = p2 = 0                   # the two bytes before
    for o in b:
        if (o < 0x20 or o == 0x7F                             # C0, DEL
                or (p1 == 0xC2 and 0x80 <= o <= 0x9F)         # C1
                or (p2 == 0xE2 and p1 == 0x80 and (o == 0xA8 or o == 0xA9))   # U+2028/9
                or (p1 == 0xED and o >= 0xA0)):               # a surrogate (MicroPython)
            return False
        p2 = p1
        p1 = o
    return True


def join(path, key):
    # A key comes from the file: spelled printable, so a message naming an
    # unknown field with a line break in it stays one line.
    if not is_line(key) or len(key) > 40:
        key = show(key)
    return key if not path else path + "." + key


class Checker:
    error = SchemaError

    def __init__(self, source):
        self.source = source

    def fail(self, path, message):
        raise self.error("%s: %s: %s" % (self.source, path or "(top)", message))

    def expect(self, path, expected, got):
        self.fail(path, "expected %s, got %s" % (expected, show(got)))

    def obj(self, data, fields, path):
        if not isinstance(data, dict):
            self.expect(path, "an object", data)
        for key in sorted(data):
            if key not in fields:
                self.fail(join(path, key), "unknown field (expected one of %s)" % ", ".join(sorted(fields)))
        out = {}
        for key in sorted(fields):
            kind, required, lo, hi = fields[key]
            p = join(path, key)
            if key not in data:
                if required:
                    self.fail(p, "missing")
                continue
            out[key] = self.value(data[key], kind, lo, hi, p)
        return out

    def value(self, v, kind, lo, hi, path):
        if isinstance(kind, tuple):
            if not isinstance(v, str) or v not in kind:
                self.expect(path, "one of " + ", ".join(kind), v)
            return v
        if kind == "int":
            if not is_int(v) or v < lo or v > hi:
                self.expect(path, "an integer %d..%d" % (lo, hi), v)
            return v
        if kind == "bool":
            if v is not True and v is not False:
                self.expect(path, "true or false", v)
            return v
        if kind == "text":
            if not isinstance(v, str) or not lo <= len(v) <= hi or not is_line(v):
                self.expect(path, "one line of text of %d..%d characters" % (lo, hi), v)
            return v
        return self.special(v, kind, lo, hi, path)

    def special(self, v, kind, lo, hi, path):
        raise self.error("%s: %s: field table has unknown kind %r" % (self.source, path, kind))


MAX_FILE = 16384     # bytes: a 12-step routine is about 3 KB; more would crowd the wand's RAM


def load_json(path, error, source=None):
    """Read a UTF-8 JSON file; returns (data, source) where source is the
    file's name as messages give it (by default its base name, as a person
    on the wand calls it). Every failure is one `error`, including a file
    too large for the wand's memory."""
    if source is None:
        source = path.rstrip("/").rsplit("/", 1)[-1] or path
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE + 1)
    except OSError:
        raise error("%s: cannot be read" % source)
    except MemoryError:
        raise error("%s: too large to load" % source)
    if len(raw) > MAX_FILE:
        raise error("%s: larger than the %d bytes a data file may have" % (source, MAX_FILE))
    try:
        return parse_json(raw, source, error), source
    except MemoryError:
        raise error("%s: too large to load" % source)


def parse_json(raw, source, error):
    try:
        text = raw.decode("utf-8")
    except UnicodeError:
        raise error("%s: not UTF-8 text" % source)
    if text[:1] == "\ufeff":
        text = text[1:]          # a byte-order mark some editors write
    try:
        return _loads(text)
    except _Twice as e:
        raise error("%s: %s: given twice in one object" % (source, show(e.args[0])))
    except ValueError as e:
        line = getattr(e, "lineno", None)   # CPython says where; MicroPython does not
        raise error("%s: not valid JSON%s" % (source, " (line %d)" % line if line else ""))
    except RuntimeError:
        raise error("%s: not valid JSON (nested too deeply)" % source)


class _Twice(Exception):
    pass


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise _Twice(k)
        d[k] = v
    return d


def _loads(text):
    import json
    try:
        # MicroPython's stubs know no hook; CPython's json does.
        return json.loads(text, object_pairs_hook=_pairs)  # pyright: ignore[reportCallIssue]
    except TypeError:
        # MicroPython's json takes no hook: on the wand a key given twice
        # keeps its last value; the host's checker (routine check, flash)
        # refuses it before it gets there.
        return json.loads(text)
