# End to end on the virtual wand: flash it with host_tools (real mpremote,
# real .mpy files), check what the wand then holds, flash again and ask
# doctor, run main.py there with a scripted button and pressure, and check
# the journal the wand wrote equals the simulator's trace for the same
# script, board and routine. The only tests that flash a virtual wand.
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from host_tools import build, flash, session
from mprig import REPO_ROOT
from sim.wand.server import start_wand

pytestmark = pytest.mark.slow    # the virtual wand (Node)

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


@pytest.fixture
def board_arg(board, tmp_path):
    """(--board as given, the name the wand's board.json holds): the Pico
    from a board file of one's own (a path, a name not in boards/), the
    others by their name in boards/."""
    if board != "pico":
        yield board, board
        return
    data = json.loads((REPO_ROOT / "boards" / "pico.json").read_text())
    name = data["name"] = "e2e-%d" % os.getpid()
    path = tmp_path / (name + ".json")
    path.write_text(json.dumps(data))
    try:
        yield str(path), name
    finally:
        shutil.rmtree(os.path.join(build.BUILD, name), ignore_errors=True)


@pytest.mark.parametrize("board", ["pico", "esp32-devkitc"])
def test_flash_the_virtual_wand_and_run_the_same_session_as_the_simulator(tmp_path, monkeypatch,
                                                                        board, board_arg):
    given, name = board_arg
    expected = sim_trace(tmp_path, board)
    n = len(build.firmware_files()) + 2            # and board.json, checked.cache
    sessions = []
    real_open = session.open_transport

    def counted(port):
        sessions.append(port)
        return real_open(port)
    # Flashed in this process, to count the connections: one either side
    # of the reset into maintenance mode.
    monkeypatch.setattr(session, "open_transport", counted)
    with start_wand(board=board) as wand:
        out = io.StringIO()
        assert flash.flash(given, wand.port, out=out) == 0
        assert len(sessions) == 2
        assert out.getvalue().splitlines()[-1] == (
            "flashed %s to %s: %d of %d files copied, 0 removed" % (name, wand.port, n, n))
        listing = mpremote(wand.port, "fs", "ls", ":", "+", "fs", "ls", ":facewand")
        names = {line.split()[-1] for line in listing.splitlines()[1:] if line.startswith(" ")}
        assert {"board.json", "checked.cache", "main.py", "facewand/", "routines/", "drivers/",
                "engine.mpy", "app.mpy"} <= names
        assert "maintenance" not in names and "engine.py" not in names
        # The wand reads its hardware through the board file it was flashed with.
        assert json.loads(mpremote(wand.port, "fs", "cat", ":board.json"))["name"] == name
        # Nothing changed, nothing copied (as a person runs it); doctor agrees.
        again = run("-m", "host_tools", "flash", "--board", given, "--port", wand.port)
        assert again.splitlines()[-1] == (
            "flashed %s to %s: 0 of %d files copied, 0 removed" % (name, wand.port, n))
        doctor = run("-m", "host_tools", "doctor", "--port", wand.port).splitlines()
        assert "bytecode v6, arch none: loads what flash builds" in doctor
        if name == board:
            assert "board.json: %s (compared with a build of boards/%s.json)" % (name, name) in doctor
            assert doctor[-1] == "up to date"
        else:
            assert "board.json: %s (not a board in boards/, not compared)" % name in doctor

        script = tmp_path / "script.txt"
        mpremote(wand.port, "fs", "cp", str(script), ":vwand_script.txt")
        # Connecting soft-resets the wand, whose boot builds a world scripted
        # by vwand_script.txt; main.py then runs on virtual time until the
        # wand sleeps with nothing left to wake it (the simulated power-down
        # ends the run with SystemExit). A run started by a hard reset would
        # be cut short by the next connection's Ctrl-C, as on a real board.
        mpremote(wand.port, "exec", "try:\n import main\nexcept SystemExit:\n pass")
        journal = mpremote(wand.port, "fs", "cat", ":journal.jsonl")
        story = run("-m", "host_tools", "journal", "--port", wand.port, "--timeline")
        # The wand started from the checked.cache flash put there (the same
        # key on the wand as on the host): it wrote none of its own.
        after = run("-m", "host_tools", "flash", "--board", given, "--port", wand.port)
        assert after.splitlines()[-1] == (
            "flashed %s to %s: 0 of %d files copied, 0 removed" % (name, wand.port, n))
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
