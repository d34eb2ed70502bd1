# Where the firmware lives, so host code imports the very files the wand runs.
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "firmware")
ROUTINES = os.path.join(FIRMWARE, "routines")
BOARDS = os.path.join(ROOT, "boards")


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
