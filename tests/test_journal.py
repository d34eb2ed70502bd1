# The journal's ring, on both interpreters: it holds exactly `capacity`
# records (its arrays are sized from raw bytes, which the two interpreters
# must read alike), keeps the newest, and gives back what was taken, the
# widest value of every packed field and 32-bit times included. And what
# it packs into those fields: every command the engine can send must fit,
# or the journal would hand back a different number than the engine said.
import pytest

from facewand import commands, cues, journal, names, routine_file, sense
from facewand.commands import (
    CMD_STATE, CMD_STEP, CMD_VIBE, CMD_LED, CMD_WARN, CMD_CLEAR, CMD_STROKE, CMD_POINT,
    CMD_ROUTINE, CMD_NOTE, CMD_OFFER, CMD_SET, CMD_STRIDE, OFF, OFFER, POINT_PRESS, POINT_RELEASE, REASON_PRESSURE, REASON_BATTERY,
)
from facewand.engine import INTENSITY_STEPS
from facewand.journal import Journal
from facewand.routines import MAX_STEPS

from mprig import firmware_copies, run_micropython_code

CHECK = """
from facewand.journal import Journal
try:
    from micropython import heap_lock as lock, heap_unlock as unlock   # packing allocates nothing
except ImportError:
    lock = unlock = lambda: None
j = Journal(5)
cmds = [0] * 8
zero = [0, 0, 0, 0]
for i in range(7):
    cmds[0] = 3; cmds[1] = i; cmds[2] = 2000; cmds[3] = 800
    cmds[4] = 15; cmds[5] = 63; cmds[6] = 2047; cmds[7] = 1023 - i
    lock()
    j.take(536870911 - 6 + i, cmds, 2)
    unlock()
lock()
j.take(-536870912, zero, 1)
unlock()
assert len(j.t) == 5 and len(j.cmd) == 5, (len(j.t), len(j.cmd))
assert j.count == 15 and j.first() == 10
got = [j.get(i) for i in range(j.first(), j.count)]
assert got[0] == (536870910, 3, 5, 2000, 800), got[0]
assert got[1] == (536870910, 15, 63, 2047, 1018), got[1]
assert got[2] == (536870911, 3, 6, 2000, 800), got[2]
assert got[3] == (536870911, 15, 63, 2047, 1017), got[3]
assert got[4] == (-536870912, 0, 0, 0, 0), got[4]
print("journal ok")
"""


def test_journal_ring_on_cpython():
    exec(CHECK, {})


@pytest.mark.slow
def test_journal_ring_on_micropython():
    p = run_micropython_code(CHECK, copies=firmware_copies())
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "journal ok"


def _int_limit(fields, name):
    kind, _, low, high = fields[name]
    assert kind == "int" and low >= 0
    return high


# The largest a, b and c each kind of command can carry, from where they
# come: the engine's emit sites (engine.py) with the limits of what they send.
ROUNDS_MAX = _int_limit(routine_file.ROUTINE_FIELDS, "rounds")
STROKES_MAX = _int_limit(routine_file.STEP_FIELDS, "strokes")
PRESSES_MAX = _int_limit(routine_file.STEP_FIELDS, "presses")
LED_PATTERNS = range(len(names.LED_NAMES))         # every ring pattern has its name
RANGES = {
    CMD_STATE: (max(OFF, OFFER), 0, 0),                       # a state
    CMD_STEP: (MAX_STEPS, ROUNDS_MAX, cues.MAX_ROUTINES - 1),   # step number, round, routine index
    CMD_VIBE: (len(cues.VIBE_MS) - 1, max(max(cues.VIBE_MS), cues.MAX_CUE_MS), cues.MAX_LEVEL),
    CMD_LED: (max(LED_PATTERNS), 0, 0),
    CMD_WARN: (max(REASON_PRESSURE, REASON_BATTERY), 0, 0),
    CMD_CLEAR: (max(REASON_PRESSURE, REASON_BATTERY), 0, 0),
    CMD_STROKE: (STROKES_MAX, STROKES_MAX, 0),               # stroke number, strokes in the step
    CMD_POINT: (max(POINT_PRESS, POINT_RELEASE), PRESSES_MAX, PRESSES_MAX),
    CMD_ROUTINE: (cues.MAX_ROUTINES - 1, 0, 0),
    CMD_NOTE: (len(names.NOTE_NAMES) - 1, 0, 0),
    CMD_OFFER: (MAX_STEPS, ROUNDS_MAX, cues.MAX_ROUTINES - 1),  # as CMD_STEP
    CMD_SET: (len(names.SET_NAMES) - 1, max(INTENSITY_STEPS), 0),
    # what was sensed; the period in 4 ms (sense's longest interval) or a
    # peak in permille; the count, capped by the engine
    names.CMD_SENSED: (len(names.SENSED_NAMES) - 1, max(sense._LAST_MS // 4, 1000), 1023),
}


def test_every_command_kind_has_its_range_here():
    kinds = [getattr(commands, n) for n in dir(commands) if n.startswith("CMD_")
             and n not in ("CMD_STRIDE", "CMD_MAX")] + [names.CMD_SENSED]   # (the detector's own)
    assert sorted(kinds) == sorted(RANGES), "a new command kind: give it its range in RANGES"
    # (the limits the ranges lean on, as they stand)
    assert routine_file.ROUTINE_FIELDS["steps"][3] == MAX_STEPS
    assert len(cues.VIBE_MS) == len(names.VIBE_NAMES)
    assert len(LED_PATTERNS) == len(names.LED_NAMES)


@pytest.mark.parametrize("kind", sorted(RANGES))
def test_every_value_a_command_can_carry_fits_the_journal(kind):
    a, b, c = RANGES[kind]
    assert 0 <= kind <= 15
    assert a <= journal._A_MASK, "a of kind %d reaches %d: wider than the journal keeps" % (kind, a)
    assert b <= journal._B_MASK, "b of kind %d reaches %d: wider than the journal keeps" % (kind, b)
    assert c <= journal._C_MASK, "c of kind %d reaches %d: wider than the journal keeps" % (kind, c)
    j = Journal(3)
    j.take(7, [kind, a, b, c], 1)
    j.take(8, [kind, 0, 0, 0], 1)
    assert j.get(0) == (7, kind, a, b, c)
    assert j.get(1) == (8, kind, 0, 0, 0)


def bits(mask):
    assert mask & (mask + 1) == 0, "not a mask of low bits: %d" % mask
    return mask.bit_length()


def test_the_fields_do_not_overlap_and_the_word_stays_a_small_int():
    # MicroPython keeps ints in -2**30 .. 2**30-1 without the heap: the
    # packing, on the tick path, must never make a bigger one.
    assert journal._B_SHIFT == bits(journal._C_MASK)
    assert journal._A_SHIFT == journal._B_SHIFT + bits(journal._B_MASK)
    assert journal._KIND_SHIFT == journal._A_SHIFT + bits(journal._A_MASK)
    low = (0 - journal._KIND_BIAS) << journal._KIND_SHIFT
    high = ((15 - journal._KIND_BIAS) << journal._KIND_SHIFT) | ((1 << journal._KIND_SHIFT) - 1)
    assert low == -(1 << 30) and high == (1 << 30) - 1


class _Checked(Journal):
    """A journal that keeps the commands as they came, as well."""

    def __init__(self, capacity):
        Journal.__init__(self, capacity)
        self.raw = []

    def take(self, t, cmds, n):
        for i in range(n):
            self.raw.append((t,) + tuple(cmds[i * CMD_STRIDE:(i + 1) * CMD_STRIDE]))
        Journal.take(self, t, cmds, n)
        for i in range(self.count - n, self.count):
            assert self.get(i) == self.raw[i], (self.get(i), self.raw[i])


def test_every_scenario_gets_back_from_the_journal_what_the_engine_sent(monkeypatch, tmp_path):
    from facewand import board as board_file, library
    from facewand.settings import Settings
    from sim import session
    from sim.fakehw.script import parse_script
    from mprig import REPO_ROOT
    import os
    from scenarios import REMEMBERING, all_scenarios
    made = []

    def checked(capacity):
        made.append(_Checked(capacity))
        return made[-1]
    monkeypatch.setattr(session, "Journal", checked)
    routines = library.load(str(REPO_ROOT / "firmware" / "routines"))[0]
    names_ = [r.name for r in routines]
    kinds = set()
    for name, routine, script, start, board in all_scenarios():
        b = board_file.load(str(REPO_ROOT / "boards" / (board + ".json")))
        events = parse_script(script, name) if script else session.default_script()
        session.Session(routines, Settings(), events, None, b, start_tick=start,
                        choice=names_.index(routine)).run()
        kinds.update(r[1] for r in made[-1].raw)
    for name, routine, scripts, start, board in REMEMBERING:
        b = board_file.load(str(REPO_ROOT / "boards" / (board + ".json")))
        flash = str(tmp_path / name)
        os.mkdir(flash)
        for script in scripts:
            session.Session(routines, Settings(), parse_script(script, name), None, b,
                            start_tick=start, choice=names_.index(routine), flash=flash).run()
            kinds.update(r[1] for r in made[-1].raw)
    assert kinds == set(RANGES)        # the scenarios send every kind
