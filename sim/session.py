# A simulated session: a script of events on a virtual clock, driven
# through the firmware's engine, written out as a JSON Lines trace.
#
# This module runs on CPython (python -m sim) and on MicroPython (the
# differential tests run it there and compare traces line for line), so it
# keeps to what both have: no floats in anything that reaches the trace, and
# the JSON written by hand, because the two json modules disagree on dict
# order.
from facewand import ticks, cues
from facewand.engine import (
    Engine, CMD_STRIDE, CMD_STATE, CMD_STEP, CMD_VIBE, CMD_LED, CMD_WARN,
    CMD_CLEAR, CMD_STROKE, CMD_POINT, CMD_ROUTINE, POINT_PRESS, STATE_NAMES, REASON_NAMES,
    DONE, OFF,
)

TICK_MS = 20                 # the device's main loop runs at 50 Hz
BATTERY_EVERY_MS = 1000      # the device reads its battery once a second
DEFAULT_PRESS_MS = 500       # with no script: one short press at 0.5 s
LIMIT_MS = 4 * 3600 * 1000   # no run can go this long: auto-off ends it first

# How a script's gestures become button edges (ms after the line's time).
GESTURE_EDGES = {
    "press": ((0, True), (120, False)),
    "long": ((0, True), (1200, False)),
    "double": ((0, True), (100, False), (220, True), (320, False)),
}


class ScriptError(ValueError):
    pass


def decimal_to_int(text, scale):
    """'12.345' with scale 1000 -> 12345, without floats (MicroPython and
    CPython must read a script identically). None if not a plain decimal."""
    if not text or text[0] == "-" or text[0] == "+":
        return None
    whole, _, frac = text.partition(".")
    if not whole:
        whole = "0"
    if not whole.isdigit() or (frac and not frac.isdigit()) or text.endswith("."):
        return None
    digits = 0
    s = scale
    while s > 1:
        s //= 10
        digits += 1
    frac = (frac + "0" * digits)[:digits] if digits else ""
    return int(whole) * scale + (int(frac) if frac else 0)


def parse_script(text, source):
    """Script lines -> sorted list of (t_ms, kind, value). Errors name the
    file and line. Kinds: press, long, double, pressure (permille),
    battery (mV), end."""
    events = []
    lines = text.split("\n")
    for n in range(len(lines)):
        line = lines[n].split("#", 1)[0].strip()
        if not line:
            continue
        where = "%s:%d: " % (source, n + 1)
        words = line.split()
        t = decimal_to_int(words[0], 1000)
        if t is None:
            raise ScriptError(where + "expected a time in seconds first, got %r" % words[0])
        if len(words) < 2:
            raise ScriptError(where + "expected an event after the time")
        kind = words[1]
        if kind in GESTURE_EDGES or kind == "end":
            if len(words) != 2:
                raise ScriptError(where + "'%s' takes no value" % kind)
            events.append((t, kind, 0))
        elif kind == "pressure" or kind == "battery":
            if len(words) != 3:
                raise ScriptError(where + "'%s' needs one value" % kind)
            v = decimal_to_int(words[2], 1000)
            if kind == "pressure" and (v is None or v > 1000):
                raise ScriptError(where + "pressure must be 0..1, got %r" % words[2])
            if kind == "battery" and (v is None or v < 2000 or v > 5000):
                raise ScriptError(where + "battery must be 2.0..5.0 volts, got %r" % words[2])
            events.append((t, kind, v))
        else:
            raise ScriptError(where + "unknown event %r (expected press, long, double, "
                              "pressure, battery or end)" % kind)
    events.sort(key=lambda e: e[0])
    return events


def default_script():
    return [(DEFAULT_PRESS_MS, "press", 0)]


def _json_str(s):
    out = ['"']
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _hex(buf):
    return "".join("%02x" % b for b in buf)


class TraceWriter:
    """Turns the engine's commands into trace lines handed to `write`."""

    def __init__(self, engine, write):
        self.engine = engine
        self.write = write

    def line(self, t, event, rest):
        self.write('{"t_ms":%d,"event":"%s"%s}' % (t, event, rest))

    def commands(self, t, n):
        e = self.engine
        cm = e.cmds
        r = e.routine
        for i in range(n):
            j = i * CMD_STRIDE
            kind, a, b, c = cm[j], cm[j + 1], cm[j + 2], cm[j + 3]
            if kind == CMD_STATE:
                self.line(t, "state", ',"state":"%s"' % STATE_NAMES[a])
            elif kind == CMD_STEP:
                s = r.step_of(c)
                self.line(t, "step", ',"index":%d,"name":%s,"round":%d,"zone":"%s","direction":"%s"'
                          % (a, _json_str(s.name), b, s.zone, s.direction))
            elif kind == CMD_VIBE:
                self.line(t, "vibe", ',"pattern":"%s","ms":%d,"level":%d' % (cues.VIBE_NAMES[a], b, c))
            elif kind == CMD_LED:
                self.line(t, "led", ',"pattern":"%s","rgb":"%s"' % (cues.LED_NAMES[a], _hex(e.ring.frame)))
            elif kind == CMD_WARN or kind == CMD_CLEAR:
                self.line(t, "warn" if kind == CMD_WARN else "clear", ',"reason":"%s"' % REASON_NAMES[a])
            elif kind == CMD_STROKE:
                self.line(t, "stroke", ',"n":%d,"of":%d' % (a, b))
            elif kind == CMD_POINT:
                self.line(t, "point", ',"action":"%s","n":%d,"of":%d'
                          % ("press" if a == POINT_PRESS else "release", b, c))
            elif kind == CMD_ROUTINE:
                self.line(t, "routine", ',"index":%d,"name":%s' % (a + 1, _json_str(r.name)))

    def input(self, t, kind, value):
        if kind == "pressure":
            self.line(t, "input", ',"input":"pressure","permille":%d' % value)
        elif kind == "battery":
            self.line(t, "input", ',"input":"battery","mv":%d' % value)
        else:
            self.line(t, "input", ',"input":"%s"' % kind)


def _no_guard():
    pass


class Session:
    """One run: engine, virtual clock, scripted inputs, trace.

    `routines` are the wand's installed routines and `choice` the index of
    the one a press starts, as the device's library loader gives them.

    `start_tick` is what the virtual ticks_ms reads at power-on (tests set it
    near the wraparound). `lock`/`unlock` wrap every engine call; the
    MicroPython tests pass micropython.heap_lock/heap_unlock to prove the
    engine allocates nothing once built."""

    def __init__(self, routines, settings, events, write, start_tick=0,
                 lock=_no_guard, unlock=_no_guard, on_step=None, choice=0, load_errors=0):
        self.engine = Engine(routines, settings, load_errors, choice)
        self.trace = TraceWriter(self.engine, write)
        self.start_tick = start_tick
        self.lock = lock
        self.unlock = unlock
        self.on_step = on_step       # called after each instant (display, pacing)
        self.pressure = -1           # no sensor until the script sets a level
        self.battery = -1            # no battery monitor until the script sets one
        self.edges = []              # pending (t_ms, pressed), in time order
        self.events = events
        self.t = 0

    def _call(self, kind, value, t):
        e = self.engine
        now = ticks.add(self.start_tick, t)
        self.lock()
        if kind == 0:
            n = e.tick(now)
        elif kind == 1:
            n = e.button(value, now)
        elif kind == 2:
            n = e.pressure(value, now)
        else:
            n = e.battery(value, now)
        self.unlock()
        if n:
            self.trace.commands(t, n)

    def run(self):
        e = self.engine
        now = ticks.add(self.start_tick, 0)
        self.lock()
        n = e.power_on(now)
        self.unlock()
        self.trace.commands(0, n)
        ev = self.events
        i = 0
        t = 0
        next_tick = 0
        while t < LIMIT_MS:
            # The next instant: a tick, a script line or a button edge.
            t = next_tick
            if i < len(ev) and ev[i][0] < t:
                t = ev[i][0]
            if self.edges and self.edges[0][0] < t:
                t = self.edges[0][0]
            ended = False
            while i < len(ev) and ev[i][0] == t:
                kind, value = ev[i][1], ev[i][2]
                i += 1
                self.trace.input(t, kind, value)
                if kind == "end":
                    ended = True
                elif kind == "pressure":
                    self.pressure = value
                elif kind == "battery":
                    self.battery = value
                    self._call(3, value, t)
                else:
                    for dt, pressed in GESTURE_EDGES[kind]:
                        self.edges.append((t + dt, pressed))
                    self.edges.sort(key=lambda x: x[0])
            if ended:
                break
            while self.edges and self.edges[0][0] == t:
                self._call(1, self.edges.pop(0)[1], t)
            if t == next_tick:
                if self.pressure >= 0:
                    self._call(2, self.pressure, t)
                if self.battery >= 0 and t % BATTERY_EVERY_MS == 0:
                    self._call(3, self.battery, t)
                self._call(0, 0, t)
                next_tick += TICK_MS
            if self.on_step is not None:
                self.on_step(t, e)
            if e.state == DONE or e.state == OFF:
                break
        self.t = t
        return e.state
