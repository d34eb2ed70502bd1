# python -m host_tools flash --board NAME [--port PORT] [--dry-run]
#
# Builds what goes onto the wand (host_tools/build.py) and checks the wand's
# MicroPython can load it and its chip is the board file's. Then, in one
# session with the wand (host_tools/session.py): a /maintenance file and a
# reset, so the massage loop and its watchdog do not start. In a second
# session, once the wand is back: the sha256 of every file it holds, then
# only what differs is copied, files under facewand/ that the build no
# longer has are removed, main.py goes last, and the maintenance file is
# removed with a last reset.
#
# The plan is a list of Ops, each shown as the mpremote command line that
# makes the same change: --dry-run prints those lines and writes nothing;
# a flash prints each step as it makes it.
#
# Exit status 2 means bad input only (unknown board, a board file the wand
# would refuse, no wand or two of them, a port that cannot be opened, a
# MicroPython that cannot load our bytecode, a board file for another chip);
# 1 is anything else, such as a wand that stops answering halfway. A dry
# run with no wand found (or a port that cannot be opened) shows the flash
# of an empty wand and exits 0.
import os
import shlex
import sys
from collections import namedtuple

from host_tools import build, ports
from host_tools.messages import BadInput, Failure, NoWand, one_line, plural
from host_tools.session import Session, Wand, after_reset

# sys.platform on the wand for each "chip" a board file may name.
PLATFORM_OF_CHIP = {"rp2040": "rp2", "esp32": "esp32", "esp32s3": "esp32"}

# The first MicroPython release that loads each bytecode version, for the
# error message when the wand's is older.
FIRST_RELEASE = {6: "1.19"}

# While this file is on the wand, main.py does not start the massage loop or
# its watchdog (see facewand/app.py), so a flash is not cut short by a
# watchdog reset and a half-copied firmware never runs.
MAINTENANCE = "maintenance"

# The port shown in a dry run's commands when no wand was found: mpremote's
# own choice of the first USB serial device.
AUTO_PORT = "auto"


class Op(namedtuple("Op", "verb path src", defaults=("", None))):
    """One change to the wand: verb is mkdir, cp, rm, rmdir, touch or reset;
    path is on the wand; src, for cp, is the built file."""

    def args(self):
        """The same change as mpremote arguments."""
        if self.verb == "reset":
            return ["reset"]
        if self.verb == "cp":
            # -f: the hashes are compared already; mpremote need not again.
            return ["fs", "cp", "-f", self.src, ":" + self.path]
        return ["fs", self.verb, ":" + self.path]


ENTER = (Op("touch", MAINTENANCE), Op("reset"))
LEAVE = (Op("rm", MAINTENANCE), Op("reset"))


def mpremote_args(ops):
    """Ops as one mpremote command line's arguments, chained with +."""
    args = []
    for op in ops:
        args += (["+"] if args else []) + op.args()
    return args


def mpremote_command(port, args):
    return [sys.executable, "-m", "mpremote", "connect", port, *args]


def _parents(path):
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def plan(built, wand_files, wand_dirs, build_dir):
    """The Ops that make the wand's files those of the build.

    built: {path: sha256}; wand_files: {path: sha256 or None}; wand_dirs: the
    wand's directories. Only new or changed files are copied; files under
    facewand/ that the build lacks are removed, because a stale engine.py
    would be imported in place of the new engine.mpy. Other files on the wand
    (routines of the user's own, logs) are left alone.
    """
    ops = []
    for d in sorted({d for p in built for d in _parents(p)} - set(wand_dirs)):
        ops.append(Op("mkdir", d))
    changed = [p for p in sorted(built) if wand_files.get(p) != built[p]]
    # main.py last: a wand unplugged midway keeps booting the old entry point
    # for as long as possible.
    changed.sort(key=lambda p: p == "main.py")
    for p in changed:
        ops.append(Op("cp", p, os.path.join(build_dir, *p.split("/"))))
    for p in sorted(wand_files):
        if p.startswith("facewand/") and p not in built:
            ops.append(Op("rm", p))
    kept = {d for p in built for d in _parents(p)}
    for d in sorted(wand_dirs, reverse=True):       # deepest first
        if d.startswith("facewand/") and d not in kept:
            ops.append(Op("rmdir", d))
    return ops


def apply(wand, op):
    """Make one change on the wand (a Session)."""
    if op.verb == "cp":
        try:
            with open(op.src, "rb") as f:
                data = f.read()
        except OSError as e:
            raise Failure("cannot read %s: %s" % (op.src, e.strerror or e))
        wand.write(op.path, data)
    elif op.verb == "reset":
        wand.reset()
    else:
        {"mkdir": wand.mkdir, "rm": wand.rm, "rmdir": wand.rmdir, "touch": wand.touch}[op.verb](op.path)


def check_wand(wand, board, port, expected):
    """wand: what a query found; board: a facewand.board.Board, as
    build.load_board gives it; expected: the bytecode version we build."""
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


def flash(board, port=None, dry_run=False, firmware=None, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    path, spec = build.load_board(board)
    unreachable = None
    try:
        port = ports.find_port(port)
    except NoWand as e:
        # A dry run with no wand plugged in shows the flash of an empty
        # wand, as its --help promises; two wands still need a --port.
        if not dry_run:
            raise
        port, unreachable = AUTO_PORT, e
    build_dir = build.out_dir(path)
    built = build.build(path, build_dir, firmware)
    shown_dir = os.path.relpath(build_dir)

    def say(line):
        out.write(line + "\n")
        out.flush()

    if dry_run:
        wand = _look(port, unreachable, err)
        if wand.info is not None:
            check_wand(wand, spec, port, build.mpy_version())
        ops = plan(built, wand.files, wand.dirs, shown_dir)
        for step in [ENTER, *([op] for op in ops), LEAVE]:
            say(shlex.join(mpremote_command(port, mpremote_args(step))))
    else:
        ops = _flash(port, spec, built, shown_dir, say)
    copied = sum(1 for op in ops if op.verb == "cp")
    removed = sum(1 for op in ops if op.verb == "rm")
    say("%s %s to %s: %d of %s copied, %d removed"
        % ("would flash" if dry_run else "flashed", spec.name, port, copied,
           plural(len(built), "file"), removed))
    return 0


def _look(port, unreachable, err):
    """The wand as it is, read-only, for a dry run (it gets no second look);
    when none can be reached, an empty wand, and one line on err saying why."""
    try:
        if unreachable:
            raise unreachable
        with Session(port) as wand:
            return wand.query()
    except (BadInput, Failure) as e:
        err.write("host_tools: %s; showing a flash of an empty wand\n" % one_line(str(e)))
        return Wand(None, {}, set())


def _flash(port, spec, built, build_dir, say):
    """The flash itself, in two sessions; returns the Ops it made."""

    def run(wand, ops):
        say(shlex.join(mpremote_args(ops)))
        for op in ops:
            apply(wand, op)

    # Check the wand before writing anything to it, then into maintenance
    # mode. One session for both: stopping the wand's loop leaves its
    # watchdog running, and it resets the wand a few seconds later. Each
    # session sets the wand's clock (host_tools/session.py); a dry run
    # changes nothing, the clock included.
    with Session(port, set_clock=True) as wand:
        check_wand(wand.query(files=False), spec, port, build.mpy_version())
        run(wand, ENTER)
    with after_reset(port, set_clock=True) as wand:
        found = wand.query()
        ops = plan(built, found.files, found.dirs, build_dir)
        try:
            for op in ops:
                run(wand, [op])
        except Failure as e:
            raise Failure("%s; the wand stays in maintenance mode until a flash completes" % e)
        run(wand, LEAVE)
    return ops
