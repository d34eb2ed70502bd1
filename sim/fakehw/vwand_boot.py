# Run by the virtual wand after every reset, like firmware built into a
# board: if the wand has been flashed (/board.json), build the simulated
# world for it, scripted by /vwand_script.txt if present, and put the
# virtual clock in place of `time` so main.py runs on simulated time.
import sys


def _boot():
    try:
        open("/board.json").close()
    except OSError:
        return          # not flashed yet: a bare MicroPython board
    import machine
    import vtime
    from world import World
    from script import parse_script
    from facewand import board
    events = []
    try:
        with open("/vwand_script.txt") as f:
            events = parse_script(f.read(), "vwand_script.txt")
    except OSError:
        pass
    machine.world = World(board.load("/board.json"), events)
    machine.world.sleep_ends_run = True
    sys.modules["time"] = vtime


_boot()
