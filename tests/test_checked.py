# The checked board and routines kept on the wand (facewand/checked.py):
# a start whose files are unchanged builds from it exactly what the
# checkers build, without importing them; anything else (a changed file,
# new firmware, a cache cut short, garbled or half-written, no hashlib)
# runs the checkers, which give the same wand, and writes it anew.
import hashlib
import io
import os
import shutil
import sys
from contextlib import redirect_stdout

import pytest

import facewand
from facewand import board as board_file, checked, library, start
from host_tools import build
from app_checks import _read, _write    # (the file helpers the app checks use)
from mprig import REPO_ROOT
from sim.fakehw import machine, neopixel, vtime
from sim.fakehw.world import World

CHECKERS = ("board", "schema", "routine_file", "library")
CACHE = checked.FILE.lstrip("/")


@pytest.fixture
def root(tmp_path):
    shutil.copytree(REPO_ROOT / "firmware" / "routines", tmp_path / "routines")
    shutil.copyfile(REPO_ROOT / "boards" / "pico.json", tmp_path / "board.json")
    # a wand that has run before: its settings saved (a first start says they were missing)
    from facewand.memory import Files, write_settings
    from facewand.settings import Settings
    write_settings(Files(), str(tmp_path), Settings())
    return str(tmp_path)


def checkers(root):
    """What the checkers make of the files at root, as start asks them."""
    b = board_file.load(root + "/board.json")
    return (b,) + library.load(root + "/routines")


def plain(kept):
    """A board, routines, errors and notices as plain values to compare."""
    b, routines, errors, notices = kept
    return ((type(b), b.name, b.chip, b.button, b.motor, b.ring, b.pressure, b.battery),
            plain_routines(routines), list(errors), list(notices))


def plain_routines(routines):
    return (type(routines),
            [(type(r), r.name, r.colour, r.rounds, r.pace_start_ms, r.pace_end_ms, r.intensity,
              type(r.steps), [(type(s), tuple(s)) for s in r.steps]) for r in routines])


def keep(root):
    """Check the files at root and keep the answer, as a start that found
    no cache does; returns the answer."""
    k = checked.key(root)
    got = checkers(root)
    checked.write(root, k, *got)
    return got


def read(root):
    """The cache as the journal's writer reads it: with the steps' words."""
    return checked.read(root, checked.key(root), True)


def read_lean(root):
    """The cache as a wake reads it: the steps without their words."""
    return checked.read(root, checked.key(root))


def with_refusals(root):
    """A refused file and two files naming the same routine: errors and
    notices for the cache to keep."""
    with open(root + "/routines/zz-broken.json", "w") as f:
        f.write("{not json")
    shutil.copyfile(root + "/routines/daily.json", root + "/routines/my-daily.json")


def leaned(kept):
    return kept[:1] + (checked.lean(kept[1]),) + kept[2:]


def test_a_kept_answer_builds_what_the_checkers_build(root):
    got = keep(root)
    assert os.path.isfile(os.path.join(root, CACHE))
    assert not os.path.exists(os.path.join(root, CACHE + ".new"))
    assert plain(read(root)) == plain(got)
    assert plain(read_lean(root)) == plain(leaned(got))
    assert len(got[1]) == 5 and got[2] == [] and got[3] == []


def test_refusals_and_clashes_are_kept_with_it(root):
    with_refusals(root)
    got = keep(root)
    assert got[2] and got[3]            # one error, one notice
    assert plain(read(root)) == plain(got)
    assert plain(read_lean(root)) == plain(leaned(got))


def test_the_loop_keeps_a_steps_numbers_and_none_of_its_words(root):
    # The running wand shows no text: its steps hold the counts, times and
    # limit the engine acts on, and empty words; the journal's writer asks
    # for the words (power_off.with_words).
    got = keep(root)
    full = [s for r in got[1] for s in r.steps]
    lean = [s for r in read_lean(root)[1] for s in r.steps]
    assert any(s.name and s.zone and s.direction and s.hint for s in full)
    assert all(s.name == s.zone == s.direction == s.hint == "" for s in lean)
    assert [(s.strokes, s.presses, s.hold_ms, s.pressure_max) for s in full] == [
        (s.strokes, s.presses, s.hold_ms, s.pressure_max) for s in lean]


def test_alike_steps_are_held_once(root):
    # Routines repeat steps, and without their words more steps are alike:
    # a wake holds one copy of each.
    keep(root)
    lean = [s for r in read_lean(root)[1] for s in r.steps]
    assert len({id(s) for s in lean}) == len(set(lean)) < len(lean)
    full = [s for r in read(root)[1] for s in r.steps]
    assert len(set(lean)) < len(set(full))


def _edit(path):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data.replace(b'"rounds": 2', b'"rounds": 3', 1) if b'"rounds": 2' in data
                else data + b" ")


CHANGES = {
    "a routine file edited": lambda root: _edit(root + "/routines/daily.json"),
    "a space added to a routine file": lambda root: _append(root + "/routines/eyes.json", " "),
    "a routine file added": lambda root: shutil.copyfile(root + "/routines/daily.json",
                                                         root + "/routines/mine.json"),
    "a routine file removed": lambda root: os.remove(root + "/routines/guasha.json"),
    "a routine file renamed": lambda root: os.rename(root + "/routines/eyes.json",
                                                     root + "/routines/eyes2.json"),
    "a broken routine file added": lambda root: _write(root + "/routines/bad.json", "{"),
    "the routine folder removed": lambda root: shutil.rmtree(root + "/routines"),
    "the board file edited": lambda root: _write(
        root + "/board.json", _read(root + "/board.json").replace('"max_brightness": 160',
                                                                  '"max_brightness": 150')),
    "another board file": lambda root: shutil.copyfile(REPO_ROOT / "boards" / "xiao-rp2040.json",
                                                       root + "/board.json"),
}


def _append(path, text):
    with open(path, "a") as f:
        f.write(text)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_to_the_files_runs_the_checkers_again(root, change):
    keep(root)
    CHANGES[change](root)
    assert read(root) is None
    # The checkers' new answer is kept and read back as they gave it.
    got = keep(root)
    assert plain(read(root)) == plain(got)


def test_other_files_beside_the_routines_change_nothing(root):
    keep(root)
    _write(root + "/routines/notes.txt", "mine")
    _write(root + "/journal.jsonl", "{}\n")
    assert read(root) is not None


def test_new_firmware_runs_the_checkers_again(root, monkeypatch, tmp_path):
    keep(root)
    monkeypatch.setattr(facewand, "VERSION", facewand.VERSION + "+1")
    assert read(root) is None
    monkeypatch.undo()
    monkeypatch.setattr(checked, "FORMAT", checked.FORMAT + b"x")
    assert read(root) is None
    monkeypatch.undo()
    assert read(root) is not None
    # The checkers' own code is in the key: a copy of the package with one
    # of them changed keys the same files differently.
    code = tmp_path / "code"
    shutil.copytree(os.path.dirname(facewand.__file__), code)
    k = checked.key(root)
    assert checked.key(root, str(code)) == k
    with open(code / "schema.py", "a") as f:
        f.write("\n# changed\n")
    assert checked.key(root, str(code)) != k
    # Where the importer would find source before bytecode, the key takes it.
    os.remove(code / "schema.py")
    assert checked.key(root, str(code)) != k


def _damage(root, how):
    path = os.path.join(root, CACHE)
    with open(path, "rb") as f:
        data = f.read()
    if how == "cut short":
        data = data[:len(data) // 2]
    elif how == "one byte changed":
        i = len(data) // 2
        data = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
    elif how == "digest only":
        data = data[:32]
    elif how == "empty":
        data = b""
    elif how == "garbage":
        data = os.urandom(700)
    elif how == "valid digest, wrong shape":
        # Written by no facewand: the digest is right, the JSON is not a
        # checked answer. Read as no cache, never raised.
        body = b'[1, 2, {"x": 3}]'
        data = hashlib.sha256(checked.key(root) + body).digest() + body
    elif how == "a folder":
        os.remove(path)
        os.mkdir(path)
        return
    with open(path, "wb") as f:
        f.write(data)


DAMAGE = ("cut short", "one byte changed", "digest only", "empty", "garbage",
          "valid digest, wrong shape", "a folder")


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_cache_is_no_cache(root, how):
    keep(root)
    _damage(root, how)
    assert read(root) is None


# ---- start: the wand built from the cache, or from the checkers ----------

def boot(root):
    """start.start on the simulated Pico: (what it logged, what it built)."""
    w = World(board_file.load(root + "/board.json"), [])
    machine.world = w
    w.advance_to(0)
    out = io.StringIO()
    with redirect_stdout(out):
        built = start.start(machine, neopixel, vtime, root)
    if not isinstance(built, str) and len(built) > 2:
        built[1].motor.stop()
    return out.getvalue(), built


def wand(built):
    """What a start built, as plain values: the board's facts, the engine's
    routines and its count of refused files."""
    facts, hw, engine = built[:3]
    return ((facts.chip, facts.motor_pin, facts.active_low, facts.count),
            plain_routines(engine.routines), engine.load_errors)


def forget_checkers(monkeypatch):
    """Take the checkers out of sys.modules and the package, as a fresh
    wand has them (monkeypatch puts them back)."""
    for name in CHECKERS:
        monkeypatch.delitem(sys.modules, "facewand." + name, raising=False)
        monkeypatch.delattr(facewand, name, raising=False)


@pytest.mark.parametrize("refusals", [False, True], ids=["clean", "with refusals"])
def test_a_start_on_unchanged_files_imports_no_checker(root, monkeypatch, refusals):
    if refusals:
        with_refusals(root)
    assert not os.path.exists(os.path.join(root, CACHE))
    log_miss, built_miss = boot(root)          # the first start: the checkers, then the cache
    assert read(root) is not None
    forget_checkers(monkeypatch)
    log_hit, built_hit = boot(root)
    for name in CHECKERS:
        assert "facewand." + name not in sys.modules, name
    assert log_hit == log_miss
    assert wand(built_hit) == wand(built_miss)
    if refusals:
        assert built_hit[2].load_errors == 1 and "zz-broken.json" in log_hit
        assert "replaces" in log_hit


@pytest.mark.parametrize("how", DAMAGE)
def test_a_start_with_a_damaged_cache_runs_the_checkers_and_writes_it_again(root, how):
    log_first, built_first = boot(root)
    _damage(root, how)
    log, built = boot(root)
    assert log == log_first and wand(built) == wand(built_first)
    assert read(root) is not None or how == "a folder"


def test_a_start_after_a_change_runs_the_checkers(root, monkeypatch):
    boot(root)
    with_refusals(root)
    log, built = boot(root)
    assert built[2].load_errors == 1 and "zz-broken.json" in log
    os.remove(root + "/routines/zz-broken.json")
    log, built = boot(root)
    assert built[2].load_errors == 0 and "zz-broken.json" not in log


def test_a_start_begins_with_the_routine_last_chosen_and_the_settings_saved(root):
    import json
    with open(root + "/settings.json", "w") as f:
        json.dump({"routine": "eyes", "intensity": 400, "long_press_ms": 1500}, f)
    log, built = boot(root)
    engine = built[2]
    assert engine.routine.name == "eyes" and engine.settings.intensity == 400
    assert engine.gestures.long_ms == 1500 and log == ""
    # the pressure sensor's calibration, and the ring's brightness, reach the drivers
    fsr = built[1].fsr
    assert (fsr.zero, fsr.span) == (700, 45000 - 700)           # the board file's
    with open(root + "/settings.json", "w") as f:
        json.dump({"pressure_zero": 1200, "pressure_full": 30000, "brightness": 50}, f)
    lit = built[1].ring.gamma[255]
    log, built = boot(root)
    assert (built[1].fsr.zero, built[1].fsr.span) == (1200, 30000 - 1200)
    assert built[1].ring.gamma[255] < lit


def test_a_bad_board_file_is_never_cached(root):
    boot(root)
    _write(root + "/board.json", '{"name": "x", "chip": "rp2040"}')
    w = World(board_file.load(str(REPO_ROOT / "boards" / "pico.json")), [])
    machine.world = w
    out = io.StringIO()
    with redirect_stdout(out):
        assert start.start(machine, neopixel, vtime, root) == "board"
    assert "board.json: button: missing" in out.getvalue()
    assert read(root) is None


def test_a_write_cut_short_leaves_a_wand_that_boots(root, monkeypatch):
    log_first, built_first = boot(root)
    # Stopped after the new file was written, before the rename: the old
    # cache stays, and holds for the files it was made from.
    _write(root + "/" + CACHE + ".new", "half a fil")
    log, built = boot(root)
    assert log == log_first and wand(built) == wand(built_first)
    # Stopped midway through the first write: no cache, a part-written
    # file beside it; the next start writes it over.
    os.remove(root + "/" + CACHE)
    log, built = boot(root)
    assert log == log_first and read(root) is not None
    assert not os.path.exists(root + "/" + CACHE + ".new")
    # A rename that never happens (or fails): start goes on, the next start
    # runs the checkers again.
    os.remove(root + "/" + CACHE)

    def no_rename(a, b):
        raise OSError(5)
    monkeypatch.setattr(checked.os, "rename", no_rename)
    log, built = boot(root)
    assert log == log_first and wand(built) == wand(built_first)
    assert read(root) is None
    monkeypatch.undo()
    log, built = boot(root)
    assert log == log_first and read(root) is not None


def test_a_rename_that_will_not_replace_a_file_replaces_it_all_the_same(root, monkeypatch):
    keep(root)
    os.remove(root + "/routines/eyes.json")
    real = os.rename

    def fat_rename(a, b):
        if os.path.exists(b):
            raise OSError(17)         # EEXIST, as FAT answers
        real(a, b)
    monkeypatch.setattr(checked.os, "rename", fat_rename)
    got = keep(root)
    assert plain(read(root)) == plain(got)


def test_without_hashlib_the_checkers_always_run(root, monkeypatch):
    monkeypatch.setattr(checked, "sha256", None)
    log_first, built_first = boot(root)
    assert checked.key(root) is None and not os.path.exists(os.path.join(root, CACHE))
    log, built = boot(root)
    assert log == log_first and wand(built) == wand(built_first)


def test_a_key_that_cannot_be_made_is_no_key(root, monkeypatch):
    def broken(*args):
        raise MemoryError()
    monkeypatch.setattr(checked, "_add", broken)
    assert checked.key(root) is None
    assert checked.read(root, None) is None
    checked.write(root, None, *checkers(root))
    assert not os.path.exists(os.path.join(root, CACHE))


# ---- the host's build: the cache flash puts on the wand --------------------

def test_the_build_holds_the_cache_the_wand_would_write(tmp_path):
    out = str(tmp_path / "out")
    built = build.build(os.path.join(REPO_ROOT, "boards", "pico.json"), out)
    assert CACHE in built
    with open(os.path.join(out, CACHE), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == built[CACHE]
    # Keyed by the wand's files: the .mpy code, board.json and the routines.
    kept = checked.read(out, checked.key(out, os.path.join(out, "facewand")), True)
    assert kept is not None
    assert plain(kept) == plain(checkers(out))
    # The same source builds the same bytes: flash copies it only when it changed.
    again = build.build(os.path.join(REPO_ROOT, "boards", "pico.json"), str(tmp_path / "again"))
    assert again == built


def test_the_build_leaves_a_refusal_for_the_wand_to_word(tmp_path, monkeypatch):
    real = library.load

    def refusing(folder, extra=()):
        routines, errors, notices = real(folder, extra)
        return routines, errors + ["x.json: not valid JSON (line 1)"], notices
    monkeypatch.setattr(library, "load", refusing)
    built = build.build(os.path.join(REPO_ROOT, "boards", "pico.json"), str(tmp_path / "out"))
    assert CACHE not in built and "board.json" in built
    assert not os.path.exists(os.path.join(tmp_path, "out", CACHE))


def test_the_journal_takes_the_words_from_the_cache_and_does_without_them(root):
    from facewand import power_off
    keep(root)
    lean = read_lean(root)[1]
    worded = power_off.with_words(root, lean)
    assert plain_routines(worded) == plain_routines(read(root)[1])
    assert worded[0].steps[0].name
    # Routines other than those the wand ran (a cache rewritten since), or
    # no cache at all: the journal names the steps "" rather than wrongly.
    assert power_off.with_words(root, lean[1:]) == lean[1:]
    os.remove(os.path.join(root, CACHE))
    assert power_off.with_words(root, lean) is lean


class _Rtc:
    set_to = None

    def datetime(self, t):
        _Rtc.set_to = t


class _Chip:
    PWRON_RESET = 1
    WDT_RESET = 3

    def __init__(self, cause):
        self.cause = cause

    def reset_cause(self):
        return self.cause

    RTC = _Rtc


class _LostClock:
    """time on an RP2040 whose clock went back to 2021 with a reset."""

    @staticmethod
    def localtime(secs=None):
        import time
        return time.gmtime(secs) if secs is not None else (2021, 1, 1, 0, 0, 3, 4, 1)

    @staticmethod
    def mktime(t):
        import calendar
        return calendar.timegm(t[:6] + (0, 0, 0))


@pytest.mark.parametrize("cause, put_back", [(_Chip.WDT_RESET, True), (_Chip.PWRON_RESET, False)])
def test_the_clock_a_host_set_survives_the_watchdog_reset_after_it(tmp_path, cause, put_back):
    # host_tools leaves the time it set in /clock (host_tools/session.py):
    # after a reset (not a power-on) the start puts the clock back from it.
    root = str(tmp_path)
    with open(root + start.CLOCK_FILE, "w") as f:
        f.write("2026 11 23 23 59 58")
    _Rtc.set_to = None
    start._restore_clock(_Chip(cause), _LostClock, root)
    assert not os.path.exists(root + start.CLOCK_FILE)
    if put_back:      # a few seconds on, over midnight; RTC's order: weekday 4th (Tuesday: 1)
        assert _Rtc.set_to == (2026, 11, 24, 1, 0, 0, 4, 0)
    else:
        assert _Rtc.set_to is None
