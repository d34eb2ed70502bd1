# firmware's main program (facewand.app) on simulated hardware, written to
# run unchanged on CPython (test_app.py) and on MicroPython (the rig): the
# wand's journal must equal the simulator's trace for the same script, and
# every way out must leave the motor and ring off.
import sys

from facewand import app, board as board_file, library
from facewand.settings import Settings
from sim.fakehw import machine, neopixel, vtime, esp32 as fake_esp32
from sim.fakehw.script import parse_script
from sim.fakehw.world import World
from sim.session import Session

sys.modules["esp32"] = fake_esp32     # the ESP32 sleep path imports it

SCRIPT = """
0.5 press
4 pressure 0.9
5 pressure 0.2
20 double
30 press
34 press
"""


def _read(path):
    with open(path) as f:
        return f.read()


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _rm(path):
    import os
    try:
        os.remove(path)
    except OSError:
        pass


def setup(root, board_name, script):
    """The wand's filesystem at `root` (board.json, routines/ already there)
    and a world scripted by `script`, as the virtual wand would boot it."""
    _write(root + "/board.json", _read(root + "/boards/" + board_name + ".json"))
    b = board_file.load(root + "/board.json")
    w = World(b, parse_script(script, "script"))
    w.sleep_ends_run = True
    machine.world = w
    return b, w


def run_main(root):
    try:
        return app.main(machine, neopixel, vtime, root)
    except SystemExit as e:
        return "exit: " + str(e.args[0] if e.args else "")


def sim_trace(root, b, script):
    routines, errors = library.load(root + "/routines")
    lines = []
    Session(routines, Settings(), parse_script(script, "script"), lines.append, b).run()
    # The journal has no input lines and no frames.
    out = []
    for line in lines:
        if '"event":"input"' in line:
            continue
        i = line.find(',"rgb":')
        out.append(line[:i] + "}" if i >= 0 else line)
    return out


def outputs_off(w):
    for pwm in w.pwms.values():
        if pwm.duty_u16() != 0:
            return False
    for np in w.pixels.values():
        if any(np.buf):
            return False
    for bus in w.i2c.values():
        if bus.regs[0x02] != 0:
            return False
    return True


def check_journal_matches_the_simulator(root, board_name):
    b, w = setup(root, board_name, SCRIPT)
    result = run_main(root)
    journal = _read(root + "/journal.jsonl").splitlines()
    expected = sim_trace(root, b, SCRIPT)
    assert journal[:len(expected)] == expected, (board_name, len(journal), len(expected))
    assert result.startswith("exit"), result
    assert w.slept in ("light", "deep"), w.slept
    assert outputs_off(w)
    assert w.wdt is not None and w.wdt.longest < w.wdt.timeout
    return len(expected)


def check_every_way_out_leaves_motor_and_ring_off(root, board_name):
    b, w = setup(root, board_name, "0.5 press\n3.01 end\n")
    assert run_main(root).startswith("exit")         # stopped mid-cue
    assert outputs_off(w)

    # A fault inside the loop: the exception propagates, outputs still off.
    b, w = setup(root, board_name, "0.5 press\n")
    real = neopixel.NeoPixel.write
    calls = [0]

    def failing(self):
        calls[0] += 1
        if calls[0] == 200:
            raise KeyboardInterrupt()
        real(self)
    neopixel.NeoPixel.write = failing
    try:
        run_main(root)
        raised = False
    except KeyboardInterrupt:
        raised = True
    finally:
        neopixel.NeoPixel.write = real
    assert raised and outputs_off(w)


def check_journal_names_the_steps_that_ran_after_another_routine_is_chosen(root, board_name):
    # The journal is written at power-off: by then the wearer has chosen
    # another routine, and the steps that ran must keep their own names.
    b, w = setup(root, board_name, "0.5 press\n8 long\n12 double\n14 double\n")
    run_main(root)
    journal = _read(root + "/journal.jsonl")
    assert '"event":"routine","index":3,"name":"guasha"' in journal
    assert '"event":"step","index":1,"name":"Chin to ear"' in journal
    assert '"name":"Neck"' not in journal


def check_bad_files_never_stop_the_wand(root, board_name):
    _write(root + "/routines/zz-broken.json", "{not json")
    try:
        b, w = setup(root, board_name, "0.5 press\n6 end\n")
        run_main(root)
        journal = _read(root + "/journal.jsonl")
        assert '"pattern":"error"' in journal and '"state":"running"' in journal
    finally:
        _rm(root + "/routines/zz-broken.json")
    setup(root, board_name, "")
    _write(root + "/board.json", '{"name": "x", "chip": "rp2040"}')
    assert run_main(root) == "board"


def check_maintenance_mode(root, board_name):
    b, w = setup(root, board_name, "")
    _write(root + "/maintenance", "")
    try:
        assert run_main(root) == "maintenance"
        assert w.wdt is None and outputs_off(w)
    finally:
        _rm(root + "/maintenance")
    b, w = setup(root, board_name, "")
    w.set_button(True)                    # held at power-on
    assert run_main(root) == "maintenance"


CHECKS = ("check_journal_matches_the_simulator", "check_every_way_out_leaves_motor_and_ring_off",
          "check_journal_names_the_steps_that_ran_after_another_routine_is_chosen",
          "check_bad_files_never_stop_the_wand", "check_maintenance_mode")
BOARDS = ("pico", "esp32-devkitc", "xiao-rp2040")


if __name__ == "__main__":
    root = sys.argv[1]
    n = 0
    for board_name in BOARDS:
        for name in CHECKS:
            globals()[name](root, board_name)
            print("ok %s %s" % (name, board_name))
            n += 1
    print("%d passed, 0 failed" % n)
