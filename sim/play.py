# python -m sim play --routine NAME [--board B] [--speed N]: the wand in real
# time in the terminal, the keyboard standing for its hardware.
#
# It runs the simulator's own Session (the wand's shell, drivers and engine
# on simulated hardware) one tick at a time, paced to the wall clock, and
# shows what a person would meet:
# - the ring as a circle of cells in its real geometry (pixel 0 at twelve
#   o'clock, then clockwise, as facewand.ring lays its marks), coloured from
#   the bytes the ring driver last wrote to the wire (its colour order undone;
#   the LEDs' linear drive shown as the light it gives, i.e. sRGB-encoded,
#   so the board's brightness cap and gamma are what you see);
# - the motor as felt intensity (sim.motor_model, from the drive that
#   reaches the motor pin), its peak held HOLD_S of wall time so a 100 ms
#   pulse is seen; the cue's name in plain words (README's cue table),
#   kept on screen CUE_S at least;
# - the step, its hint, the stroke/press and round counters and the session
#   bar (sim.display's own lines), a pressure gauge against the step's band,
#   the battery.
#
# Keys (a terminal sends no key-up, so a held button is a toggle):
#   space      a click: the button down for CLICK_MS, then up; clicks typed
#              faster than the button can move queue up, CLICK_GAP_MS
#              apart, so two quick spaces are a double press
#   h          hold: the button goes down and stays down until h (or space)
#              again; held past the long-press time (0.8 s) it is a long press
#   up / down  pressure +/- 0.05 (also + and -)
#   b          the battery drops 0.25 V (4.0 V at power-on)
#   q, Ctrl-C  quit (status 0)
# Keys only move the button's level: the edges go into the simulated world
# (World.edges, as a script's gestures do), and the wand's own gesture code
# (facewand.gestures) decides what they were.
#
# The run ends when the wand switches itself off (a long press in idle or
# done, or two minutes left alone). The terminal (cbreak mode, the
# alternate screen, the hidden cursor) is given back on every way out: q,
# Ctrl-C, SIGTERM/SIGHUP, the wand switching off, an exception.
import heapq
import json
import math
import os
import select
import shutil
import signal
import sys
import termios
import time
import tty

from sim.cli import BadInput, load_board, load_routines
from sim.display import Display, width
from sim.motor_model import REST, envelope
from sim.shown import WORDS, cue_words, wire_rgb  # noqa: F401  (tests use play's names)
from facewand.settings import Settings
from sim.session import Session

CLICK_MS = 120           # a space: the button down this long (wand time)...
CLICK_GAP_MS = 100       # ...and up at least this long before a queued click
PRESSURE_STEP = 50       # permille per up/down
BATTERY_MV = 4000        # at power-on (World's FULL_BATTERY_MV)
BATTERY_STEP = 250       # mV per b
BATTERY_FLOOR = 3000
HOLD_S = 0.4             # the felt intensity's peak stays this long on screen (wall)
CUE_S = 1.0              # a cue's name stays at least this long (wall)
FPS = 30

RING_RX, RING_RY = 10, 5     # the ring's radii in columns and rows (a cell is ~2:1)
TOP = 2                      # screen row of the ring's top
PANEL = 26                   # first column of the panel beside the ring
COLS, ROWS = 80, 24          # what it is laid out for

ENTER = "\x1b[?1049h\x1b[?25l\x1b[2J"        # alternate screen, cursor hidden, cleared
LEAVE = "\x1b[0m\x1b[?25h\x1b[?1049l"       # colours reset, cursor shown, main screen
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_GREEN, _RED = "\x1b[32m", "\x1b[31m"

def ring_cells(count, rx=RING_RX, ry=RING_RY):
    """(row, column) of each pixel around a centre at (ry, rx): pixel 0 at
    twelve o'clock, then clockwise."""
    out = []
    for i in range(count):
        a = 2 * math.pi * i / count
        # (rounded to 6 places first, so that mirror pixels round alike)
        out.append((ry - round(round(ry * math.cos(a), 6)), rx + round(round(rx * math.sin(a), 6))))
    return out


class Felt:
    """The motor as a hand feels it: the drive that reaches the motor,
    sampled each tick, through sim.motor_model's envelope. Only the stretch
    since the motor last came to rest is kept (the envelope starts from
    rest), so each look costs at most a cue's length."""

    def __init__(self, board):
        self.board = board
        self.base = 0            # ms since power-on where the kept stretch begins, at rest
        self.timeline = []       # (ms after base, drive)
        self.drive = 0
        self.seen = 0            # ms after base already looked at
        self.peaks = []          # (wall s, highest amplitude in a look)

    def sample(self, t, drive):
        if drive != self.drive:
            self.drive = drive
            self.timeline.append((t - self.base, drive))

    def look(self, t, wall):
        """The felt amplitude now, as shown: the highest since the last
        look, held HOLD_S."""
        end = t - self.base + 1
        amp = envelope(self.board, self.timeline, end) if self.timeline else [0.0] * end
        top = max(amp[min(self.seen, end - 1):]) if end > 0 else 0.0
        self.seen = end
        if self.drive == 0 and amp and amp[-1] < REST:
            self.base, self.timeline, self.seen = t, [], 0
        self.peaks = [p for p in self.peaks if wall - p[0] < HOLD_S] + [(wall, top)]
        return max(a for _, a in self.peaks)


class Keys:
    """The keyboard as the wand's hardware: the button's edges into the
    world's queue, the pressure and the battery set on its sensors."""

    def __init__(self, world, board):
        self.world = world
        self.board = board
        self.pressure = 0
        self.battery = BATTERY_MV
        self.free_t = 0          # the earliest a queued click may go down
        self.held = False
        self.pending = b""
        self.quit = False

    def _edge(self, t, pressed):
        w = self.world
        heapq.heappush(w.edges, (t, w.seq, pressed))
        w.seq += 1

    def feed(self, data, t):
        """Keys typed by now (`t`, ms since power-on; edges land on the
        ticks after it)."""
        data = self.pending + data
        self.pending = b""
        i = 0
        while i < len(data):
            c = data[i:i + 1]
            if c == b"\x1b":
                seq = data[i:i + 3]
                if len(seq) < 3 and seq in (b"\x1b", b"\x1b[", b"\x1bO"):
                    self.pending = seq       # the rest of an arrow comes with the next read
                    return
                if seq in (b"\x1b[A", b"\x1bOA"):
                    self.set_pressure(self.pressure + PRESSURE_STEP)
                elif seq in (b"\x1b[B", b"\x1bOB"):
                    self.set_pressure(self.pressure - PRESSURE_STEP)
                i += 3 if seq[1:2] in (b"[", b"O") else 1
                continue
            i += 1
            if c == b" ":
                if self.held:
                    self.hold(t)
                else:
                    down = max(t + 1, self.free_t)
                    self._edge(down, True)
                    self._edge(down + CLICK_MS, False)
                    self.free_t = down + CLICK_MS + CLICK_GAP_MS
            elif c in (b"h", b"H"):
                self.hold(t)
            elif c in (b"+", b"="):
                self.set_pressure(self.pressure + PRESSURE_STEP)
            elif c in (b"-", b"_"):
                self.set_pressure(self.pressure - PRESSURE_STEP)
            elif c in (b"b", b"B"):
                self.drop_battery()
            elif c in (b"q", b"Q", b"\x03"):
                self.quit = True

    def hold(self, t):
        at = max(t + 1, self.free_t)
        self.held = not self.held
        self._edge(at, self.held)
        self.free_t = at + (0 if self.held else CLICK_GAP_MS)

    def set_pressure(self, permille):
        self.pressure = max(0, min(1000, permille))
        if self.board.pressure is not None:
            self.world.set_pressure(self.pressure)

    def drop_battery(self):
        self.battery = max(BATTERY_FLOOR, self.battery - BATTERY_STEP)
        if self.board.battery is not None:
            self.world.set_battery(self.battery)
            self.world.battery_inputs += 1


class Screen:
    """What play draws: sim.display's lines for the header, the step and
    the session, and around them the ring's circle, the motor, the legend
    and the gauges; 80x24, cut to a smaller terminal."""

    def __init__(self, session, board, out, display):
        self.session = session
        self.board = board
        self.out = out
        self.display = display
        self.cells = ring_cells(board.ring["count"])
        self.felt = Felt(board)
        self.cues = []           # (pattern, t_ms, ms, wall s), newest last
        self.keys = None

    def on_line(self, line):
        self.display.on_line(line)
        if '"event":"vibe"' in line:
            ev = json.loads(line)
            self.cues = self.cues[-3:] + [(ev["pattern"], ev["t_ms"], ev["ms"], None)]

    def _style(self, text, style):
        return style + text + _RESET if style and self.display.colour else text

    def _gauge(self, cells, value, band):
        """`cells` columns for 0..1000 permille: filled up to `value`,
        green within the band (up to `band`), red above it."""
        out = []
        for i in range(cells):
            x = (i + 0.5) * 1000 / cells
            ch = self.display.glyph["full"] if x <= value else self.display.glyph["empty"]
            style = "" if band is None else _GREEN if x <= band else _RED
            out.append((ch, style))
        return out

    def frame(self, t, engine, wall):
        d = self.display
        g = d.glyph
        width_ = COLS - 1
        rows = [[] for _ in range(ROWS - 1)]
        by = dict(d.lines(t, engine, width_))        # priority -> segments (see Display.lines)
        rows[0] = by[0]

        # The ring, from the wire.
        pin = self.board.ring["pin"]
        buf = self.session.world.pixels[pin].buf if pin in self.session.world.pixels else b""
        rgb = wire_rgb(buf, self.board.ring["order"])
        cells = d._cells(rgb, 1 if d.colour else 2)
        grid = [[(" ", "")] * (PANEL - 1) for _ in range(2 * RING_RY + 1)]
        for (r, c), (text, style) in zip(self.cells, cells):
            text = text.strip() or text
            c = c + 2 - (len(text) - 1)
            grid[r][c] = (text, style)
            for k in range(1, len(text)):
                grid[r][c + k] = ("", "")
        for r, row in enumerate(grid):
            rows[TOP + r] = row
        # The motor, as felt, and its cue in words.
        amp = self.felt.look(t, wall)
        bar = 24
        n = round(amp * bar)
        panel = {}
        panel[0] = [("motor    ", ""), (g["full"] * n, _BOLD), (g["empty"] * (bar - n), ""),
                    (" %3d%% felt" % round(amp * 100), "")]
        recent = []
        for i, (pattern, at, ms, seen) in enumerate(self.cues):
            if seen is None:
                self.cues[i] = (pattern, at, ms, wall)
        if self.cues:
            pattern, at, ms, seen = self.cues[-1]
            if t < at + ms or wall - seen < CUE_S:
                panel[1] = [("cue      ", ""), ("%s %s" % (g["motor"], cue_words(pattern)), _BOLD)]
            else:
                panel[1] = [("cue      %s (last: %s)" % (g["still"], cue_words(pattern)), "")]
            recent = [cue_words(p) for p, _, _, _ in self.cues[:-1]]
        else:
            panel[1] = [("cue      %s none yet" % g["still"], "")]
        if recent:
            panel[2] = [("before   " + ", ".join(reversed(recent)), _DIM)]

        # Pressure against the step's band, and the battery.
        band = None
        if d.step is not None and d.state in ("running", "paused"):
            band = engine.routine.step_of(engine.sch.inst).pressure_max
        keys = self.keys
        if self.board.pressure is None:
            panel[4] = [("pressure no sensor on this board", "")]
        else:
            panel[4] = [("pressure ", "")] + self._gauge(24, keys.pressure, band) + \
                [(" %.2f" % (keys.pressure / 1000), "")]
            panel[5] = [("         " + ("band 0-%.2f (this step)" % (band / 1000) if band is not None
                                        else "no band: no step running"), "")]
        if self.board.battery is None:
            panel[7] = [("battery  none on this board", "")]
        else:
            panel[7] = [("battery  %.2f V" % (keys.battery / 1000), "")]
        if d.warns:
            panel[8] = [("%s %s" % (g["warn"], ", ".join(cue_words(w) for w in sorted(d.warns))), _RED)]
        panel[10] = [("ring     %d pixels, %s" % (len(self.cells), d.led or "dark"), _DIM)]
        if keys.held:
            panel[9] = [("button held down (h or space lets go)", _BOLD)]
        for k, segs in panel.items():
            r = TOP + k
            pad = PANEL - sum(width(s) for s, _ in rows[r])
            rows[r] = rows[r] + [(" " * max(pad, 0), "")] + segs

        below = TOP + 2 * RING_RY + 2
        rows[below] = by[2]                          # step, zone, round
        rows[below + 1] = by[5]                      # stroke / press counter
        rows[below + 2] = by[6]                      # the hint
        rows[below + 3] = by[7]
        rows[below + 4] = by[3]                      # the session bar
        rows[ROWS - 3] = [("space click (2 quick: double)  h hold/let go (long press: hold 0.8 s)", _DIM)]
        rows[ROWS - 2] = [("up/down pressure  b battery  q quit", _DIM)]
        return rows

    def draw(self, t, engine, wall):
        size = shutil.get_terminal_size((COLS, ROWS))
        cols = min(COLS, size.columns) - 1
        nrows = min(ROWS - 1, size.lines)
        parts = []
        for r, segs in enumerate(self.frame(t, engine, wall)[:nrows]):
            parts.append("\x1b[%d;1H" % (r + 1) + self.display._fit(segs, cols) + "\x1b[K")
        self.out.write("".join(parts))
        self.out.flush()


def _speed(text):
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not 0 < v <= 1000:
        raise BadInput("--speed: expected a number above 0, up to 1000, got %r" % text)
    return v


def play(args, fd=None, out=None):
    """Run `sim play`; fd: the terminal's input, out: its output (the
    process's own by default). Returns the exit status."""
    speed = _speed(args.speed)
    board = load_board(args.board)
    routines, choice = load_routines(args.routine)
    out = out or sys.stdout
    try:
        fd = sys.stdin.fileno() if fd is None else fd
        terminal = os.isatty(fd) and out.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    if not terminal:
        raise BadInput("play: needs a terminal (its keyboard is the wand's button)")

    screen = None
    keys = None
    wall0 = [0.0]
    next_draw = [0.0]

    def on_step(t, engine):
        w = session.world
        screen.felt.sample(t, w.motor_output())
        while True:
            now = time.monotonic()
            if now >= next_draw[0]:
                next_draw[0] = now + 1 / FPS
                screen.draw(t, engine, now)
            wait = min(wall0[0] + t / 1000 / speed, next_draw[0]) - now
            ready, _, _ = select.select([fd], [], [], max(wait, 0))
            if ready:
                data = os.read(fd, 64)
                keys.feed(data, t)
                if keys.quit:
                    w.ended = True
                    return
            if wait <= 0 and time.monotonic() >= wall0[0] + t / 1000 / speed:
                return

    session = Session(routines, Settings(), [], lambda line: screen.on_line(line), board,
                      choice=choice, on_step=on_step, until_off=True)
    display = Display(session.engine, out=out)
    screen = Screen(session, board, out, display)
    keys = Keys(session.world, board)
    screen.keys = keys

    def stop(signum, frame):
        raise SystemExit(0)

    saved = termios.tcgetattr(fd)
    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        tty.setcbreak(fd)
        out.write(ENTER)
        out.flush()
        wall0[0] = time.monotonic()
        session.run()
        screen.draw(session.t, session.engine, time.monotonic())
    except KeyboardInterrupt:
        pass
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        try:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        except termios.error:
            pass
        try:
            out.write(LEAVE)
            out.flush()
        except (OSError, ValueError):
            pass
    return 0
