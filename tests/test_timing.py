# Timing with a late shell. The wand's own main loop (facewand.app) runs on
# simulated hardware whose every sleep overshoots by a random 0-25 ms, as a
# busy scheduler's does, so each tick's step is called 0-25 ms after its
# deadline (when a sleep overshoots a whole tick the next step comes at
# once, still late). The loop gives the engine the deadline, not the moment
# it woke, so:
# - every step start, point and stroke cue comes at the first tick at or
#   after its planned moment (routine offsets, facewand/schedule.py): never
#   more than one tick late, and the session ends where the plan says
#   (no drift, however long);
# - the ticks between an input being read and its cue are set by the
#   design alone (debounce, the double-press window, the long-press time,
#   the sensor's smoothing), whatever the lateness; from the input itself
#   to the cue add at most a tick (to be read) and the lateness.
import json
import random

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from facewand import app, board as board_file, shell as shell_module, start
from facewand import compat as ticks
from facewand.gestures import DEBOUNCE_MS, DOUBLE_GAP_MS, LONG_MS
from facewand.routine_file import load as load_routine
from facewand.routines import INTRO_MS, LEAD_MS, PRESS_GAP_MS
from facewand.shell import Shell, TICK_MS
from sim.fakehw import machine, neopixel, vtime
from sim.fakehw.script import GESTURE_EDGES
from sim.fakehw.world import World

from mprig import REPO_ROOT

MAX_LATE_MS = 25
ROUTINES = REPO_ROOT / "firmware" / "routines"
BOARD = "pico"

# What the runs measured, for the terminal summary (conftest.py).
FIGURES = {"sessions": 0, "cues": 0, "worst_ms": 0, "drift_ms": [], "late_ms": 0,
           "latency": {}}


class LateTime:
    """The `time` module app.main is given: the simulator's virtual clock,
    except that every sleep overshoots by 0..MAX_LATE_MS."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.ticks_ms = vtime.ticks_ms
        self.ticks_add = vtime.ticks_add
        self.ticks_diff = vtime.ticks_diff

    def sleep_ms(self, ms):
        vtime.sleep_ms(ms + self.rnd.randint(0, MAX_LATE_MS))


class TimedShell(Shell):
    """The wand's shell, noting when (on the world's clock) each tick's step
    really ran, by the tick's own time."""

    last = None

    def __init__(self, *args):
        super().__init__(*args)
        self.wall = {}            # ms since power-on, as the engine has it -> world ms
        self.wall0 = 0
        TimedShell.last = self

    def power_on(self, now):
        self.wall0 = machine.world.t
        super().power_on(now)

    def step(self, now):
        self.wall[ticks.diff(now, self.t0)] = machine.world.t - self.wall0
        super().step(now)


def run_wand(root, monkeypatch, events, seed):
    """app.main on the pico with `events` (world ms) and late ticks; returns
    the journal (every record), the shell and the world."""
    (root / "board.json").write_text((REPO_ROOT / "boards" / (BOARD + ".json")).read_text())
    w = World(board_file.load(str(root / "board.json")), events)
    w.sleep_ends_run = True
    machine.world = w
    w.advance_to(0)
    # (start builds the wand: it takes the shell and the journal's size from here)
    monkeypatch.setattr(shell_module, "Shell", TimedShell)
    monkeypatch.setattr(start, "JOURNAL_RECORDS", 5000)     # the whole session, not its last 600
    try:
        app.main(machine, neopixel, LateTime(seed), str(root))
    except SystemExit:
        pass
    shell = TimedShell.last
    journal = [json.loads(line) for line in (root / "journal.jsonl").read_text().splitlines()]
    assert shell.wall0 == 0                # the world's clock and the wand's start together
    late = [shell.wall[t] - t for t in shell.wall]
    assert min(late) >= 0 and max(late) <= MAX_LATE_MS and max(late) > TICK_MS   # really late
    FIGURES["late_ms"] = max(FIGURES["late_ms"], max(late))
    return journal, shell, w


def wand_root(tmp_path, routine):
    (tmp_path / "routines").mkdir()
    (tmp_path / "routines" / (routine + ".json")).write_text((ROUTINES / (routine + ".json")).read_text())
    return tmp_path


def plan(r):
    """The routine's plan, ms from the press that starts it: each step's
    start, each point press and release, each stroke, in order; and the
    end of the session."""
    starts, points, strokes = [], [], []
    at = LEAD_MS
    for i in range(r.instances()):
        s = r.step_of(i)
        starts.append(at)
        p = at + INTRO_MS
        for _ in range(s.presses):
            points += [p, p + s.hold_ms]
            p += s.hold_ms + PRESS_GAP_MS
        strokes += [p + k * r.period(i) for k in range(s.strokes)]
        at += r.step_ms(i)
    assert at == r.total_ms()
    return starts, points, strokes, at


def on_tick(t):
    """The first tick at or after t (ticks every TICK_MS from power-on)."""
    return -(-t // TICK_MS) * TICK_MS


def check_schedule(tmp_path, monkeypatch, routine, seed, phase):
    r = load_routine(str(ROUTINES / (routine + ".json")))
    starts, points, strokes, end = plan(r)
    press = 500 + phase
    events = [(press, "press", 0), (press + end + 3000, "end", 0)]
    journal, shell, w = run_wand(wand_root(tmp_path, routine), monkeypatch, events, seed)
    began = [e["t_ms"] for e in journal if e["event"] == "state" and e["state"] == "running"]
    done = [e["t_ms"] for e in journal if e["event"] == "state" and e["state"] == "done"]
    assert len(began) == 1 and len(done) == 1
    t0 = began[0]
    cues = {e["t_ms"]: e["pattern"] for e in journal if e["event"] == "vibe"}
    worst = 0
    for kind, planned in (("step", starts), ("point", points), ("stroke", strokes)):
        got = [e["t_ms"] for e in journal if e["event"] == kind]
        assert len(got) == len(planned), kind
        for t, p in zip(got, planned):
            # The motor is told in that very tick (nothing holds guidance back here).
            cue = cues.get(t, "")
            assert cue.startswith(kind) if kind != "point" else cue in ("press", "release"), (kind, t, cue)
            error = t - (t0 + p)
            assert 0 <= error <= TICK_MS, (kind, p, error)
            assert t == on_tick(t0 + p), (kind, p, t)       # the first tick at or after the plan
            worst = max(worst, error)
    # No drift: the session ends on the first tick at or after its planned end.
    drift = done[0] - on_tick(t0 + end)
    assert drift == 0
    FIGURES["sessions"] += 1
    FIGURES["cues"] += len(starts) + len(points) + len(strokes)
    FIGURES["worst_ms"] = max(FIGURES["worst_ms"], worst)
    FIGURES["drift_ms"].append(drift)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["daily", "acupressure", "eyes", "guasha"]), st.integers(0, 1 << 32),
       st.integers(0, TICK_MS - 1))
def test_late_ticks_keep_every_cue_within_a_tick_of_the_plan(tmp_path_factory, monkeypatch, routine, seed,
                                                             phase):
    check_schedule(tmp_path_factory.mktemp("wand"), monkeypatch, routine, seed, phase)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_full_session_of_late_ticks_ends_where_the_plan_says(tmp_path, monkeypatch, seed):
    check_schedule(tmp_path, monkeypatch, "full", seed, seed * 7 % TICK_MS)


# --- latency: from an input to the wand's answer ---------------------------

# (script time ms, input, value, the cue the latency runs to; None: not
# measured). Pressure readings: a light one, then one over the step's limit
# (550 on the cheekbones then), then none.
LIGHT = -1
FIRM = -2
LATENCY_SCRIPT = (
    (500, "press", 0, "start"),
    (8000, "double", 0, "step2"),
    (12000, "press", 0, "pause"),
    (15000, "press", 0, "resume"),
    (17000, "pressure", LIGHT, None),
    (20000, "pressure", FIRM, "pressure_high"),
    (23000, "pressure", 0, None),
    (30000, "long", 0, "end"),
    (34000, "long", 0, "power_off"),
)
# The edge a gesture's latency counts from (ms into the gesture, as a
# script plays it): a click's release, a double's second release, a long
# press's press.
FROM_EDGE = {"press": GESTURE_EDGES["press"][1][0], "double": GESTURE_EDGES["double"][3][0],
             "long": GESTURE_EDGES["long"][0][0], "pressure": 0}


def design_ticks(kind, smooth):
    """Engine time from the tick that reads an input to the tick of its
    cue, as the design makes it: a click is a press once the double-press
    window has passed (strictly) since its release; a long press fires
    LONG_MS after the press; a double press once its second release has
    held for the debounce; the over-pressure warning as soon as the
    smoothed reading is above the limit, at most `smooth` readings."""
    if kind == "press":
        return TICK_MS * (DOUBLE_GAP_MS // TICK_MS + 1), TICK_MS * (DOUBLE_GAP_MS // TICK_MS + 1)
    if kind == "long":
        return on_tick(LONG_MS), on_tick(LONG_MS)
    if kind == "double":
        return on_tick(DEBOUNCE_MS), on_tick(DEBOUNCE_MS)
    return 0, (smooth - 1) * TICK_MS


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 1 << 32), st.integers(0, TICK_MS - 1), st.integers(0, 500), st.integers(600, 1000))
def test_latency_from_an_input_to_its_cue_is_set_by_the_design(tmp_path_factory, monkeypatch, seed, phase,
                                                                light, firm):
    root = wand_root(tmp_path_factory.mktemp("wand"), "daily")
    events = [(at + phase, what, {LIGHT: light, FIRM: firm}.get(value, value))
              for at, what, value, _ in LATENCY_SCRIPT]
    journal, shell, w = run_wand(root, monkeypatch, events, seed)
    smooth = w.board.pressure["smooth"]
    walls = sorted(shell.wall.items())
    for at, kind, _, cue in LATENCY_SCRIPT:
        if cue is None:
            continue
        x = at + phase + FROM_EDGE[kind]                  # the edge or reading, on the world's clock
        # The tick that read it: the first whose step ran at or after it.
        seen = min(t for t, wall in walls if wall >= x)
        said = [e["t_ms"] for e in journal if e["t_ms"] >= seen and (
            e.get("pattern") == cue if kind != "pressure" else e["event"] == "warn")]
        assert said, (kind, cue)
        t = said[0]
        low, high = design_ticks(kind, smooth)
        assert low <= t - seen <= high, (kind, t - seen)  # in the wand's ticks: lateness plays no part
        wall = shell.wall[t] - x                          # from the input itself
        assert low - MAX_LATE_MS <= wall <= high + TICK_MS + MAX_LATE_MS, (kind, wall)
        f = FIGURES["latency"].setdefault(kind, [1 << 30, -1, 1 << 30, -1, 0])
        f[0] = min(f[0], (t - seen) // TICK_MS)
        f[1] = max(f[1], (t - seen) // TICK_MS)
        f[2] = min(f[2], wall)
        f[3] = max(f[3], wall)
        f[4] += 1
