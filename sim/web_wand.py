# The wand in a browser, its MicroPython side: web/ loads this module, the
# firmware and the simulator's hardware into MicroPython's WebAssembly build
# in the page, and paces it from JavaScript.
#
# It is the simulator's own Session (the wand's shell, drivers and engine
# on simulated hardware), powered on here and moved on by the page with
# advance(t) between animation frames: a WASM call is synchronous, so the
# page gives the wand the wall time that passed (times the speed) and
# draws what it finds. Nothing of the wand is re-implemented:
# - the button is its level, fed as edges into the world (World.edges), as
#   a script's gestures and sim play's keys are; the wand's own gesture code
#   decides what was a press, a long press or a double;
# - the pressure is set on the simulated sensor, in permille;
# - what comes back is what a person meets: the ring from the bytes its
#   driver last wrote to the wire (colour order undone, as light), the drive
#   at the motor pin each tick it changed, the step, hint and counters and
#   the last cue, read from the trace lines the session writes (as
#   sim.display and sim play read them).
#
# It runs on CPython as well (the fast tests drive it there); JSON strings
# carry the state, the simplest thing that crosses into JavaScript whole.
import heapq
import json

from facewand import board as board_file, cues, library
from facewand.names import VIBE_NAMES
from facewand.settings import Settings
from facewand.trace import hex_bytes
from sim import felt
from sim.fakehw import machine
from sim.session import Session
from sim.shown import Seen, cue_words, wire_rgb

# The shortest a level lasts from the page: the wand samples the button
# each 20 ms tick and takes a level only once it has held 25 ms
# (facewand.gestures' debounce), so a click quicker than a few ticks (a
# tap on a touch screen, a test's click) would pass unseen. A finger's
# click takes ~100 ms anyway.
MIN_DOWN_MS = 80
MIN_UP_MS = 60

# The wand's own time limit for one advance(): a page whose tab slept
# catches up this much at most, so one call never runs for long.
MAX_ADVANCE_MS = 5000


def vibrate_pattern(pattern):
    """A cue as navigator.vibrate() takes it: ms on, ms off, ... (the
    segments the motor driver plays, a segment running on into the next
    one without a gap joined into one pulse)."""
    i = VIBE_NAMES.index(pattern)
    seg = cues.VIBE[cues.VIBE_AT[i] * 3:cues.VIBE_AT[i + 1] * 3]
    out = []
    on = 0
    for j in range(0, len(seg), 3):
        on += seg[j] * cues.UNIT
        off = seg[j + 1] * cues.UNIT
        if off:
            out.append(on)
            out.append(off)
            on = 0
    if on:
        out.append(on)
    return out


class Shown(Seen):
    """What the trace says a person is shown, as sim.display keeps it
    (sim.shown.Seen), the step and counter cleared once no session is on
    (the page then says how to start), and the cues (numbered, so the page
    can tell a new one from the last)."""

    def __init__(self):
        Seen.__init__(self)
        self.cue = None           # the last vibe line, with its words and pulses
        self.cues = 0             # vibe lines so far

    def on_line(self, line):
        ev = json.loads(line)
        kind = self.seen(ev)
        if kind == "state":
            if self.state in ("idle", "offer", "off"):
                self.step = None
                self.count = ""
        elif kind == "vibe":
            self.cues += 1
            p = ev["pattern"]
            self.cue = {"n": self.cues, "name": p, "words": cue_words(p), "t": ev["t_ms"],
                        "ms": ev["ms"], "level": ev["level"], "pulses": vibrate_pattern(p)}


class WebWand:
    """One power-on of a wand on `board_path` with the library in
    `routines_dir`, `routine` the one a press starts. ValueError (one
    line) for a board or routine the wand would not take."""

    def __init__(self, board_path, routines_dir, routine):
        try:
            self.board = board_file.load(board_path)
        except board_file.BoardError as e:
            raise ValueError(str(e))
        routines, errors, _ = library.load(routines_dir)
        if errors:
            raise ValueError(errors[0])
        self.names = [r.name for r in routines]
        if routine not in self.names:
            raise ValueError("unknown routine %r (the wand holds: %s)" % (routine, ", ".join(self.names)))
        self.shown = Shown()
        self.drives = []          # [t, drive at the motor pin] each tick it changed, since the last advance
        self.drive = 0
        self.seq = 0
        self.last_edge = 0        # when the last edge lands
        self.level = False        # the button's level after it
        self.session = Session(routines, Settings(), [], self.shown.on_line, self.board,
                               choice=self.names.index(routine), on_step=self._sample,
                               until_off=True)
        self.world = self.session.world
        ring = self.board.ring
        self.pin = ring["pin"]
        self.order = ring["order"]
        self.rgb = bytearray(3 * ring["count"])
        self.ended = self.session.power_on()

    def _sample(self, t, engine):
        d = self.world.motor_output()
        if d != self.drive:
            self.drive = d
            self.drives.append([t, d])

    def info(self):
        """What does not change while this wand is on: for the page to lay
        itself out (the ring's size, the motor for the felt model, the
        library for the picker, whether a pressure sensor is fitted)."""
        b = self.board
        m = b.motor
        return json.dumps({
            "board": b.name, "count": b.ring["count"], "pressure": b.pressure is not None,
            "motor": {"kind": m["kind"], "min_duty": m.get("min_duty", 0), "lag_ms": m["lag_ms"],
                      "rise_ms": m["rise_ms"], "stop_ms": m["stop_ms"]},
            "routines": self.names, "routine": self.session.engine.routine.name,
        })

    def advance(self, t):
        """Every tick up to t ms since power-on (at most MAX_ADVANCE_MS on
        from the last), then the state as JSON."""
        s = self.session
        if not self.ended:
            t = int(t)
            if t > s.t + MAX_ADVANCE_MS:
                t = s.t + MAX_ADVANCE_MS
            self.ended = s.step(t)
        return self.state()

    def button(self, pressed, t):
        """The button's level from t ms since power-on: an edge into the
        world, landing on the tick after the last one made, and no sooner
        than MIN_DOWN_MS after the press (or MIN_UP_MS after the release)
        before it, so a quick click keeps both its edges in order."""
        pressed = bool(pressed)
        if pressed == self.level:
            return
        at = int(t)
        floor = self.session.t + 1
        if at < floor:
            at = floor
        least = self.last_edge + (MIN_DOWN_MS if self.level else MIN_UP_MS)
        if self.seq and at < least:
            at = least
        self.level = pressed
        self.last_edge = at
        w = self.world
        heapq.heappush(w.edges, (at, self.seq, pressed))
        self.seq += 1

    def pressure(self, permille):
        """The pressure sensor's reading (0..1000), held until changed; a
        board without one ignores it."""
        if self.board.pressure is not None:
            self.world.set_pressure(max(0, min(1000, int(permille))))

    def legend(self):
        """Every cue the wand has, in order: its name, its words, its
        pulses, and its segments as the driver plays them ([on ms, off ms,
        permille of the session level] each; for the page's legend)."""
        out = []
        for i in range(1, len(VIBE_NAMES)):
            p = VIBE_NAMES[i]
            seg = cues.VIBE[cues.VIBE_AT[i] * 3:cues.VIBE_AT[i + 1] * 3]
            out.append({"name": p, "words": cue_words(p), "pulses": vibrate_pattern(p),
                        "segments": [[seg[j] * cues.UNIT, seg[j + 1] * cues.UNIT, seg[j + 2] * cues.UNIT]
                                     for j in range(0, len(seg), 3)]})
        return json.dumps(out)

    def cue_drive(self, pattern, level):
        """The drive at the motor pin, [t, value] at each change, while
        this board's own motor driver plays cue `pattern` at session level
        `level` (0: the level of this session's last cue, else the softest
        a person can set), on hardware of its own; and the cue's end. For
        the legend: feel one cue on its own."""
        if not level:
            cue = self.shown.cue
            level = cue["level"] if cue is not None else felt.softest_level()
        world = machine.world       # felt plays on a world of its own: give the wand's back
        try:
            timeline, end = felt.drive_timeline(self.board, VIBE_NAMES.index(pattern), level)
        finally:
            machine.world = world
        return json.dumps({"drives": [[t, v] for t, v in timeline], "end": end, "level": level})

    def ring_hex(self):
        px = self.world.pixels.get(self.pin)
        if px is None:
            return ""
        return hex_bytes(wire_rgb(px.buf, self.order, self.rgb))

    def state(self):
        s = self.session
        e = s.engine
        sh = self.shown
        r = e.routine
        step = None
        hint = ""
        band = None
        if sh.step is not None:
            st = sh.step
            cur = r.step_of(e.sch.inst)
            hint = cur.hint
            step = {"index": st["index"], "of": len(r.steps), "name": st["name"], "zone": st["zone"],
                    "direction": st["direction"], "round": st["round"], "rounds": r.rounds}
            if sh.state in ("running", "paused"):
                band = cur.pressure_max
        drives = self.drives
        self.drives = []
        return json.dumps({
            "t": s.t, "ended": self.ended, "state": sh.state, "routine": r.name,
            "ring": self.ring_hex(), "drive": self.drive, "drives": drives,
            "cue": sh.cue, "step": step, "count": sh.count, "hint": hint, "band": band,
            "warns": sh.warns, "led": sh.led, "active_ms": min(e.active_ms, r.total_ms()),
            "total_ms": r.total_ms(),
        })


wand = None


def start(board_path, routines_dir, routine):
    """Power on a new wand (the one before is dropped); its info() JSON."""
    global wand
    wand = None
    wand = WebWand(board_path, routines_dir, routine)
    return wand.info()


def advance(t):
    return wand.advance(t)


def button(pressed, t):
    wand.button(pressed, t)


def pressure(permille):
    wand.pressure(permille)


def legend():
    return wand.legend()


def cue_drive(pattern, level):
    return wand.cue_drive(pattern, level)
