# The simulator's terminal picture (sim/display.py): it fits the terminal
# it is drawn on (80x24 and narrower or shorter ones), is redrawn in place,
# gives the terminal back as it found it on every way out, and honours
# NO_COLOR. Driven two ways: in-process on a fake terminal with the real
# engine, and end to end (`python -m sim run`) inside a pseudo-terminal of a
# chosen size, read back through a small terminal emulator below.
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from types import SimpleNamespace

import pytest

from mprig import REPO_ROOT

from facewand.settings import Settings
from sim import cli
from sim.display import Display
from sim.fakehw.script import parse_script
from sim.session import Session, default_script

HEADER = "facewand · daily ·"
COLOUR = re.compile(r"\x1b\[(?:3|38|4|9|10)[0-9;]*m")    # foreground/background colour codes
SGR = re.compile(r"\x1b\[[0-9;]*m")
WARN_SCRIPT = "0.5 press\n5 pressure 0.9\n7 pressure 0.1\n30 pressure 0.95\n"
PLAIN_ENV = {"TERM": "xterm-256color"}


# --- a terminal, as far as Display uses one ----------------------------------

def char_width(c):
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


class Screen:
    """Just enough of a VT100/xterm to rebuild what the picture looks like:
    printable characters (wide ones take two columns) with xterm's
    deferred auto-wrap, CR, LF (scrolling into the scrollback at the
    bottom), cursor up (stopping at the top of the screen), erase in line,
    erase below, SGR (noted, not drawn) and cursor show/hide. Anything else
    is recorded in `unknown` so a test sees an escape it did not expect.
    The cursor starts on the bottom row, as in a terminal with history."""

    CSI = re.compile(r"\x1b\[([?0-9;]*)([@-~])|(\x1b)|(.)", re.S)

    def __init__(self, cols, rows, start_row=None):
        self.cols, self.rows = cols, rows
        self.buf = [[] for _ in range(rows)]
        self.row = rows - 1 if start_row is None else start_row
        self.col = 0
        self.cursor_visible = True
        self.colour = False         # a colour code is in effect (not reset)
        self.wraps = 0              # times the terminal had to wrap a line
        self.unknown = []

    @property
    def top(self):
        return max(len(self.buf) - self.rows, 0)

    def _down(self):
        self.row += 1
        if self.row == len(self.buf):
            self.buf.append([])     # scroll: the top row goes to the scrollback

    def _put(self, c):
        w = char_width(c)
        if self.col + w > self.cols:
            self.wraps += 1
            self.col = 0
            self._down()
        line = self.buf[self.row]
        while len(line) < self.col + w:
            line.append(" ")
        line[self.col] = c
        if w == 2:
            line[self.col + 1] = ""
        self.col += w

    def feed(self, text):
        for m in self.CSI.finditer(text):
            params, final, esc, ch = m.groups()
            if final:
                if final == "A":
                    self.row = max(self.top, self.row - int(params or 1))
                elif final == "K" and params == "2":
                    self.buf[self.row] = []
                elif final == "K" and params in ("", "0"):
                    del self.buf[self.row][self.col:]
                elif final == "J" and params in ("", "0"):
                    del self.buf[self.row][self.col:]
                    for i in range(self.row + 1, len(self.buf)):
                        self.buf[i] = []
                elif final == "m":
                    codes = [p for p in params.split(";") if p]
                    if not codes or codes == ["0"]:
                        self.colour = False
                    elif codes[0] != "1":
                        self.colour = True
                elif final in "hl" and params == "?25":
                    self.cursor_visible = final == "h"
                else:
                    self.unknown.append(m.group(0))
            elif esc:
                self.unknown.append(esc)
            elif ch == "\r":
                self.col = 0
            elif ch == "\n":
                self._down()
            elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
                self.unknown.append(ch)
            else:
                self._put(ch)

    def text(self):
        """Every row, scrollback included, as text without trailing blanks."""
        return ["".join(line).rstrip() for line in self.buf]

    def screen(self):
        return self.text()[self.top:]


class FakeTerm:
    """An output that says it is a terminal and keeps what is written."""
    encoding = "utf-8"

    def __init__(self):
        self.parts = []
        self.flushes = 0

    def isatty(self):
        return True

    def write(self, s):
        self.parts.append(s)
        return len(s)

    def flush(self):
        self.flushes += 1

    @property
    def text(self):
        return "".join(self.parts)


def terminal_size(monkeypatch, cols, rows):
    size = {"now": os.terminal_size((cols, rows))}
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a, **k: size["now"])
    return size


def picture_rows(screen):
    """The rows of the picture in the rebuilt terminal (scrollback included)."""
    rows = screen.text()
    start = next(i for i, r in enumerate(rows) if r.startswith(("facewand", "daily")))
    return rows[start:], start


# --- the real engine, in-process, drawn on a fake terminal ---------------------

def run_session(out, environ=PLAIN_ENV, routine="daily", board="pico", script=None,
                every=40, fail=None, on_draw=None, close=True):
    """A session as `sim run` drives it, drawing every `every` ticks on
    `out`, with the cli's `finally: display.close()`. `fail` = (tick,
    exception) raises at that tick, as an error or Ctrl-C would."""
    b = cli.load_board(board)
    routines, choice = cli.load_routines(routine)
    events = parse_script(script, "s.txt") if script else default_script()
    box = {}
    ticks = [0]

    def on_step(t, engine):
        ticks[0] += 1
        if fail and ticks[0] == fail[0]:
            raise fail[1]
        if ticks[0] % every == 0:
            if on_draw:
                on_draw(ticks[0] // every)
            box["d"].draw(t, engine)

    session = Session(routines, Settings(), events, lambda line: box["d"].on_line(line), b,
                      choice=choice, on_step=on_step)
    display = box["d"] = Display(session.engine, out=out, environ=environ)
    try:
        session.run()
        display.on_step(session.t, session.engine, final=True)
    finally:
        if close:
            display.close()
    return display


def board_with_ring(tmp_path, count):
    data = json.loads((REPO_ROOT / "boards" / "pico.json").read_text())
    data["ring"]["count"] = count
    path = tmp_path / ("ring%d.json" % count)
    path.write_text(json.dumps(data))
    return str(path)


def check_fits(out_text, cols, rows):
    """The picture as the terminal shows it: never wrapped, no row wider
    than the terminal, the header once, the cursor shown again and below
    the picture, colours reset."""
    s = Screen(cols, rows)
    s.feed(out_text)
    assert s.unknown == []
    assert s.wraps == 0
    assert all(len(r) <= cols for r in s.text())
    # Each line written, escapes removed, fits too (not only after the erase).
    for chunk in SGR.sub("", out_text).split("\n"):
        chunk = re.sub(r"\x1b\[[?0-9;]*[A-Za-z]|\r", "", chunk)
        assert sum(char_width(c) for c in chunk) <= cols, chunk
    assert s.cursor_visible and not s.colour
    return s


# --- fits the terminal ------------------------------------------------------------

def test_a_whole_session_on_80x24_is_drawn_in_place_and_fits(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    out = FakeTerm()
    run_session(out, script=WARN_SCRIPT)
    s = check_fits(out.text, 80, 24)
    rows = s.text()
    assert sum(r.startswith(HEADER) for r in rows) == 1
    picture, start = picture_rows(s)
    assert len(picture) <= 23 + 1                         # and the cursor row
    assert s.row == len(rows) - 1 and s.col == 0          # cursor on the row below
    assert picture[0].startswith("facewand · daily · done")
    assert picture[1].startswith("ring  ") and "●" in picture[1]
    assert any(r.startswith("step 10/10") for r in picture)
    assert out.text.count("\x1b[?25l") == 1 and out.text.endswith("\x1b[?25h")
    assert "⚠ pressure_high" in out.text                  # shown while it lasted


@pytest.mark.slow
@pytest.mark.parametrize("count", [12, 16, 24])
@pytest.mark.parametrize("environ", [PLAIN_ENV, dict(PLAIN_ENV, NO_COLOR="1")], ids=["colour", "no_color"])
def test_every_ring_size_fits_80_columns_with_its_pattern_name(monkeypatch, tmp_path, count, environ):
    terminal_size(monkeypatch, 80, 24)
    out = FakeTerm()
    run_session(out, environ=environ, board=board_with_ring(tmp_path, count))
    s = check_fits(out.text, 80, 24)
    ring = picture_rows(s)[0][1]
    assert ring.count("●") + ring.count("○") == count
    assert ring.endswith("done")                           # the LED pattern still fits
    assert "…" not in ring


@pytest.mark.slow
@pytest.mark.parametrize("cols", [60, 40, 24, 12, 3, 1])
def test_narrow_terminals_cut_lines_and_never_wrap(monkeypatch, cols):
    terminal_size(monkeypatch, cols, 24)
    out = FakeTerm()
    run_session(out, script=WARN_SCRIPT)
    s = check_fits(out.text, cols, 24)
    if cols >= 3:
        assert sum(r.startswith(("facewand", "daily", "d…")) for r in s.text()) == 1
    if cols >= 40:
        picture = picture_rows(s)[0]
        assert picture[1].count("●") + picture[1].count("○") == 12   # the whole ring


@pytest.mark.slow
@pytest.mark.parametrize("rows", [24, 9, 6, 4, 2, 1])
def test_short_terminals_show_fewer_lines_most_useful_first(monkeypatch, rows):
    terminal_size(monkeypatch, 80, rows)
    out = FakeTerm()
    run_session(out)
    s = check_fits(out.text, 80, rows)
    drawn = [r for r in s.text() if r]
    assert len(drawn) <= max(rows - 1, 0)
    if rows >= 5:
        assert drawn[0].startswith(HEADER) and drawn[1].startswith("ring")
        assert any(r.startswith("step 10/10") for r in drawn)
        assert any("01:47 / 01:47" in r for r in drawn)       # the session bar
    if rows == 2:
        assert len(drawn) == 1 and drawn[0].startswith(HEADER)
    assert sum(r.startswith(HEADER) for r in s.text()) <= 1


def test_a_resized_terminal_is_followed_at_the_next_draw(monkeypatch):
    size = terminal_size(monkeypatch, 100, 30)
    # Shorter last: a terminal made shorter than the picture pushes its top
    # rows into the scrollback, out of reach, and some terminals bring them
    # back when made taller again.
    sizes = [(100, 30), (80, 24), (30, 24), (120, 40), (40, 8)]
    out = FakeTerm()
    frames = [[100, 30, ""]]

    def on_draw(n):
        frames[-1][2] = out.text          # written at the size before this draw
        out.parts.clear()
        cols, rows = sizes[min(n // 20, len(sizes) - 1)]
        size["now"] = os.terminal_size((cols, rows))
        frames.append([cols, rows, ""])

    run_session(out, every=20, on_draw=on_draw)
    frames[-1][2] = out.text
    assert {tuple(f[:2]) for f in frames} == set(sizes)
    screen = Screen(100, 30)
    for cols, rows, text in frames[1:]:          # the first: before any draw
        screen.cols, screen.rows = cols, rows
        screen.feed(text)
        assert screen.wraps == 0
        for draw in re.split(r"\x1b\[\d+A", text):
            lines = [re.sub(r"\x1b\[[?0-9;]*[A-Za-z]|\r", "", c) for c in draw.split("\n")]
            assert all(sum(char_width(c) for c in line) < cols for line in lines)
            assert len([x for x in lines if x]) <= rows - 1
        assert sum(r.startswith(("facewand", "daily")) for r in screen.screen()) == 1
    assert screen.unknown == [] and screen.cursor_visible


def fake_engine(name="daily", hint="", frame=None):
    step = SimpleNamespace(hint=hint)
    routine = SimpleNamespace(name=name, steps=[step] * 10, rounds=1,
                              step_of=lambda i: step, total_ms=lambda: 107000)
    return SimpleNamespace(routine=routine,
                           view=SimpleNamespace(ring=SimpleNamespace(frame=frame or bytearray(36))),
                           sch=SimpleNamespace(inst=0), active_ms=5000)


def test_wide_characters_and_control_characters_in_names_keep_the_picture_whole(monkeypatch):
    terminal_size(monkeypatch, 40, 24)
    eng = fake_engine(name="日本語のルーティン\x1b[2J", hint="顔の マッサージ " * 8)
    out = FakeTerm()
    d = Display(eng, out=out, environ=PLAIN_ENV)
    d.on_line(json.dumps({"t_ms": 0, "event": "step", "index": 1, "round": 1,
                          "name": "頬\x1b]0;pwned\x07\u202e", "zone": "jaw", "direction": "up"}))
    d.draw(1000, eng)
    d.close()
    s = check_fits(out.text, 40, 24)
    assert "\x1b[2J" not in out.text and "\x1b]" not in out.text and "\u202e" not in out.text
    assert any("…" in r for r in s.text())                  # the long hint was cut, not wrapped


# --- colour ---------------------------------------------------------------------

def test_no_color_means_no_colour_codes_and_lit_and_dark_still_differ(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTerm()
    run_session(out, environ=None, script=WARN_SCRIPT)     # reads the real environment
    text = out.text
    assert "\x1b[3" not in text and "\x1b[38" not in text and not SGR.search(text)
    s = check_fits(text, 80, 24)
    assert "●" in text and "○" in text
    assert re.search(r"[roygcbmw]●", text)                   # a letter for the colour family
    assert "⚠ pressure_high" in text and "≋" in text
    assert s.cursor_visible


def test_an_empty_no_color_keeps_colour(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    out = FakeTerm()
    run_session(out, environ=dict(PLAIN_ENV, NO_COLOR=""))
    assert COLOUR.search(out.text)
    assert out.text.endswith("\x1b[0m\x1b[?25h")


def test_not_a_terminal_gets_a_plain_log_without_escapes():
    out = io.StringIO()
    run_session(out, script=WARN_SCRIPT)
    text = out.getvalue()
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0] == "00:00  idle" and lines[-1] == "01:48  done"
    assert "00:05  warning: pressure_high" in lines
    assert any(re.fullmatch(r"\d\d:\d\d  step 1/10 round 1: Chin to ear", x) for x in lines)


def test_a_dumb_terminal_gets_the_plain_log(monkeypatch):
    out = FakeTerm()
    run_session(out, environ={"TERM": "dumb"})
    assert "\x1b" not in out.text and "00:00  idle\n" in out.text


# --- giving the terminal back ---------------------------------------------------

def test_close_restores_once_and_later_draws_do_nothing(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    eng = fake_engine(frame=bytearray([40, 200, 255] * 12))
    out = FakeTerm()
    d = Display(eng, out=out, environ=PLAIN_ENV)
    d.draw(0, eng)
    assert out.text.startswith("\x1b[?25l")
    d.close()
    assert out.text.endswith("\x1b[0m\x1b[?25h")
    n = len(out.text)
    d.close()
    d.draw(20, eng)
    d.on_step(40, eng, final=True)
    assert len(out.text) == n
    check_fits(out.text, 80, 24)


def test_close_before_anything_was_drawn_writes_nothing():
    out = FakeTerm()
    d = Display(fake_engine(), out=out, environ=PLAIN_ENV)
    d.close()
    d.close()
    assert out.text == ""


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()], ids=["error", "ctrl_c"])
@pytest.mark.parametrize("environ", [PLAIN_ENV, dict(PLAIN_ENV, NO_COLOR="1")], ids=["colour", "no_color"])
def test_an_error_or_ctrl_c_mid_session_gives_the_terminal_back(monkeypatch, exc, environ):
    terminal_size(monkeypatch, 80, 24)
    out = FakeTerm()
    with pytest.raises(type(exc)):
        run_session(out, environ=environ, fail=(2000, exc))
    s = check_fits(out.text, 80, 24)
    assert out.text.endswith("\x1b[?25h")
    assert s.row == len(s.text()) - 1 and s.col == 0       # below the picture
    assert sum(r.startswith(HEADER) for r in s.text()) == 1
    assert "running" in picture_rows(s)[0][0]


def test_without_close_the_cursor_stays_hidden(monkeypatch):
    # Why the cli needs `finally: display.close()`.
    terminal_size(monkeypatch, 80, 24)
    out = FakeTerm()
    with pytest.raises(KeyboardInterrupt):
        run_session(out, fail=(2000, KeyboardInterrupt()), close=False)
    s = Screen(80, 24)
    s.feed(out.text)
    assert not s.cursor_visible


class CutShortTerm(FakeTerm):
    """Buffers what is written; the first flush after `cut` writes is
    interrupted (Ctrl-C during the write to the terminal) and leaves the
    rest of the frame in the buffer, as a BufferedWriter does."""

    def __init__(self, cut):
        super().__init__()
        self.pending = []
        self.cut = cut
        self.writes = 0

    def write(self, s):
        self.pending.append(s)
        self.writes += 1
        return len(s)

    def flush(self):
        if self.writes == self.cut:
            self.cut = None
            frame = "".join(self.pending)
            self.parts.append(frame[:len(frame) // 2])
            self.pending = [frame[len(frame) // 2:]]
            raise KeyboardInterrupt
        self.parts.extend(self.pending)
        self.pending = []


def test_a_frame_cut_short_by_ctrl_c_is_completed_by_close(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    out = CutShortTerm(cut=5)
    with pytest.raises(KeyboardInterrupt):
        run_session(out)
    s = check_fits(out.text, 80, 24)
    assert s.row == len(s.text()) - 1 and s.col == 0


class GoneTerm(FakeTerm):
    """A terminal that went away (hang-up): writes fail with EIO."""

    def __init__(self):
        super().__init__()
        self.gone = False

    def write(self, s):
        if self.gone:
            raise OSError(5, "Input/output error")
        return super().write(s)

    def flush(self):
        if self.gone:
            raise OSError(5, "Input/output error")


def test_close_never_raises_even_when_the_terminal_is_gone(monkeypatch):
    terminal_size(monkeypatch, 80, 24)
    eng = fake_engine()
    out = GoneTerm()
    d = Display(eng, out=out, environ=PLAIN_ENV)
    d.draw(0, eng)
    out.gone = True
    d.close()
    d.close()


# --- end to end, in a pseudo-terminal ---------------------------------------------

def pty_run(args, cols=80, rows=24, env=None, interrupt_after=None, timeout=30):
    """`python -m sim ARGS` with its stdin, stdout and stderr on a
    pseudo-terminal of cols x rows. With `interrupt_after` (a string), send
    SIGINT, as Ctrl-C would, once that string has been output.
    Returns (output as the terminal received it, exit status)."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environ.update(PLAIN_ENV)
    environ.update(env or {})
    p = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=REPO_ROOT, env=environ,
                         stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:         # EIO: the child closed its side
                    break
                if not chunk:
                    break
                data += chunk
            if interrupt_after and interrupt_after.encode() in data:
                interrupt_after = None
                p.send_signal(signal.SIGINT)
            if p.poll() is not None and not ready:
                break
        status = p.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return data.decode("utf-8"), status


def picture_and_rest(out):
    """Split the output where the cli's own line starts, after the picture."""
    end = out.rindex("ended done")
    return out[:end], out[end:]


@pytest.mark.slow
def test_sim_run_in_an_80x24_terminal_draws_one_picture_in_place():
    out, status = pty_run(["run", "--routine", "daily"])
    assert status == 0, out
    assert out.count("\x1b[8A") >= 1                      # redrawn in place at least once
    s = check_fits(out, 80, 24)
    rows = s.text()
    assert sum(r.startswith(HEADER) for r in rows) == 1
    assert sum(r.startswith("ring ") for r in rows) == 1
    picture, start = picture_rows(s)
    assert picture[0].startswith("facewand · daily · done")
    assert picture[-2].startswith("ended done at")        # the cli's line, below the picture
    assert s.screen()[-1] == "" and s.col == 0
    assert out.rfind("\x1b[?25h") > out.rfind("\x1b[?25l")
    assert "Traceback" not in out


@pytest.mark.slow
@pytest.mark.parametrize("cols,rows,env,ring", [
    (40, 24, {}, 12),
    (80, 24, {"NO_COLOR": "1"}, 24),
    (60, 5, {}, 16),
], ids=["40_columns", "no_color_24_pixels", "60x5"])
def test_sim_run_degrades_on_narrow_short_or_colourless_terminals(tmp_path, cols, rows, env, ring):
    out, status = pty_run(["run", "--routine", "daily", "--board", board_with_ring(tmp_path, ring)],
                          cols, rows, env)
    assert status == 0, out
    picture, rest = picture_and_rest(out)
    s = check_fits(picture, cols, rows)
    assert sum(r.startswith(("facewand", "daily")) for r in s.text()) == 1
    assert len([r for r in s.text() if r]) <= rows - 1
    if env.get("NO_COLOR"):
        assert "\x1b[3" not in out and "\x1b[38" not in out and not SGR.search(out)
        assert picture_rows(s)[0][1].count("●") + picture_rows(s)[0][1].count("○") == ring
    assert rest.startswith("ended done")


@pytest.mark.slow
def test_ctrl_c_in_a_real_terminal_gives_it_back():
    out, status = pty_run(["run", "--routine", "daily", "--realtime"],
                          interrupt_after="\x1b[8A", timeout=20)
    assert status == 130, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    s = check_fits(out, 80, 24)
    assert sum(r.startswith(HEADER) for r in s.text()) == 1
    assert s.col == 0 and s.screen()[-1] == ""               # cursor below the picture


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_error_in_a_real_terminal_gives_it_back_and_says_one_line():
    out, status = pty_run(["run", "--routine", "daily", "--trace", "/dev/full"])
    assert status == 2, out
    assert "Traceback" not in out
    s = check_fits(out, 80, 24)
    rows = s.text()
    assert sum(r.startswith(HEADER) for r in rows) == 1
    assert rows[-2].startswith("sim: /dev/full: cannot be written")
