# `python -m host_tools journal`: the history of sessions (history.bin as
# the firmware writes it, with memory.append_history) as a table, CSV and
# JSON, the streak and the week; damaged records; where the timeline says
# it was cut; sessions the simulator's wand kept on its flash.
import csv
import io
import json
import subprocess
import sys

import pytest

from facewand import memory
from facewand.names import END_NAMES

(END_FINISHED, END_EARLY, END_BATTERY, END_CAP, END_AUTO_OFF, END_CRASH, END_CUT) = (
    END_NAMES.index(n) for n in ("finished", "ended early", "battery low", "time cap", "auto-off",
                                 "crash", "power cut"))
from host_tools import history, journal, session
from host_wand import Board
from mprig import REPO_ROOT
from sim import cli as sim_cli
from host_cli import main, one_line


def at(y, mo, d, h=8, mi=0):
    return memory.minutes((y, mo, d, h, mi))


def write_history(folder, records):
    """history.bin in folder, each record appended by the firmware's own
    writer: (started minutes, active_s, done, planned, name, pauses,
    warnings, ended, flags)."""
    files = memory.Files()
    for r in records:
        memory.append_history(files, str(folder), *r)
    return folder / "history.bin"


# Five days of a person's week, oldest first.
WEEK = [
    (at(2025, 2, 25, 7, 5), 110, 10, 10, "daily", 0, 0, END_FINISHED, 0),
    (at(2025, 3, 1, 8, 15), 110, 10, 10, "daily", 0, 0, END_FINISHED, 0),
    (at(2025, 3, 2, 21, 5), 312, 23, 60, "full", 1, 2, END_CUT, 0),
    (at(2025, 3, 3, 7, 30), 500, 60, 60, "full", 0, 0, END_FINISHED, memory.FLAG_RESUMED),
    (0, 125, 10, 10, "eyes", 0, 1, END_FINISHED, 0),
    (at(2025, 3, 4, 7, 0), 40, 2, 10, "daily", 0, 0, END_EARLY, 0),
]

TABLE = """\
date              routine     steps  minutes  pauses  warnings  ended
2025-02-25 07:05  daily    10 of 10     1:50       0         0  finished
2025-03-01 08:15  daily    10 of 10     1:50       0         0  finished
2025-03-02 21:05  full     23 of 60     5:12       1         2  power cut
2025-03-03 07:30  full     60 of 60     8:20       0         0  finished     resumed
undated           eyes     10 of 10     2:05       0         1  finished
2025-03-04 07:00  daily     2 of 10     0:40       0         0  ended early
streak: 1 day in a row with a finished session (today: 2025-03-04)
last 7 days: 4 sessions, 2 finished
in the history: 6 sessions, 4 finished, 1 undated
"""

CSV = """\
seq,started,routine,steps_done,steps_planned,active_s,pauses,pressure_warnings,ended,resumed
0,2025-02-25 07:05,daily,10,10,110,0,0,finished,false
1,2025-03-01 08:15,daily,10,10,110,0,0,finished,false
2,2025-03-02 21:05,full,23,60,312,1,2,power cut,false
3,2025-03-03 07:30,full,60,60,500,0,0,finished,true
4,,eyes,10,10,125,0,1,finished,false
5,2025-03-04 07:00,daily,2,10,40,0,0,ended early,false
"""


@pytest.fixture
def week(tmp_path):
    return str(write_history(tmp_path, WEEK))


def test_the_history_as_a_table_with_the_streak_and_the_week(week, capsys):
    status, out, err = main(capsys, "journal", "--history", week, "--today", "2025-03-04")
    assert (status, err) == (0, "")
    assert out == TABLE


def test_the_history_as_csv(week, capsys):
    status, out, err = main(capsys, "journal", "--history", week, "--csv", "--today", "2025-03-04")
    assert (status, err) == (0, "")
    assert out == CSV
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["ended"] for r in rows].count("finished") == 4


def test_the_history_as_json(week, capsys):
    status, out, err = main(capsys, "journal", "--history", week, "--json", "--today", "2025-03-04")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["sessions"][3] == {
        "seq": 3, "started": "2025-03-03T07:30", "routine": "full", "steps_done": 60,
        "steps_planned": 60, "active_s": 500, "pauses": 0, "pressure_warnings": 0,
        "ended": "finished", "resumed": True}
    assert data["sessions"][4]["started"] is None
    assert [s["seq"] for s in data["sessions"]] == [0, 1, 2, 3, 4, 5]
    assert {k: v for k, v in data.items() if k != "sessions"} == {
        "today": "2025-03-04", "streak_days": 1, "damaged": 0,
        "last_7_days": {"sessions": 4, "finished": 2},
        "total": {"sessions": 6, "finished": 4, "undated": 1}}


def test_every_way_a_session_ends_is_named(tmp_path, capsys):
    ends = [END_FINISHED, END_EARLY, END_BATTERY, END_CAP, END_AUTO_OFF, END_CRASH, END_CUT, 99]
    f = write_history(tmp_path, [(at(2025, 3, 1), 60, 1, 10, "daily", 0, 0, e, 0) for e in ends])
    status, out, err = main(capsys, "journal", "--history", str(f), "--csv", "--today", "2025-03-04")
    assert [r["ended"] for r in csv.DictReader(io.StringIO(out))] == [
        "finished", "ended early", "battery low", "time cap", "auto-off", "crash", "power cut",
        "unknown (99)"]


# ---- the streak and the week -------------------------------------------------

def summary(records, today):
    import datetime
    sessions = [history.Session((i,) + r[:4] + r[4:]) for i, r in enumerate(
        (m, 60, 10, 10, "daily", 0, 0, e, 0) for m, e in records)]
    return history.Summary(sessions, datetime.date.fromisoformat(today))


F, E = END_FINISHED, END_EARLY


@pytest.mark.parametrize("records, today, streak", [
    ([], "2025-03-04", 0),
    ([(at(2025, 3, 4), F)], "2025-03-04", 1),                  # today
    ([(at(2025, 3, 3), F)], "2025-03-04", 1),                  # yesterday still counts
    ([(at(2025, 3, 2), F)], "2025-03-04", 0),                  # the day before does not
    ([(at(2025, 3, 2), F), (at(2025, 3, 3), F), (at(2025, 3, 4), F)], "2025-03-04", 3),
    ([(at(2025, 3, 2), F), (at(2025, 3, 3), F)], "2025-03-04", 2),
    ([(at(2025, 3, 1), F), (at(2025, 3, 3), F), (at(2025, 3, 4), F)], "2025-03-04", 2),   # a gap
    ([(at(2025, 3, 3), F), (at(2025, 3, 4), E)], "2025-03-04", 1),    # not finished today
    ([(at(2025, 3, 3), E), (at(2025, 3, 4), F)], "2025-03-04", 1),    # not finished yesterday
    ([(at(2025, 3, 4, 7), F), (at(2025, 3, 4, 21), F)], "2025-03-04", 1),   # one day, twice
    ([(at(2025, 3, 3, 23, 59), F), (at(2025, 3, 4, 0, 0), F)], "2025-03-04", 2),
    ([(0, F), (0, F), (at(2025, 3, 4), F)], "2025-03-04", 1),  # undated: never in the streak
    ([(0, F)], "2025-03-04", 0),
    ([(at(2024, 12, 31), F), (at(2025, 1, 1), F)], "2025-01-01", 2),    # across the year
    ([(at(2024, 2, 28), F), (at(2024, 2, 29), F), (at(2024, 3, 1), F)], "2024-03-01", 3),
])
def test_streak(records, today, streak):
    assert summary(records, today).streak == streak


def test_the_last_7_days_are_today_and_the_six_before():
    s = summary([(at(2025, 2, 25), F),           # 7 days ago: out
                 (at(2025, 2, 26, 0, 0), F),     # 6 days ago: in
                 (at(2025, 3, 1), E),
                 (at(2025, 3, 4, 23, 59), F),    # today
                 (at(2025, 3, 5), F),            # tomorrow by a wrong clock: out
                 (0, F)], "2025-03-04")          # undated: out
    assert (s.week, s.week_finished) == (3, 2)
    assert (s.total, s.total_finished, s.undated) == (6, 5, 1)


def test_a_date_far_out_does_not_break_the_count(tmp_path, capsys):
    f = write_history(tmp_path, [(2 ** 32 - 1, 60, 10, 10, "daily", 0, 0, F, 0)])
    status, out, err = main(capsys, "journal", "--history", str(f), "--today", "2025-03-04")
    assert status == 0 and err == ""
    assert out.splitlines()[1].startswith("10166-")


# ---- damaged records -----------------------------------------------------------

def test_damaged_records_are_skipped_with_a_note(week, capsys):
    with open(week, "r+b") as f:
        f.seek(2 * memory.HISTORY_SIZE + 10)      # the power cut session, garbled
        f.write(b"\xff\xfe")
    with open(week, "ab") as f:
        f.write(memory.history_record(9, at(2025, 3, 4), 1, 1, 1, "daily", 0, 0, F, 0)[:30])
    status, out, err = main(capsys, "journal", "--history", week, "--today", "2025-03-04")
    assert status == 0
    assert one_line(err) == "%s: 2 damaged records skipped" % week
    expected = TABLE.splitlines()
    del expected[3]
    expected[-2:] = ["last 7 days: 3 sessions, 2 finished",
                     "in the history: 5 sessions, 4 finished, 1 undated"]
    assert out.splitlines() == expected
    status, out, err = main(capsys, "journal", "--history", week, "--json", "--today", "2025-03-04")
    assert json.loads(out)["damaged"] == 2 and one_line(err).endswith("2 damaged records skipped")


def test_a_file_of_garbage_is_all_damaged_and_still_read(tmp_path, capsys):
    f = tmp_path / "history.bin"
    f.write_bytes(bytes(range(256)) * 3)
    status, out, err = main(capsys, "journal", "--history", str(f), "--today", "2025-03-04")
    assert status == 0
    assert one_line(err) == "%s: 16 damaged records skipped" % f
    assert out.splitlines()[0] == journal.NO_HISTORY


def test_an_empty_history(tmp_path, capsys):
    f = tmp_path / "history.bin"
    f.write_bytes(b"")
    status, out, err = main(capsys, "journal", "--history", str(f), "--today", "2025-03-04")
    assert (status, err) == (0, "")
    assert out.splitlines() == [journal.NO_HISTORY,
                                "streak: 0 days in a row with a finished session (today: 2025-03-04)",
                                "last 7 days: 0 sessions, 0 finished",
                                "in the history: 0 sessions, 0 finished, 0 undated"]
    status, out, err = main(capsys, "journal", "--history", str(f), "--csv")
    assert out == CSV.splitlines()[0] + "\n"


# ---- the command line ------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--history", "h.bin", "--port", "/dev/x"], "--port reads the wand, --file and --history"),
    (["--file", "j.jsonl", "--csv"], "--csv shows the history: give --history FILE"),
    (["--file", "j.jsonl", "--json"], "--json shows the history: give --history FILE"),
    (["--history", "h.bin", "--timeline"], "--timeline shows the journal: give --file FILE"),
    (["--history", "h.bin", "--raw"], "--raw shows the journal: give --file FILE"),
    (["--csv", "--json"], "argument --json: not allowed with argument --csv"),
    (["--today", "2025-02-30"], "argument --today: invalid date (YYYY-MM-DD) value: '2025-02-30'"),
])
def test_command_line_mistakes_are_one_line_and_status_2(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(session, "open_transport", lambda port: pytest.fail("connected"))
    try:
        status, out, err = main(capsys, "journal", *argv)
    except SystemExit as e:
        status = e.code
        out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert message in one_line(err)


def test_a_history_file_that_cannot_be_read(tmp_path, capsys):
    status, out, err = main(capsys, "journal", "--history", str(tmp_path / "none.bin"))
    assert status == 2 and out == ""
    assert one_line(err) == "host_tools: %s: cannot be read (No such file or directory)" % (
        tmp_path / "none.bin")


# ---- from the wand -----------------------------------------------------------------

def test_the_history_from_the_wand(week, capsys, monkeypatch):
    with open(week, "rb") as f:
        data = bytearray(f.read())
    data[5] ^= 1                                         # the first record damaged
    board = Board({memory.HISTORY: bytes(data), "journal.jsonl": b"nope\n"})
    monkeypatch.setattr(session, "open_transport", board.open)
    status, out, err = main(capsys, "journal", "--port", "/dev/wand", "--today", "2025-03-04")
    assert status == 0
    assert one_line(err) == "history.bin: 1 damaged record skipped"
    assert out.splitlines() == TABLE.splitlines()[:1] + TABLE.splitlines()[2:-1] + [
        "in the history: 5 sessions, 3 finished, 1 undated"]
    # Only the history was fetched; the journal is for --timeline. The
    # wand's clock was set first (tests/test_host_tools_settings.py).
    assert [e for e in board.log if e[0] == "read"] == [("read", memory.HISTORY)]
    assert board.log[0][0] == "rtc"
    status, out, err = main(capsys, "journal", "--port", "/dev/wand", "--csv")
    assert out.splitlines()[1:] == CSV.splitlines()[2:]


# ---- the timeline: where it was cut, and the new lines ------------------------------

GOOD = [
    '{"t_ms":0,"event":"state","state":"idle"}',
]


def test_the_timeline_says_where_it_was_cut(tmp_path, capsys):
    j = tmp_path / "j.jsonl"
    j.write_text('{"t_ms":61500,"event":"state","state":"running"}\n'
                 '{"t_ms":62000,"event":"state","state":"off"}\n')
    status, out, err = main(capsys, "journal", "--file", str(j))
    assert out.splitlines()[0] == ("NOTE: the journal begins at 01:01.500, not at power-on: "
                                   "its earlier records were not kept")
    h = write_history(tmp_path, WEEK[:3])
    status, out, err = main(capsys, "journal", "--file", str(j), "--history", str(h), "--timeline")
    assert (status, err) == (0, "")
    assert out.splitlines()[1] == (
        "NOTE: the last session in the history (full, 2025-03-02 21:05, 23 of 60 steps) was cut "
        "off by a power cut, and this timeline is not of that session")
    assert out.splitlines()[2] == "01:01.500  running"
    # The journal of the wake the power cut off (written at the next start,
    # ending with a cut line) is that session's: no note, the cut in its place.
    j.write_text(GOOD[0] + "\n" + '{"t_ms":61500,"event":"state","state":"running"}\n'
                 '{"t_ms":61500,"event":"cut"}\n')
    status, out, err = main(capsys, "journal", "--file", str(j), "--history", str(h), "--timeline")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "00:00.000  idle", "01:01.500  running",
        "01:01.500  POWER CUT: the wand's power went after this (its journal written at the next start)",
        "3 events over 01:01.500: 0 steps started, ended running, warnings: none"]
    # A history whose last session ended otherwise, and a journal from power-on: no notes.
    (tmp_path / "x").mkdir()
    h = write_history(tmp_path / "x", WEEK[:4])
    j.write_text(GOOD[0] + "\n")
    status, out, err = main(capsys, "journal", "--file", str(j), "--history", str(h), "--timeline")
    assert out.splitlines()[0] == "00:00.000  idle"


def test_the_timeline_from_the_wand_reads_the_history_too(capsys, monkeypatch, tmp_path):
    h = write_history(tmp_path, WEEK[:3])
    board = Board({memory.HISTORY: h.read_bytes(), "journal.jsonl": (GOOD[0] + "\n").encode()})
    monkeypatch.setattr(session, "open_transport", board.open)
    status, out, err = main(capsys, "journal", "--port", "/dev/wand", "--timeline")
    assert status == 0
    assert out.splitlines()[0].startswith("NOTE: the last session in the history (full, ")
    assert out.splitlines()[1] == "00:00.000  idle"


# ---- the firmware's own sessions, through the simulator's flash -----------------------

def sim_run(tmp_path, flash, date, script):
    s = tmp_path / "script.txt"
    s.write_text(script)
    trace = tmp_path / "trace.jsonl"
    out, err = io.StringIO(), io.StringIO()
    from contextlib import redirect_stderr, redirect_stdout
    with redirect_stdout(out), redirect_stderr(err):
        status = sim_cli.main(["run", "--routine", "daily", "--quiet", "--flash", str(flash),
                               "--date", date, "--script", str(s), "--trace", str(trace)])
    assert status == 0, err.getvalue()
    return trace


def test_sessions_the_simulated_wand_kept(tmp_path, capsys):
    flash = tmp_path / "flash"
    flash.mkdir()
    # Cut off during step 2; then, 5 minutes later, offered back and resumed
    # to the end; then a wake the next day that only ends a session early.
    sim_run(tmp_path, flash, "2025-03-03T08:00", "0.5 press\n20 powercut\n")
    t = sim_run(tmp_path, flash, "2025-03-03T08:05", "0.5 end\n")
    status, out, err = main(capsys, "journal", "--file", str(t), "--history",
                            str(flash / "history.bin"), "--timeline")
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith("NOTE: the last session in the history (daily, "
                                          "2025-03-03 08:00, 1 of 10 steps) was cut off")
    assert any("offered to resume daily at step 2, round 1" in line for line in out.splitlines())
    sim_run(tmp_path, flash, "2025-03-03T08:06", "0.5 press\n")
    sim_run(tmp_path, flash, "2025-03-04T09:00", "0.5 press\n10 long\n")
    status, out, err = main(capsys, "journal", "--history", str(flash / "history.bin"),
                            "--today", "2025-03-04")
    assert (status, err) == (0, "")
    rows = out.splitlines()
    cells = [row.split("  ") for row in rows[1:4]]
    cells = [[c.strip() for c in row if c.strip()] for row in cells]
    assert [(c[0], c[1], c[2], c[6:]) for c in cells] == [
        ("2025-03-03 08:00", "daily", "1 of 10", ["power cut"]),
        ("2025-03-03 08:00", "daily", "10 of 10", ["finished", "resumed"]),
        ("2025-03-04 09:00", "daily", "0 of 10", ["ended early"])]
    assert rows[4:] == ["streak: 1 day in a row with a finished session (today: 2025-03-04)",
                        "last 7 days: 3 sessions, 1 finished",
                        "in the history: 3 sessions, 1 finished, 0 undated"]


@pytest.mark.slow
def test_as_a_person_runs_it(week):
    p = subprocess.run([sys.executable, "-m", "host_tools", "journal", "--history", week,
                        "--today", "2025-03-04"], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (0, TABLE, "")
