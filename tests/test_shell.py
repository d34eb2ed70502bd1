# The wand's shell (a view that paints a tick late, view.PAINT_LAG) takes a
# tick's records into its journal late too, after the view's paint and
# before the engine says more: the journal it leaves must be the one the
# simulator's shell writes at once. And the outbox tells the shell where
# the one cue of a tick is, through every take-back.
import json

import pytest

from facewand import board as board_file, hardware, library
from facewand.commands import CMD_LED, CMD_STATE, CMD_STRIDE, CMD_VIBE, Outbox
from facewand.settings import Settings
from facewand.view import PAINT_LAG, RingView
import sim.session as session_module
from sim.fakehw.script import parse_script
from sim.session import Session, default_script

from mprig import REPO_ROOT
from scenarios import HANDWRITTEN

ROUTINES, _, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))
NAMES = [r.name for r in ROUTINES]
BOARD = board_file.load(str(REPO_ROOT / "boards" / "pico.json"))
SCENARIOS = [s for s in HANDWRITTEN if s[0] in (
    "daily-default", "pause-resume", "skip-steps", "end-early-then-off", "pressure-warn-clear",
    "battery-low-running", "choose-routine")]


def as_the_wand(monkeypatch):
    """Sessions built from here on have the wand's view and ring delay."""
    build = hardware.build
    monkeypatch.setattr(session_module, "RingView", lambda count, picture: RingView(count, picture, PAINT_LAG))
    monkeypatch.setattr(hardware, "build", lambda b, m, n, brightness: build(b, m, n, brightness, PAINT_LAG))


def records(name, routine, script, start, on_step=None):
    """The session's journal as trace lines (their pictures left out: a
    line written later shows a later one), with the last tick's records
    taken as the wand's way out takes them."""
    lines = []
    events = parse_script(script, name) if script else default_script()
    s = Session(ROUTINES, Settings(), events, lines.append, BOARD, start_tick=start,
                choice=NAMES.index(routine), skip=False, on_step=on_step)
    s.run()
    s.shell.shutdown()
    s._flush()
    out = []
    for line in lines:
        ev = json.loads(line)
        if ev["event"] != "input":
            ev.pop("rgb", None)
            out.append(ev)
    return out, s


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_the_wands_journal_is_the_simulators(scenario, monkeypatch):
    name, routine, script, start = scenario
    now, _ = records(name, routine, script, start)
    as_the_wand(monkeypatch)
    late, s = records(name, routine, script, start)
    assert s.shell.lag and s.shell.owed == 0
    assert late == now


def test_a_cues_records_wait_for_the_tick_after_its_paint(monkeypatch):
    as_the_wand(monkeypatch)
    seen = []          # (engine said something, records in the journal) after each tick
    box = {}

    def watch(t, e):
        seen.append((e.out.n, box["s"].journal.count))

    real = Session.__init__

    def init(self, *a, **kw):
        real(self, *a, **kw)
        box["s"] = self
    monkeypatch.setattr(Session, "__init__", init)
    records("daily-default", "daily", None, 0, on_step=watch)
    cues = [i for i in range(1, len(seen) - 2) if seen[i][0] and not seen[i - 1][0] and not seen[i + 1][0]]
    assert cues
    for i in cues:
        # Not on the cue's tick, nor on the next (the view paints then), but
        # on the one after.
        assert seen[i][1] == seen[i - 1][1] == seen[i + 1][1] < seen[i + 2][1], i


def test_the_outbox_knows_where_its_cue_is():
    out = Outbox()
    out.emit(CMD_STATE, 1, 0, 0)
    assert out.vibe == 0
    out.emit(CMD_VIBE, 19, 400, 560)
    out.emit(CMD_LED, 2, 0, 0)
    v = out.vibe
    assert out.cmds[v - 1:v + 3] == [CMD_VIBE, 19, 400, 560]
    out.drop(CMD_STATE)            # a command before it taken back: the cue moves up
    v = out.vibe
    assert out.n == 2 and out.cmds[v - 1:v + 3] == [CMD_VIBE, 19, 400, 560]
    out.drop(CMD_VIBE)
    assert out.vibe == 0 and out.n == 1 and out.cmds[:CMD_STRIDE] == [CMD_LED, 2, 0, 0]
    out.emit(CMD_VIBE, 13, 100, 560)
    assert out.cmds[out.vibe - 1] == CMD_VIBE
    out.clear()
    assert out.vibe == 0 and out.n == 0


def test_the_way_out_stops_the_outputs_before_it_takes_the_journals_last_records(monkeypatch):
    # A journal that raises on the records it is owed must not leave the
    # motor turning or the ring lit: shutdown stops both first.
    as_the_wand(monkeypatch)
    events = parse_script("0.5 press\n5 end", "owed")
    s = Session(ROUTINES, Settings(), events, lambda line: None, BOARD,
                choice=NAMES.index("daily"), skip=False)
    sh = s.shell
    s.world.advance_to(0)
    sh.power_on(s.world.now)
    t = 0
    while not sh.hw.motor.pattern and t < 3000:     # into the start cue
        t += 20
        s._tick(t)
    motor, ring = sh.hw.motor, sh.hw.ring
    assert motor.pattern and any(ring.np.buf)      # the start cue playing, the ring lit
    sh.owed = 1                      # a tick's records still to take

    def broken(*a):
        raise OSError("journal")
    monkeypatch.setattr(sh.journal, "take", broken)
    with pytest.raises(OSError):
        sh.shutdown()
    assert motor.pattern == 0 and motor.drive <= 0
    assert not any(ring.np.buf)
