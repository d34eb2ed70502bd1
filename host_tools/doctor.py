# python -m host_tools doctor [--port PORT]
#
# What a wand runs and holds: its MicroPython, bytecode version and arch,
# free heap, the board named in its board.json, and its files with their
# sha256, each compared with a fresh build for that board when boards/ has
# it. One read-only session with the wand; writes nothing to it.
import sys

from sim import paths
from host_tools import build, ports
from host_tools.messages import plural
from host_tools.session import Session

# What the wand's checkers made of its files (facewand/checked.py). A wand
# writes its own whenever its files are not the build's (a routine of the
# owner's own, say) and checks it at every start: one that differs from the
# build is not out of date.
CHECKED = "checked.cache"


def doctor(port=None, firmware=None, out=None):
    out = out or sys.stdout
    port = ports.find_port(port)
    with Session(port) as session:
        wand = session.query()
    info, expected = wand.info, build.mpy_version()
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
        board = paths.board_path(name)
        out.write("board.json: %s (compared with a build of boards/%s.json)\n" % (name, name))
        built = build.build(board, build.out_dir(board), firmware)
    else:
        out.write("board.json: %s (not a board in boards/, not compared)\n" % name)
    out.write("files (sha256):\n")
    width = max([len(p) for p in wand.files] + [1])
    for p in sorted(wand.files):
        h = wand.files[p] or "?" * 64
        note = ""
        if built is not None:
            note = ("  same as the build" if built.get(p) == wand.files[p]
                    else "  the wand's own check of its files" if p == CHECKED
                    else "  differs from the build" if p in built else "  not in the build")
        out.write("  %-*s  %s%s\n" % (width, p, h, note))
    if built is not None:
        missing = sorted(set(built) - set(wand.files) - {CHECKED})
        stale = [p for p in built if built[p] != wand.files.get(p) and p != CHECKED]
        if missing:
            out.write("missing from the wand: %s\n" % ", ".join(missing))
        out.write("up to date\n" if not stale else
                  "%s to update: python -m host_tools flash --board %s\n"
                  % (plural(len(stale), "file"), name))
    return 0
