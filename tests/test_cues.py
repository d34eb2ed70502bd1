# Every cue as a hand feels it, through each board's own driver and the
# motor model: felt, countable, and unlike every other cue, at the softest
# level a person can set and at the strongest.
import subprocess
import sys

import pytest

from facewand import cues, names
from sim import felt

from mprig import REPO_ROOT
from wire import BOARDS, load_board


@pytest.mark.parametrize("level", [cues.MIN_LEVEL, cues.MAX_LEVEL])
@pytest.mark.parametrize("board", BOARDS)
def test_every_cue_is_felt_counted_and_told_apart(board, level):
    b = load_board(board)
    felt_cues, problems = felt.vocabulary(b, level)
    assert problems == []
    for f in felt_cues:
        assert f.problems == [], (f.name, f.problems)
    assert len(felt_cues) == felt.count() - 1
    if b.motor["kind"] == "pwm":            # an ERM: no pulse under 80 ms
        assert min(p.on_ms for f in felt_cues for p in f.pulses) >= 80


def test_the_simulators_packer_packs_as_the_wand_did():
    # felt.pack packs patterns of the simulator's own for the driver with
    # facewand/cue_pack.py, which the wand used at import, then dropped.
    patterns = [felt.segments(i) for i in range(felt.count())]
    assert patterns[0] == () and patterns[cues.V_STROKE] == (100, 0, 600)
    assert felt.pack(patterns) == (cues.VIBE, cues.VIBE_AT, cues.VIBE_MS)
    assert not hasattr(cues, "_pack")


def test_the_softest_level_a_person_can_set_is_the_engines_floor():
    from facewand.engine import Engine
    from facewand.view import RingView
    from facewand.settings import Settings
    from facewand.settings_limits import FIELDS
    from wand import routine
    lowest = {name: lo for name, _, lo, _ in FIELDS}["intensity"]
    e = Engine((routine(intensity=0.1),), Settings(intensity=lowest), RingView(12))
    assert e.level == felt.softest_level() == cues.MIN_LEVEL


# The vocabulary before it was designed against the motor's physics: the
# check must find in it what a hand would miss.
BEFORE = {
    "stroke": (70, 0, 450),
    "release": (60, 60, 700, 60, 0, 350),
    "pressure_high": (50, 50, 1000, 50, 50, 1000, 50, 50, 1000, 50, 0, 1000),
    "routine4": (50, 110, 450, 50, 110, 450, 50, 110, 450, 50, 0, 450),
}


@pytest.mark.parametrize("board", ["pico", "esp32-devkitc"])
def test_the_check_fails_the_cues_an_erm_cannot_render(board):
    b = load_board(board)
    floor_then = 200                  # the engine's softest level before the redesign
    found = {name: felt.feel(b, pattern, floor_then, name).problems for name, pattern in BEFORE.items()}
    assert any("a hand feels" in p for p in found["stroke"])      # 70 ms soft: too weak
    assert any("under 80 ms" in p for p in found["release"])
    assert any("gap 1 lasts 60 ms" in p for p in found["release"])
    assert any("a second, over 6" in p for p in found["pressure_high"])
    assert any("4 identical pulses in a row" in p for p in found["routine4"])


def test_the_check_finds_two_cues_that_feel_the_same(monkeypatch):
    patterns = [felt.segments(i) for i in range(felt.count())]
    patterns[cues.V_PAUSE] = patterns[5]        # pause made to feel like step 5
    from facewand.drivers import haptic
    vibe, at, _ = felt.pack(patterns)
    monkeypatch.setattr(haptic, "VIBE", vibe)   # what the driver plays
    monkeypatch.setattr(haptic, "VIBE_AT", at)
    _, problems = felt.vocabulary(load_board("pico"), cues.MIN_LEVEL)
    assert problems == ["pause feels the same as step5 (long strong)"]


def test_a_cue_too_weak_to_feel_is_found():
    b = load_board("pico")
    f = felt.feel(b, (100, 0, 100), cues.MIN_LEVEL, "whisper")
    assert any("under the 0.10 a hand feels" in p for p in f.problems)


@pytest.mark.slow
@pytest.mark.parametrize("board", BOARDS)
def test_sim_cues_prints_every_cue_and_passes(board):
    p = subprocess.run([sys.executable, "-m", "sim", "cues", "--board", board], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == "%d cues, all felt, countable and distinct" % (felt.count() - 1)
    assert "session level %d (the softest a person can set)" % cues.MIN_LEVEL in lines[0]
    for name in names.VIBE_NAMES[1:]:
        assert any(line.startswith(name + " ") and " ok " in line for line in lines), name


@pytest.mark.slow
def test_sim_cues_refuses_a_level_outside_the_engines_range():
    p = subprocess.run([sys.executable, "-m", "sim", "cues", "--level", "900"], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "sim: --level: expected 300..800 (the engine's floor and cap), got 900\n"


def test_readme_says_what_each_cue_feels_like():
    readme = (REPO_ROOT / "README.md").read_text()
    b = load_board("pico")
    for name in ("stroke", "stroke_last", "press", "release", "pressure_high", "battery_low",
                 "start", "pause", "resume", "end", "finish", "power_off", "wake"):
        f = felt.feel(b, names.VIBE_NAMES.index(name), cues.MIN_LEVEL, name)
        assert f.describe() in readme, (name, f.describe())
