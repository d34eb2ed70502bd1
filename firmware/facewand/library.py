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


def _own_name(path, name):
    """A file named after its routine (daily.json holding "daily"): how
    the built-in routines are installed."""
    return path.rsplit("/", 1)[-1] == name + ".json"


def load(folder, extra=()):
    """Load every routine file in `folder`, plus the paths in `extra`.
    Returns (routines, errors, notices): the routines as a tuple in
    double-press order, at most MAX_ROUTINES; one error per file refused
    (the wand shows the error pattern for these); one notice per name
    clash.

    Two files naming the same routine: a file named otherwise wins over
    NAME.json, so a routine of one's own replaces the built-in of that
    name; between two alike, the later wins (folder files in name order,
    then `extra`). The wand and the simulator load through this one rule
    (the running wand then keeps the steps without their words: checked.lean)."""
    errors = []
    notices = []
    found = {}
    where = {}
    shared = {}               # the steps and step names of the files so far, one copy each
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
        errors.append("%s: routine folder cannot be read" % folder)
    paths = [folder + "/" + n for n in names if n.endswith(".json")]
    for path in paths + list(extra):
        try:
            r = routine_file.load(path, None, shared)
        except routine_file.RoutineError as e:
            errors.append(str(e))
            continue
        except Exception as e:
            # Whatever else one file does (runs the heap out, say), it is
            # skipped and the others load.
            errors.append("%s: cannot be loaded (%s)" % (path.rsplit("/", 1)[-1], type(e).__name__))
            continue
        old = where.get(r.name)
        if old is not None:
            keep_old = not _own_name(old, r.name) and _own_name(path, r.name)
            winner, loser = (old, path) if keep_old else (path, old)
            notices.append('%s replaces %s (both are routine "%s")'
                           % (winner.rsplit("/", 1)[-1], loser.rsplit("/", 1)[-1], r.name))
            if keep_old:
                continue
        found[r.name] = r
        where[r.name] = path
    order = sorted(found, key=_rank)
    if len(order) > MAX_ROUTINES:
        for name in order[MAX_ROUTINES:]:
            errors.append("%s: not loaded, the wand holds %d routines" % (name, MAX_ROUTINES))
        order = order[:MAX_ROUTINES]
    return tuple(found[n] for n in order), errors, notices
