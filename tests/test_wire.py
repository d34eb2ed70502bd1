# What reaches the person, checked where it leaves the drivers, on every
# board file: the bytes sent to the ring and the drive on the motor pin.
# Comparing the engine with itself cannot see a dark pixel or a duty over
# the cap; these tests read the wire (python -m sim run --wire).
import json

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from facewand import board as board_file, cues, hardware, names
from facewand.drivers.haptic import CAP_DUTY
from facewand.drivers.drv2605 import CAP_RTP
from facewand.hardware import gamma_table, cap_for
from facewand.engine import Engine
from facewand.view import RingView
from facewand.ring import mark_pixel
from facewand.routine_file import parse
from facewand.settings import Settings
from facewand.shell import TICK_MS
from sim import felt
from sim.picture import FramedRing
from sim.motor_model import envelope

from wire import BOARDS, ROUTINES, Run, load_board

# Between them these two sessions show every ring pattern there is.
EVERY_PATTERN = [
    # error (a routine file refused), idle, start, step, hold, stroke,
    # warn, paused, done
    ("daily", """
        0.5 press
        5 pressure 0.9
        6 pressure 0.1
        12 press
        16 press
     """, 1),
    # routine, idle, start, step, stroke, idle, battery_low, off
    ("daily", """
        0.5 double
        3 double
        5 press
        20 long
        24 battery 3.0
     """, 0),
]
# offer (a session a power cut stopped at step 3), start, step, paused,
# level (a double press while paused)
AFTER_A_CUT = """
    1 press
    6 press
    8 double
    12 press
    16 long
"""


@pytest.fixture(scope="module", params=BOARDS)
def runs(request, tmp_path_factory):
    from facewand import memory
    flash = str(tmp_path_factory.mktemp("flash"))
    daily = [r for r in ROUTINES if r.name == "daily"][0]
    memory.write_progress(memory.Files(), flash,
                          memory.Progress("daily", 2, daily.instances(), 40))
    return [Run(request.param, routine, script, load_errors=errors, until_off=True,
                settings=Settings(auto_off_ms=10000))
            for routine, script, errors in EVERY_PATTERN] + [
        Run(request.param, "daily", AFTER_A_CUT, until_off=True,
            settings=Settings(auto_off_ms=10000), flash=flash)]


def test_every_ring_write_carries_the_boards_pixel_count(runs):
    for run in runs:
        count = run.board.ring["count"]
        writes = run.of("ring")
        assert writes
        assert all(len(w["wire"]) == count * 6 for w in writes)
        # and the engine's picture (the trace's rgb) is the same size
        assert all(len(e["rgb"]) == count * 6 for e in run.of("led") if "rgb" in e)


def test_the_sixteen_pixel_boards_light_all_sixteen():
    run = Run("esp32-devkitc", "daily", "0.5 press\n60 end\n")
    lit = set()
    for _, px in run.ring_writes():
        lit |= {i for i, p in enumerate(px) if any(p)}
    assert lit == set(range(16))


def _holds(board):
    """The ticks (in ms) the ring may lag the engine: quick behind a turning
    motor, slow behind one at rest."""
    return (hardware.ring_delay_turning(board, TICK_MS) * TICK_MS,
            hardware.ring_delay(board, TICK_MS) * TICK_MS)


def _wire(run, frame):
    g = gamma_table(cap_for(run.board.ring["max_brightness"], 100))
    return [(g[frame[i]], g[frame[i + 1]], g[frame[i + 2]]) for i in range(0, len(frame), 3)]


def _source(run, t, px):
    """The engine tick whose picture the write at t shows, or None."""
    quick, slow = _holds(run.board)
    for d in range(quick, slow + TICK_MS, TICK_MS):
        f = run.frames.get(t - d)
        if f is not None and _wire(run, f) == px:
            return t - d
    return None


def _pattern_at(run, t, px):
    """The ring pattern whose picture the write at t shows."""
    src = _source(run, t, px)
    return run.leds[src] if src is not None else None


def test_every_ring_pattern_is_visible_in_a_lit_room_and_within_the_cap(runs):
    cap = runs[0].board.ring["max_brightness"]
    brightest = {}
    for run in runs:
        for t, px in run.ring_writes():
            p = _pattern_at(run, t, px)
            if p is not None and t <= run.session.t:   # not the shell's shutdown
                brightest[p] = max(brightest.get(p, 0), max(max(c) for c in px))
    seen = {names.LED_NAMES[p]: v for p, v in brightest.items()}
    # Off is the one pattern meant to be dark: the run stops as the wand
    # switches off, and its last write leaves every pixel dark.
    assert set(seen) | {"off"} == set(names.LED_NAMES), set(names.LED_NAMES) - set(seen)
    for name, top in seen.items():
        assert 16 <= top <= cap, (name, top, cap)
    for run in runs:
        assert not any(any(p) for p in run.ring_writes()[-1][1])


def test_the_ring_shows_the_engines_picture_through_gamma_and_the_cap(runs):
    # Every write is one of the engine's pictures, held back no more than
    # the motor's lag (the order of the pictures is the driver's check).
    run = runs[0]
    checked = 0
    for t, px in run.ring_writes():
        if t > run.session.t:
            break                        # the shell's shutdown
        assert _source(run, t, px) is not None, t
        checked += 1
    assert checked > 100


def _twelve_steps():
    steps = [{"name": "S%d" % i, "zone": "face", "direction": "up", "strokes": 1,
              "pressure_max": 0.5} for i in range(12)]
    return parse({"name": "twelve", "colour": "#3060FF", "rounds": 1,
                  "pace": {"start_ms": 1000, "end_ms": 1000}, "intensity": 1.0, "steps": steps},
                 "twelve.json")


@pytest.mark.parametrize("board", BOARDS)
def test_step_n_lights_n_marks_on_the_clock_face_at_the_wire(board):
    r = _twelve_steps()
    run = Run(board, "twelve", "0.5 press\n", routines=(r,) + ROUTINES[1:])
    count = run.board.ring["count"]
    delay = hardware.ring_delay(run.board, TICK_MS) * TICK_MS
    seen = {}
    for e in run.of("step"):
        # the write that shows the step's number: held back by the delay
        t = e["t_ms"] + delay
        px = dict(run.ring_writes())[t]
        lit = [i for i, p in enumerate(px) if any(p)]
        n = e["index"]
        assert len(lit) == n, (n, lit)
        assert lit == sorted(mark_pixel(h, count) for h in range(1, n + 1))
        brightest = max(lit, key=lambda i: max(px[i]))
        assert brightest == mark_pixel(n, count)
        seen[n] = lit
    assert sorted(seen) == list(range(1, 13))


@pytest.mark.parametrize("count", range(12, 33))
def test_every_number_on_every_ring_size_is_readable(count):
    ring = FramedRing(count)
    for n in range(1, 13):
        ring.marks(0xFF0000, n, 255, 140)
        lit = [i for i in range(count) if ring.frame[i * 3]]
        assert len(lit) == n
        assert ring.frame[mark_pixel(n, count) * 3] == 255
        assert sorted(ring.frame[i * 3] for i in lit) == [140] * (n - 1) + [255]
        if count >= 24:                  # room for a dark pixel between marks
            assert all(b - a >= 2 for a, b in zip(lit, lit[1:]))


@pytest.mark.parametrize("board", BOARDS)
def test_the_session_dot_stands_out_from_the_fill_at_the_wire(board):
    run = Run(board, "daily", "0.5 press\n")
    count = run.board.ring["count"]
    stroke_writes = [(t, px) for t, px in run.ring_writes() if _pattern_at(run, t, px) == names.LED_NAMES.index("stroke")]
    assert stroke_writes
    where = set()
    for t, px in stroke_writes:
        whites = [i for i, p in enumerate(px) if p[0] == p[1] == p[2] and p[0] > 0]
        assert len(whites) == 1, (t, px)          # the dot, and no fill pixel looks like it
        dot = px[whites[0]]
        assert dot[0] >= 16
        for i, p in enumerate(px):
            if i != whites[0] and any(p):
                assert max(abs(a - b) for a, b in zip(p, dot)) >= 16
        where.add(whites[0])
    # It moves round the ring as the session goes on: one place per step here.
    assert len(where) == min(10, count)


# --- the motor pin -------------------------------------------------------

def _pwm_board(draw_min_duty):
    return {"name": "b", "chip": "rp2040", "button": {"pin": 15, "active_low": True},
            "motor": {"kind": "pwm", "pin": 16, "freq": 25000, "min_duty": draw_min_duty},
            "ring": {"pin": 17, "count": 12, "order": "GRB", "max_brightness": 160}}


def _max_drive(b, level):
    """The highest drive value any cue puts on the pin at session level `level`."""
    top = 0
    for p in range(1, felt.count()):
        timeline, _ = felt.drive_timeline(b, p, level)
        top = max([top] + [v for _, v in timeline])
    return top


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 32767), st.integers(100, 1000), st.integers(100, 1000))
def test_no_board_the_checker_accepts_drives_over_80_percent(min_duty, intensity, routine_intensity):
    b = board_file.parse(_pwm_board(min_duty), "b.json")
    r = parse({"name": "r", "colour": "#FF0000", "rounds": 1, "pace": {"start_ms": 1000, "end_ms": 1000},
               "intensity": routine_intensity / 1000,
               "steps": [{"name": "s", "zone": "face", "direction": "up", "strokes": 1, "pressure_max": 1}]},
              "r.json")
    level = Engine((r,), Settings(intensity=intensity), RingView(12)).level
    top = _max_drive(b, level)
    assert top <= CAP_DUTY == 65535 * 80 // 100
    if level == cues.MAX_LEVEL:
        assert top == CAP_DUTY          # the cap is the top of the range, not a clip


@pytest.mark.parametrize("actuator", ["lra", "erm"])
def test_a_drv2605_is_held_to_80_percent_of_its_drive(actuator):
    d = _pwm_board(0)
    d["motor"] = {"kind": "drv2605", "i2c": 1, "sda": 6, "scl": 7, "addr": 90, "actuator": actuator}
    b = board_file.parse(d, "b.json")
    assert _max_drive(b, cues.MAX_LEVEL) == CAP_RTP == 255 * 80 // 100


def test_the_checker_refuses_a_stall_duty_that_leaves_no_room_under_the_cap():
    with pytest.raises(board_file.BoardError, match=r"motor.min_duty: expected an integer 0..32767, got 40000"):
        board_file.parse(_pwm_board(40000), "b.json")


@pytest.mark.parametrize("board", BOARDS)
def test_a_whole_session_at_the_strongest_settings_stays_under_the_cap(board):
    run = Run(board, "guasha", "0.5 press\n5 pressure 0.95\n9 pressure 0.1\n30 long\n",
              settings=Settings(intensity=1000))
    values = [v for _, v in run.motor_timeline()]
    assert values and max(values) > 0
    cap = CAP_DUTY if run.board.motor["kind"] == "pwm" else CAP_RTP
    assert max(values) <= cap and values[-1] == 0
    if run.session.engine.level == cues.MAX_LEVEL:
        assert max(values) == cap


# --- light and touch together -------------------------------------------

@pytest.mark.parametrize("board", BOARDS)
def test_each_cues_light_comes_when_its_vibration_is_felt(board):
    run = Run(board, "daily", "0.5 press\n5 pressure 0.9\n6 pressure 0.1\n20 press\n24 press\n")
    b = run.board
    end = run.session.t + 2000
    amp = envelope(b, run.motor_timeline(), end)
    writes = run.ring_writes()
    g = gamma_table(cap_for(b.ring["max_brightness"], 100))
    checked = 0
    for v in run.of("vibe"):
        t = v["t_ms"]
        before = run.frames.get(t - TICK_MS)
        now = run.frames.get(t)
        if now is None or now == before:
            continue                     # no picture belongs to this cue
        want = [(g[now[i]], g[now[i + 1]], g[now[i + 2]]) for i in range(0, len(now), 3)]
        shown = [wt for wt, px in writes if wt >= t and px == want]
        if not shown:
            continue                     # replaced before it was shown (a quick change)
        first_pulse = felt.segments(names.VIBE_NAMES.index(v["pattern"]))[0]
        peak = max(amp[t:t + first_pulse + 100])
        felt_at = next(k for k in range(t, end) if amp[k] >= peak / 2)
        assert abs(felt_at - shown[0]) <= 40, (v, felt_at, shown[0])
        checked += 1
    assert checked >= 30


def test_without_the_hold_an_erm_cue_is_seen_before_it_is_felt():
    # The check above can fail: an ERM's light with no hold comes too early.
    b = load_board("pico")
    b.motor["lag_ms"] = 100
    b.motor["rise_ms"] = 200
    assert hardware.ring_delay(b, TICK_MS) == 5
    timeline, _ = felt.drive_timeline(b, cues.V_PRESS, 800)
    amp = envelope(b, timeline, 1000)
    peak = max(amp[:300])
    felt_at = next(k for k in range(1000) if amp[k] >= peak / 2)
    assert felt_at > 40


def test_the_trace_names_the_steps_that_ran_after_another_routine_is_chosen():
    # The journal is written at power-off, after the wearer may have chosen
    # another routine: each step line must name the routine that ran.
    from facewand.journal import Journal
    from facewand.trace import command_line
    from sim.session import Session
    lines = []
    b = load_board("pico")
    from sim.fakehw.script import parse_script
    s = Session(ROUTINES, Settings(), parse_script("0.5 press\n8 long\n12 double\n14 double\n", "s"),
                lines.append, b)
    s.journal = Journal(600)
    s.shell.journal = s.journal
    s.run()
    assert s.engine.routine.name == "guasha"
    late = [command_line(*s.journal.get(i), s.engine.routines) for i in range(s.journal.first(), s.journal.count)]
    steps = [json.loads(x) for x in late if '"event":"step"' in x]
    assert steps and steps[0]["name"] == "Chin to ear"
