# Draws the simulated wand in a terminal: the ring as coloured cells, the
# motor, the step and how far through it and the session the person is.
#
# It reads the trace as it is written (the same lines a test or a tool
# would read) plus the ring's frame, so it shows only what the device shows.
import json
import sys
import time


_UP = "\x1b[%dA"
_CLEAR_LINE = "\x1b[2K"


def _cell(r, g, b):
    # The engine's picture is perceptual (before gamma and the board's
    # current cap), so it reads right on a screen as it is.
    if r == g == b == 0:
        return "\x1b[38;2;60;60;60m ○\x1b[0m"
    return "\x1b[38;2;%d;%d;%dm ●\x1b[0m" % (r, g, b)


def _clock(ms):
    s = ms // 1000
    return "%02d:%02d" % (s // 60, s % 60)


class Display:
    def __init__(self, engine, out=None, fps=20):
        self.engine = engine
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.min_gap = 1.0 / fps
        self.last_draw = 0.0
        self.drawn = 0
        self.state = "idle"
        self.step = None
        self.count = ""
        self.vibe = ("", 0)
        self.warns = set()
        self.led = ""

    def on_line(self, line):
        ev = json.loads(line)
        kind = ev["event"]
        if kind == "state":
            self.state = ev["state"]
            if not self.tty:
                self.out.write("%s  %s\n" % (_clock(ev["t_ms"]), ev["state"]))
        elif kind == "step":
            self.step = ev
            self.count = ""
            if not self.tty:
                self.out.write("%s  step %d/%d round %d: %s\n" % (
                    _clock(ev["t_ms"]), ev["index"], len(self.engine.routine.steps), ev["round"], ev["name"]))
        elif kind == "routine":
            if not self.tty:
                self.out.write("%s  routine %d: %s\n" % (_clock(ev["t_ms"]), ev["index"], ev["name"]))
        elif kind == "stroke":
            self.count = "stroke %d of %d" % (ev["n"], ev["of"])
        elif kind == "point":
            self.count = "%s point %d of %d" % (ev["action"], ev["n"], ev["of"])
        elif kind == "vibe":
            self.vibe = (ev["pattern"], ev["t_ms"] + ev["ms"])
        elif kind == "led":
            self.led = ev["pattern"]
        elif kind == "warn":
            self.warns.add(ev["reason"])
            if not self.tty:
                self.out.write("%s  warning: %s\n" % (_clock(ev["t_ms"]), ev["reason"]))
        elif kind == "clear":
            self.warns.discard(ev["reason"])

    def on_step(self, t, engine, final=False):
        if not self.tty:
            return
        now = time.monotonic()
        if not final and now - self.last_draw < self.min_gap:
            return
        self.last_draw = now
        self.draw(t, engine)

    def draw(self, t, engine):
        r = engine.routine
        f = engine.ring.frame
        cells = "".join(_cell(f[i], f[i + 1], f[i + 2]) for i in range(0, len(f), 3))
        name, until = self.vibe
        motor = ("\x1b[1m≋ %s\x1b[0m" % name) if t < until else "· still"
        if self.step:
            s = self.step
            step = "step %d/%d  %s  (%s, %s)  round %d/%d" % (
                s["index"], len(r.steps), s["name"], s["zone"], s["direction"], s["round"], r.rounds)
            hint = r.step_of(engine.inst).hint
        else:
            step, hint = "press to start" if self.state == "idle" else "", ""
        total = r.total_ms()
        done = min(engine.active_ms, total)
        width = 30
        filled = width * done // max(total, 1)
        bar = "█" * filled + "░" * (width - filled)
        warn = ("\x1b[31m⚠ %s\x1b[0m" % ", ".join(sorted(self.warns))) if self.warns else ""
        lines = [
            "facewand · %s · %s   %s" % (r.name, self.state, _clock(t)),
            "ring  %s   %s" % (cells, self.led),
            "motor %s" % motor,
            step,
            "      %s  %s" % (self.count, hint),
            "      %s %s / %s  %s" % (bar, _clock(done), _clock(total), warn),
        ]
        if self.drawn:
            self.out.write(_UP % self.drawn)
        for line in lines:
            self.out.write(_CLEAR_LINE + line + "\n")
        self.drawn = len(lines)
        self.out.flush()
