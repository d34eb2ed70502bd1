# Sessions seen at the wire: what left the drivers (motor duty or RTP, the
# ring's bytes) beside the engine's picture and pattern at every tick, for
# tests that look at what a person meets rather than at the engine's
# commands.
import json

from facewand import board as board_file, library
from facewand.hardware import ORDERS
from facewand.settings import Settings
from sim.fakehw.script import parse_script
from sim.session import Session

from mprig import REPO_ROOT

ROUTINES, _, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))
NAMES = [r.name for r in ROUTINES]
BOARDS = sorted(p.stem for p in (REPO_ROOT / "boards").glob("*.json"))


def load_board(name):
    return board_file.load(str(REPO_ROOT / "boards" / (name + ".json")))


class Run:
    """One simulated session with --wire, and what happened at each tick."""

    def __init__(self, board, routine="daily", script=None, settings=None, load_errors=0,
                 routines=None, until_off=False, flash=None):
        self.board = board if not isinstance(board, str) else load_board(board)
        routines = routines or ROUTINES
        events = parse_script(script, "script") if script else [(500, "press", 0)]
        lines = []
        self.frames = {}          # t -> the engine's picture after that tick
        self.leds = {}            # t -> the engine's ring pattern after that tick
        s = Session(routines, settings or Settings(), events, lines.append, self.board,
                    choice=[r.name for r in routines].index(routine), load_errors=load_errors,
                    wire=True, until_off=until_off, flash=flash)

        def on_step(t, engine):
            self.frames[t] = bytes(engine.view.ring.frame)
            self.leds[t] = engine.led
        s.on_step = on_step
        s.run()
        self.session = s
        self.events = [json.loads(line) for line in lines]
        assert s.world.wire_lost == 0

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]

    def ring_writes(self):
        """(t, [(r, g, b) per pixel]) for every write to the ring, decoded
        from wire order."""
        slot = ORDERS[self.board.ring["order"]]
        out = []
        for e in self.of("ring"):
            raw = bytes.fromhex(e["wire"])
            px = [(raw[i + slot[0]], raw[i + slot[1]], raw[i + slot[2]]) for i in range(0, len(raw), 3)]
            out.append((e["t_ms"], px))
        return out

    def motor_timeline(self):
        """(t, drive value) each time the motor's drive changed."""
        return [(e["t_ms"], e.get("duty", e.get("rtp"))) for e in self.of("motor")]
