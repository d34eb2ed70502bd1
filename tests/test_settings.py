# The wearer's settings: the wand runs on the defaults without loading the
# limits; anything given a value is checked against them.
import pytest

from facewand.settings import Settings
from facewand.settings_limits import FIELDS


def test_the_defaults_are_within_the_limits():
    from facewand.settings_limits import check_one
    s = Settings()
    for name, kind, lo, hi in FIELDS:
        check_one(Settings(), name, getattr(s, name))
    assert s.__dict__ == {}             # all class defaults


def test_a_value_given_is_kept():
    s = Settings(auto_off_ms=20000, intensity=1000)
    assert (s.auto_off_ms, s.intensity, s.brightness) == (20000, 1000, Settings.brightness)
    assert Settings.auto_off_ms == 120000


@pytest.mark.parametrize("values, message", [
    ({"auto_off_ms": 1800001}, "auto_off_ms: expected an integer 10000..1800000, got 1800001"),
    ({"intensity": 99}, "intensity: expected an integer 100..1000, got 99"),
    ({"brightness": True}, "brightness: expected an integer 20..100, got true"),
    ({"haptic_only": 1}, "haptic_only: expected true or false, got 1"),
    ({"long_press_ms": 1000}, "long_press_ms: expected 400 or 800 or 1500, got 1000"),
    ({"routine": "Daily"}, 'routine: expected a routine name (lowercase letters, digits, - and _; up to 24) or "", got "Daily"'),
    ({"resume_window_s": -1}, "resume_window_s: expected an integer 0..14400, got -1"),
    ({"battery_low_mv": 3.5}, "battery_low_mv: expected an integer 2800..4200, got 3.5"),
    ({"volume": 3}, "volume: unknown setting (known: intensity, brightness, routine, auto_off_ms, "
                    "battery_low_mv, pressure_zero, pressure_full, haptic_only, long_press_ms, "
                    "strong_cues, resume_window_s, follow)"),
])
def test_a_value_out_of_its_limits_is_refused_by_name(values, message):
    with pytest.raises(ValueError) as e:
        Settings(**values)
    assert str(e.value) == message
