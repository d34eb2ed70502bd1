# Every driver check in driver_checks.py, on CPython and on MicroPython.
import pytest

import driver_checks
from mprig import REPO_ROOT, firmware_copies, run_micropython


@pytest.mark.parametrize("name", driver_checks.all_checks())
def test_driver_on_cpython(name):
    getattr(driver_checks, name)()


def test_every_driver_check_passes_on_micropython():
    p = run_micropython(REPO_ROOT / "tests" / "driver_checks.py", copies=firmware_copies())
    assert p.returncode == 0, p.stdout + p.stderr
    passed = [line[3:] for line in p.stdout.splitlines() if line.startswith("ok ")]
    assert passed == driver_checks.all_checks()
