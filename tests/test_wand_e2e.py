# End to end on the virtual wand: flash it with host_tools (real mpremote,
# real .mpy files), run main.py there with a scripted button and pressure,
# and check the journal the wand wrote equals the simulator's trace for the
# same script, board and routine.
import json
import subprocess
import sys

import pytest

from mprig import REPO_ROOT
from sim.wand.server import start_wand

SCRIPT = """\
0.5 press
4 pressure 0.9
5.5 pressure 0.2
20 double
30 press
34 press
60 pressure 0.6
75 long
80 double
"""


def run(*args, timeout=180):
    p = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, (args, p.stdout[-2000:], p.stderr[-2000:])
    return p.stdout


def mpremote(port, *args):
    return run("-m", "mpremote", "connect", port, *args)


def sim_trace(tmp_path, board):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    trace = tmp_path / "sim.jsonl"
    run("-m", "sim", "run", "--routine", "daily", "--board", board, "--script", str(script),
        "--quiet", "--trace", str(trace))
    out = []
    for line in trace.read_text().splitlines():
        ev = json.loads(line)
        if ev["event"] == "input":
            continue
        ev.pop("rgb", None)        # the wand's journal keeps no frames
        out.append(ev)
    return out


@pytest.mark.parametrize("board", ["pico", "esp32-devkitc"])
def test_flashed_wand_runs_the_same_session_as_the_simulator(tmp_path, board):
    expected = sim_trace(tmp_path, board)
    with start_wand(board=board) as wand:
        out = run("-m", "host_tools", "flash", "--board", board, "--port", wand.port)
        assert "flashed %s" % board in out
        listing = mpremote(wand.port, "fs", "ls", ":facewand")
        assert "engine.mpy" in listing and "engine.py" not in listing
        script = tmp_path / "script.txt"
        mpremote(wand.port, "fs", "cp", str(script), ":vwand_script.txt")
        # Connecting soft-resets the wand, whose boot builds a world scripted
        # by vwand_script.txt; main.py then runs on virtual time until the
        # wand sleeps with nothing left to wake it (the simulated power-down
        # ends the run with SystemExit). A run started by a hard reset would
        # be cut short by the next connection's Ctrl-C, as on a real board.
        mpremote(wand.port, "exec", "try:\n import main\nexcept SystemExit:\n pass")
        journal = mpremote(wand.port, "fs", "cat", ":journal.jsonl")
        # The wand reads its hardware through the board file it was flashed with.
        board_json = json.loads(mpremote(wand.port, "fs", "cat", ":board.json"))
        assert board_json["name"] == board
        story = run("-m", "host_tools", "journal", "--port", wand.port)
    got = [json.loads(line) for line in journal.splitlines() if line.strip()]
    assert len(expected) > 80
    assert got[:len(expected)] == expected
    kinds = {e["event"] for e in expected}
    assert {"warn", "clear", "step", "stroke", "point", "vibe", "led", "state"} <= kinds
    # The session ended with the long press; the wand then waited idle and
    # switched itself off, as the simulator would have gone on to do.
    assert [e["state"] for e in got if e["event"] == "state"][-1] == "off"
    # A routine was chosen after the session, before the journal was
    # written: the journal still names the daily routine's steps.
    assert "routine 2 chosen: full" in story
    assert "WARNING pressure_high" in story and "step 1, round 1: Chin to ear" in story
    assert story.splitlines()[-1].endswith("8 steps started, ended off, warnings: pressure_high x2")
