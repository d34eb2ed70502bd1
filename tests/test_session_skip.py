# The simulator leaves out the ticks in which nothing it shows can change
# (Session.quiet): every scenario's trace, with and without the wire, must
# be byte for byte the trace of a run that makes every tick.
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from facewand import board as board_file, library
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session, default_script

from mprig import REPO_ROOT
from scenarios import all_scenarios

ROUTINES, _, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))
NAMES = [r.name for r in ROUTINES]
BOARDS = {}


def board(name):
    if name not in BOARDS:
        BOARDS[name] = board_file.load(str(REPO_ROOT / "boards" / (name + ".json")))
    return BOARDS[name]


def run(events, routine, board_name, start=0, wire=False, skip=True, until_off=False, **kw):
    lines = []
    s = Session(ROUTINES, Settings(**kw), events, lines.append, board(board_name), start_tick=start,
                choice=NAMES.index(routine), wire=wire, skip=skip, until_off=until_off)
    state = s.run()
    return lines, state, s


@pytest.mark.parametrize("wire", [False, True], ids=["trace", "wire"])
@pytest.mark.parametrize("scenario", all_scenarios(), ids=[s[0] for s in all_scenarios()])
def test_skipping_ticks_leaves_every_scenario_trace_as_it_was(scenario, wire):
    name, routine, script, start, board_name = scenario
    events = parse_script(script, name) if script else default_script()
    every, state_every, s_every = run(events, routine, board_name, start, wire, skip=False)
    skipped, state_skipped, s_skipped = run(events, routine, board_name, start, wire, skip=True)
    assert s_every.clock.ticks == s_every.t // 20 + 1          # every tick, from 0 to the end
    for i, (a, b) in enumerate(zip(every, skipped)):
        assert a == b, "%s line %d:\nevery tick: %s\nskipping:   %s" % (name, i + 1, a, b)
    assert len(every) == len(skipped)
    assert (state_every, s_every.t, s_every.world.t) == (state_skipped, s_skipped.t, s_skipped.world.t)
    # ... and it does leave ticks out.
    assert s_skipped.clock.ticks < s_every.clock.ticks


# Random scripts with inputs at any millisecond (off the tick grid and the
# battery's once-a-second grid), including ones that stay until the wand is off.
line = st.one_of(
    st.tuples(st.sampled_from(["press", "long", "double"]), st.just(0)),
    st.tuples(st.just("pressure"), st.integers(0, 1000)),
    st.tuples(st.just("battery"), st.integers(3000, 4200)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 9000), line), max_size=20), st.sampled_from(NAMES),
       st.sampled_from(["pico", "esp32-devkitc", "xiao-rp2040"]),
       st.booleans(), st.booleans(), st.integers(0, (1 << 30) - 1))
def test_skipping_ticks_changes_no_trace_of_a_random_script(script, routine, board_name, wire, until_off,
                                                           start):
    t = 0
    events = []
    for gap, (kind, value) in script:
        t += gap
        events.append((t, kind, value))
    every, _, a = run(events, routine, board_name, start, wire, False, until_off, auto_off_ms=20000)
    skipped, _, b = run(events, routine, board_name, start, wire, True, until_off, auto_off_ms=20000)
    assert every == skipped
    assert a.t == b.t


def test_nothing_is_skipped_while_someone_looks_at_every_tick():
    seen = []
    s = Session(ROUTINES, Settings(), default_script(), None, board("pico"), choice=NAMES.index("daily"),
                on_step=lambda t, e: seen.append(t))
    s.run()
    assert seen == list(range(0, s.t + 1, 20))


def test_no_trace_line_is_made_when_nothing_reads_the_trace(monkeypatch):
    import sim.session
    made = []
    monkeypatch.setattr(sim.session, "command_line", lambda *a: made.append(a))
    monkeypatch.setattr(sim.session, "input_line", lambda *a: made.append(a))
    monkeypatch.setattr(sim.session, "line", lambda *a: made.append(a))
    s = Session(ROUTINES, Settings(), default_script(), None, board("pico"), choice=NAMES.index("daily"),
                wire=True)
    s.run()
    assert made == [] and s.journal.count > 0 and s.world.nmotor == 0 and s.world.nring == 0


RUNS = {
    "full": dict(routine="full"),
    "daily-wire": dict(routine="daily", wire=True),
    "eyes-xiao-wire-wrap": dict(routine="eyes", board="xiao-rp2040", wire=True, start=(1 << 30) - 20000),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_sim_run_writes_the_trace_of_every_tick(tmp_path, name):
    o = RUNS[name]
    out = tmp_path / "t.jsonl"
    args = ["--routine", o["routine"], "--board", o.get("board", "pico"),
            "--start-tick", str(o.get("start", 0))] + (["--wire"] if o.get("wire") else [])
    p = subprocess.run([sys.executable, "-m", "sim", "run", "--quiet", "--trace", str(out)] + args,
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = []
    Session(ROUTINES, Settings(), default_script(), lines.append, board(o.get("board", "pico")),
            start_tick=o.get("start", 0), choice=NAMES.index(o["routine"]), wire=o.get("wire", False),
            skip=False).run()
    assert out.read_text() == "".join(x + "\n" for x in lines)
