# Scenario tests of the engine: each step of a story asserts the whole
# visible state (h11-style), plus the commands it produced.
import pytest

from facewand import cues, names
from facewand.commands import (
    CMD_CLEAR, CMD_LED, CMD_POINT, CMD_ROUTINE, CMD_STATE, CMD_STEP, CMD_STROKE, CMD_VIBE,
    CMD_WARN, POINT_PRESS, POINT_RELEASE, REASON_BATTERY, REASON_PRESSURE, CMD_OFFER, CMD_SET,
)
from facewand.names import END_NAMES, SET_NAMES, STATE_NAMES
from facewand.engine import Engine, SESSION_CAP_MS, BATTERY_CONFIRM_MS, ERROR_SHOW_MS
from facewand.view import BATTERY_SHOW_MS, RingView
from facewand.routines import LEAD_MS, INTRO_MS, PRESS_GAP_MS, Routine, Step

from sim.picture import FramedRing
from facewand.settings import Settings
from wand import Wand, routine

END_FINISHED, END_EARLY, END_AUTO_OFF = (END_NAMES.index(n) for n in ("finished", "ended early", "auto-off"))
SET_INTENSITY = SET_NAMES.index("intensity")


def snap(w):
    e = w.e
    return {
        "state": STATE_NAMES[e.state],
        "inst": e.sch.inst,
        "led": names.LED_NAMES[e.led],
        "pressure_warning": e.guard.warning,
        "battery_low": e.b_latched,
    }


def kinds(cmds):
    names = {CMD_STATE: "state", CMD_STEP: "step", CMD_VIBE: "vibe", CMD_LED: "led",
             CMD_WARN: "warn", CMD_CLEAR: "clear", CMD_STROKE: "stroke", CMD_POINT: "point"}
    return [names[c[1]] for c in cmds]


def start(w):
    w.gesture("press")
    assert w.state == "running"


def test_power_on_is_idle_with_the_routine_colour_breathing():
    w = Wand()
    assert snap(w) == {"state": "idle", "inst": 0, "led": "idle",
                       "pressure_warning": False, "battery_low": False}
    assert kinds(w.log) == ["state", "led"]
    assert w.vibes() == []          # idle never drives the motor
    w.run(1000)
    assert any(w.e.view.ring.frame)      # the ring shows the routine is ready


def test_a_whole_session_follows_the_planned_timeline():
    r = routine()
    w = Wand(r)
    w.gesture("press")
    t_start = [c[0] for c in w.log if c[1] == CMD_STATE and c[2] == 1][0]
    assert snap(w)["state"] == "running" and snap(w)["led"] == "start"
    assert w.vibes() == ["start"]

    w.run(LEAD_MS + 10)
    assert snap(w) == {"state": "running", "inst": 0, "led": "step",
                       "pressure_warning": False, "battery_low": False}
    step = [c for c in w.log if c[1] == CMD_STEP]
    assert [(c[2], c[3]) for c in step] == [(1, 1)]
    assert step[0][0] - t_start == LEAD_MS   # to the tick: the schedule is absolute

    w.run(INTRO_MS)
    assert snap(w)["led"] == "stroke"
    w.run(r.step_ms(0))
    assert snap(w)["inst"] == 1
    w.run(INTRO_MS)
    assert snap(w)["led"] == "hold"          # step B starts with presses
    w.run(r.total_ms())
    assert snap(w) == {"state": "done", "inst": 1, "led": "done",
                       "pressure_warning": False, "battery_low": False}
    assert w.vibes() == ["start", "step1", "stroke", "stroke_last", "step2", "press",
                         "release", "press", "release", "stroke_last", "finish"]
    done_at = [c[0] for c in w.log if c[1] == CMD_STATE and c[2] == 3][0]
    assert 0 <= done_at - t_start - r.total_ms() < 20   # within one tick


def test_points_and_strokes_are_counted():
    w = Wand()
    start(w)
    w.run(routine().total_ms() + 100)
    strokes = [(c[2], c[3]) for c in w.log if c[1] == CMD_STROKE]
    points = [(c[2], c[3], c[4]) for c in w.log if c[1] == CMD_POINT]
    assert strokes == [(1, 2), (2, 2), (1, 1)]
    assert points == [(POINT_PRESS, 1, 2), (POINT_RELEASE, 1, 2),
                      (POINT_PRESS, 2, 2), (POINT_RELEASE, 2, 2)]


def test_hold_lasts_hold_ms_and_release_gap_follows():
    w = Wand()
    start(w)
    w.run(routine().total_ms())
    pts = [c[0] for c in w.log if c[1] == CMD_POINT]
    assert pts[1] - pts[0] == 1000
    assert pts[2] - pts[1] == PRESS_GAP_MS


def test_pause_stops_the_schedule_and_resume_shifts_it():
    r = routine()
    w = Wand(r)
    start(w)
    w.run(LEAD_MS + INTRO_MS + 500)
    w.gesture("press")
    t_pause = w.t                            # the tick the press was made out: paused
    assert snap(w) == {"state": "paused", "inst": 0, "led": "paused",
                       "pressure_warning": False, "battery_low": False}
    assert w.vibes(since=t_pause - 400) == ["pause"]
    w.run(20000)
    assert w.vibes(since=t_pause + 1) == []  # nothing while paused
    assert snap(w)["state"] == "paused"
    w.gesture("press")
    assert snap(w)["state"] == "running"
    assert w.vibes(since=w.t - 400) == ["resume"]
    w.run(r.total_ms())
    assert w.state == "done"
    assert w.states() == ["idle", "running", "paused", "running", "done"]


def test_long_press_ends_the_session_early_then_long_again_powers_off():
    w = Wand()
    start(w)
    w.run(3000)
    w.gesture("long")
    assert snap(w) == {"state": "idle", "inst": 0, "led": "idle",
                       "pressure_warning": False, "battery_low": False}
    assert w.vibes()[-1] == "end"
    w.gesture("long")
    assert snap(w)["state"] == "off" and snap(w)["led"] == "off"
    assert w.vibes()[-1] == "power_off"
    assert not any(w.e.view.ring.frame)


def test_double_press_skips_to_the_next_step_and_from_the_last_finishes():
    w = Wand()
    start(w)
    w.run(LEAD_MS + 100)
    w.gesture("double")
    assert snap(w)["inst"] == 1
    assert w.steps() == [(1, 1), (2, 1)]
    assert "step2" in w.vibes()
    w.run(500)
    w.gesture("double")
    assert snap(w)["state"] == "done"
    assert w.vibes()[-1] == "finish"


def test_double_press_when_idle_with_one_routine_changes_nothing_but_says_so():
    w = Wand()
    w.gesture("double")
    assert snap(w)["state"] == "idle" and w.e.choice == 0


def test_double_press_while_paused_steps_the_intensity_and_keeps_the_pause():
    from facewand.engine import INTENSITY_STEPS
    w = Wand(intensity=700)
    start(w)
    w.run(LEAD_MS + 100)
    w.gesture("press")
    before = snap(w)
    level = w.e.level
    w.gesture("double")
    assert w.e.settings.intensity == 850 and w.e.changes == 1
    assert w.e.level > level
    assert w.vibes()[-1] == "level"
    assert [c for c in w.log if c[1] == CMD_SET][-1][2:4] == (SET_INTENSITY, 850)
    # the ring shows the new strength a moment, then the pause again
    assert snap(w) == dict(before, led="level")
    w.run(2000)
    assert snap(w) == before
    # round again from the strongest, and the session goes on at the new level
    seen = [w.e.settings.intensity]
    for _ in range(len(INTENSITY_STEPS)):
        w.gesture("double")
        seen.append(w.e.settings.intensity)
    assert seen == [850, 1000, 400, 550, 700, 850]
    w.gesture("press")
    assert w.state == "running" and w.e.pauses == 1
    level = w.e.level
    w.run(10000)
    assert {c[4] for c in w.log if c[0] > w.t - 10000 and c[1] == CMD_VIBE} == {level}


def test_strong_cues_raise_the_level_within_the_cap():
    weak = Wand(intensity=300).e.level
    strong = Wand(intensity=300, strong_cues=True).e.level
    assert strong >= weak + 200 and strong <= cues.MAX_LEVEL
    assert Wand(intensity=1000, strong_cues=True).e.level == cues.MAX_LEVEL


def test_the_long_press_takes_as_long_as_the_wearer_set():
    for ms in (400, 800, 1500):
        w = Wand(long_press_ms=ms)
        w.e.button(True, w.now)
        w.run(ms - 60)
        assert w.state == "idle"
        w.run(120)
        assert w.state == "off", ms


def offered(inst=3, **settings):
    r = routine(rounds=2)
    w = Wand.__new__(Wand)
    from sim.clock import Clock
    w.e = Engine((r,), Settings(**settings), RingView(12, FramedRing(12)))
    w.start = 0
    w.clock = Clock(w._tick)
    w.log = []
    w.e.offer(inst)
    w._take(w.e.power_on(w.now))
    return w


def test_a_session_cut_off_is_offered_and_a_press_goes_on_from_its_step():
    w = offered(3)                  # step 2 of round 2 (two steps a round)
    assert w.state == "offer"
    assert [c[2:] for c in w.log if c[1] == CMD_OFFER] == [(2, 2, 0)]
    assert w.vibes() == ["offer"] and names.LED_NAMES[w.e.led] == "offer"
    w.gesture("press")
    assert w.state == "running" and w.e.resumed and w.e.sessions == 1
    assert w.vibes()[-1] == "resume"
    w.run(LEAD_MS + 100)
    steps = [c[2:] for c in w.log if c[1] == CMD_STEP]
    assert steps == [(2, 2, 0)]
    w.run(routine(rounds=2).total_ms())
    assert w.state == "done" and w.e.ended == END_FINISHED


def test_a_double_press_on_the_offer_starts_over_and_a_long_one_switches_off():
    w = offered(3)
    w.gesture("double")
    assert w.state == "running" and not w.e.resumed and w.vibes()[-1] == "start"
    w.run(LEAD_MS + 100)
    assert [c[2:] for c in w.log if c[1] == CMD_STEP] == [(1, 1, 0)]
    w = offered(1)
    w.gesture("long")
    assert w.state == "off" and w.e.ends == 0
    w = offered(99)                 # no such step: no offer
    assert w.state == "idle"


def test_an_offer_left_alone_switches_off():
    w = offered(1, auto_off_ms=10000)
    w.run(10100)
    assert w.state == "off" and w.e.ends == 0


@pytest.mark.parametrize("how, ended", [
    ("finish", END_FINISHED), ("long", END_EARLY), ("pause and wait", END_AUTO_OFF),
])
def test_how_a_session_ended_is_told(how, ended):
    w = Wand(auto_off_ms=10000)
    start(w)
    if how == "finish":
        w.run(routine().total_ms() + 100)
    elif how == "long":
        w.run(LEAD_MS + 100)
        w.gesture("long")
    else:
        w.run(LEAD_MS + 100)
        w.gesture("press")
        w.run(10100)
    assert (w.e.sessions, w.e.ends, w.e.ended) == (1, 1, ended)


def test_haptic_only_keeps_the_ring_dark_and_the_cues_the_same():
    lit = Wand()
    dark = Wand(haptic_only=True)
    for w in (lit, dark):
        start(w)
        w.run(routine().total_ms() + 100)
    assert {names.LED_NAMES[c[2]] for c in dark.log if c[1] == CMD_LED} == {"off"}
    assert not any(dark.e.view.ring.wire)
    assert lit.vibes() == dark.vibes()


def test_off_wakes_on_a_press():
    w = Wand()
    w.gesture("long")
    assert w.state == "off"
    w.gesture("press")
    assert w.state == "idle"
    assert w.vibes()[-1] == "wake"


@pytest.mark.parametrize("where", ["idle", "paused", "done"])
def test_auto_off_after_the_quiet_time(where):
    w = Wand(auto_off_ms=30000)
    if where != "idle":
        start(w)
        if where == "paused":
            w.run(LEAD_MS + 100)
            w.gesture("press")
        else:
            w.run(routine().total_ms() + 100)
    assert w.state == where
    t0 = w.t
    w.run(29000)
    assert w.state == where
    w.run(1500)
    assert w.state == "off"
    assert w.vibes(since=t0 + 1) == ["power_off"]


def test_pressure_above_the_band_warns_within_200ms_and_clears_within_1s():
    w = Wand()
    start(w)
    w.run(LEAD_MS + 100)            # step A: band top 500 permille
    w.pressure(450)
    w.run(100)
    assert not snap(w)["pressure_warning"]
    t_high = w.t
    w.pressure(650)
    warn = [c for c in w.since(t_high) if c[1] == CMD_WARN]
    assert warn and warn[0][2] == REASON_PRESSURE and warn[0][0] - t_high <= 200
    assert snap(w)["led"] == "warn"
    assert w.vibes(since=t_high) == ["pressure_high"]
    for _ in range(10):              # still high: the session goes on
        w.run(20)
        w.pressure(650)
    assert w.state == "running"
    t_ok = w.t
    for _ in range(60):
        w.pressure(300)
        w.run(20)
    clear = [c for c in w.since(t_ok) if c[1] == CMD_CLEAR]
    assert clear and clear[0][0] - t_ok <= 1000
    assert snap(w)["led"] in ("stroke", "step")


def test_each_step_has_its_own_band_lighter_at_the_eyes():
    w = Wand()
    start(w)
    w.run(LEAD_MS + 100)
    for _ in range(5):
        w.pressure(300)              # fine on the jaw (500)
        w.run(20)
    assert not w.e.guard.warning
    w.gesture("double")              # to step B, eyes: band top 200
    w.pressure(300)
    assert w.e.guard.warning


def test_pressure_warning_repeats_while_it_lasts_and_pausing_clears_it():
    w = Wand()
    start(w)
    w.run(LEAD_MS + 100)
    t0 = w.t
    for _ in range(250):             # 5 s too hard
        w.pressure(900)
        w.run(20)
    buzz = [c[0] for c in w.since(t0) if c[1] == CMD_VIBE and c[2] == cues.V_PRESSURE_HIGH]
    assert len(buzz) == 3 and buzz[1] - buzz[0] == 2000
    w.gesture("press")
    assert w.state == "paused" and not w.e.guard.warning
    assert [c[1] for c in w.log].count(CMD_CLEAR) == 1


def test_a_silent_sensor_clears_the_warning():
    w = Wand()
    start(w)
    w.run(LEAD_MS + 100)
    w.pressure(900)
    assert w.e.guard.warning
    w.run(1100)                      # no samples: sensor unplugged
    assert not w.e.guard.warning


def test_guidance_waits_for_a_warning_buzz_instead_of_cutting_it():
    w = Wand()
    start(w)
    # Just before step 1 is announced, press too hard.
    w.run(LEAD_MS - 100)
    w.pressure(900)
    t0 = w.t
    w.run(cues.VIBE_MS[cues.V_PRESSURE_HIGH] * cues.UNIT + 100)
    v = [(c[0] - t0, names.VIBE_NAMES[c[2]]) for c in w.since(t0) if c[1] == CMD_VIBE]
    assert v[0] == (0, "pressure_high")
    assert v[1][1] == "step1" and v[1][0] >= cues.VIBE_MS[cues.V_PRESSURE_HIGH] * cues.UNIT


def test_low_battery_warns_lets_the_step_finish_then_powers_off():
    r = routine()
    w = Wand(r)
    start(w)
    w.run(LEAD_MS + 100)
    t0 = w.t
    for _ in range(4):
        w.battery(3300)
        w.run(1000)
    warn = [c for c in w.since(t0) if c[1] == CMD_WARN]
    assert warn[0][2] == REASON_BATTERY and warn[0][0] - t0 <= BATTERY_CONFIRM_MS + 1000
    assert w.state == "running" and snap(w)["battery_low"]
    assert "battery_low" in w.vibes(since=t0)
    w.run(r.total_ms())
    assert w.state == "off"
    assert w.steps() == [(1, 1)]     # step 2 never started


def test_low_battery_when_idle_shows_the_warning_then_powers_off():
    w = Wand()
    for _ in range(3):
        w.battery(3300)
        w.run(1000)
    assert w.state == "idle" and snap(w)["led"] == "battery_low"
    assert w.vibes() == []           # idle: the ring speaks, the motor does not
    w.run(BATTERY_SHOW_MS)
    assert w.state == "off"


def test_a_low_battery_latched_in_idle_refuses_a_new_session():
    w = Wand()
    for _ in range(3):
        w.battery(3000)
        w.run(1000)
    assert snap(w)["battery_low"] and w.state == "idle"
    t0 = w.t
    w.gesture("press")                 # before the wand has switched itself off
    assert w.state == "idle" and "running" not in w.states()
    assert w.vibes(since=t0) == ["battery_low"]   # the answer: why not
    assert snap(w)["led"] == "battery_low"
    w.run(BATTERY_SHOW_MS)
    assert w.state == "off"


def test_a_brief_sag_under_load_is_not_low_battery():
    w = Wand()
    w.battery(3300)
    w.run(1000)
    w.battery(3700)
    w.run(1000)
    w.battery(3300)
    w.run(1000)
    assert not w.e.b_latched


def test_intensity_is_capped_whatever_settings_and_routine_ask():
    w = Wand(routine(intensity=1.0), intensity=1000)
    start(w)
    levels = [c[4] for c in w.log if c[1] == CMD_VIBE]
    assert levels and max(levels) == cues.MAX_LEVEL


def test_session_cap_ends_even_a_routine_that_would_run_longer():
    # Built directly, past the file checker that would refuse it.
    steps = tuple(Step("S", "face", "up", 20, 0, 0, 500) for _ in range(12))
    r = Routine("long", 0x102030, 20, 10000, 10000, 1000, steps)
    assert r.total_ms() > SESSION_CAP_MS
    w = Wand(r)
    start(w)
    w.run(SESSION_CAP_MS + 1000)
    assert w.state == "done"


@pytest.mark.parametrize("start_tick", [(1 << 30) - 5000, (1 << 30) - 1])
def test_the_wraparound_changes_nothing(start_tick):
    a, b = Wand(), Wand(start=start_tick)
    for w in (a, b):
        start(w)
        w.run(routine().total_ms() + 500)
    assert a.log == b.log


def two_routines():
    return (routine(), routine(name="second", colour="#FF0000", rounds=2))


def test_double_press_in_idle_chooses_the_next_routine_and_press_starts_it():
    from facewand.settings import Settings
    w = Wand()
    w.e = Engine(two_routines(), Settings(), RingView(12, FramedRing(12)))
    w._take(w.e.power_on(w.now))
    w.gesture("double")
    assert [c[2] for c in w.log if c[1] == CMD_ROUTINE] == [1]
    assert w.e.routine.name == "second"
    assert w.vibes() == ["routine2"]           # two soft taps: routine 2
    assert snap(w)["led"] == "routine" and snap(w)["state"] == "idle"
    w.run(2000)
    assert snap(w)["led"] == "idle"
    w.gesture("press")
    w.run(routine(rounds=2).total_ms() + 100)
    assert w.state == "done"
    assert [s[1] for s in w.steps()] == [1, 1, 2, 2]   # the second routine's two rounds
    w.gesture("press")                        # done -> idle, still the chosen one
    w.gesture("double")
    assert w.e.routine.name == "test" and w.vibes()[-1] == "routine1"


def test_choosing_a_routine_uses_its_colour_on_the_ring():
    from facewand.settings import Settings
    e = Engine(two_routines(), Settings(), RingView(12, FramedRing(12)))
    e.power_on(0)
    e.button(True, 100)
    e.button(False, 180)
    e.button(True, 280)
    e.button(False, 360)
    e.tick(420)
    f = e.view.ring.frame
    lit = [tuple(f[i:i + 3]) for i in range(0, len(f), 3) if any(f[i:i + 3])]
    # The second routine is red, and it is number 2: two marks, the last brightest.
    assert lit == [(140, 0, 0), (255, 0, 0)]


def test_refused_routine_files_show_the_error_pattern_at_power_on_only():
    from facewand.settings import Settings
    w = Wand()
    w.e = Engine((routine(),), Settings(), RingView(12, FramedRing(12)), load_errors=2)
    w.log = []
    w._take(w.e.power_on(w.now))
    assert snap(w)["led"] == "error" and w.state == "idle"
    assert w.vibes() == []
    w.run(ERROR_SHOW_MS + 20)
    assert snap(w)["led"] == "idle"
    w.gesture("press")                        # and the wand works
    assert w.state == "running"


# --- the rules, the table and the README say the same --------------------

def _rules_comment():
    """(state, gesture, next state) from the RULES comment at the top of
    engine.py."""
    import re
    from mprig import REPO_ROOT
    text = (REPO_ROOT / "firmware" / "facewand" / "engine.py").read_text()
    block = text[text.index("# By the button"):text.index("# By time")]
    found = set()
    state = None
    for line in block.splitlines():
        m = re.match(r"#\s+(idle|running|paused|done|offer|off)?\s+(press|long|double)\s+->", line)
        if not m:
            continue
        state = m.group(1) or state
        for part in line[1:].split(";"):
            g = re.search(r"(press|long|double)\s+->\s+(\w+)", part)
            if g:
                found.add((state, g.group(1), g.group(2)))
    return found


def gesture_rows():
    """The engine's gesture rows, read back from the table it keeps (it
    drops the rows once the table is built)."""
    from facewand import engine
    t = engine._TABLE
    return [(j // 12, j // 3 % 4, t[j], t[j + 1], t[j + 2])
            for j in range(0, len(t), 3) if t[j] != engine._NO_STATE]


def test_the_rules_comment_is_the_transition_table():
    from facewand import engine
    from facewand.names import GESTURE_NAMES as NAMES
    table = {(STATE_NAMES[r[0]], NAMES[r[1]], STATE_NAMES[r[2]]) for r in gesture_rows()}
    assert _rules_comment() == table


README_WORDS = {
    # README's words -> (next state, what else happens)
    "start": ("running", "_START"), "pause": ("paused", "_PAUSE"),
    "resume": ("running", "_RESUME"), "back to idle": ("idle", "_NOTHING"),
    "wake": ("idle", "_NOTHING"), "power off": ("off", "_NOTHING"),
    "end the session": ("idle", "_NOTHING"), "next routine": ("idle", "_CHOOSE"),
    "skip to the next step": ("running", "_SKIP"),
    "next intensity": ("paused", "_LEVEL"), "resume where it stopped": ("running", "_RESUME_CUT"),
    "start over": ("running", "_START"),
}


def test_readmes_using_the_wand_table_is_the_transition_table():
    from facewand import engine
    from facewand.names import GESTURE_NAMES as NAMES
    from mprig import REPO_ROOT
    readme = (REPO_ROOT / "README.md").read_text()
    rows = readme[readme.index("## Using the wand"):].split("\n\n")[1].splitlines()
    states = [c.strip() for c in rows[0].strip("|").split("|")][1:]
    said = {}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        gesture = cells[0].split()[0]               # press, long, double
        for state, word in zip(states, cells[1:]):
            if word:
                said[(state, gesture)] = README_WORDS[word]
    does = {getattr(engine, k): k for k in README_WORDS.values() for k in [k[1]]}
    table = {(STATE_NAMES[r[0]], NAMES[r[1]]): (STATE_NAMES[r[2]], does[r[4]]) for r in gesture_rows()}
    assert said == table


def test_a_button_report_that_changes_nothing_keeps_the_quiet_timer():
    # A shell may report the level every tick: the wand must still switch
    # itself off when nobody touches it.
    w = Wand(auto_off_ms=10000)
    for _ in range(600):
        w.e.button(False, w.now)
        w.run(20)
    assert w.state == "off"
