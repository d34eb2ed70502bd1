# The wand's memory against what a review found by trying it from outside
# (a second session started before the first one's record was written;
# counts past their fields; read errors taken for missing files; crafted
# records and files): each case as it was found, then the rest of its kind.
import errno
import json
import os

import pytest

from facewand import memory
from facewand.names import END_NAMES, NOTE_NAMES
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session
from test_keeper import NAMES, NOV_23, PICO, ROUTINES

FINISHED, EARLY, CUT = (END_NAMES.index(n) for n in ("finished", "ended early", "power cut"))


@pytest.fixture
def flash(tmp_path):
    return str(tmp_path)


def run(flash, script, routine="daily", until_off=True):
    lines = []
    Session(ROUTINES, Settings(), parse_script(script, "s"), lines.append, PICO,
            choice=NAMES.index(routine), flash=flash, until_off=until_off, clock_s=NOV_23).run()
    return [json.loads(x) for x in lines]


def history(flash):
    return memory.read_history(memory.Files(), flash)[0]


FINISH_MS = 108640            # a daily session started at 0.5 s is done here


@pytest.mark.parametrize("dismiss, start", [(2.0, 3.0), (0.2, 0.8)])
def test_a_session_begun_before_the_last_ones_record_is_written_keeps_both(flash, dismiss, start):
    # Finished, dismissed and a new one started during the finish cue (no
    # quiet moment between for the first one's record), then ended early.
    d = FINISH_MS / 1000
    evs = run(flash, "0.5 press\n%.2f press\n%.2f press\n%.2f long\n%.2f end\n"
              % (d + dismiss, d + start, d + start + 20, d + start + 25))
    assert [e["state"] for e in evs if e["event"] == "state"] == ["idle", "running", "done", "idle",
                                                                  "running", "idle"]
    got = [(r[0], r[3], r[4], r[8]) for r in history(flash)]
    assert got == [(0, 10, 10, FINISHED), (1, 1, 10, EARLY)]


def test_a_cut_in_the_second_session_keeps_the_finished_first(flash):
    d = FINISH_MS / 1000
    run(flash, "0.5 press\n%.2f press\n%.2f press\n%.2f powercut\n" % (d + 0.2, d + 0.8, d + 20))
    run(flash, "1 end\n")
    got = [(r[0], r[3], r[8]) for r in history(flash)]
    assert got == [(0, 10, FINISHED), (1, 1, CUT)]


def test_the_record_names_its_own_routine_when_another_is_chosen_before_it_is_written(flash):
    # ended early, then straight away a double press chooses the next routine
    # (its cue keeps the motor busy) and a press starts it
    run(flash, "0.5 press\n20 long\n21.3 double\n23 press\n40 long\n42 end\n")
    got = [(r[5], r[4]) for r in history(flash)]
    assert got == [("daily", 10), (ROUTINES[(NAMES.index("daily") + 1) % len(NAMES)].name,
                                   ROUTINES[(NAMES.index("daily") + 1) % len(NAMES)].instances())]


def test_counts_past_their_fields_are_held_not_lost(flash):
    # 300 pressure warnings (a heavy hand on a long session), 70,000 s
    # active (a crafted progress resumed): the record and the progress are
    # written with what their fields hold.
    files = memory.Files()
    p = memory.Progress("daily", 2, 10, 70000, 300, 300, 0, 14000000, 5, 3)
    memory.write_progress(files, flash, p)
    back = memory.read_progress(files, flash)
    assert (back.active_s, back.pauses, back.warnings) == (65535, 255, 255)
    memory.append_history(files, flash, 14000000, 70000, 10, 10, "daily", 300, 300, FINISHED, 0)
    r = history(flash)[0]
    assert (r[2], r[6], r[7]) == (65535, 255, 255)


def test_a_progress_that_will_not_pack_leaves_the_old_one(flash, monkeypatch):
    files = memory.Files()
    memory.write_progress(files, flash, memory.Progress("daily", 2, 10, 60, 1, 1, 0, 14000000, 5, 3))
    with pytest.raises(Exception):
        memory.write_progress(files, flash, memory.Progress("daily", 70000, 10, 60, 1, 1, 0, 0, 5, 3))
    assert memory.read_progress(files, flash).inst == 2


def test_a_whole_session_of_warnings_is_recorded(flash):
    # One warning a second for five minutes: 300 of them in the trace.
    lines = ["0.5 press"] + ["%d pressure 0.99\n%d.3 pressure 0.05" % (t, t) for t in range(3, 303)]
    evs = run(flash, "\n".join(lines) + "\n310 end\n", routine="full", until_off=False)
    assert sum(1 for e in evs if e["event"] == "warn" and e["reason"] == "pressure_high") > 255
    (r,) = history(flash)
    assert r[7] == 255 and r[5] == "full"
    assert memory.read_progress(memory.Files(), flash) is not None     # kept for the offer


class Flaky(memory.Files):
    """The real files; a read of `path` fails with `err` (a flash error)."""

    def __init__(self, path, err=errno.EIO):
        self.path = path
        self.err = err

    def open(self, path, mode):
        if path == self.path and mode == "rb":
            raise OSError(self.err, os.strerror(self.err))
        return open(path, mode)


def test_a_read_error_on_the_history_never_writes_over_it(flash):
    files = memory.Files()
    for i in range(5):
        memory.append_history(files, flash, 14145600 + i * 1440, 300, 10, 10, "daily", 0, 0, FINISHED, 0)
    before = open(flash + memory.HISTORY, "rb").read()
    flaky = Flaky(flash + memory.HISTORY)
    with pytest.raises(OSError):
        memory.append_history(flaky, flash, 14152800, 300, 10, 10, "daily", 0, 0, FINISHED, 0)
    with pytest.raises(OSError):
        memory.next_seq(flaky, flash)
    assert open(flash + memory.HISTORY, "rb").read() == before
    # and a missing file is still an empty history
    os.remove(flash + memory.HISTORY)
    assert memory.read_history(files, flash) == ([], 0)
    assert memory.append_history(files, flash, 14152800, 300, 10, 10, "daily", 0, 0, FINISHED, 0) == 0


def test_a_read_error_on_the_settings_keeps_the_wearers(flash):
    files = memory.Files()
    memory.write_settings(files, flash, Settings(intensity=400, brightness=30, routine="eyes"))
    before = open(flash + memory.SETTINGS, "rb").read()
    s = Settings()
    note, message = memory.read_settings(Flaky(flash + memory.SETTINGS), flash, s)
    assert NOTE_NAMES[note] == "settings_bad"
    assert message == "settings.json: could not be read (OSError 5); using the defaults"
    assert open(flash + memory.SETTINGS, "rb").read() == before
    assert s.intensity == Settings.intensity


@pytest.mark.parametrize("raw, message", [
    (b"[" * 5000, "settings.json: not valid JSON; using the defaults"),       # nested too deep
    (b'{"intensity": 500, "x": "' + b"a" * 20000 + b'"}', "settings.json: too long to be settings; using the defaults"),
])
def test_a_crafted_settings_file_is_said_and_the_defaults_used(flash, raw, message):
    with open(flash + memory.SETTINGS, "wb") as f:
        f.write(raw)
    s = Settings()
    assert memory.read_settings(memory.Files(), flash, s) == (NOTE_NAMES.index("settings_bad"), message)
    assert s.intensity == Settings.intensity


def test_a_record_numbered_past_any_the_wand_gives_is_taken_for_damaged(flash):
    files = memory.Files()
    with open(flash + memory.HISTORY, "wb") as f:
        f.write(memory.history_record(0xFFFFFFFF, 14000000, 300, 10, 10, "daily", 0, 0, FINISHED, 0))
    assert memory.read_history(files, flash) == ([], 1)
    assert memory.append_history(files, flash, 14000000, 300, 10, 10, "daily", 0, 0, FINISHED, 0) == 0
    assert [r[0] for r in history(flash)] == [0]


def test_a_history_longer_than_its_slots_is_read_in_part(flash):
    files = memory.Files()
    rec = memory.history_record(3, 14000000, 300, 10, 10, "daily", 0, 0, FINISHED, 0)
    with open(flash + memory.HISTORY, "wb") as f:
        f.write(rec * 200)
    records, damaged = memory.read_history(files, flash)
    assert len(records) == 64 and damaged == 1


def test_a_journal_of_a_routine_since_removed_is_written_out_and_let_go(flash):
    # A session of a routine file cut off by the power, then that routine
    # taken off the wand: the journal of the cut wake names what it cannot
    # find as unknown, and is written out once, not kept growing.
    from facewand import routine_file
    from sim import paths
    with open(os.path.join(paths.ROUTINES, "daily.json")) as f:
        mine = json.load(f)
    mine["name"] = "zzmine"
    routines = ROUTINES + (routine_file.parse(mine, "zzmine.json"),)
    names = [r.name for r in routines]
    lines = []
    Session(routines, Settings(), parse_script("0.5 press\n20 powercut\n", "s"), lines.append, PICO,
            choice=names.index("zzmine"), flash=flash, clock_s=NOV_23).run()
    assert memory.saved_journal(memory.Files(), flash)
    for _ in range(2):
        run(flash, "1 end\n", until_off=False)
        assert not memory.saved_journal(memory.Files(), flash)       # written out, let go
    text = open(flash + "/journal.jsonl").read()
    assert '"event":"step","index":1,"name":"unknown","round":1' in text


def test_a_crafted_journal_record_is_said_unknown_and_the_rest_written(flash):
    import struct
    # one CMD_STATE record with state 63: no state has that number
    w = ((1 - 8) << 27) | (63 << 21)
    with open(flash + memory.JOURNAL, "wb") as f:
        f.write(struct.pack("<HH", 1, 0) + struct.pack("<i", 100) + struct.pack("<i", w))
    run(flash, "1 end\n", until_off=False)
    assert not memory.saved_journal(memory.Files(), flash)
    text = open(flash + "/journal.jsonl").read()
    assert '"state":"unknown-' in text
