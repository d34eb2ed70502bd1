# The board file and routines as the checkers left them, kept on the wand's
# flash (checked.cache) so an ordinary wake builds them without importing
# the checkers (facewand.board, schema, routine_file, library). The names
# a module interns are never freed: the checkers' would cost the running
# wand a sixth names block (about 4 KB on the emulated Pico) and their
# text, for a check whose answer is the same at every wake.
#
# The file: 32 bytes of sha256, then JSON. The digest is over the key, then
# the JSON; the key is a sha256 of what the checkers' answer depends on:
# FORMAT, the firmware's VERSION, the checkers' own code files, board.json
# and every routines/*.json (names and bytes). Any edit, an added or
# removed routine file, new checker code, a cut-short or garbled cache:
# the digest differs, read() gives None and start runs the checkers, then
# writes a new one. Without hashlib there is no key and the checkers always
# run. A frozen build's code is in no file: there FORMAT and VERSION stand
# for it, and a change to what the checkers answer must change FORMAT.
# JSON, lists mostly: MicroPython's json.loads interns no names. Making
# the key reads about 24 KB and takes ~95 ms on the emulated Pico; the
# checkers it spares took ~1 s.
import json
import os

from facewand.routines import Routine, Step

try:
    from hashlib import sha256
except ImportError:         # a port built without it: the checkers run at every start
    sha256 = None

FILE = "/checked.cache"
FORMAT = b"facewand checked 1\n"
# The modules whose code decides what the checkers answer, this one with
# them: their files (as the importer finds them, .py before .mpy) are in the key.
CODE = ("board", "schema", "routine_file", "library", "routines", "cues", "checked")


class Board:
    """A checked board file: plain attributes, sub-parts as dicts or None.
    facewand.board makes one from a file it has checked, read() from the
    cache; here so that the cache needs no checker."""

    def __init__(self, name, chip, button, motor, ring, pressure=None, battery=None):
        self.name = name
        self.chip = chip
        self.button = button
        self.motor = motor
        self.ring = ring
        self.pressure = pressure
        self.battery = battery


def _add(h, new, buf, name, path):
    """The file's name and its bytes' own sha256 (new() makes one) into h;
    a name and a dash when it cannot be read."""
    h.update(name.encode())
    try:
        f = open(path, "rb")
    except OSError:
        h.update(b" -\n")
        return
    one = new()
    with f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            one.update(memoryview(buf)[:n])
    h.update(b" ")
    h.update(one.digest())


def key(root, code=None):
    """The key of the files at root (the wand's "" or a build folder),
    with the checkers' code from folder `code` (by default where facewand
    was imported from); None without hashlib, or if anything fails."""
    new = sha256
    if new is None:
        return None
    try:
        return _key(root, code, new)
    except Exception:
        return None


def _key(root, code, new):
    import facewand
    if code is None:
        code = facewand.__path__
        if not isinstance(code, str):
            code = code[0]          # CPython: a list
    h = new(FORMAT)
    h.update(facewand.VERSION.encode())
    buf = bytearray(256)
    for name in CODE:
        try:
            open(code + "/" + name + ".py").close()
            name += ".py"
        except OSError:
            name += ".mpy"
        _add(h, new, buf, name, code + "/" + name)
    _add(h, new, buf, "board.json", root + "/board.json")
    folder = root + "/routines"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = ()
        h.update(b"routines -\n")
    for name in names:
        if name.endswith(".json"):
            _add(h, new, buf, "routines/" + name, folder + "/" + name)
    return h.digest()


def read(root, k, words=False):
    """(board, routines, errors, notices) as the checkers gave them for the
    files the key `k` was made from, or None: no key, no cache, or one made
    from other files or cut short or garbled. The steps keep their words
    (name, zone, direction, hint) only if asked: the loop runs without
    them, the journal's writer wants them (see lean())."""
    new = sha256
    if k is None or new is None:
        return None
    try:
        with open(root + FILE, "rb") as f:
            raw = f.read()
        body = raw[32:]
        h = new(k)
        h.update(body)
        if h.digest() != raw[:32]:
            return None
        b, rs, errors, notices = json.loads(body)
        routines = tuple(Routine(r[0], r[1], r[2], r[3], r[4], r[5], tuple(Step(*s) for s in r[6]))
                         for r in rs)
        return Board(*b), routines if words else lean(routines), errors, notices
    except Exception:
        return None


def lean(routines):
    """The routines as the running wand keeps them: each step with its
    counts, times and limit and none of its words (it shows no text, and
    the built-in routines' words held ~2 KB of its heap on the emulated
    Pico), one copy of each step alike in those. Its journal takes the
    words from the cache at power-off (facewand.power_off)."""
    same = {}
    out = []
    for r in routines:
        steps = []
        for s in r.steps:
            s = Step("", "", "", s.strokes, s.presses, s.hold_ms, s.pressure_max, "", s.pressure_min)
            steps.append(same.setdefault(s, s))
        out.append(Routine(r.name, r.colour, r.rounds, r.pace_start_ms, r.pace_end_ms,
                           r.intensity, tuple(steps)))
    return tuple(out)


def write(root, k, board, routines, errors, notices):
    """Keep what the checkers gave (board and library.load's answer) for
    the files key `k` was made from. Written aside, then renamed over the
    old one (atomic on littlefs): a wand stopped midway keeps the old file
    or none, and either way boots. Never raises: a wand whose flash will
    not take it runs the checkers again next time."""
    new = sha256
    if k is None or new is None:
        return
    b = board
    path = root + FILE
    try:
        body = json.dumps([
            [b.name, b.chip, b.button, b.motor, b.ring, b.pressure, b.battery],
            [[r.name, r.colour, r.rounds, r.pace_start_ms, r.pace_end_ms, r.intensity,
              [list(s) for s in r.steps]] for r in routines],
            errors, notices]).encode()
        h = new(k)
        h.update(body)
        with open(path + ".new", "wb") as f:
            f.write(h.digest())
            f.write(body)
        try:
            os.rename(path + ".new", path)
        except OSError:
            # A filesystem whose rename will not replace a file (FAT).
            os.remove(path)
            os.rename(path + ".new", path)
    except Exception:
        pass
