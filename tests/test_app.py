# The wand's main program on simulated hardware, on CPython and MicroPython.
import shutil

import pytest

import app_checks
from mprig import REPO_ROOT, firmware_copies, run_micropython


@pytest.fixture
def root(tmp_path):
    shutil.copytree(REPO_ROOT / "firmware" / "routines", tmp_path / "routines")
    shutil.copytree(REPO_ROOT / "boards", tmp_path / "boards")
    return str(tmp_path)


FAULTS = {"cpython": 0, "micropython": 0}


@pytest.mark.parametrize("board", app_checks.BOARDS)
@pytest.mark.parametrize("check", app_checks.CHECKS)
def test_app_on_cpython(root, board, check):
    got = getattr(app_checks, check)(root, board)
    if check == "check_a_fault_in_any_driver_call_leaves_the_motor_off_within_a_tick":
        assert got >= 40                 # every kind of call, spread over a session
        FAULTS["cpython"] += got


def test_app_journal_has_the_whole_story(root):
    n = app_checks.check_journal_matches_the_simulator(root, "pico")
    assert n > 60            # a session with warnings, skips and a pause, not a stub


def test_app_on_micropython():
    p = run_micropython(REPO_ROOT / "tests" / "app_checks.py", args=["/wand"],
                        copies=[*firmware_copies(),
                                (REPO_ROOT / "firmware" / "routines", "/wand/routines"),
                                (REPO_ROOT / "boards", "/wand/boards")])
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr
    ok = [line for line in p.stdout.splitlines() if line.startswith("ok ")]
    assert len(ok) == len(app_checks.CHECKS) * len(app_checks.BOARDS)
    faults = [int(line.split()[-1]) for line in p.stdout.splitlines() if line.startswith("faults survived ")]
    assert faults and faults[0] >= 120
    FAULTS["micropython"] += faults[0]
