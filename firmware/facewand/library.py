# The routines installed on the wand: every *.json in one folder, checked.
#
# A bad file never stops the wand: it is skipped and reported, and the rest
# load. The built-ins come first in a fixed order (daily is what a press in
# idle starts), then any others by name. Runs at power-on, not per tick.
import os

from facewand import routine_file
from facewand.cues import MAX_ROUTINES

BUILTIN_ORDER = ("daily", "full", "guasha", "acupressure", "eyes")


def _rank(name):
    for i in range(len(BUILTIN_ORDER)):
        if BUILTIN_ORDER[i] == name:
            return (0, i, name)
    return (1, 0, name)


def load(folder, extra=()):
    """Load every routine file in `folder`, plus the paths in `extra` (which
    replace a routine of the same name). Returns (routines, errors): the
    routines as a tuple in double-press order, at most MAX_ROUTINES, and one
    message per file refused."""
    errors = []
    found = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
        errors.append("%s: routine folder cannot be read" % folder)
    paths = [folder + "/" + n for n in names if n.endswith(".json")]
    for path in paths + list(extra):
        try:
            r = routine_file.load(path)
        except routine_file.RoutineError as e:
            errors.append(str(e))
            continue
        found[r.name] = r
    order = sorted(found, key=_rank)
    if len(order) > MAX_ROUTINES:
        for name in order[MAX_ROUTINES:]:
            errors.append("%s: not loaded, the wand holds %d routines" % (name, MAX_ROUTINES))
        order = order[:MAX_ROUTINES]
    return tuple(found[n] for n in order), errors
