# Board files: the shipped ones are valid; mistakes get one clear line.
import json

import pytest

from facewand import board
from mprig import REPO_ROOT

BOARDS = sorted(p.stem for p in (REPO_ROOT / "boards").glob("*.json"))


def shipped(name):
    return json.loads((REPO_ROOT / "boards" / (name + ".json")).read_text())


def test_at_least_pico_esp32_and_one_more():
    assert {"pico", "esp32-devkitc"} <= set(BOARDS) and len(BOARDS) >= 3


@pytest.mark.parametrize("name", BOARDS)
def test_shipped_boards_are_valid_and_named_after_their_file(name):
    b = board.load(str(REPO_ROOT / "boards" / (name + ".json")))
    assert b.name == name
    assert b.ring["count"] in (12, 16, 24)


@pytest.mark.parametrize("name, mutate, message", [
    ("pico", lambda d: d["motor"].update(pin=26), "pico.json: pressure.pin: GPIO 26 is already the motor.pin"),
    ("pico", lambda d: d["ring"].update(pin=30), "pico.json: ring.pin: expected a GPIO number this chip has, got 30"),
    ("pico", lambda d: d["pressure"].update(pin=5), "pico.json: pressure.pin: GPIO 5 has no ADC usable here (ADC pins: 26..29)"),
    ("esp32-devkitc", lambda d: d["pressure"].update(pin=25),
     "esp32-devkitc.json: pressure.pin: GPIO 25 has no ADC usable here (ADC pins: 32..39)"),
    ("esp32-devkitc", lambda d: d["motor"].update(pin=36),
     "esp32-devkitc.json: motor.pin: GPIO 36 is input-only and cannot drive an output"),
    ("esp32-devkitc", lambda d: d["ring"].update(pin=7),
     "esp32-devkitc.json: ring.pin: expected a GPIO number this chip has, got 7"),
    ("pico", lambda d: d.update(chip="stm32"), 'pico.json: chip: expected one of esp32, esp32s3, rp2040, got "stm32"'),
    ("pico", lambda d: d["ring"].update(order="RGBW"), 'pico.json: ring.order: expected one of RGB, GRB, BRG, BGR, RBG, GBR, got "RGBW"'),
    ("pico", lambda d: d["motor"].update(kind="solenoid"), 'pico.json: motor.kind: expected one of pwm, drv2605, got "solenoid"'),
    ("pico", lambda d: d["motor"].update(freq=1000), "pico.json: motor.freq: expected an integer 20000..40000, got 1000"),
    ("pico", lambda d: d.update(led=5), "pico.json: led: unknown field (expected one of battery, button, chip, description, motor, name, pressure, ring)"),
    ("pico", lambda d: d.pop("ring"), "pico.json: ring: missing"),
    ("pico", lambda d: d["pressure"].update(full=1000), "pico.json: pressure.full: must differ from zero by at least 4096 counts, or every reading is noise"),
    ("xiao-rp2040", lambda d: d["motor"].update(scl=6), "xiao-rp2040.json: motor.sda: GPIO 6 is already the motor.scl"),
])
def test_mistakes_are_named(name, mutate, message):
    d = shipped(name)
    mutate(d)
    with pytest.raises(board.BoardError) as e:
        board.parse(d, name + ".json")
    assert str(e.value) == message


@pytest.mark.parametrize("chip", [[], {}, None, 5, ["rp2040"]])
def test_a_chip_that_is_not_a_name_is_refused_in_one_line(chip):
    d = shipped("pico")
    d["chip"] = chip
    with pytest.raises(board.BoardError, match=r"^pico.json: chip: expected one of esp32, esp32s3, rp2040, got "):
        board.parse(d, "pico.json")


def test_optional_parts_may_be_left_out():
    d = shipped("pico")
    del d["pressure"], d["battery"]
    b = board.parse(d, "pico.json")
    assert b.pressure is None and b.battery is None


def test_unreadable_board_file(tmp_path):
    f = tmp_path / "x.json"
    f.write_bytes(b"\xff{")
    with pytest.raises(board.BoardError, match=r"^x.json: not UTF-8 text$"):
        board.load(str(f))
    f.write_bytes(b'{"name": ')
    with pytest.raises(board.BoardError, match=r"^x.json: not valid JSON"):
        board.load(str(f))
