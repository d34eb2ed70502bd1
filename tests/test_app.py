# The wand's main program on simulated hardware, on CPython and MicroPython.
import shutil

import pytest

import app_checks
import checkrun
from mprig import REPO_ROOT

FAULTS = {"cpython": 0, "micropython": 0}
FAULT_CHECK = "check_a_fault_in_any_driver_call_leaves_the_motor_off_within_a_tick"
# Every kind of driver call, faulted at points spread over a session, once
# and from then on, on each board.
LEAST_FAULTS = 40
# The order the MicroPython run takes them in, on one filesystem.
CALLS = [(check, board) for board in app_checks.BOARDS for check in app_checks.CHECKS]


@pytest.fixture
def root(tmp_path):
    shutil.copytree(REPO_ROOT / "firmware" / "routines", tmp_path / "routines")
    shutil.copytree(REPO_ROOT / "boards", tmp_path / "boards")
    return str(tmp_path)


def count_faults(interpreter, check, got):
    if check == FAULT_CHECK:
        assert got >= LEAST_FAULTS
        FAULTS[interpreter] += got


@pytest.mark.parametrize("board", app_checks.BOARDS)
@pytest.mark.parametrize("check", [pytest.param(c, marks=pytest.mark.slow) if c == FAULT_CHECK else c
                                   for c in app_checks.CHECKS])
def test_app_on_cpython(root, board, check):
    count_faults("cpython", check, checkrun.cpython(app_checks, check, root, board))


def test_app_journal_has_the_whole_story(root):
    n = checkrun.cpython(app_checks, "check_journal_matches_the_simulator", root, "pico")
    assert n > 60            # a session with warnings, skips and a pause, not a stub


@pytest.fixture(scope="module")
def micropython():
    # The wand's filesystem at /wand, shared by the calls: each check puts
    # back what it changes.
    outcomes = checkrun.micropython(
        app_checks, [(check, ("/wand", board)) for check, board in CALLS],
        copies=[(REPO_ROOT / "firmware" / "routines", "/wand/routines"),
                (REPO_ROOT / "boards", "/wand/boards")])
    return dict(zip(CALLS, outcomes))


@pytest.mark.slow
@pytest.mark.parametrize("board", app_checks.BOARDS)
@pytest.mark.parametrize("check", app_checks.CHECKS)
def test_app_on_micropython(micropython, board, check):
    count_faults("micropython", check, micropython[(check, board)].result())
