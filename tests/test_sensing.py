# Issue 12: the wand senses the person's strokes and presses (facewand.sense)
# and follows them (engine, schedule). The detector alone on made signals,
# the engine following through the simulator, and the evaluation on
# generated people with ground truth (tests/fsr_signal.py), whose figures
# the test command prints (conftest.py) and docs/sensing.md quotes.
import json
import math
import os
import subprocess
import sys
import types

import pytest

import fsr_signal
import sensing_eval
from facewand import engine, names, schedule, sense
from facewand.settings import Settings
from sim.cli import load_board, load_routines
from sim.fakehw.script import ScriptError, parse_script
from sim.session import Session
from sim import paths

FIGURES = {}                  # the evaluation's, for the test summary


# ---------------------------------------------------------------- detector

def pulses(period, width, height, count, rest=20, start=1000, dip=0.0, tick=20):
    """[(t, permille)] at the tick rate: `count` raised-cosine pulses."""
    out = []
    end = start + period * count + 2000
    for t in range(0, end, tick):
        v = rest
        k = (t - start) // period
        x = (t - start) - k * period
        if t >= start and k < count and x < width:
            up = math.sin(math.pi * x / width)
            if dip and abs(x / width - 0.5) < 0.15:
                up *= 1 - (1 - dip) * (1 - abs(x / width - 0.5) / 0.15)
            v += height * up
        out.append((t, int(v)))
    return out


STROKE, PRESS = sense._STROKE, sense._PRESS
D = sense.s               # the detector's state, by sense's indexes


class _Asks:
    """What sense.step reads of an engine: a step instance just begun that
    asks for presses held 2 x `plateau` ms, or (0) for strokes."""

    def __init__(self, plateau):
        cur = types.SimpleNamespace(presses=1 if plateau else 0, hold_ms=2 * plateau)
        self.sch = types.SimpleNamespace(inst=0, presses=0, cur=cur, period=2500)


def feed(samples, plateau=0, fresh=True):
    """The samples through the detector (afresh, or going on from where
    the last feed left it), in a step asking for presses (a plateau this
    long is one) or strokes (0); (t, event) for each it sensed."""
    if fresh:
        sense.reset()
    sense.step(_Asks(plateau))
    events = []
    for t, v in samples:
        e = sense.pressure(v, t)
        if e:
            events.append((t, e))
    return D, events


def test_a_clean_train_of_strokes_is_counted_and_its_period_found():
    d, ev = feed(pulses(1500, 700, 200, 8))
    assert [e for _, e in ev] == [STROKE] * 8
    assert d[sense._N] == 8
    assert d[sense._PERIOD] == 1500


@pytest.mark.parametrize("period", [1000, 2200, 4000])
def test_the_period_is_the_persons_whatever_it_is(period):
    d, ev = feed(pulses(period, period * 45 // 100, 150, 7))
    assert len(ev) == 7
    assert abs(d[sense._PERIOD] - period) <= 20


def test_a_double_peaked_stroke_is_one_stroke():
    d, ev = feed(pulses(2000, 1000, 250, 5, dip=0.45))
    assert [e for _, e in ev] == [STROKE] * 5


def test_a_plateau_while_presses_are_asked_is_a_press_not_a_stroke():
    d, ev = feed(pulses(1500, 800, 250, 3), plateau=400)
    assert [e for _, e in ev] == [PRESS] * 3
    assert d[sense._PRESSES] == 3 and d[sense._N] == 0


def test_a_plateau_among_strokes_is_a_press():
    d, ev = feed(pulses(1500, 600, 200, 5))
    assert len(ev) == 5
    # then the hand stops and holds for three seconds
    hold = [(t + 20000, v) for t, v in pulses(6000, 3000, 200, 1)]
    d, ev = feed(hold, fresh=False)
    assert [e for _, e in ev] == [PRESS]


def test_strokes_count_under_a_drifting_baseline():
    # the rest pressure climbs 150 permille over the minute
    samples = [(t, v + t * 150 // 60000) for t, v in pulses(2000, 900, 120, 28)]
    d, ev = feed(samples)
    assert len(ev) == 28


def test_noise_and_a_still_hand_count_nothing():
    for seed in range(20):
        d, ev = feed(fsr_signal.still_contact(seed))
        assert ev == [], seed


def test_a_wobble_under_the_least_rise_counts_nothing():
    # 35 permille up and down every second: under _MIN_RISE
    samples = [(t, 100 + int(35 * (0.5 - 0.5 * math.cos(2 * math.pi * t / 1000)))) for t in range(0, 30000, 20)]
    d, ev = feed(samples)
    assert ev == []


def test_a_second_rise_within_the_refractory_time_is_the_same_stroke():
    # each stroke two humps, the hand off the skin between them for 80 ms:
    # the second rises 330 ms after the first, within the refractory time
    samples = []
    for t in range(0, 16000, 20):
        x = (t - 1000) % 2000 if t >= 1000 else 5000
        v = 20
        if x < 250:
            v += 200 * math.sin(math.pi * x / 250)
        elif 330 <= x < 600:
            v += 200 * math.sin(math.pi * (x - 330) / 270)
        samples.append((t, int(v)))
    d, ev = feed(samples)
    assert [e for _, e in ev] == [STROKE] * 8
    assert d[sense._PERIOD] == 2000


def test_the_detector_keeps_the_numbers_the_others_mean():
    # (sense's private copies, which the wand cannot import by name:
    # MicroPython folds private constants away)
    assert sense._CMD_SENSED == names.CMD_SENSED
    assert (sense._STROKE, sense._PRESS, sense._SENSED_LIGHT) == (
        names.SENSED_STROKE, names.SENSED_PRESS, names.SENSED_LIGHT)
    assert names.VIBE_NAMES[sense._V_LIGHT] == "light"
    assert sense._P_GUIDE == engine._P_GUIDE
    assert (sense._SCH_STROKE, sense._SCH_END) == (schedule.STROKE, schedule.END)
    from facewand.commands import RUNNING
    assert sense._RUNNING == RUNNING


# ------------------------------------------------------ the wand following

def run(routine, script, board="pico", board_obj=None):
    b = board_obj or load_board(board)
    routines, choice = load_routines(routine)
    lines = []
    Session(routines, Settings(), parse_script(script, "test"), lines.append, b, choice=choice).run()
    return lines


def events(lines, kind=None):
    out = [json.loads(x) for x in lines]
    return [e for e in out if kind is None or e["event"] == kind]


def without_inputs(lines, kinds=("set",)):
    return [x for x in lines if not any('"input":"%s"' % k in x for k in kinds)]


def test_with_following_off_or_no_sensor_the_trace_is_the_timed_one():
    script, lines, truth, p = fsr_signal.session("daily", 3)
    plain = "\n".join(x for x in script.splitlines() if " set " not in x) + "\n"
    timed = run("daily", plain)
    off = run("daily", script.replace("0 set pressure_full", "0 set follow false\n0 set pressure_full"))
    assert without_inputs(off) == timed
    assert not events(timed, "sensed")
    # a board with no pressure sensor: the calibration changes nothing
    b = load_board("pico")
    b.pressure = None
    b2 = load_board("pico")
    b2.pressure = None
    assert without_inputs(run("daily", script, board_obj=b)) == run("daily", plain, board_obj=b2)
    # and following is what made the difference
    assert events(lines, "sensed") and lines != timed


def test_a_step_moves_on_with_its_last_sensed_stroke():
    script, lines, truth, p = fsr_signal.session("daily", 4)
    evs = events(lines)
    steps = [e for e in evs if e["event"] == "step"]
    for i, s in enumerate(steps[:-1]):
        sensed = [e for e in evs if e["event"] == "sensed" and e["kind"] == "stroke"
                  and s["t_ms"] <= e["t_ms"] < steps[i + 1]["t_ms"]]
        assert sensed[-1]["n"] == 3
        # the next step's cue comes two ticks after the third stroke is said
        assert steps[i + 1]["t_ms"] - sensed[-1]["t_ms"] == 40


def test_with_no_strokes_a_step_lasts_twice_its_plan_and_no_longer():
    routines, choice = load_routines("daily")
    r = routines[choice]
    script = "\n".join(fsr_signal.settings_lines(load_board("pico")) + ["0.5 press", "0.6 pressure 0.02"]) + "\n"
    evs = events(run("daily", script))
    steps = [e["t_ms"] for e in evs if e["event"] == "step"]
    assert len(steps) == len(r.steps)
    for i in range(1, len(steps)):
        planned = r.step_ms(i - 1)
        # (on the first tick at or after it)
        assert 0 <= steps[i] - steps[i - 1] - 2 * planned < 20, (i, steps[i] - steps[i - 1], planned)


def cue_intervals(lines):
    """ms between consecutive pace cues within a step, with the step's
    routine period."""
    evs = events(lines)
    out = []
    last = None
    for e in evs:
        if e["event"] == "step":
            last = None
        elif e["event"] == "stroke":
            if last is not None:
                out.append(e["t_ms"] - last)
            last = e["t_ms"]
    return out


@pytest.mark.parametrize("seed", [2, 8, 11])
def test_the_pace_cue_drifts_toward_the_person_within_a_fifth(seed):
    script, lines, truth, p = fsr_signal.session("daily", seed)
    routines, choice = load_routines("daily")
    r = routines[choice]
    gaps = cue_intervals(lines)
    lo, hi = r.pace_start_ms * 8 // 10 - 20, r.pace_end_ms * 12 // 10 + 20
    assert all(lo <= g <= hi for g in gaps), (lo, hi, gaps)
    late = gaps[len(gaps) // 2:]
    target = min(max(p.period, r.pace_start_ms * 0.8), r.pace_end_ms * 1.2)
    # by the second half of the session the cue is nearer the person than the routine was
    mean = sum(late) / len(late)
    assert abs(mean - target) < abs((r.pace_start_ms + r.pace_end_ms) / 2 - target) or abs(mean - target) < 60


def test_the_pace_still_slows_through_the_session_as_the_routine_says():
    # full: 3 s at the first step to 4 s at the last; a person at the
    # routine's own pace throughout leaves the cue on the routine's slope
    script, lines, truth, p = fsr_signal.session("full", 17)      # period ~3.9 s
    gaps = cue_intervals(lines)
    first, last = gaps[:6], gaps[-6:]
    assert sum(last) / len(last) > sum(first) / len(first)


LIGHT = {
    "name": "light", "colour": "#40C0FF", "rounds": 1, "pace": {"start_ms": 2000, "end_ms": 2000},
    "intensity": 0.7,
    "steps": [{"name": "Cheeks", "zone": "cheeks", "direction": "out", "strokes": 4,
               "pressure_min": 0.3, "pressure_max": 0.8}],
}


def test_a_stroke_lighter_than_the_step_asks_brings_the_light_cue(tmp_path):
    path = tmp_path / "light.json"
    path.write_text(json.dumps(LIGHT))
    lines = ["0.5 press", "1 pressure 0.02"]
    for k in range(6):             # peaks of 0.15 and then 0.45
        height = 0.15 if k < 3 else 0.45
        for t in range(0, 1000, 20):
            at = 4000 + k * 2000 + t
            v = 0.02 + height * math.sin(math.pi * t / 1000)
            lines.append("%d.%03d pressure %.3f" % (at // 1000, at % 1000, v))
    script = "\n".join(fsr_signal.settings_lines(load_board("pico")) + lines) + "\n"
    evs = events(run(str(path), script))
    light = [e for e in evs if e["event"] == "sensed" and e["kind"] == "light"]
    strokes = [e for e in evs if e["event"] == "sensed" and e["kind"] == "stroke"]
    assert [e["n"] for e in light] == [1, 2, 3]
    assert all(100 <= e["peak"] < 300 for e in light)
    assert len(strokes) >= 4
    cues = [e for e in evs if e["event"] == "vibe" and e["pattern"] == "light"]
    assert [c["t_ms"] for c in cues] == [e["t_ms"] for e in light]


def test_pressure_min_must_be_under_pressure_max(tmp_path):
    from facewand import routine_file
    bad = dict(LIGHT, steps=[dict(LIGHT["steps"][0], pressure_min=0.8)])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(routine_file.RoutineError) as e:
        routine_file.load(str(path))
    assert str(e.value) == "bad.json: steps[0].pressure_min: below pressure_max (0.800), not 0.800"


@pytest.mark.parametrize("line, message", [
    ("1 set follow true", "t:1: 'set' is a setting at power-on: its time must be 0"),
    ("0 set follow", "t:1: 'set' needs a setting's name and a value"),
    ("0 set follow maybe", "t:1: expected an integer or true/false, got 'maybe'"),
    ("0 set volume 3", "t:1: volume: unknown setting (known: intensity, brightness, routine, "
     "auto_off_ms, battery_low_mv, pressure_zero, pressure_full, haptic_only, long_press_ms, "
     "strong_cues, resume_window_s, follow)"),
    ("0 set pressure_full 99999", "t:1: pressure_full: expected an integer 0..65535, got 99999"),
])
def test_a_bad_set_line_is_named(line, message):
    with pytest.raises(ScriptError) as e:
        parse_script(line + "\n", "t")
    assert str(e.value) == message


# ------------------------------------------------------------- evaluation

EVAL = [("daily", 100), ("guasha", 40), ("full", 12)]


@pytest.mark.slow
def test_evaluation_on_generated_people(tmp_path):
    runs = []
    scripts = {}
    for routine, people in EVAL:
        for seed in range(1, people + 1):
            script, lines, truth, p = fsr_signal.session(routine, seed)
            runs.append((lines, truth, p))
            scripts[(routine, seed)] = (script, lines)
    f = sensing_eval.evaluate(runs)
    # Noise alone: a session started, then a minute of the wand held still.
    noise = 0
    for seed in range(10):
        head = fsr_signal.settings_lines(load_board("pico")) + ["0 press"]
        body = ["%d.%03d pressure %.3f" % ((t + 1000) // 1000, (t + 1000) % 1000, v / 1000)
                for t, v in fsr_signal.still_contact(seed)]
        lines = run("daily", "\n".join(head + body) + "\n")
        noise += sum(1 for e in events(lines, "sensed") if e["kind"] == "stroke")
    f["noise_strokes"] = noise
    f["noise_minutes"] = 10
    FIGURES.update(f)
    # The scripts replay the very runs through the simulator's command line.
    for key in [("daily", 1), ("guasha", 2), ("full", 3)]:
        script, lines = scripts[key]
        path = tmp_path / ("%s-%d.txt" % key)
        path.write_text(script)
        trace = tmp_path / "t.jsonl"
        from sim.cli import main
        assert main(["run", "--routine", key[0], "--script", str(path), "--trace", str(trace), "--quiet"]) == 0
        assert trace.read_text().splitlines() == lines
    assert f["accuracy"] >= 0.95, f
    assert f["pace_error_mean"] < 0.03, f
    assert f["noise_strokes"] == 0, f
    assert f["strokes_in_presses"] == 0, f
    # (and the presses the routine cued are felt as presses)
    assert f["presses_felt"] >= 0.95 * f["presses_cued"], f


@pytest.mark.slow
def test_sim_run_with_a_generated_signal_shows_the_session_following(tmp_path):
    # The issue's own command, in a fresh Python.
    script, lines, truth, p = fsr_signal.session("daily", 2)       # ~1.2 s a stroke
    path = tmp_path / "s.txt"
    path.write_text(script)
    trace = tmp_path / "t.jsonl"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "--routine", "daily", "--script", str(path),
                           "--trace", str(trace), "--quiet"], cwd=paths.ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    evs = events(trace.read_text().splitlines())
    sensed = [e for e in evs if e["event"] == "sensed" and e["kind"] == "stroke"]
    assert len(sensed) >= 30
    assert abs(sensed[-1]["period_ms"] - p.period) / p.period < 0.03
    # followed: the session is shorter than its plan by the person's quicker pace
    routines, choice = load_routines("daily")
    done = [e["t_ms"] for e in evs if e["event"] == "state" and e["state"] == "done"][0]
    start = [e["t_ms"] for e in evs if e["event"] == "state" and e["state"] == "running"][0]
    assert done - start < routines[choice].total_ms() * 0.85


@pytest.mark.slow
def test_the_light_cue_path_is_the_same_on_micropython_with_the_heap_locked(tmp_path):
    import checkrun
    import difftrace
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "light.json").write_text(json.dumps(LIGHT))
    lines = ["0.5 press", "1 pressure 0.02"]
    for k in range(6):
        height = 0.15 if k < 3 else 0.45
        for t in range(0, 1000, 20):
            at = 4000 + k * 2000 + t
            lines.append("%d.%03d pressure %.3f" % (at // 1000, at % 1000, 0.02 + height * math.sin(math.pi * t / 1000)))
    script = "\n".join(fsr_signal.settings_lines(load_board("pico")) + lines) + "\n"
    scenario = ["light", "light", script, (1 << 30) - 5000, "pico"]
    a = checkrun.cpython(difftrace, "trace", scenario, str(folder), os.path.join(paths.ROOT, "boards"))
    b = checkrun.micropython(difftrace, [("trace", (scenario, "/light", "/boards"))],
                             copies=[(folder, "/light")])[0].result()
    assert b["heap_locked"]
    assert a["lines"] == b["lines"]
    assert sum(1 for x in a["lines"] if '"pattern":"light"' in x and '"vibe"' in x) == 3


# ------------------------------------------- what a review found, and its kind

def stroking(start_s, end_s, period_ms=1000, width_ms=500, height=0.3, rest=0.02):
    """Script lines: a hand stroking without stopping from start to end."""
    out = []
    for t in range(int(start_s * 1000), int(end_s * 1000), 20):
        x = (t - int(start_s * 1000)) % period_ms
        v = rest + (height * math.sin(math.pi * x / width_ms) if x < width_ms else 0)
        out.append("%d.%03d pressure %.3f" % (t // 1000, t % 1000, v))
    return out


def follow_script(lines):
    return "\n".join(fsr_signal.settings_lines(load_board("pico")) + lines) + "\n"


def test_strokes_made_while_a_step_is_announced_do_not_count():
    # A person who never stops stroking (1 s a stroke): those felt during a
    # step's intro are said with n 0, and each step's pace cues begin at 1.
    evs = events(run("daily", follow_script(["0.5 press"] + stroking(1, 90))))
    steps = [e["t_ms"] for e in evs if e["event"] == "step"]
    assert len(steps) >= 5
    for i in range(1, len(steps) - 1):
        s0, s1 = steps[i], steps[i + 1]
        felt = [e for e in evs if e["event"] == "sensed" and e["kind"] == "stroke" and s0 <= e["t_ms"] < s1]
        intro = [e for e in felt if e["t_ms"] - s0 < 1800]
        assert intro and all(e["n"] == 0 for e in intro)
        assert [e["n"] for e in felt if e["t_ms"] - s0 >= 1800] == [1, 2, 3]
        cues = [e["n"] for e in evs if e["event"] == "stroke" and s0 <= e["t_ms"] < s1]
        assert cues[:1] == [1]


def daily_with_pressure_min(tmp_path, low=0.2):
    with open(os.path.join(paths.ROUTINES, "daily.json")) as f:
        r = json.load(f)
    r["name"] = "dailymin"
    for s in r["steps"]:
        s["pressure_min"] = min(low, s["pressure_max"] - 0.05)
    path = tmp_path / "dailymin.json"
    path.write_text(json.dumps(r))
    return str(path)


def test_the_light_cue_never_cuts_into_another_cue(tmp_path):
    # Light strokes (peaking at 0.13) all session: the nudge comes between
    # cues, never over one (a step's number is felt whole) and never after
    # a step's last stroke.
    path = daily_with_pressure_min(tmp_path)
    evs = events(run(path, follow_script(["0.5 press"] + stroking(2, 120, 1000, 500, 0.11))))
    vibes = [e for e in evs if e["event"] == "vibe"]
    light = [e for e in vibes if e["pattern"] == "light"]
    assert light
    for v in light:
        before = [w for w in vibes if w["t_ms"] < v["t_ms"]]
        assert not before or before[-1]["t_ms"] + before[-1]["ms"] <= v["t_ms"], (before[-1], v)
    assert len([e for e in evs if e["event"] == "sensed" and e["kind"] == "light"]) >= len(light)


def test_a_pulse_open_when_the_session_paused_says_nothing_after():
    # Paused mid-stroke (the hand still pressing), resumed with the hand at
    # rest: no press or stroke is made of the pulse cut in two.
    lines = ["0.5 press"] + stroking(4, 20.3, 2000, 800) + ["20.3 press", "20.35 pressure 0.3",
                                                             "30 pressure 0.02", "30.4 press"]
    evs = events(run("daily", follow_script(lines)))
    resumed = [e["t_ms"] for e in evs if e["event"] == "state" and e["state"] == "running"][-1]
    assert not [e for e in evs if e["event"] == "sensed" and resumed <= e["t_ms"] < resumed + 2000]


def test_a_double_press_before_a_step_has_begun_begins_it():
    # In the lead-in before the first step (and in the moment between a
    # followed step's last stroke and the next one's cue), a double press
    # begins the coming step at once, announced, rather than skipping it.
    evs = events(run("daily", "0.5 press\n1.2 double\n8 long\n"))
    steps = [(e["index"], e["t_ms"]) for e in evs if e["event"] == "step"]
    assert steps[0][0] == 1 and steps[0][1] < 2140


def test_a_stroke_said_at_a_steps_deadline_does_not_delay_it():
    # A single stroke that ends right at the step's twice-planned end: the
    # next step begins on the first tick at or after it, as without it.
    quiet = run("daily", follow_script(["0.5 press", "1 pressure 0.02"]))
    t2 = [e["t_ms"] for e in events(quiet) if e["event"] == "step"][2]
    for end in range(t2 - 200, t2 + 40, 20):
        lines = ["0.5 press", "1 pressure 0.02"] + [
            "%d.%03d pressure %.3f" % (t // 1000, t % 1000, 0.02 + 0.3 * math.sin(math.pi * (t - end + 600) / 600))
            for t in range(end - 600, end, 20)] + ["%d.%03d pressure 0.02" % (end // 1000, end % 1000)]
        evs = events(run("daily", follow_script(lines)))
        assert [e["t_ms"] for e in evs if e["event"] == "step"][2] == t2, end


def test_a_scripts_settings_win_over_the_flash_it_runs_on(tmp_path):
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "settings.json").write_text(json.dumps({"follow": True, "pressure_zero": 700,
                                                    "pressure_full": 45000}))
    script, lines, truth, p = fsr_signal.session("daily", 3)
    script = script.replace("0.5 press", "0 set follow false\n0.5 press")
    b = load_board("pico")
    routines, choice = load_routines("daily")
    out = []
    Session(routines, Settings(), parse_script(script, "t"), out.append, b, choice=choice,
            flash=str(flash)).run()
    assert not events(out, "sensed")
