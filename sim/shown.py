# What the simulators show a person of the wand, in words and light: what
# the trace says is shown (Seen), the cues named in plain words (README,
# "What the motor says"), and the ring's wire bytes as the light its LEDs
# give. Shared by the terminal (sim.display, `sim run` and `sim play`) and
# the wand in a browser (sim/web_wand.py, which runs on MicroPython in the
# page), so it keeps to what both interpreters have.
from facewand.hardware import ORDERS

# The cues in plain words, by facewand.names.
WORDS = {
    "stroke": "stroke", "stroke_last": "last stroke of a step", "press": "press the point",
    "release": "release", "pressure_high": "pressing too hard", "battery_low": "battery low",
    "start": "start", "pause": "pause", "resume": "resume", "end": "end early",
    "finish": "finished", "power_off": "power off", "wake": "wake",
    "fault": "fault at start-up", "offer": "a session cut off, offered back",
    "level": "intensity changed", "light": "a little more pressure",
}


def cue_words(pattern):
    if pattern.startswith("step") and pattern[4:].isdigit():
        return "step %s begins" % pattern[4:]
    if pattern.startswith("routine") and pattern[7:].isdigit():
        return "routine %s chosen" % pattern[7:]
    return WORDS.get(pattern, pattern)


# Each LED's linear drive (0..255) as the light it gives, sRGB-encoded: what
# a screen must show for the board's brightness cap and gamma to be seen.
# A table made once, so a frame costs no float arithmetic.
LIGHT = bytes(round(255 * (v / 255) ** (1 / 2.2)) for v in range(256))


def wire_rgb(buf, order, out=None):
    """The ring driver's wire bytes as RGB, pixel by pixel: the board's
    colour order undone, each byte as the light it gives. Into `out` (a
    bytearray as long as buf) when given, else a new one."""
    slot = ORDERS[order]
    if out is None:
        out = bytearray(len(buf))
    light = LIGHT
    for j in range(0, len(buf), 3):
        out[j] = light[buf[j + slot[0]]]
        out[j + 1] = light[buf[j + slot[1]]]
        out[j + 2] = light[buf[j + slot[2]]]
    return out


class Seen:
    """What the trace says a person is shown, kept line by line: the state,
    the step (its line, as a dict), the stroke or press counter, the
    warnings on (in the order they came) and the ring's pattern."""

    def __init__(self):
        self.state = "idle"
        self.step = None
        self.count = ""
        self.warns = []
        self.led = ""

    def seen(self, ev):
        """Take one trace event (a dict); returns its kind."""
        kind = ev["event"]
        if kind == "state":
            self.state = ev["state"]
        elif kind == "step":
            self.step = ev
            self.count = ""
        elif kind == "stroke":
            self.count = "stroke %d of %d" % (ev["n"], ev["of"])
        elif kind == "point":
            self.count = "%s point %d of %d" % (ev["action"], ev["n"], ev["of"])
        elif kind == "led":
            self.led = ev["pattern"]
        elif kind == "warn":
            if ev["reason"] not in self.warns:
                self.warns.append(ev["reason"])
        elif kind == "clear":
            if ev["reason"] in self.warns:
                self.warns.remove(ev["reason"])
        return kind
