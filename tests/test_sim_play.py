# `python -m sim play`: the wand in real time in a terminal, the keyboard as
# its hardware (sim/play.py). End to end inside a pseudo-terminal: the
# test's own process forks onto a pty (pty.fork) and the child runs play
# as `python -m sim play` would, on the pty's keyboard and screen, so no
# fresh Python starts and it stays quick; the parent types keys and reads
# the screen. The pieces (the click queue through the wand's own gesture
# code, the felt motor's hold, the ring's geometry and colours) are also
# checked on their own.
import math
import os
import re
import select
import signal
import termios
import time
import traceback

import pytest

from facewand import gestures
from sim import cli, play
from sim.fakehw import machine
from sim.fakehw.world import World

CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ROW = re.compile(r"\x1b\[(\d+);1H")


# --- in a pseudo-terminal ---------------------------------------------------------

class Pty:
    """`sim play ARGV` in a forked child on an 80x24 pseudo-terminal."""

    def __init__(self, argv, cols=80, rows=24):
        import fcntl
        import pty
        import struct
        pid, fd = pty.fork()
        if pid == 0:                                  # the child: play, then leave at once
            status = 99
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                for k in ("COLUMNS", "LINES", "NO_COLOR"):
                    os.environ.pop(k, None)
                os.environ["TERM"] = "xterm-256color"
                signal.signal(signal.SIGINT, signal.default_int_handler)
                before = termios.tcgetattr(0)
                out = open(1, "w", encoding="utf-8", closefd=False)
                status = play.play(cli._parser().parse_args(["play"] + argv), fd=0, out=out)
                out.flush()
                # Said after play has finished, for the test to check
                # play gave the terminal back as it found it.
                os.write(2, b"<<restored>>" if termios.tcgetattr(0) == before else b"<<NOT restored>>")
            except BaseException:
                os.write(2, traceback.format_exc().encode())
            finally:
                os._exit(status)
        self.pid, self.fd = pid, fd
        self.data = b""
        self.status = None

    def read(self, timeout=0.05):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:                           # EIO: the child's side is closed
                chunk = b""
            self.data += chunk
            return bool(chunk)
        return True

    @property
    def text(self):
        return self.data.decode("utf-8", "replace")

    def wait_for(self, test, timeout=10):
        """Read until test(self) holds; fails the test when it never does."""
        deadline = time.monotonic() + timeout
        while not test(self):
            assert time.monotonic() < deadline, "gave up waiting; the screen:\n" + screen(self.text)
            if not self.read() and self.exited():
                assert test(self), "play ended; the screen:\n" + screen(self.text)

    def keys(self, data):
        os.write(self.fd, data)

    def exited(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def finish(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.read()
            if self.exited() and not got:
                break
        while self.read(0.01) and self.exited() and select.select([self.fd], [], [], 0)[0]:
            pass
        assert self.exited(), "play did not end; the screen:\n" + screen(self.text)
        os.close(self.fd)
        return self.status

    def kill(self):
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


@pytest.fixture
def run():
    started = []

    def start(*argv):
        p = Pty(list(argv))
        started.append(p)
        return p
    yield start
    for p in started:
        p.kill()


def frames(text):
    """Each frame drawn: {screen row: what it shows, escapes left out}. A
    frame is a run of rows, each addressed from column 1, starting at row 1."""
    out = []
    for part in text.split("\x1b[1;1H")[1:]:
        pieces = ROW.split("\x1b[1;1H" + part)[1:]
        out.append({int(pieces[i]): CSI.sub("", pieces[i + 1]) for i in range(0, len(pieces), 2)})
    return out


def screen(text):
    fs = frames(text)
    if not fs:
        return repr(text[-2000:])
    return "\n".join(fs[-1].get(r, "") for r in range(1, 25))


def shown(p, *needles):
    """Some frame shows every needle."""
    return any(all(n in "\n".join(f.values()) for n in needles) for f in frames(p.text))


def test_space_starts_a_double_skips_a_step_and_q_quits(run):
    p = run("--routine", "daily", "--speed", "5")
    p.wait_for(lambda p: shown(p, "facewand · daily · idle"))
    p.keys(b" ")
    p.wait_for(lambda p: shown(p, "step 1/10  Chin to ear", "press point 1 of 3"))
    p.keys(b"  ")                                   # two quick clicks: the wand's double
    p.wait_for(lambda p: shown(p, "step 2/10  Cheekbones", "stroke 1 of 3", "round 1/1"))
    p.keys(b"q")
    assert p.finish() == 0, screen(p.text)
    text = p.text
    fs = frames(text)
    # The double skipped step 1 in its presses: none of its strokes was ever drawn.
    assert not any("Chin to ear" in "\n".join(f.values()) and "stroke " in "\n".join(f.values())
                   for f in fs)
    # The motor: felt, and each cue named in plain words.
    assert shown(p, "cue      ≋ start")
    assert shown(p, "≋ step 2 begins")
    felt = [int(m) for m in re.findall(r"motor +[█░]+ +(\d+)% felt", CSI.sub("", text))]
    assert felt and max(felt) >= 30 and min(felt) == 0
    # The ring: 12 cells (the pico's ring) on a circle, in the wire's colours.
    ring = [f for f in fs if sum(v.count("●") + v.count("○") for v in f.values()) == 12]
    assert len(ring) == len(fs)
    cells = {(r, c) for r, v in fs[-1].items() for c, ch in enumerate(v) if ch in "●○"}
    assert cells == {(play.TOP + 1 + r, 2 + c) for r, c in play.ring_cells(12)}
    lit = {m for m in re.findall(r"\x1b\[38;2;(\d+);(\d+);(\d+)m●", text)}
    assert lit and all(max(int(v) for v in rgb) > 0 for rgb in lit)
    # The daily routine's blue (#40C0FF) reached the wire: blue strongest, red weakest.
    assert any(int(b) > int(g) > int(r) for r, g, b in lit)
    # The terminal given back: the last thing play wrote leaves the
    # alternate screen with the cursor shown, and its modes are restored.
    assert text.startswith(play.ENTER)
    assert text.endswith(play.LEAVE + "<<restored>>"), repr(text[-200:])
    assert "Traceback" not in text


def test_ctrl_c_quits_with_status_0_and_gives_the_terminal_back(run):
    p = run("--routine", "daily", "--board", "esp32-devkitc")
    p.wait_for(lambda p: shown(p, "16 pixels"))
    p.keys(b"\x03")                                # the pty's line discipline: SIGINT
    assert p.finish() == 0, screen(p.text)
    assert p.text.endswith(play.LEAVE + "<<restored>>"), repr(p.text[-200:])
    assert "Traceback" not in p.text and "KeyboardInterrupt" not in p.text
    cells = {(r, c) for r, v in frames(p.text)[-1].items() for c, ch in enumerate(v) if ch in "●○"}
    assert len(cells) == 16


def test_holding_the_button_in_idle_switches_the_wand_off_and_play_ends(run):
    p = run("--routine", "daily", "--speed", "4")
    p.wait_for(lambda p: shown(p, "· idle"))
    p.keys(b"h")                                   # down, and held (0.8 s is a long press)
    p.wait_for(lambda p: shown(p, "button held down"))
    p.wait_for(lambda p: shown(p, "≋ power off") or p.exited())
    assert p.finish() == 0
    assert p.text.endswith(play.LEAVE + "<<restored>>")


def test_pressure_and_battery_keys_reach_the_sensors_and_the_wand_warns(run):
    p = run("--routine", "daily", "--speed", "3")
    p.wait_for(lambda p: shown(p, "· idle"))
    p.keys(b" ")
    p.wait_for(lambda p: shown(p, "band 0-0.60 (this step)"))
    p.keys(b"\x1b[A" * 14)                         # 0.70: above step 1's band of 0.60
    p.wait_for(lambda p: shown(p, "0.70", "⚠ pressing too hard", "≋ pressing too hard"))
    p.keys(b"\x1b[B" * 14 + b"bbb")                # back to 0, the battery to 3.25 V
    p.wait_for(lambda p: shown(p, "battery  3.25 V", "≋ battery low"), timeout=15)
    p.keys(b"q")
    assert p.finish() == 0


def test_an_exception_still_gives_the_terminal_back(run, monkeypatch):
    calls = []

    def broken(self, *a):
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("drawing broke")
        return real(self, *a)
    real = play.Screen.frame
    monkeypatch.setattr(play.Screen, "frame", broken)
    p = run("--routine", "daily")
    p.finish()
    assert p.status == 99
    before, _, after = p.text.partition(play.LEAVE)
    assert after.startswith("Traceback") and "drawing broke" in after
    assert "<<restored>>" not in after and before.startswith(play.ENTER)


# --- bad options ----------------------------------------------------------------

@pytest.mark.parametrize("argv,needle", [
    (["--routine", "daily", "--speed", "0"], "--speed: expected a number above 0"),
    (["--routine", "daily", "--speed", "fast"], "--speed"),
    (["--routine", "nosuch"], "unknown routine 'nosuch'"),
    (["--routine", "daily", "--board", "nosuch"], "nosuch"),
    (["--routine", "daily"], "needs a terminal"),       # pytest's stdin is no terminal
    ([], "--routine"),
])
def test_bad_options_are_one_line_and_status_2(capsys, argv, needle):
    with pytest.raises(SystemExit) if not argv else _nothing() as raised:
        status = cli.main(["play"] + argv)
    if raised is not None:
        status = raised.value.code
    out, err = capsys.readouterr()
    assert status == 2
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("sim: ")
    assert needle in err


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- the pieces -----------------------------------------------------------------

def _board(name="pico"):
    return cli.load_board(name)


def _clicks(typed):
    """Keys typed at the given times (ms) -> the gestures the wand's own
    gesture code makes of the button edges they queue."""
    board = _board()
    w = World(board)
    machine.world = w
    k = play.Keys(w, board)
    for t, data in typed:
        k.feed(data, t)
    g = gestures.Gestures()
    edges = sorted(w.edges)
    found = []
    for t in range(0, edges[-1][0] + 1000, 20):
        while edges and edges[0][0] <= t:
            g.edge(edges.pop(0)[2], t)
        got = g.poll(t)
        if got:
            found.append(got)
    return found


def test_keys_become_edges_the_wands_gesture_code_judges():
    assert _clicks([(0, b" ")]) == [gestures.PRESS]
    assert _clicks([(0, b"  ")]) == [gestures.DOUBLE]             # typed together: queued
    assert _clicks([(0, b" "), (200, b" ")]) == [gestures.DOUBLE]
    assert _clicks([(0, b" "), (1000, b" ")]) == [gestures.PRESS, gestures.PRESS]
    assert _clicks([(0, b"h"), (1000, b"h")]) == [gestures.LONG]  # held past 0.8 s
    assert _clicks([(0, b"h"), (300, b" ")]) == [gestures.PRESS]  # space lets a hold go
    assert _clicks([(0, b"    ")]) == [gestures.DOUBLE, gestures.DOUBLE]


def test_arrow_keys_split_across_reads_still_count():
    board = _board()
    w = World(board)
    machine.world = w
    k = play.Keys(w, board)
    k.feed(b"\x1b", 0)
    k.feed(b"[A\x1bO", 0)
    k.feed(b"A\x1b[B+", 0)
    assert k.pressure == 2 * play.PRESSURE_STEP
    k.feed(b"b" * 10 + b"q", 0)
    assert k.battery == play.BATTERY_FLOOR and k.quit


def test_a_100ms_pulse_stays_on_screen_for_its_hold_and_no_longer():
    board = _board()
    f = play.Felt(board)
    f.sample(1000, 40000)                    # (as play: each tick's drive, then a look)
    assert f.look(1000, 10.0) == 0.0         # a motor at rest breaks away first
    f.sample(1100, 0)
    assert f.look(1200, 10.002) > 0.3        # played out between two looks: still caught
    for wall in (10.1, 10.2, 10.3, 10.35):   # long gone from the motor; held on screen
        assert f.look(1600 + int((wall - 10) * 1000), wall) > 0.3
    assert f.look(3000, 10.45) < 0.1         # let go after HOLD_S (the coast-down's tail held)
    assert f.look(3100, 10.9) == 0.0
    assert f.timeline == []                  # the motor at rest: nothing kept


@pytest.mark.parametrize("count", [12, 16, 24])
def test_the_ring_is_a_circle_from_twelve_oclock_clockwise(count):
    cells = play.ring_cells(count)
    assert len(set(cells)) == count
    assert cells[0] == (0, play.RING_RX)                               # twelve o'clock
    assert cells[count // 4] == (play.RING_RY, 2 * play.RING_RX)       # three o'clock, clockwise
    assert cells[count // 2] == (2 * play.RING_RY, play.RING_RX)
    for i in range(1, count):                  # mirrored about the vertical, pixel for pixel
        assert cells[count - i] == (cells[i][0], 2 * play.RING_RX - cells[i][1])
    for r, c in cells:
        d = math.hypot((r - play.RING_RY) / play.RING_RY, (c - play.RING_RX) / play.RING_RX)
        assert 0.8 < d < 1.2


def test_wire_bytes_are_shown_in_rgb_as_the_light_they_give():
    # GRB on the wire: green 160 (the pico's cap), red 0, blue 10.
    assert list(play.wire_rgb(bytes([160, 0, 10]), "GRB")) == [0, 206, 59]
    assert list(play.wire_rgb(bytes([0, 0, 0]), "RGB")) == [0, 0, 0]
