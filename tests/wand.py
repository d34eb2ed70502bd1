# A test double for the device shell: drives the engine on the simulator's
# clock (sim.clock: a tick every TICK_MS on the grid from power-on), gives
# it button gestures as a script's (sim.fakehw.script), and records every
# command it returns.
from facewand import cues, names
from facewand import compat as ticks
from facewand.commands import CMD_STRIDE, CMD_VIBE, CMD_STATE, CMD_STEP
from facewand.names import STATE_NAMES
from facewand.engine import Engine
from facewand.view import RingView
from facewand.routine_file import parse
from facewand.settings import Settings
from sim.clock import Clock
from sim.picture import FramedRing
from sim.fakehw.script import GESTURE_EDGES

GESTURE_LIMIT_MS = 5000       # no gesture takes the engine this long to make out


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
        self.e = Engine((r or routine(),), Settings(**settings), RingView(pixels, FramedRing(pixels)))
        self.start = start
        self.clock = Clock(self._tick)
        self.log = []                 # (t, kind, a, b, c)
        self._take(self.e.power_on(self.now))

    @property
    def t(self):
        """ms since power-on."""
        return self.clock.t

    @property
    def now(self):
        return ticks.add(self.start, self.t)

    def _take(self, n):
        cm = self.e.out.cmds
        for i in range(n):
            j = i * CMD_STRIDE
            self.log.append((self.t, cm[j], cm[j + 1], cm[j + 2], cm[j + 3]))
        assert self.e.out.dropped == 0

    def _tick(self, t):
        self._take(self.e.tick(self.now))

    def run(self, ms):
        """Let `ms` pass, ticking as the device does (and at the end, if
        that falls between two ticks, as an input coming then would)."""
        self.clock.run(self.t + ms)

    def edge(self, pressed):
        # As the shell does: report what was read, then one tick.
        self.e.button(pressed, self.now)
        self.clock.here()

    def gesture(self, kind):
        """A whole gesture, its button edges as a script's, then ticks
        until the engine has made it out (nothing left in hand)."""
        t0 = self.t
        for dt, pressed in GESTURE_EDGES[kind]:
            self.run(t0 + dt - self.t)
            self.edge(pressed)
        g = self.e.gestures
        self.clock.run(self.t + GESTURE_LIMIT_MS, stop=lambda: not g.busy)
        assert not g.busy, kind

    def pressure(self, permille):
        self.e.pressure(permille, self.now)
        self.clock.here()

    def battery(self, mv):
        self.e.battery(mv, self.now)
        self.clock.here()

    def since(self, t0):
        return [c for c in self.log if c[0] >= t0]

    @property
    def state(self):
        return STATE_NAMES[self.e.state]

    def states(self):
        return [STATE_NAMES[c[2]] for c in self.log if c[1] == CMD_STATE]

    def vibes(self, since=0):
        return [names.VIBE_NAMES[c[2]] for c in self.log if c[1] == CMD_VIBE and c[0] >= since]

    def steps(self):
        return [(c[2], c[3]) for c in self.log if c[1] == CMD_STEP]
