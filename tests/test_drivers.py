# Every driver check in driver_checks.py, on CPython and on MicroPython.
import pytest

import checkrun
import driver_checks

NAMES = driver_checks.all_checks()


@pytest.mark.parametrize("name", NAMES)
def test_driver_on_cpython(name):
    checkrun.cpython(driver_checks, name)


@pytest.fixture(scope="module")
def micropython():
    return dict(zip(NAMES, checkrun.micropython(driver_checks, [(name, ()) for name in NAMES])))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_driver_on_micropython(micropython, name):
    micropython[name].result()
