# The proof that the simulator runs the device's state machine: the same
# scenarios give line-for-line identical traces on CPython and on real
# MicroPython, where the heap is also locked around every engine call so any
# allocation on the tick path fails the run.
import json

import pytest

from difftrace import run_scenarios
from mprig import REPO_ROOT, firmware_copies, run_micropython
from scenarios import all_scenarios

STATS = {"traces": 0, "lines": 0, "wire": 0, "boards": set()}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    scenarios = [list(s) for s in all_scenarios()]
    data = tmp_path_factory.mktemp("diff") / "scenarios.json"
    data.write_text(json.dumps(scenarios))
    cpython = []
    run_scenarios(scenarios, str(REPO_ROOT / "firmware" / "routines"), str(REPO_ROOT / "boards"),
                  cpython.append)
    proc = run_micropython(
        REPO_ROOT / "tests" / "mp_driver.py",
        copies=[*firmware_copies(),
                (REPO_ROOT / "tests" / "difftrace.py", "/lib/difftrace.py"),
                (data, "/data/scenarios.json")],
        timeout=600)
    assert proc.returncode == 0, proc.stderr
    mp = proc.stdout.split("\n")
    assert mp[-1] == ""
    assert mp[-2] == "### lines %d" % len(cpython)
    return scenarios, cpython, mp[:-2]


def _split(lines):
    out = {}
    name = None
    for line in lines:
        if line.startswith("### "):
            name = line[4:]
            out[name] = []
        else:
            out[name].append(line)
    return out


def test_every_trace_is_identical_line_for_line(both):
    scenarios, cpython, mp = both
    a, b = _split(cpython), _split(mp)
    assert list(a) == [s[0] for s in scenarios] == list(b)
    for name in a:
        for i, (x, y) in enumerate(zip(a[name], b[name])):
            assert x == y, "%s line %d differs:\nCPython:     %s\nMicroPython: %s" % (name, i + 1, x, y)
        assert len(a[name]) == len(b[name]), name
    STATS["traces"] += len(a)
    STATS["lines"] += sum(len(v) for v in a.values())
    STATS["wire"] += sum(1 for v in a.values() for line in v
                         if '"event":"motor"' in line or '"event":"ring"' in line)
    STATS["boards"] |= {s[4] for s in scenarios}


def test_the_traces_are_not_trivial(both):
    scenarios, cpython, _ = both
    t = _split(cpython)
    # Every scenario ends, and the set of them exercises every event kind.
    kinds = set()
    for name, lines in t.items():
        evs = [json.loads(line) for line in lines]
        kinds |= {e["event"] for e in evs}
        last = [e for e in evs if e["event"] == "state"][-1]["state"]
        assert last in ("done", "off") or name == "wake-and-run", (name, last)
    assert kinds >= {"state", "step", "vibe", "led", "warn", "clear", "stroke", "point", "input",
                     "motor", "ring"}
    # The wire of every board is compared: PWM duty, DRV2605 RTP and the ring.
    boards = {s[4] for s in scenarios}
    assert boards == {"pico", "esp32-devkitc", "xiao-rp2040"}
    assert any('"rtp":' in line for line in cpython) and any('"duty":' in line for line in cpython)
