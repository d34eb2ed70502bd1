# make bench: speed targets, measured rather than asserted in timed tests.
#
#   full session in the simulator  < 10 s wall (it simulates ~13 minutes)
#   engine tick on CPython and on MicroPython (WebAssembly build): mean cost
#
# Exits 1 if a target is missed.
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "firmware"), ROOT, HERE]

from facewand import routine_file          # noqa: E402
from facewand.engine import Engine         # noqa: E402
from facewand.view import RingView         # noqa: E402
from facewand.settings import Settings     # noqa: E402
from mprig import run_micropython          # noqa: E402
from facewand import board as board_file  # noqa: E402
from sim.session import Session, default_script  # noqa: E402

ROUTINES = os.path.join(ROOT, "firmware", "routines")


def full_session():
    r = routine_file.load(os.path.join(ROUTINES, "full.json"))
    lines = []
    t0 = time.perf_counter()
    b = board_file.load(os.path.join(ROOT, "boards", "pico.json"))
    s = Session((r,), Settings(), default_script(), lines.append, b)
    s.run()
    return time.perf_counter() - t0, s.t, len(lines)


def cpython_tick_us(n=50000):
    r = routine_file.load(os.path.join(ROUTINES, "full.json"))
    e = Engine((r,), Settings(), RingView(12))
    e.power_on(0)
    e.button(True, 100)
    e.button(False, 200)
    t = 200
    t0 = time.perf_counter()
    for _ in range(n):
        t += 20
        e.tick(t)
    return (time.perf_counter() - t0) / n * 1e6


def micropython_figures():
    p = run_micropython(os.path.join(HERE, "bench_mp.py"),
                        copies=[(os.path.join(ROOT, "firmware"), "/lib"),
                                (os.path.join(ROOT, "sim"), "/lib/sim"),
                                (os.path.join(ROOT, "boards"), "/boards")])
    if p.returncode:
        raise SystemExit("MicroPython bench failed: " + p.stderr)
    return dict((k, int(v)) for k, v in (line.split() for line in p.stdout.splitlines()))


def main():
    wall, sim_ms, lines = full_session()
    tick_c = cpython_tick_us()
    mp = micropython_figures()
    print("full session, simulator : %.2f s wall for %.0f s simulated (%d trace lines)  target < 10 s"
          % (wall, sim_ms / 1000, lines))
    print("engine tick, CPython    : %.1f us per tick" % tick_c)
    print("wand tick, MicroPython  : %d us per tick, shell + drivers + engine on simulated hardware"
          " (WebAssembly build under Node; %.1f%% of a 20 ms tick)" % (mp["tick_us"], mp["tick_us"] / 200))
    print("wand heap, MicroPython  : %.1f KB held by drivers, engine, journal once built"
          " (five routines loaded beforehand)" % (mp["held_bytes"] / 1024))
    return 0 if wall < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
