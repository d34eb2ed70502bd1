# One scenario through sim.session, its trace as the check's result: the
# differential test (test_differential.py) runs it through checkrun on
# CPython and on MicroPython, so it keeps to what both interpreters have.
from facewand import board as board_file, library
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session, default_script

try:
    # MicroPython: the heap is locked around every tick (shell, drivers,
    # engine), so any allocation on the tick path fails the check.
    from micropython import heap_lock, heap_unlock
except ImportError:
    heap_lock = heap_unlock = None


_loaded = {}


def _library(routines_dir):
    # Loaded once per folder: a routine is never changed by running it.
    if routines_dir not in _loaded:
        routines, errors, _ = library.load(routines_dir)
        assert not errors, errors
        _loaded[routines_dir] = routines, [r.name for r in routines]
    return _loaded[routines_dir]


def trace(scenario, routines_dir, boards_dir):
    """scenario: [name, routine, script or None, start tick, board]. Returns
    {"heap_locked": whether every tick ran with the heap locked, "lines":
    the trace lines, with what left the drivers (motor and ring lines)}."""
    name, routine, script, start, board = scenario
    routines, names = _library(routines_dir)
    b = board_file.load(boards_dir + "/" + board + ".json")
    events = parse_script(script, name) if script else default_script()
    kw = {}
    if heap_lock is not None:
        kw = {"lock": heap_lock, "unlock": heap_unlock}
    lines = []
    Session(routines, Settings(), events, lines.append, b, start_tick=start,
            choice=names.index(routine), wire=True, skip=False, **kw).run()   # every tick under the lock
    return {"heap_locked": heap_lock is not None, "lines": lines}


def trace_boots(scenario, routines_dir, boards_dir, flash):
    """A scenarios.REMEMBERING scenario: each power-on's session in turn on
    the flash folder `flash` (emptied first), the traces one after another.
    The keeper writes between ticks, outside the lock, as on the wand."""
    import os
    name, routine, scripts, start, board = scenario
    routines, names = _library(routines_dir)
    b = board_file.load(boards_dir + "/" + board + ".json")
    try:
        for f in os.listdir(flash):
            os.remove(flash + "/" + f)
    except OSError:
        os.mkdir(flash)
    kw = {}
    if heap_lock is not None:
        kw = {"lock": heap_lock, "unlock": heap_unlock}
    lines = []
    for i in range(len(scripts)):
        lines.append('{"boot":%d}' % (i + 1))
        Session(routines, Settings(), parse_script(scripts[i], name), lines.append, b,
                start_tick=start, choice=names.index(routine), wire=True, skip=False,
                flash=flash, **kw).run()
    return {"heap_locked": heap_lock is not None, "lines": lines}
