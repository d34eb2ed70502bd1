# python -m sim plot: a trace holding every event kind the README's trace
# table names, made by real simulator sessions (and the firmware's own
# journal writer for the wand-only kinds), drawn to PNG and SVG, with what
# is on the figure checked against the trace line by line; bad input as
# one line and status 2; the history from a history.bin the firmware wrote.
import collections
import datetime
import json
import math
import struct
import xml.etree.ElementTree as ET

import pytest

from facewand import memory, trace as fw_trace
from facewand.names import END_NAMES
from facewand.settings import Settings
from host_tools import history, journal
from sim import cli as sim_cli
from sim import plot
from sim.fakehw.script import parse_script
from sim.session import Session
from test_host_tools_history import WEEK, write_history
from host_cli import one_line
import fsr_signal
from test_sensing import LIGHT

KINDS = set(journal.EVENTS)          # every kind the README's trace table names


def sim(capsys, *argv):
    status = sim_cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _run(folder, name, script, *extra):
    s = folder / (name + ".txt")
    s.write_text(script)
    t = folder / (name + ".jsonl")
    assert sim_cli.main(["run", "--routine", "daily", "--quiet", "--script", str(s),
                         "--trace", str(t), *map(str, extra)]) == 0
    return [json.loads(x) for x in t.read_text().splitlines()]


def _crashed_journal(folder):
    """A wand's journal that a crash ended, its ring having dropped records
    unsaved: a real session's records, written by the firmware's writer."""
    routines, choice = sim_cli.load_routines("daily")
    board = sim_cli.load_board("pico")
    s = Session(routines, Settings(), parse_script("0.5 press\n60 end\n", "s"), None, board,
                choice=choice)
    s.run()
    assert s.journal.first() > 0        # the ring (64 records) dropped some: a lost line
    path = folder / "crashed.jsonl"
    fw_trace.dump(s.journal, routines, str(path), crash="OSError 5", t=s.t)
    return [json.loads(x) for x in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """(path, events): one trace of several wakes one after another."""
    d = tmp_path_factory.mktemp("plot")
    flash = d / "flash"
    parts = [
        # routine chosen, warn and clear by pressure, the wire, a cut (a note: fresh flash)
        _run(d, "cut", "0.5 double\n1.5 double\n3 press\n9 pressure 0.85\n12 pressure 0.3\n"
             "27 battery 3.2\n30 powercut\n", "--wire", "--flash", flash),
        # a wake that leaves the cut wake's journal (with its cut line) on the flash
        _run(d, "wake", "1 long\n", "--flash", flash),
    ]
    parts.append([json.loads(x) for x in (flash / "journal.jsonl").read_text().splitlines()])
    # the offer, then paused, stronger (a setting), resumed, ended
    parts.append(_run(d, "offer", "1 press\n6 press\n8 double\n10 press\n20 end\n",
                      "--flash", flash))
    parts.append(_crashed_journal(d))
    # following a person's strokes (sensed strokes and presses; the settings
    # the script gives at power-on); and one who strokes too lightly
    script = fsr_signal.session("daily", 2)[0]
    parts.append(_run(d, "following", script))
    light = d / "light.json"
    light.write_text(json.dumps(LIGHT))
    lines = ["0.5 press", "1 pressure 0.02"] + [
        "%d.%03d pressure %.3f" % ((4000 + k * 2000 + t) // 1000, (4000 + k * 2000 + t) % 1000,
                                   0.02 + 0.15 * math.sin(math.pi * t / 1000))
        for k in range(5) for t in range(0, 1000, 20)]
    s = d / "light.txt"
    s.write_text("\n".join(fsr_signal.settings_lines(sim_cli.load_board("pico")) + lines) + "\n")
    t = d / "light.jsonl"
    assert sim_cli.main(["run", "--routine", str(light), "--quiet", "--script", str(s), "--trace", str(t)]) == 0
    parts.append([json.loads(x) for x in t.read_text().splitlines()])
    events, t0 = [], 0
    for part in parts:
        for ev in part:
            events.append(dict(ev, t_ms=ev["t_ms"] + t0))
        t0 = events[-1]["t_ms"] + 2000
    path = d / "every.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path, events


def count(events, kind, **match):
    return sum(1 for e in events if e["event"] == kind
               and all(e.get(k) == v for k, v in match.items()))


def test_the_trace_holds_every_kind(every_kind):
    _, events = every_kind
    assert {e["event"] for e in events} == KINDS
    assert KINDS == {"state", "step", "stroke", "point", "vibe", "led", "warn", "clear", "routine",
                     "offer", "note", "setting", "crash", "lost", "cut", "input", "motor", "ring",
                     "sensed"}


def test_everything_in_the_trace_is_on_the_figure(every_kind):
    path, events = every_kind
    fig = plot.draw_trace(plot.read_trace(str(path)))
    got = plot.drawn(fig)
    # a band, and a label, for every step; rounds
    assert got["band:step"] == got["label:step"] == count(events, "step") >= 10
    # a round's band for each run of its steps: the cut and resumed session has two
    # (in the simulator's trace of the cut wake, in its journal, and in the
    # resumed session, which runs on into the crashed journal's steps), and
    # the two sessions following a person have one each
    assert got["band:round"] == got["label:round"] == 5
    # one mark for every cue, pattern by pattern
    vibes = collections.Counter(e["pattern"] for e in events if e["event"] == "vibe")
    for pattern in ("step1", "stroke", "press", "release", "pressure_high", "start", "pause",
                    "resume", "level", "offer", "power_off", "battery_low", "routine2"):
        assert vibes[pattern], pattern          # the trace has it, so the test means something
    assert {k[5:]: n for k, n in got.items() if k.startswith("vibe:")} == dict(vibes)
    # the ring, the states (paused among them) and the warnings as spans
    rings = sum(n for k, n in got.items() if k.startswith("band:ring:"))
    states = sum(n for k, n in got.items() if k.startswith("band:state:"))
    assert rings == count(events, "led") and states == count(events, "state")
    assert got["band:state:paused"] == got["span:paused"] == count(events, "state", state="paused") > 0
    assert got["band:warn:pressure_high"] == got["span:warn:pressure_high"] \
        == count(events, "warn", reason="pressure_high") > 0
    # the pressure line: every reading, held to the end
    assert got["pressure"] == count(events, "input", input="pressure") + 1
    # each event shown as an annotated marker
    for kind in ("offer", "note", "setting", "routine", "lost", "cut", "crash"):
        assert got["marker:" + kind] == got["annotation:" + kind] == count(events, kind) > 0, kind
    assert got["input:press"] == count(events, "input", input="press")
    # what the wand sensed, each mark on the pressure line
    for what in ("stroke", "press", "light"):
        n = sum(1 for e in events if e["event"] == "sensed" and e["kind"] == what)
        assert got["sensed:" + what] == n > 0, what
    assert got["input:powercut"] == 1


def test_plots_to_png_and_svg(every_kind, tmp_path, capsys):
    path, _ = every_kind
    png, svg = tmp_path / "s.png", tmp_path / "s.svg"
    assert sim(capsys, "plot", path, "-o", png) == (0, "", "")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1600, 900) and len(data) > 50000
    assert sim(capsys, "plot", path, "-o", svg) == (0, "", "")
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Chin to ear" in svg.read_text() or "round 1" in svg.read_text()


def test_unknown_kinds_are_left_out(tmp_path, capsys):
    t = tmp_path / "t.jsonl"
    t.write_text('{"t_ms":0,"event":"state","state":"idle"}\n'
                 '{"t_ms":5,"event":"hologram","colour":"teal"}\n'
                 '{"t_ms":9,"event":"state","state":"off"}\n')
    assert sim(capsys, "plot", t, "-o", tmp_path / "t.png") == (0, "", "")
    got = plot.drawn(plot.draw_trace(plot.read_trace(str(t))))
    assert got["band:state:idle"] == got["band:state:off"] == 1
    assert not any("hologram" in k for k in got)


def test_a_journal_with_odd_text_draws(tmp_path, capsys):
    # text from the file is drawn as text: no mathtext, one line
    t = tmp_path / "t.jsonl"
    t.write_text('{"t_ms":0,"event":"crash","error":"$x^ \\n a_{"}\n'
                 '{"t_ms":3,"event":"step","index":1,"name":"$\\u2028","round":1,"zone":"z",'
                 '"direction":"up"}\n')
    assert sim(capsys, "plot", t, "-o", tmp_path / "t.png") == (0, "", "")


@pytest.mark.parametrize("lines, where", [
    ("not json\n", ":1: not a JSON line"),
    ('{"t_ms":0,"event":"state","state":"idle"}\n{"t_ms":1,"event":"step"}\n', ":2: step: index"),
    (b"\xff\xfe\n", ":1: not UTF-8"),
    ("", ": no events"),
])
def test_a_file_that_is_not_a_trace_is_one_line(tmp_path, capsys, lines, where):
    t = tmp_path / "t.jsonl"
    t.write_bytes(lines if isinstance(lines, bytes) else lines.encode())
    status, out, err = sim(capsys, "plot", t, "-o", tmp_path / "t.png")
    assert status == 2 and out == ""
    assert one_line(err).startswith("sim: %s%s" % (t, where))
    assert not (tmp_path / "t.png").exists()


def test_bad_paths_are_one_line(every_kind, tmp_path, capsys):
    path, _ = every_kind
    cases = [
        (("plot", tmp_path / "missing.jsonl", "-o", tmp_path / "a.png"), "missing.jsonl: cannot be read"),
        (("plot", path, "-o", tmp_path / "no" / "dir" / "a.png"), "a.png: cannot be written"),
        (("plot", path, "-o", tmp_path), "unknown suffix"),
        (("plot", path, "-o", tmp_path / "a.jpg"), "a.jpg: unknown suffix (expected .png or .svg)"),
        (("plot", "-o", tmp_path / "a.png"), "give a trace file or --history"),
        (("plot", path, "--history", path, "-o", tmp_path / "a.png"), "one of them"),
    ]
    for argv, words in cases:
        status, out, err = sim(capsys, *argv)
        assert status == 2 and out == "", argv
        assert words in one_line(err), err
    with pytest.raises(SystemExit) as e:
        sim_cli.main(["plot", str(path)])          # no -o
    assert e.value.code == 2
    assert "-o" in one_line(capsys.readouterr().err)


def test_the_history_plot(tmp_path, capsys):
    h = write_history(tmp_path, WEEK)
    png = tmp_path / "h.png"
    assert sim(capsys, "plot", "--history", h, "--today", "2025-03-04", "-o", png) == (0, "", "")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sessions, damaged = plot.read_history(str(h))
    assert len(sessions) == len(WEEK) and damaged == 0
    fig = plot.draw_history(sessions, datetime.date(2025, 3, 4))

    def heights(gid):
        return [a.get_height() for a in fig.findobj(lambda a: a.get_gid() == gid)]
    finished = END_NAMES.index("finished")
    # Two weeks: Mon 24 Feb (25 Feb, 1 and 2 Mar), Mon 3 Mar (3 and 4 Mar); undated left out
    assert heights("week:finished") == [2, 1]
    assert heights("week:unfinished") == [1, 1]
    assert sum(heights("week:finished")) == sum(1 for r in WEEK if r[7] == finished and r[0])
    assert heights("week:warnings") == [2, 0]
    streak = fig.findobj(lambda a: a.get_gid() == "streak")[0].get_ydata()
    assert streak[-1] == history.Summary(sessions, datetime.date(2025, 3, 4)).streak == 1
    # finished on 25 Feb, 1 and 3 Mar (not 2 Mar: cut): never two days in a row
    assert len(streak) == 9 and max(streak) == 1 and min(streak) == 0
    # without --today: the host's date, a year and more of weeks on
    assert sim(capsys, "plot", "--history", h, "-o", tmp_path / "h.svg") == (0, "", "")


def test_a_history_that_is_not_one_is_one_line(tmp_path, capsys):
    bad = tmp_path / "history.bin"
    bad.write_bytes(b"\x00" * memory.HISTORY_SIZE * 3)
    status, out, err = sim(capsys, "plot", "--history", bad, "-o", tmp_path / "h.png")
    assert status == 2 and "not a history.bin (3 records, none readable)" in one_line(err)
    status, _, err = sim(capsys, "plot", "--history", bad, "--today", "03/04/2025",
                         "-o", tmp_path / "h.png")
    assert status == 2 and "--today" in one_line(err)
    # a damaged record among good ones: drawn, and said
    (tmp_path / "good").mkdir()
    h = write_history(tmp_path / "good", WEEK[:2])
    with open(h, "ab") as f:
        f.write(b"\x01" * memory.HISTORY_SIZE)
    status, out, err = sim(capsys, "plot", "--history", h, "--today", "2025-03-04",
                           "-o", tmp_path / "h.png")
    assert status == 0 and "1 damaged record skipped" in one_line(err)


def test_an_empty_history_draws(tmp_path, capsys):
    h = tmp_path / "history.bin"
    h.write_bytes(b"")
    assert sim(capsys, "plot", "--history", h, "-o", tmp_path / "h.png") == (0, "", "")
