# The proof that the simulator runs the device's state machine: the same
# scenarios give line-for-line identical traces on CPython and on real
# MicroPython, where the heap is also locked around every engine call so any
# allocation on the tick path fails the run.
import json

import pytest

import checkrun
import difftrace
from mprig import REPO_ROOT
from scenarios import REMEMBERING, all_scenarios

pytestmark = pytest.mark.slow    # real MicroPython (Node): 40 whole sessions

STATS = {"traces": 0, "lines": 0, "wire": 0, "boards": set()}
SCENARIOS = [list(s) for s in all_scenarios()] + [list(s) for s in REMEMBERING]
ONE_BOOT = len(SCENARIOS) - len(REMEMBERING)
REMEMBERING_ = SCENARIOS[ONE_BOOT:]     # (these end with an `end` line, or a power cut)


@pytest.fixture(scope="module")
def cpython(tmp_path_factory):
    routines, boards = str(REPO_ROOT / "firmware" / "routines"), str(REPO_ROOT / "boards")
    flash = str(tmp_path_factory.mktemp("flash"))
    return ([checkrun.cpython(difftrace, "trace", s, routines, boards) for s in SCENARIOS[:ONE_BOOT]]
            + [checkrun.cpython(difftrace, "trace_boots", s, routines, boards, flash)
               for s in SCENARIOS[ONE_BOOT:]])


@pytest.fixture(scope="module")
def micropython():
    return checkrun.micropython(difftrace, [("trace", (s, "/lib/routines", "/boards"))
                                              for s in SCENARIOS[:ONE_BOOT]]
                                + [("trace_boots", (s, "/lib/routines", "/boards", "/flash"))
                                   for s in SCENARIOS[ONE_BOOT:]])


@pytest.mark.parametrize("i", range(len(SCENARIOS)), ids=[s[0] for s in SCENARIOS])
def test_trace_is_identical_line_for_line(cpython, micropython, i):
    name = SCENARIOS[i][0]
    a, b = cpython[i], micropython[i].result()
    assert not a["heap_locked"] and b["heap_locked"]
    a, b = a["lines"], b["lines"]
    for n, (x, y) in enumerate(zip(a, b)):
        assert x == y, "%s line %d differs:\nCPython:     %s\nMicroPython: %s" % (name, n + 1, x, y)
    assert len(a) == len(b), name
    STATS["traces"] += 1
    STATS["lines"] += len(a)
    STATS["wire"] += sum(1 for line in a if '"event":"motor"' in line or '"event":"ring"' in line)
    STATS["boards"].add(SCENARIOS[i][4])


def test_the_traces_are_not_trivial(cpython):
    # Every scenario ends, and the set of them exercises every event kind.
    kinds = set()
    for s, t in zip(SCENARIOS, cpython):
        evs = [json.loads(line) for line in t["lines"] if not line.startswith('{"boot"')]
        kinds |= {e["event"] for e in evs}
        last = [e for e in evs if e["event"] == "state"][-1]["state"]
        assert last in ("done", "off") or s[0] == "wake-and-run" or s in REMEMBERING_, (s[0], last)
    assert kinds >= {"state", "step", "vibe", "led", "warn", "clear", "stroke", "point", "input",
                     "motor", "ring", "offer", "note", "setting"}
    # The wire of every board is compared: PWM duty, DRV2605 RTP and the ring.
    assert {s[4] for s in SCENARIOS} == {"pico", "esp32-devkitc", "xiao-rp2040"}
    lines = [line for t in cpython for line in t["lines"]]
    assert any('"rtp":' in line for line in lines) and any('"duty":' in line for line in lines)
