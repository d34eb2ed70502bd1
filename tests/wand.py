# A test double for the device shell: drives the engine on a virtual clock
# with ticks every TICK_MS and records every command it returns.
from facewand import ticks, cues
from facewand.commands import CMD_STRIDE, CMD_VIBE, CMD_STATE, CMD_STEP, STATE_NAMES
from facewand.engine import Engine
from facewand.view import RingView
from facewand.routine_file import parse
from facewand.settings import Settings

TICK_MS = 20


def routine(steps=None, **top):
    """A valid routine built through the real checker, small by default."""
    data = {
        "name": "test", "colour": "#102030", "rounds": 1,
        "pace": {"start_ms": 2000, "end_ms": 2000}, "intensity": 1.0,
        "steps": steps or [
            {"name": "A", "zone": "jaw", "direction": "up", "strokes": 2, "pressure_max": 0.5},
            {"name": "B", "zone": "eyes", "direction": "around", "strokes": 1, "presses": 2,
             "hold_ms": 1000, "pressure_max": 0.2},
        ],
    }
    data.update(top)
    return parse(data, "test.json")


class Wand:
    def __init__(self, r=None, start=0, pixels=12, **settings):
        self.e = Engine((r or routine(),), Settings(**settings), RingView(pixels))
        self.start = start
        self.t = 0                    # ms since power-on
        self.log = []                 # (t, kind, a, b, c)
        self._take(self.e.power_on(self.now))

    @property
    def now(self):
        return ticks.add(self.start, self.t)

    def _take(self, n):
        cm = self.e.out.cmds
        for i in range(n):
            j = i * CMD_STRIDE
            self.log.append((self.t, cm[j], cm[j + 1], cm[j + 2], cm[j + 3]))
        assert self.e.out.dropped == 0

    def run(self, ms):
        """Let `ms` pass, ticking as the device does."""
        end = self.t + ms
        while self.t < end:
            self.t = min(self.t + TICK_MS, end)
            self._take(self.e.tick(self.now))

    def edge(self, pressed):
        # As the shell does: report what was read, then one tick.
        self.e.button(pressed, self.now)
        self._take(self.e.tick(self.now))

    def press(self, hold=100):
        self.edge(True)
        self.run(hold)
        self.edge(False)

    def gesture(self, kind):
        """A whole gesture, then long enough for it to be recognised."""
        if kind == "press":
            self.press()
            self.run(400)
        elif kind == "long":
            self.press(1000)
            self.run(100)
        elif kind == "double":
            self.press()
            self.run(100)
            self.press()
            self.run(100)

    def pressure(self, permille):
        self.e.pressure(permille, self.now)
        self._take(self.e.tick(self.now))

    def battery(self, mv):
        self.e.battery(mv, self.now)
        self._take(self.e.tick(self.now))

    def since(self, t0):
        return [c for c in self.log if c[0] >= t0]

    @property
    def state(self):
        return STATE_NAMES[self.e.state]

    def states(self):
        return [STATE_NAMES[c[2]] for c in self.log if c[1] == CMD_STATE]

    def vibes(self, since=0):
        return [cues.VIBE_NAMES[c[2]] for c in self.log if c[1] == CMD_VIBE and c[0] >= since]

    def steps(self):
        return [(c[2], c[3]) for c in self.log if c[1] == CMD_STEP]
