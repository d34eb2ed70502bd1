# Where things are, so host code imports the very files the wand runs.
import os
import sys

# The repository's root, found here only: sim, host_tools and the tests
# take it (and the folders below) from this module.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "firmware")
ROUTINES = os.path.join(FIRMWARE, "routines")
BOARDS = os.path.join(ROOT, "boards")
# MicroPython's WebAssembly build, installed by make setup: the test rig
# (tests/mprig.py) and the virtual wand (sim/wand) both run it.
MICROPYTHON_WASM = os.path.join(ROOT, "tests", "mp", "node_modules", "@micropython",
                                "micropython-webassembly-pyscript")


def add_firmware():
    if FIRMWARE not in sys.path:
        sys.path.insert(0, FIRMWARE)


def builtin_names():
    return sorted(n[:-5] for n in os.listdir(ROUTINES) if n.endswith(".json"))


def board_names():
    return sorted(n[:-5] for n in os.listdir(BOARDS) if n.endswith(".json"))


def board_path(name):
    """A board given by name (boards/NAME.json) or as a path to a .json
    file, for every tool that takes --board. ValueError with one line when
    there is no such board."""
    if name.endswith(".json") or "/" in name or os.sep in name:
        if not os.path.isfile(name):
            raise ValueError("no board file %s" % name)
        return name
    if name not in board_names():
        raise ValueError("unknown board %r (known: %s)" % (name, ", ".join(board_names())))
    return os.path.join(BOARDS, name + ".json")
