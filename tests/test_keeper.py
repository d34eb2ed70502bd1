# The wand's memory as the keeper writes it (facewand/keeper.py, memory.py),
# through whole simulated sessions on a flash folder, power-on after
# power-on: when it writes (never near a cue), what a power cut leaves,
# the offer to resume and what the history says.
import json
import os

import pytest

from facewand import board as board_file, library, memory
from facewand.names import END_NAMES

END_FINISHED, END_AUTO_OFF, END_CUT = (END_NAMES.index(n) for n in ("finished", "auto-off", "power cut"))
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session
from mprig import REPO_ROOT

ROUTINES = library.load(str(REPO_ROOT / "firmware" / "routines"))[0]
NAMES = [r.name for r in ROUTINES]
PICO = board_file.load(str(REPO_ROOT / "boards" / "pico.json"))
NOV_23 = 1795420800          # 2026-11-23 08:00 UTC, seconds since 1970


class Logged(memory.Files):
    """The real files, with the time of every write the keeper makes."""

    def __init__(self, session_t):
        self.session_t = session_t
        self.writes = []

    def open(self, path, mode):
        if "w" in mode or "+" in mode:
            self.writes.append((self.session_t(), path.rsplit("/", 1)[-1]))
        return open(path, mode)


def boot(flash, script, routine="daily", settings=None, clock_s=None, files=None):
    """One power-on of the wand on the flash folder: (trace events, session)."""
    lines = []
    s = Session(ROUTINES, settings or Settings(), parse_script(script, "s"), lines.append, PICO,
                choice=NAMES.index(routine), flash=flash, clock_s=clock_s)
    if files is not None:
        s.keeper.files = files
    s.run()
    return [json.loads(x) for x in lines], s


def of(events, kind):
    return [e for e in events if e["event"] == kind]


@pytest.fixture
def flash(tmp_path):
    return str(tmp_path)


def test_progress_is_written_as_each_step_begins_and_never_near_a_cue(flash):
    # The whole daily session, every write timed: each is of the step that
    # has begun, once its cue has played, with no cue due for 500 ms.
    log = []
    holder = {}
    files = Logged(lambda: holder["s"].world.t)
    lines = []
    s = Session(ROUTINES, Settings(), parse_script("0.5 press\n", "s"), lines.append, PICO,
                choice=NAMES.index("daily"), flash=flash)
    holder["s"] = s
    s.keeper.files = files
    s.run()
    events = [json.loads(x) for x in lines]
    vibes = of(events, "vibe")
    progress = [t for t, name in files.writes if name == "progress.bin"]
    steps = of(events, "step")
    assert len(progress) >= len(steps) == 10
    for t in progress:
        before = [v for v in vibes if v["t_ms"] <= t]
        after = [v for v in vibes if v["t_ms"] > t]
        assert not before or before[-1]["t_ms"] + before[-1]["ms"] <= t, t
        assert not after or after[0]["t_ms"] >= t + 500, t
    # every step that began was on flash before the next began
    starts = [e["t_ms"] for e in steps] + [s.t]
    for a, b in zip(starts, starts[1:]):
        assert any(a - 1300 <= t < b for t in progress), (a, b)
    log.append(len(progress))
    # the session finished: a history record, and no progress left
    history, damaged = memory.read_history(memory.Files(), flash)
    assert damaged == 0 and len(history) == 1
    seq, started, active_s, done, planned, name, pauses, warnings, ended, flags = history[0]
    assert (done, planned, name, ended, flags) == (10, 10, "daily", END_FINISHED, 0)
    assert memory.read_progress(memory.Files(), flash) is None


def test_a_power_cut_is_offered_back_and_a_press_goes_on_at_its_step(flash):
    first, _ = boot(flash, "0.5 press\n40 powercut\n")
    cut_at = of(first, "step")[-1]
    assert of(first, "input")[-1]["input"] == "powercut"
    second, s = boot(flash, "1 press\n30 end\n")
    offer = of(second, "offer")
    assert offer == [{"t_ms": 0, "event": "offer", "kind": "resume", "index": cut_at["index"],
                      "round": cut_at["round"], "routine": "daily"}]
    assert of(second, "state")[0]["state"] == "offer"
    step = of(second, "step")[0]
    assert (step["index"], step["round"]) == (cut_at["index"], cut_at["round"])
    # The cut is in the history (recorded at power-on), and so is the
    # resumed session, ended by the script's end while running.
    history, _ = memory.read_history(memory.Files(), flash)
    assert [(h[8], h[9]) for h in history] == [(END_CUT, 0), (END_CUT, memory.FLAG_RESUMED)]
    assert history[0][3] == cut_at["index"] - 1      # steps done before the cut one


def test_a_double_press_starts_over_and_the_offer_is_gone(flash):
    boot(flash, "0.5 press\n40 powercut\n")
    second, _ = boot(flash, "1 double\n20 long\n")
    assert [(e["index"], e["round"]) for e in of(second, "step")][0] == (1, 1)
    assert memory.read_progress(memory.Files(), flash) is None      # ended early
    third, _ = boot(flash, "1 long\n")
    assert of(third, "offer") == [] and of(third, "state")[0]["state"] == "idle"


def test_a_session_left_paused_until_auto_off_is_kept_for_the_next_power_on(flash):
    boot(flash, "0.5 press\n10 press\n", routine="acupressure",
         settings=Settings(auto_off_ms=20000))
    history, _ = memory.read_history(memory.Files(), flash)
    assert [h[8] for h in history] == [END_AUTO_OFF] and history[0][6] == 1     # one pause
    second, _ = boot(flash, "1 press\n3 end\n", routine="daily")
    assert of(second, "offer")[0]["routine"] == "acupressure"
    # recorded once: the auto-off, not again as a cut
    history, _ = memory.read_history(memory.Files(), flash)
    assert [h[8] for h in history] == [END_AUTO_OFF, END_CUT]
    assert history[1][6] == 1                       # the pause carried into the resumed one


def test_the_offer_keeps_to_its_window_when_the_clock_knows_the_time(flash):
    boot(flash, "0.5 press\n40 powercut\n", clock_s=NOV_23)
    inside, _ = boot(flash, "5 end\n", clock_s=NOV_23 + 29 * 60)
    assert of(inside, "offer")
    outside, _ = boot(flash, "5 end\n", clock_s=NOV_23 + 31 * 60)
    assert not of(outside, "offer")
    assert memory.read_progress(memory.Files(), flash) is None
    history, _ = memory.read_history(memory.Files(), flash)
    assert history[0][1] == memory.minutes((2026, 11, 23, 8, 0))      # dated to the minute


def test_without_a_clock_the_offer_is_made_whatever_the_time(flash):
    boot(flash, "0.5 press\n40 powercut\n")          # a clock nobody set
    again, _ = boot(flash, "5 end\n", clock_s=NOV_23 + 24 * 3600)
    assert of(again, "offer")


def test_a_window_of_zero_never_offers(flash):
    with open(os.path.join(flash, "settings.json"), "w") as f:
        json.dump({"resume_window_s": 0}, f)
    boot(flash, "0.5 press\n40 powercut\n")
    again, _ = boot(flash, "5 end\n")
    assert not of(again, "offer")


def test_settings_changed_on_the_wand_and_the_routine_chosen_are_there_next_time(flash):
    first, s = boot(flash, "0.5 double\n3 press\n10 press\n12 double\n15 long\n20 long\n")
    assert of(first, "setting") == [{"t_ms": of(first, "setting")[0]["t_ms"], "event": "setting",
                                     "key": "intensity", "value": 850}]
    with open(os.path.join(flash, "settings.json")) as f:
        saved = json.load(f)
    assert saved["intensity"] == 850 and saved["routine"] == NAMES[1]
    second, s = boot(flash, "1 press\n5 end\n")
    assert s.engine.settings.intensity == 850
    assert of(second, "note") == []


@pytest.mark.parametrize("content, note", [
    (None, "settings_missing"),
    ("{not json", "settings_bad"),
    ('{"intensity": 5000}', "settings_bad"),
    ('[1, 2]', "settings_bad"),
])
def test_a_bad_or_missing_settings_file_means_defaults_and_a_note(flash, content, note):
    if content is not None:
        with open(os.path.join(flash, "settings.json"), "w") as f:
            f.write(content)
    events, s = boot(flash, "1 press\n5 end\n")
    assert of(events, "note") == [{"t_ms": 0, "event": "note", "note": note}]
    assert s.engine.settings.intensity == Settings.intensity
    assert s.messages and s.messages[0].startswith("settings.json: ")


def test_one_bad_setting_keeps_the_others(flash):
    with open(os.path.join(flash, "settings.json"), "w") as f:
        json.dump({"intensity": 400, "brightness": 7}, f)
    events, s = boot(flash, "1 end\n")
    assert s.engine.settings.intensity == 400 and s.engine.settings.brightness == Settings.brightness
    assert s.messages == ["settings.json: brightness: expected an integer 20..100, got 7; "
                          "using its default"]


def test_a_damaged_history_is_said_and_the_wand_goes_on(flash):
    for i in range(3):
        memory.append_history(memory.Files(), flash, 0, 60, 10, 10, "daily", 0, 0, END_FINISHED, 0)
    with open(os.path.join(flash, "history.bin"), "r+b") as f:
        f.seek(memory.HISTORY_SIZE + 5)
        f.write(b"\xff")
    events, s = boot(flash, "0.5 press\n")
    assert {"t_ms": 0, "event": "note", "note": "history_damaged"} in events
    history, damaged = memory.read_history(memory.Files(), flash)
    assert damaged == 0 and len(history) == 3        # the new record took the damaged slot
    assert [h[0] for h in history] == [0, 2, 3]


def test_the_history_keeps_the_newest_sixty_four(flash):
    for i in range(70):
        memory.append_history(memory.Files(), flash, i, 60, 10, 10, "daily", 0, 0, END_FINISHED, 0)
    history, damaged = memory.read_history(memory.Files(), flash)
    assert damaged == 0 and [h[0] for h in history] == list(range(6, 70))
    assert os.path.getsize(os.path.join(flash, "history.bin")) == 64 * memory.HISTORY_SIZE


class Refusing(memory.Files):
    def open(self, path, mode):
        if "w" in mode or "+" in mode:
            raise OSError(28)           # ENOSPC
        return open(path, mode)


def test_a_flash_that_refuses_every_write_never_stops_a_session(flash, capsys):
    events, s = boot(flash, "0.5 press\n", files=Refusing())
    assert of(events, "state")[-1]["state"] == "done"
    assert s.keeper.failed >= 10
    assert "memory not written: OSError 28" in capsys.readouterr().out


def test_dates_round_trip():
    from facewand import names
    for t in [(2024, 1, 1, 0, 0), (2026, 2, 28, 23, 59), (2028, 2, 29, 12, 30), (2099, 12, 31, 1, 2)]:
        assert names.date_of(memory.minutes(t)) == t
    assert memory.minutes((2021, 1, 1, 0, 0)) == 0          # a clock nobody set


def test_every_modules_private_codes_are_the_names_places():
    # The engine, the keeper and memory each keep the codes they need as
    # private consts (no name on the wand's heap): held here to the one
    # list of names.
    from facewand import engine, keeper, names
    tables = {"END": names.END_NAMES, "NOTE": names.NOTE_NAMES, "SET": names.SET_NAMES}
    seen = 0
    for module in (engine, keeper, memory):
        for attr, value in vars(module).items():
            for prefix, table in tables.items():
                if attr.startswith("_%s_" % prefix):
                    word = attr[len(prefix) + 2:].lower().replace("_", " ")
                    said = table[value].replace("_", " ")
                    assert said.replace("-", " ") == word or {
                        "cut": "power cut", "early": "ended early", "cap": "time cap",
                        "battery": "battery low"}.get(word) == said, (module.__name__, attr, said)
                    seen += 1
    assert seen >= 14


def _trace_as_journal(events):
    """A simulator trace as the wand's journal holds it: no input lines, no
    picture on the ring lines."""
    out = []
    for e in events:
        if e["event"] == "input":
            continue
        e = dict(e)
        e.pop("rgb", None)
        out.append(e)
    return out


def _journal(flash):
    with open(os.path.join(flash, "journal.jsonl")) as f:
        return [json.loads(line) for line in f]


def test_a_whole_long_session_is_in_the_journal_though_the_ring_is_small(flash):
    # The simulator's ring holds 64 records; the full routine sends some
    # 1,500: the keeper puts them on flash at quiet moments as they come.
    events, s = boot(flash, "0.5 press\n", routine="full")
    assert s.journal.count > 10 * s.journal.capacity
    assert _journal(flash) == _trace_as_journal(events)
    assert not os.path.exists(os.path.join(flash, "journal.bin"))      # written out, then gone


def test_after_a_power_cut_the_next_start_writes_the_journal_out_with_the_cut_marked(flash):
    events, _ = boot(flash, "0.5 press\n60 powercut\n")
    assert os.path.exists(os.path.join(flash, "journal.bin"))
    assert not os.path.exists(os.path.join(flash, "journal.jsonl"))
    boot(flash, "1 long\n")        # a wake with no session keeps that journal
    got = _journal(flash)
    assert got[-1]["event"] == "cut" and got[-1]["t_ms"] == got[-2]["t_ms"]
    want = _trace_as_journal(events)
    # all but what came after the last quiet moment, in order
    assert got[:-1] == want[:len(got) - 1] and len(want) - len(got) < 20
    assert not os.path.exists(os.path.join(flash, "journal.bin"))


def test_records_the_ring_dropped_before_they_were_saved_are_marked(tmp_path):
    from facewand import trace
    from facewand.journal import Journal
    j = Journal(4)
    cmds = [1, 0, 0, 0]
    for t in range(10):
        j.take(t * 10, cmds, 1)
    path = str(tmp_path / "j.jsonl")
    trace.dump(j, ROUTINES, path)
    lines = [json.loads(x) for x in open(path)]
    assert lines[0] == {"t_ms": 60, "event": "lost", "records": 6}
    assert [x["t_ms"] for x in lines[1:]] == [60, 70, 80, 90]
    # saved on flash in two chunks, the second after the ring dropped two
    flash = str(tmp_path / "f")
    os.mkdir(flash)
    j = Journal(4)
    for t in range(3):
        j.take(t * 10, cmds, 1)
    memory.save_journal(memory.Files(), flash, j)
    for t in range(3, 9):
        j.take(t * 10, cmds, 1)
    memory.save_journal(memory.Files(), flash, j)
    saved = memory.chunks(memory.saved_journal(memory.Files(), flash))
    assert [(r[0], r[1]) for r in saved] == [(0, 1), (10, 1), (20, 1), (50, -1), (50, 1), (60, 1),
                                              (70, 1), (80, 1)]
    assert saved[3][2] == 2


def test_a_session_recorded_just_before_a_cut_is_not_recorded_twice(flash):
    # The keeper numbers a session's record when it begins (progress keeps
    # the number): recorded, then cut before progress was marked, the next
    # start finds that number in the history and adds nothing.
    f = memory.Files()
    seq = memory.next_seq(f, flash)
    memory.write_progress(f, flash, memory.Progress("daily", 3, 10, 50, seq=seq))
    memory.append_history(f, flash, 0, 50, 3, 10, "daily", 0, 0, END_AUTO_OFF, 0, seq)
    daily = [r for r in ROUTINES if r.name == "daily"][0]
    got = memory.recall(f, flash, ROUTINES, Settings(), lambda: (0, 0))
    history, _ = memory.read_history(f, flash)
    assert [h[8] for h in history] == [END_AUTO_OFF] and daily.instances() == 10
    assert got[1] == 3                      # still offered
    # and a session cut with no record yet gets one, under its own number
    memory.write_progress(f, flash, memory.Progress("daily", 4, 10, 60, seq=seq + 1))
    memory.recall(f, flash, ROUTINES, Settings(), lambda: (0, 0))
    history, _ = memory.read_history(f, flash)
    assert [(h[0], h[8]) for h in history] == [(seq, END_AUTO_OFF), (seq + 1, END_CUT)]


def test_new_settings_left_beside_no_old_file_are_taken(flash):
    # FAT: the old file removed, then the cut before the rename.
    with open(os.path.join(flash, "settings.json.new"), "w") as f:
        json.dump({"intensity": 550}, f)
    s = Settings()
    assert memory.read_settings(memory.Files(), flash, s) == (0, "")
    assert s.intensity == 550
    assert os.listdir(flash) == ["settings.json"]
