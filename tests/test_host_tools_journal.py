# Reading a journal: a simulator trace or a wand's journal.jsonl as a timeline.
import json
import subprocess
import sys

import pytest

from facewand.names import NOTE_NAMES
from host_tools import journal, session
from host_wand import Board
from mprig import REPO_ROOT
from host_cli import main, one_line


def host_tools(*args):
    return subprocess.run([sys.executable, "-m", "host_tools", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_timeline_and_summary_of_a_session(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("0.5 press\n5 pressure 0.9\n6 pressure 0.1\n12 press\n14 press\n")
    trace = tmp_path / "t.jsonl"
    subprocess.run([sys.executable, "-m", "sim", "run", "--routine", "eyes", "--quiet",
                    "--script", str(script), "--trace", str(trace), "--wire"], cwd=REPO_ROOT,
                   check=True)
    p = host_tools("journal", "--file", str(trace))
    assert p.returncode == 0, p.stderr
    # Every line the simulator writes (input, motor and ring lines too) is
    # an event this reader knows: nothing skipped.
    assert p.stderr == ""
    lines = p.stdout.splitlines()
    assert lines[0] == "00:00.000  idle"
    assert "00:02.140  step 1, round 1: Inner corners (eyes, still)" in lines
    assert "00:03.940    press point 1 of 3" in lines
    assert any(line.endswith("WARNING pressure_high") for line in lines)
    assert any(line.endswith("  paused") for line in lines)
    assert lines[-1].endswith("10 steps started, ended done, warnings: pressure_high x1")


# ---- --raw -----------------------------------------------------------------

@pytest.mark.slow
def test_raw_gives_the_lines_back_exactly(tmp_path):
    # As they are: spacing, key order, a CRLF, a bad line and an unknown
    # event all kept; only blank lines go.
    lines = [b'{"t_ms":0,"event":"state","state":"idle"}',
             b'{ "event" : "step",  "t_ms": 5 }',
             b'{"t_ms":1,"event":"futuristic","x":[1, 2]}\r',
             b'not json \xff',
             b'{"t_ms":2,"event":"warn","reason":"pressure_high"}']
    f = tmp_path / "j.jsonl"
    f.write_bytes(b"\n".join(lines[:2]) + b"\n\n   \n" + b"\n".join(lines[2:]))
    p = subprocess.run([sys.executable, "-m", "host_tools", "journal", "--file", str(f), "--raw"],
                       cwd=REPO_ROOT, capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stderr == b""
    assert p.stdout == b"".join(line + b"\n" for line in lines)


# ---- one bad line loses nothing else ----------------------------------------

GOOD = [
    '{"t_ms":0,"event":"state","state":"idle"}',
    '{"t_ms":500,"event":"state","state":"running"}',
    '{"t_ms":1700,"event":"step","index":1,"name":"Chin","round":1,"zone":"chin","direction":"up"}',
    '{"t_ms":3000,"event":"stroke","n":1,"of":4}',
    '{"t_ms":9000,"event":"state","state":"done"}',
]
TIMELINE = [
    "00:00.000  idle",
    "00:00.500  running",
    "00:01.700  step 1, round 1: Chin (chin, up)",
    "00:03.000    stroke 1 of 4",
    "00:09.000  done",
    "5 events over 00:09.000: 1 step started, ended done, warnings: none",
]


@pytest.mark.parametrize("bad, why", [
    # The three tracebacks of issue 8, item 12.
    ('{"t_ms":0,"event":"step"}', "step: index: missing"),
    ('{"t_ms":0,"event":"stroke","n":"x","of":3}', 'stroke: n: expected an integer 1 or more, got "x"'),
    ("[" * 100000, "not a JSON line"),
    ('{"a":' * 100000, "not a JSON line"),
    # Not UTF-8: one bad line, not a bad file.
    ('{"t_ms":0,"event":"state","state":"\udcff"}', "not UTF-8 text"),
    ('{"t_ms":0,"event":"state","state":"\udcc3"}', "not UTF-8 text"),
    ("nonsense", "not a JSON line"),
    ('"t_ms"', "expected an object with t_ms and event"),
    ('{"event":"state","state":"idle"}', "expected an object with t_ms and event"),
    ('{"t_ms":"0","event":"state","state":"idle"}', 't_ms: expected an integer 0..'),
    ('{"t_ms":-5,"event":"state","state":"idle"}', "t_ms: expected an integer 0.."),
    ('{"t_ms":1.5,"event":"state","state":"idle"}', "t_ms: expected an integer 0.."),
    ('{"t_ms":true,"event":"state","state":"idle"}', "t_ms: expected an integer 0.."),
    ('{"t_ms":%s,"event":"state","state":"idle"}' % ("9" * 4000), "t_ms: expected an integer 0.."),
    ('{"t_ms":%s,"event":"state","state":"idle"}' % ("9" * 5000), "not a JSON line"),
    ('{"t_ms":1e999,"event":"state","state":"idle"}', "t_ms: expected an integer 0.."),
    ('{"t_ms":0,"event":7}', "event: expected text, got 7"),
    ('{"t_ms":0,"event":"state","state":null}', "state: state: expected text, got null"),
    ('{"t_ms":0,"event":"step","index":0,"name":"a","round":1,"zone":"z","direction":"d"}',
     "step: index: expected an integer 1 or more, got 0"),
    ('{"t_ms":0,"event":"step","index":1,"name":["a"],"round":1,"zone":"z","direction":"d"}',
     "step: name: expected text, got a list"),
    ('{"t_ms":0,"event":"step","index":1,"name":"a","round":1,"zone":"z"}', "step: direction: missing"),
    ('{"t_ms":0,"event":"stroke","n":1}', "stroke: of: missing"),
    ('{"t_ms":0,"event":"point","action":"poke","n":1,"of":3}',
     'point: action: expected one of press, release, got "poke"'),
    ('{"t_ms":0,"event":"point","action":"press","n":1,"of":true}',
     "point: of: expected an integer 1 or more, got true"),
    ('{"t_ms":0,"event":"vibe","pattern":"start","ms":-1,"level":500}',
     "vibe: ms: expected an integer 0 or more, got -1"),
    ('{"t_ms":0,"event":"vibe","pattern":"start","ms":580}', "vibe: level: missing"),
    ('{"t_ms":0,"event":"led","pattern":"idle","rgb":"xyz"}', "led: rgb: expected hex digits"),
    ('{"t_ms":0,"event":"led"}', "led: pattern: missing"),
    ('{"t_ms":0,"event":"warn","reason":{}}', "warn: reason: expected text, got an object"),
    ('{"t_ms":0,"event":"clear"}', "clear: reason: missing"),
    ('{"t_ms":0,"event":"routine","index":"2","name":"full"}',
     'routine: index: expected an integer 1 or more, got "2"'),
    ('{"t_ms":0,"event":"input","input":"wiggle"}', "input: input: expected one of press"),
    ('{"t_ms":0,"event":"input","input":"pressure"}', "input: permille: missing"),
    ('{"t_ms":0,"event":"input","input":"battery","mv":3.3}', "input: mv: expected an integer"),
    ('{"t_ms":0,"event":"motor"}', "motor: expected one of duty or rtp"),
    ('{"t_ms":0,"event":"motor","duty":-1}', "motor: duty: expected an integer 0 or more"),
    ('{"t_ms":0,"event":"ring","wire":"abc"}', "ring: wire: expected hex digits"),
])
def test_a_bad_line_is_skipped_with_a_warning_and_the_rest_shown(tmp_path, capsys, bad, why):
    f = tmp_path / "journal.jsonl"
    lines = GOOD[:2] + [bad] + GOOD[2:]
    f.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0
    warning = one_line(err)
    assert warning.startswith("%s:3: skipped: " % f), warning
    assert why in warning
    assert len(warning) < 300
    assert out.splitlines() == TIMELINE


def test_every_bad_line_is_named_in_one_line(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    lines = GOOD[:1] + ["x"] + GOOD[1:3] + ["{}", '{"t_ms":0,"event":"step"}'] + GOOD[3:]
    f.write_text("\n".join(lines) + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0
    assert one_line(err) == "%s:2: skipped: not a JSON line; also skipped lines 5, 6" % f
    assert out.splitlines() == TIMELINE
    f.write_text("\n".join(GOOD + ["x"] * 30) + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0
    assert one_line(err) == ("%s:6: skipped: not a JSON line; also skipped 29 more lines "
                             "(7, 8, 9, 10, 11, 12, 13, 14, 15, 16, ...)" % f)
    assert out.splitlines() == TIMELINE


def test_a_file_of_nothing_but_bad_lines_is_still_read(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    f.write_bytes(bytes(range(256)))
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0
    assert one_line(err) == "%s:1: skipped: not a JSON line; also skipped line 2" % f
    assert out == "0 events over 00:00.000: 0 steps started, ended ?, warnings: none\n"


def test_unknown_events_are_not_shown_and_not_errors(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join(GOOD[:2] + ['{"t_ms":600,"event":"reboot","what":"OSError: 5"}',
                                       '{"t_ms":700,"event":"unknown","kind":12}']
                           + GOOD[2:]) + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0 and err == ""
    assert out.splitlines()[:-1] == TIMELINE[:-1]
    assert out.splitlines()[-1].startswith("7 events")


@pytest.mark.slow
def test_text_from_the_file_stays_on_its_line(tmp_path, capsys):
    # A name with a lone surrogate escape, U+2028, U+0085 or a newline
    # escape is shown escaped, on one line, and does not crash the output.
    f = tmp_path / "j.jsonl"
    names = ["\\ud800", "a\\u2028b", "c\\u0085d", "e\\nf", "\\u0000"]
    f.write_text("\n".join('{"t_ms":%d,"event":"routine","index":1,"name":"%s"}' % (i, n)
                           for i, n in enumerate(names)) + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0 and err == ""
    shown = out.splitlines()
    assert shown[:-1] == ["00:00.%03d  routine 1 chosen: %s" % (i, n.replace("\\n", "\\u000a"))
                          for i, n in enumerate(names)]
    p = host_tools("journal", "--file", str(f))
    assert p.returncode == 0 and p.stderr == "" and p.stdout == out
    # Written as they are (UTF-8, not escaped), U+2028 and U+0085 do not
    # end a JSON line: only \n does.
    f.write_text('{"t_ms":0,"event":"routine","index":1,"name":"a\u2028b\x85c"}\n',
                 encoding="utf-8")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "00:00.000  routine 1 chosen: a\\u2028b\\u0085c"


@pytest.mark.slow
def test_bad_journal_files_exit_2_with_one_line(tmp_path, capsys):
    status, out, err = main(capsys, "journal", "--file", str(tmp_path / "missing.jsonl"))
    assert status == 2 and out == ""
    assert one_line(err) == "host_tools: %s: cannot be read (No such file or directory)" % (
        tmp_path / "missing.jsonl")
    status, out, err = main(capsys, "journal", "--file", str(tmp_path))
    assert status == 2 and out == ""
    assert one_line(err).startswith("host_tools: %s: cannot be read" % tmp_path)
    p = host_tools("journal", "--file", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 2 and p.stderr.count("\n") == 1


@pytest.mark.slow
def test_output_into_a_closed_pipe_is_quiet(tmp_path):
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join(GOOD * 20000) + "\n")
    p = subprocess.run("%s -m host_tools journal --file %s | head -1" % (sys.executable, f),
                       shell=True, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert p.stdout == "00:00.000  idle\n"
    assert p.stderr == ""


# ---- from the wand -------------------------------------------------------------

def fake_wand(monkeypatch, files=None, opens=True, answers=True):
    """The wand as mpremote finds it: a port that cannot be opened, a wand
    that does not answer, or one holding these files (tests/host_wand.py)."""
    board = Board(files, opens=opens, answers=answers)
    monkeypatch.setattr(session, "open_transport", board.open)
    return board


def test_a_port_that_cannot_be_opened_is_bad_input(monkeypatch, capsys):
    fake_wand(monkeypatch, opens=False)
    status, out, err = main(capsys, "journal", "--port", "/dev/nosuch")
    assert status == 2 and out == ""
    assert one_line(err) == "host_tools: cannot open /dev/nosuch: is the wand plugged in there?"


def test_a_wand_with_no_journal_yet_says_so(monkeypatch, capsys):
    fake_wand(monkeypatch, files={"main.py": b""})
    status, out, err = main(capsys, "journal", "--port", "/dev/fresh", "--timeline")
    assert status == 0 and err == ""
    assert out == ("the wand on /dev/fresh has no journal yet: it writes one when it switches "
                   "itself off\n")


def test_a_wand_that_does_not_answer_is_a_failure(monkeypatch, capsys):
    fake_wand(monkeypatch, answers=False)
    status, out, err = main(capsys, "journal", "--port", "/dev/busy")
    assert status == 1 and out == ""
    assert one_line(err).startswith("host_tools: the wand on /dev/busy does not answer")


def test_the_journal_from_a_wand(monkeypatch, capsys):
    journal_file = "\n".join(GOOD[:2] + ["oops"] + GOOD[2:]) + "\n"
    fake_wand(monkeypatch, files={"journal.jsonl": journal_file.encode()})
    status, out, err = main(capsys, "journal", "--port", "/dev/wand", "--timeline")
    assert status == 0
    assert one_line(err) == "journal.jsonl:3: skipped: not a JSON line"
    assert out.splitlines() == TIMELINE


def test_the_journal_comes_from_the_wand_byte_for_byte(monkeypatch, capsys):
    fake_wand(monkeypatch, files={"journal.jsonl": GOOD[0].encode() + b"\n\xff\n"})
    status, out, err = main(capsys, "journal", "--port", "/dev/wand", "--timeline")
    assert status == 0
    assert one_line(err) == "journal.jsonl:2: skipped: not UTF-8 text"


def test_journal_and_flash_classify_a_port_alike(monkeypatch, capsys, tmp_path):
    fake_wand(monkeypatch, opens=False)
    for argv in (["journal", "--port", "/dev/x"], ["doctor", "--port", "/dev/x"]):
        status, out, err = main(capsys, *argv)
        assert (status, one_line(err)) == (
            2, "host_tools: cannot open /dev/x: is the wand plugged in there?")


def test_counts_are_singular_for_one(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    f.write_text(GOOD[2] + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert out.splitlines()[-1] == ("1 event over 00:00.000: 1 step started, ended ?, "
                                    "warnings: none")


def test_journal_module_parses_text_and_bytes():
    events, skipped = journal.parse("\n".join(GOOD + ["{}"]))
    assert [e["t_ms"] for e in events] == [0, 500, 1700, 3000, 9000]
    assert skipped == [(6, "expected an object with t_ms and event")]
    assert journal.parse(b"\xff\n" + GOOD[0].encode())[1] == [(1, "not UTF-8 text")]
    assert json.dumps(events[0]) == json.dumps(json.loads(GOOD[0]))


def test_a_crash_line_is_shown(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    f.write_text('{"t_ms":0,"event":"state","state":"idle"}\n'
                 '{"t_ms":5020,"event":"crash","error":"OSError 5"}\n')
    from host_tools import journal
    assert journal.main(None, str(f)) == 0
    out = capsys.readouterr().out
    assert "00:05.020  STOPPED BY AN ERROR: OSError 5 (motor and ring switched off)" in out


# ---- what the wand says of its memory, and the simulator's power cut ----------

NEW_LINES = [
    '{"t_ms":0,"event":"state","state":"idle"}',
    '{"t_ms":0,"event":"note","note":"settings_missing"}',
    '{"t_ms":0,"event":"offer","kind":"resume","index":4,"round":2,"routine":"full"}',
    '{"t_ms":900,"event":"state","state":"running"}',
    '{"t_ms":5000,"event":"setting","key":"intensity","value":850}',
    '{"t_ms":9000,"event":"input","input":"powercut"}',
]


def test_new_journal_lines_are_shown_in_words(tmp_path, capsys):
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join(NEW_LINES) + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "00:00.000  idle",
        "00:00.000  note: settings.json was missing: the defaults are used (and written)",
        "00:00.000  offered to resume full at step 4, round 2 (press: resume, double: start over)",
        "00:00.900  running",
        "00:05.000  setting changed on the wand: intensity 850",
        "00:09.000  POWER CUT (the simulator's script cut the power here)",
        "6 events over 00:09.000: 0 steps started, ended running, warnings: none",
    ]


def test_every_note_the_wand_makes_has_words():
    assert set(journal.NOTES) == set(NOTE_NAMES[1:])


@pytest.mark.parametrize("bad, why", [
    ('{"t_ms":0,"event":"offer","kind":"resume","index":0,"round":1,"routine":"daily"}',
     "offer: index: expected an integer 1 or more, got 0"),
    ('{"t_ms":0,"event":"offer","kind":"resume","index":1,"round":1}', "offer: routine: missing"),
    ('{"t_ms":0,"event":"note","note":4}', "note: note: expected text, got 4"),
    ('{"t_ms":0,"event":"setting","key":"intensity","value":"850"}',
     'setting: value: expected an integer, got "850"'),
    ('{"t_ms":0,"event":"input","input":"powerout"}', "input: input: expected one of press"),
])
def test_bad_new_lines_are_skipped(tmp_path, capsys, bad, why):
    f = tmp_path / "j.jsonl"
    f.write_text(NEW_LINES[0] + "\n" + bad + "\n")
    status, out, err = main(capsys, "journal", "--file", str(f))
    assert status == 0 and why in one_line(err)
