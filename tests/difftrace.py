# Runs scenarios through sim.session and writes their traces. Imported on
# CPython by the tests and run on MicroPython by mp_driver.py, so it keeps to
# what both interpreters have.
from facewand import routine_file
from facewand.settings import Settings
from sim.session import Session, parse_script, default_script


def run_scenarios(scenarios, routines_dir, write, lock=None, unlock=None):
    """scenarios: [name, routine, script or None, start tick] lists.
    Writes '### name' then the trace lines of each; returns lines written."""
    count = [0]

    def out(line):
        count[0] += 1
        write(line)

    for name, routine, script, start in scenarios:
        out("### " + name)
        r = routine_file.load(routines_dir + "/" + routine + ".json")
        events = parse_script(script, name) if script else default_script()
        kw = {}
        if lock is not None:
            kw = {"lock": lock, "unlock": unlock}
        Session(r, Settings(), events, out, start_tick=start, **kw).run()
    return count[0]
