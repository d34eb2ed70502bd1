# The firmware type-checks against each port's MicroPython stubs (pyright,
# see host_tools/typecheck.py), and the check really bites: a call the
# Pico's MicroPython does not have fails it.
import os
import shutil

import pytest

from host_tools import typecheck
from sim import paths

pytestmark = pytest.mark.slow    # pyright

PROBE = "facewand/pwm_probe.py"
# The ESP32 has PWM.duty(); the RP2040 only duty_u16().
PROBE_SOURCE = "import machine\n\nmachine.PWM(machine.Pin(2)).duty(5)\n"


@pytest.fixture(scope="module")
def firmware_with_probe(tmp_path_factory):
    """A copy of firmware/ with one file added that misuses PWM; each port
    checked once, its complaints kept for the tests below."""
    copy = str(tmp_path_factory.mktemp("typecheck") / "firmware")
    shutil.copytree(paths.FIRMWARE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(os.path.join(copy, *PROBE.split("/")), "w") as f:
        f.write(PROBE_SOURCE)
    return typecheck.check_all(firmware=copy)


@pytest.mark.parametrize("port", sorted(typecheck.STUBS))
def test_firmware_typechecks(firmware_with_probe, port):
    complaints = [c for c in firmware_with_probe[port] if PROBE not in c]
    assert complaints == [], "\n" + "\n".join(complaints)


def test_pwm_duty_fails_on_rp2_only(firmware_with_probe):
    probe = [c for c in firmware_with_probe["rp2"] if PROBE in c]
    assert probe == ['rp2: %s:3:29: error: Cannot access attribute "duty" for class "PWM"; '
                     'Attribute "duty" is unknown (reportAttributeAccessIssue)' % PROBE]
    assert [c for c in firmware_with_probe["esp32"] if PROBE in c] == []


def test_main_reports_and_sets_the_status(tmp_path, capsys):
    # Port-named modules are checked against their own port only, and the
    # host's own packages do not satisfy a firmware import.
    (tmp_path / "facewand").mkdir()
    (tmp_path / "main.py").write_text("import time\n\ntime.sleep_ms(time.ticks_diff(2, 1))\n")
    (tmp_path / "facewand" / "__init__.py").write_text("")
    (tmp_path / "facewand" / "sleep_esp32.py").write_text("import esp32\n\nesp32.wake_on_touch(True)\n")
    (tmp_path / "manifest.py").write_text('package("facewand")\n')
    assert typecheck.main(["rp2"], str(tmp_path)) == 0
    assert capsys.readouterr().out == "rp2: ok (2 files)\n"
    (tmp_path / "facewand" / "host.py").write_text("import pytest\n")
    assert typecheck.main(["esp32"], str(tmp_path)) == 1
    assert capsys.readouterr().out == (
        'esp32: facewand/host.py:1:8: error: Import "pytest" could not be resolved '
        "(reportMissingImports)\n")
