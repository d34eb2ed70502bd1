# `python -m host_tools settings get/set`, and the clock a session sets on
# the wand: against the wand of tests/host_wand.py (files in a dict, the
# code host_tools sends run against a stand-in machine and os), and end to
# end on the virtual wand (real MicroPython on a pty, through real mpremote).
import datetime
import json
import subprocess
import sys

import pytest

from facewand import memory
from facewand.settings import Settings
from facewand.settings_limits import FIELDS, as_dict
from host_tools import session
from host_tools import settings as settings_cmd
from host_tools.wandfiles import BytesFiles
from host_wand import Board
from mprig import REPO_ROOT
from host_cli import main, one_line

PORT = "/dev/fakewand"
NOW = datetime.datetime(2025, 3, 4, 7, 30, 5, 123456)    # a Tuesday
DEFAULTS = as_dict(Settings())
KNOWN = ", ".join(f[0] for f in FIELDS)


def lines_of(values):
    return ["%s %s" % (k, json.dumps(v)) for k, v in values.items()]


@pytest.fixture
def wand(monkeypatch):
    """A wand holding settings.json as the firmware writes it, intensity 600."""
    s = Settings(intensity=600, routine="eyes")
    files = BytesFiles()
    memory.write_settings(files, "", s)
    board = Board(files.files)
    monkeypatch.setattr(session, "open_transport", board.open)
    monkeypatch.setattr(session, "local_now", lambda: NOW)
    return board


def on_wand(board):
    """The settings the firmware reads from the board's settings.json."""
    s = Settings()
    note, message = memory.read_settings(BytesFiles(board.files), "", s)
    assert (note, message) == (0, "")
    return as_dict(s)


# ---- get ---------------------------------------------------------------------

def test_get_prints_every_setting_as_json(wand, capsys):
    status, out, err = main(capsys, "settings", "get", "--port", PORT)
    assert status == 0 and err == ""
    assert out.splitlines() == lines_of(dict(DEFAULTS, intensity=600, routine="eyes"))
    assert 'routine "eyes"' in out and "haptic_only false" in out
    assert wand.writes() == []          # looking writes nothing


def test_get_one(wand, capsys):
    assert main(capsys, "settings", "get", "intensity", "--port", PORT) == (0, "intensity 600\n", "")
    assert main(capsys, "settings", "get", "routine", "--port", PORT) == (0, 'routine "eyes"\n', "")


def test_get_without_settings_json_prints_the_defaults_and_says_so(wand, capsys):
    del wand.files[memory.SETTINGS]
    status, out, err = main(capsys, "settings", "get", "--port", PORT)
    assert status == 0
    assert out.splitlines() == lines_of(DEFAULTS)
    assert one_line(err) == "settings.json: missing; using the defaults"
    # The firmware writes the defaults when it finds none; the host, looking, does not.
    assert memory.SETTINGS not in wand.files and wand.writes() == []


@pytest.mark.parametrize("raw, message, shown", [
    (b"{not json", "settings.json: not valid JSON; using the defaults", {}),
    (b"[1, 2]", "settings.json: expected a JSON object; using the defaults", {}),
    (b'{"intensity": 5000, "brightness": 40}',
     "settings.json: intensity: expected an integer 100..1000, got 5000; using its default",
     {"brightness": 40}),
])
def test_get_of_a_bad_settings_json_shows_what_the_wand_uses(wand, capsys, raw, message, shown):
    wand.files[memory.SETTINGS] = raw
    status, out, err = main(capsys, "settings", "get", "--port", PORT)
    assert status == 0
    assert one_line(err) == message
    assert out.splitlines() == lines_of(dict(DEFAULTS, **shown))


def test_get_of_an_unknown_key_lists_the_known_ones_without_a_wand(capsys, monkeypatch):
    monkeypatch.setattr(session, "open_transport", lambda port: pytest.fail("connected"))
    status, out, err = main(capsys, "settings", "get", "loudness", "--port", PORT)
    assert status == 2 and out == ""
    assert one_line(err) == "settings: loudness: unknown setting (known: %s)" % KNOWN


# ---- set ---------------------------------------------------------------------

@pytest.mark.parametrize("key, text, value", [
    ("intensity", "850", 850),
    ("haptic_only", "true", True),
    ("routine", '"daily"', "daily"),
    ("routine", "daily", "daily"),          # a bare word is text
    ("routine", '""', ""),
    ("long_press_ms", "1500", 1500),
])
def test_set_then_get(wand, capsys, key, text, value):
    before = on_wand(wand)
    status, out, err = main(capsys, "settings", "set", key, text, "--port", PORT)
    assert (status, err) == (0, "")
    assert out == "%s %s\n" % (key, json.dumps(value))
    # Every other setting kept; the firmware reads the new one back.
    assert on_wand(wand) == dict(before, **{key: value})
    status, out, err = main(capsys, "settings", "get", key, "--port", PORT)
    assert (status, out, err) == (0, "%s %s\n" % (key, json.dumps(value)), "")


def test_set_writes_aside_then_renames_over(wand, capsys):
    main(capsys, "settings", "set", "intensity", "900", "--port", PORT)
    assert wand.writes() == [("write", "/settings.json.new"),
                             ("rename", "/settings.json.new", "/settings.json")]
    assert "/settings.json.new" not in wand.files


def test_set_on_fat_removes_then_renames_and_says_so(monkeypatch, capsys):
    board = Board({memory.SETTINGS: b"{}"}, fat=True)
    monkeypatch.setattr(session, "open_transport", board.open)
    status, out, err = main(capsys, "settings", "set", "brightness", "50", "--port", PORT)
    assert status == 0 and out == "brightness 50\n"
    assert one_line(err).startswith("settings: the wand's filesystem would not rename over a file")
    assert board.writes() == [("write", "/settings.json.new"), ("rm", "/settings.json"),
                              ("rename", "/settings.json.new", "/settings.json")]
    assert on_wand(board) == dict(DEFAULTS, brightness=50)


@pytest.mark.parametrize("key, text, message", [
    ("intensity", "5000", "intensity: expected an integer 100..1000, got 5000"),
    ("intensity", "850.0", "intensity: expected an integer 100..1000, got 850.0"),
    ("intensity", "high", 'intensity: expected an integer 100..1000, got "high"'),
    ("haptic_only", "1", "haptic_only: expected true or false, got 1"),
    ("long_press_ms", "1000", "long_press_ms: expected 400 or 800 or 1500, got 1000"),
    ("routine", "Daily", 'routine: expected a routine name (lowercase letters, digits, - and _; '
                         'up to 24) or "", got "Daily"'),
    ("routine", "null", "routine: expected a routine name"),
    ("routine", "a\nb", 'got "a\\nb"'),
    ("loudness", "3", "loudness: unknown setting (known: %s)" % KNOWN),
])
def test_a_bad_value_or_key_is_refused_and_nothing_written(wand, capsys, key, text, message):
    before = dict(wand.files)
    status, out, err = main(capsys, "settings", "set", key, text, "--port", PORT)
    assert status == 2 and out == ""
    line = one_line(err)
    assert line.startswith("settings: ") and message in line, line
    assert wand.files == before and wand.sessions == 0     # refused before connecting


def test_set_without_settings_json_writes_the_defaults_with_the_one_value(wand, capsys):
    del wand.files[memory.SETTINGS]
    status, out, err = main(capsys, "settings", "set", "strong_cues", "true", "--port", PORT)
    assert status == 0 and out == "strong_cues true\n"
    assert one_line(err) == "settings.json: missing; using the defaults"
    assert on_wand(wand) == dict(DEFAULTS, strong_cues=True)


def test_set_over_a_bad_value_keeps_the_good_ones(wand, capsys):
    wand.files[memory.SETTINGS] = b'{"intensity": 5000, "brightness": 40, "routine": "full"}'
    status, out, err = main(capsys, "settings", "set", "haptic_only", "true", "--port", PORT)
    assert status == 0
    assert "intensity: expected an integer 100..1000, got 5000" in one_line(err)
    assert on_wand(wand) == dict(DEFAULTS, brightness=40, routine="full", haptic_only=True)


def test_no_wand_and_a_port_that_cannot_be_opened(monkeypatch, capsys):
    from host_tools import ports
    monkeypatch.setattr(ports, "_comports", lambda: [])
    status, out, err = main(capsys, "settings", "get")
    assert status == 2 and one_line(err) == "host_tools: no wand found (plug it in or give --port)"
    board = Board(opens=False)
    monkeypatch.setattr(session, "open_transport", board.open)
    status, out, err = main(capsys, "settings", "set", "intensity", "800", "--port", "/dev/x")
    assert status == 2
    assert one_line(err) == "host_tools: cannot open /dev/x: is the wand plugged in there?"


def test_a_wand_that_fails_a_rename_is_status_1(wand, capsys, monkeypatch):
    real = wand.run

    def broken(code):
        if "os.rename" in code:
            raise session.TransportError("timeout waiting for first EOF reception")
        return real(code)
    monkeypatch.setattr(wand, "run", broken)
    status, out, err = main(capsys, "settings", "set", "intensity", "800", "--port", PORT)
    assert status == 1 and out == ""
    assert one_line(err).startswith("host_tools: the wand on /dev/fakewand stopped answering "
                                    "(rename :/settings.json.new :/settings.json")
    assert on_wand(wand)["intensity"] == 600      # the old file stands


def test_parse_value():
    assert settings_cmd.parse_value("850") == 850
    assert settings_cmd.parse_value("false") is False
    assert settings_cmd.parse_value('"x y"') == "x y"
    assert settings_cmd.parse_value("x y") == "x y"
    assert settings_cmd.parse_value("[" * 100000) == "[" * 100000


# ---- the clock ---------------------------------------------------------------

def test_settings_set_the_wands_clock_to_the_hosts(wand, capsys):
    # mpremote's rtc --set: (year, month, day, weekday from 0 = Monday,
    # hour, minute, second, microsecond)
    assert main(capsys, "settings", "get", "intensity", "--port", PORT)[0] == 0
    assert wand.rtc == (2025, 3, 4, 1, 7, 30, 5, 123456)
    assert wand.log[0] == ("rtc", wand.rtc)         # first, as the session connects
    # and in /clock, for the start after the watchdog's reset (facewand/start.py)
    assert wand.files["/clock"] == b"2025 3 4 7 30 5"
    wand.rtc = None
    assert main(capsys, "settings", "set", "intensity", "900", "--port", PORT)[0] == 0
    assert wand.rtc == (2025, 3, 4, 1, 7, 30, 5, 123456)


def test_doctor_leaves_the_clock_alone(wand, capsys, monkeypatch):
    from host_tools import doctor

    class Query:
        def query(self):
            raise SystemExit("queried")
    real = session.Session

    def looking(port, *args, **kwargs):
        s = real(port, *args, **kwargs)
        s.query = Query().query
        return s
    monkeypatch.setattr(doctor, "Session", looking)
    with pytest.raises(SystemExit):
        doctor.doctor(PORT)
    assert wand.rtc is None and wand.sessions == 1


def test_a_wand_without_a_clock_is_fine(monkeypatch, capsys):
    board = Board({memory.SETTINGS: b"{}"}, has_rtc=False)
    monkeypatch.setattr(session, "open_transport", board.open)
    with session.Session(PORT, set_clock=True) as s:
        assert s.has_clock is False
    assert board.rtc is None
    assert main(capsys, "settings", "get", "intensity", "--port", PORT) == (0, "intensity 700\n", "")


def test_the_rtc_tuple_is_mpremotes(monkeypatch):
    # What `mpremote rtc --set` sends, from its own source.
    import mpremote.commands
    import types

    sent = []
    transport = types.SimpleNamespace(exec=sent.append)
    state = types.SimpleNamespace(transport=transport, ensure_raw_repl=lambda: None,
                                  did_action=lambda: None)

    class FixedDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW
    monkeypatch.setattr(datetime, "datetime", FixedDatetime)
    mpremote.commands.do_rtc(state, types.SimpleNamespace(set=True))
    assert sent[-1] == "machine.RTC().datetime(%s)" % (session.rtc_tuple(NOW),)


# ---- end to end: the virtual wand ---------------------------------------------

def host_tools(*args):
    return subprocess.run([sys.executable, "-m", "host_tools", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_settings_on_the_virtual_wand():
    server = pytest.importorskip("sim.wand.server")
    with server.start_wand() as w:
        # A wand just flashed has no settings.json: the defaults, said once.
        p = host_tools("settings", "get", "--port", w.port)
        assert p.returncode == 0, p.stderr
        assert p.stdout.splitlines() == lines_of(DEFAULTS)
        assert p.stderr == "settings.json: missing; using the defaults\n"
        p = host_tools("settings", "set", "intensity", "850", "--port", w.port)
        assert (p.returncode, p.stdout) == (0, "intensity 850\n"), p.stderr
        p = host_tools("settings", "set", "routine", "full", "--port", w.port)
        assert (p.returncode, p.stdout, p.stderr) == (0, 'routine "full"\n', "")
        p = host_tools("settings", "set", "intensity", "5000", "--port", w.port)
        assert p.returncode == 2 and p.stdout == ""
        assert p.stderr == "settings: intensity: expected an integer 100..1000, got 5000\n"
        p = host_tools("settings", "set", "volume", "3", "--port", w.port)
        assert p.returncode == 2 and p.stderr.startswith("settings: volume: unknown setting (known: ")
        p = host_tools("settings", "get", "--port", w.port)
        assert (p.returncode, p.stderr) == (0, "")
        assert p.stdout.splitlines() == lines_of(dict(DEFAULTS, intensity=850, routine="full"))
        # On the wand: the file the firmware reads, and no file left aside.
        p = subprocess.run([sys.executable, "-m", "mpremote", "connect", w.port, "exec",
                            "import os\nprint(sorted(os.listdir('/')))\n"
                            "print(open('/settings.json').read())"],
                           capture_output=True, text=True, timeout=60)
        listing, text = p.stdout.splitlines()[:2]
        assert "settings.json.new" not in listing and "settings.json" in listing
        s = Settings()
        assert memory.read_settings(BytesFiles({memory.SETTINGS: text.encode()}), "", s) == (0, "")
        assert as_dict(s) == dict(DEFAULTS, intensity=850, routine="full")
