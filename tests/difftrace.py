# Runs scenarios through sim.session and writes their traces. Imported on
# CPython by the tests and run on MicroPython by mp_driver.py, so it keeps to
# what both interpreters have.
from facewand import board as board_file, library
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session, default_script


def run_scenarios(scenarios, routines_dir, boards_dir, write, lock=None, unlock=None):
    """scenarios: [name, routine, script or None, start tick, board] lists.
    Writes '### name' then the trace lines of each, with what left the
    drivers (motor and ring lines); returns lines written."""
    count = [0]

    def out(line):
        count[0] += 1
        write(line)

    routines, errors, _ = library.load(routines_dir)
    assert not errors, errors
    names = [r.name for r in routines]
    for name, routine, script, start, board in scenarios:
        out("### " + name)
        b = board_file.load(boards_dir + "/" + board + ".json")
        events = parse_script(script, name) if script else default_script()
        kw = {}
        if lock is not None:
            kw = {"lock": lock, "unlock": unlock}
        Session(routines, Settings(), events, out, b, start_tick=start,
                choice=names.index(routine), wire=True, **kw).run()
    return count[0]
