# firmware's main program (facewand.app) on simulated hardware, written to
# run unchanged on CPython and on MicroPython (test_app.py runs each check on
# both through checkrun): the wand's journal must equal the simulator's trace
# for the same script, and every way out must leave the motor and ring off.
# Each check takes the wand's root folder (board.json, routines/, boards/)
# and a board's name.
import sys

from facewand import app, board as board_file, library, trace
from facewand.settings import Settings
from sim.fakehw import machine, neopixel, vtime, esp32 as fake_esp32
from sim.fakehw.script import parse_script, GESTURE_EDGES
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


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


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
    # A wand that has run before: its settings as they come, no session in
    # progress, no history (the checks share one filesystem).
    from facewand.memory import Files, write_settings
    write_settings(Files(), root, Settings())
    for name in ("progress.bin", "history.bin", "journal.bin", "journal.jsonl", "woke"):
        _rm(root + "/" + name)
    b = board_file.load(root + "/board.json")
    fake_esp32.wake = None
    w = World(b, parse_script(script, "script"))
    w.sleep_ends_run = True
    machine.world = w
    w.advance_to(0)                       # what the script does at power-on (a button held)
    return b, w


def run_main(root):
    try:
        return app.main(machine, neopixel, vtime, root)
    except SystemExit as e:
        return "exit: " + str(e.args[0] if e.args else "")


def sim_trace(root, b, script):
    routines, errors, _ = library.load(root + "/routines")
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
    if w.motor_output() != 0:
        return False
    for np in w.pixels.values():
        if any(np.buf):
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


# Button gestures the script language has no word for.
GESTURE_EDGES["hold2000"] = ((0, True), (2000, False))
GESTURE_EDGES["hold2500"] = ((0, True), (2500, False))
GESTURE_EDGES["hold6000"] = ((0, True), (6000, False))


def check_a_wake_press_is_never_maintenance(root, board_name):
    # Woken (not a cold boot) by a press still held 1.2 s into start-up.
    b, w = setup(root, board_name, "0 long\n")
    w.reset_cause = machine.DEEPSLEEP_RESET if b.chip != "rp2040" else machine.WDT_RESET
    assert run_main(root) != "maintenance"
    journal = _read(root + "/journal.jsonl")
    assert '"state":"idle"' in journal and '"state":"off"' in journal   # ran, then timed out
    # Even held 6 s: only a cold boot makes a long hold maintenance.
    b, w = setup(root, board_name, "0 hold6000\n")
    w.reset_cause = machine.DEEPSLEEP_RESET if b.chip != "rp2040" else machine.WDT_RESET
    assert run_main(root) != "maintenance"
    # From a cold boot: 1.2 s is a press, 6 s is maintenance.
    b, w = setup(root, board_name, "0 long\n")
    assert run_main(root) != "maintenance"
    b, w = setup(root, board_name, "0 hold6000\n")
    assert run_main(root) == "maintenance" and w.wdt is None and w.motor_output() == 0
    # An RP2040 wakes by a soft reset, which keeps the last hard reset's
    # cause (power-on, say): its sleep leaves a file that says it woke.
    b, w = setup(root, board_name, "0.5 long\n3 press\n")
    result = run_main(root)
    if b.chip == "rp2040":
        assert result == "exit: reset" and _exists(root + "/woke")
        b, w = setup(root, board_name, "0 hold6000\n")     # (setup clears it: as it was left)
        _write(root + "/woke", "")
        assert run_main(root) != "maintenance" and not _exists(root + "/woke")
    else:
        assert not _exists(root + "/woke")


def check_a_long_press_held_past_power_off_does_not_wake_the_wand(root, board_name):
    for hold in ("hold2000", "hold2500"):
        b, w = setup(root, board_name, "0.5 %s\n" % hold)
        result = run_main(root)
        assert result.startswith("exit") and w.resets == 0, (hold, result, w.resets)
        assert w.slept and outputs_off(w)
        journal = _read(root + "/journal.jsonl")
        assert journal.count('"state":"off"') == 1 and journal.count('"state":"idle"') == 1
        if b.chip != "rp2040":            # deep sleep only once the button was let go
            assert fake_esp32.wake is not None and w.t >= 500 + int(hold[4:])


def check_a_haptic_driver_that_does_not_answer_shows_an_error_then_sleeps(root, board_name):
    b, w = setup(root, board_name, "")
    kind = "pwm" if b.motor["kind"] == "pwm" else "i2c"
    w.inject(kind, 1, persist=True)       # a NACK from the first call on
    w.recording = True
    result = run_main(root)
    assert result.startswith("exit") and w.slept, result     # asleep, not awake with the REPL
    reds = [h for h in w.history if h[1] == "pixels"]
    assert reds, "the ring showed nothing"
    assert outputs_off(w)


def check_the_watchdog_is_fed_while_a_full_journal_is_written(root, board_name):
    from facewand.journal import Journal
    from facewand.engine import Engine
    from facewand.view import RingView
    routines, _, _ = library.load(root + "/routines")
    e = Engine(routines, Settings(), RingView(12))
    j = Journal(600)
    for i in range(700):
        e.out.n = 0
        e.out.emit(1, 0, 0, 0)
        j.take(i * 20, e.out.cmds, 1)
    feeds = [0]

    def feed():
        feeds[0] += 1
    trace.dump(j, e.routines, root + "/j.jsonl", feed)
    assert feeds[0] >= 600 // trace.FEED_EVERY


FAULT_KINDS = ("pwm", "i2c", "adc", "neopixel", "file")
FAULT_SCRIPT = "0.5 press\n4 pressure 0.9\n5 pressure 0.2\n9 press\n11 press\n14 long\n16 long\n"


def _count_calls(root, board_name):
    b, w = setup(root, board_name, FAULT_SCRIPT)
    for kind in FAULT_KINDS[:4]:
        w.inject(kind, 10 ** 9)           # count, never fail
    run_main(root)
    return b, dict((k, w.faults[k][2]) for k in FAULT_KINDS[:4])


def _points(total, most):
    """Up to `most` call numbers spread over 1..total, the first and last
    among them."""
    if total <= most:
        return list(range(1, total + 1))
    return sorted(set([1 + i * (total - 1) // (most - 1) for i in range(most)]))


def check_a_fault_in_any_driver_call_leaves_the_motor_off_within_a_tick(root, board_name, most=12):
    """Inject an EIO into every kind of driver call at points spread over a
    whole session (once, and from then on): the motor must be off within
    one tick of the failure, the crash recorded, the wand asleep."""
    b, calls = _count_calls(root, board_name)
    survived = 0
    for kind in FAULT_KINDS:
        if kind == "file":
            points, modes = [1], (False, True)
        elif calls[kind] == 0:
            continue
        else:
            points, modes = _points(calls[kind], most), (False, True)
        for at in points:
            for persist in modes:
                _inject_and_check(root, board_name, kind, at, persist)
                survived += 1
    return survived


def _inject_and_check(root, board_name, kind, at, persist):
    b, w = setup(root, board_name, FAULT_SCRIPT)
    seen = []                             # (t, drive on the motor) at every step of time
    w.watch = lambda: seen.append((w.t, w.motor_output()))
    if kind == "file":
        def failing_open(path, mode="r"):
            raise OSError(28)             # ENOSPC: the journal cannot be written
        trace.open = failing_open
    else:
        w.inject(kind, at, persist)
    try:
        result = run_main(root)
    finally:
        if kind == "file":
            del trace.open
    what = (board_name, kind, at, persist, result)
    assert result.startswith("exit"), what       # asleep: the fake's sleep ends the run
    assert w.slept, what
    assert w.motor_output() == 0, what
    if kind == "file":
        return
    assert w.fault_t >= 0, what
    late = [s for s in seen if s[0] >= w.fault_t + 20 and s[1] != 0]
    assert not late, (what, w.fault_t, late[:3])  # off within one tick of the failure
    if w.fault_t > 0 and not persist:
        # A failure in the loop leaves a crash line the host can read; one
        # in the orderly shutdown after it (the motor's last stop, retried)
        # leaves the journal of a wand that switched off.
        journal = _read(root + "/journal.jsonl")
        assert '"event":"crash"' in journal or journal.rstrip().endswith('"pattern":"off"}'), what


def check_start_up_modules_are_dropped_once_the_wand_runs(root, board_name):
    # On MicroPython the loop runs without the checkers and the builder
    # (~20 KB of heap on an RP2040); CPython keeps them (tests hold their
    # classes). Either way the wand ran its session.
    # Looked at while the loop runs (its first watchdog feed): at power-off
    # the journal's writer imports `checked` again for the steps' words.
    import sys
    setup(root, board_name, SCRIPT)
    for name in app.START_ONLY:
        __import__("facewand." + name)
    seen = []
    real_feed = machine.WDT.feed

    def feed(wdt):
        if not seen:
            seen.append([n for n in app.START_ONLY if "facewand." + n in sys.modules])
        real_feed(wdt)
    machine.WDT.feed = feed
    try:
        result = run_main(root)
    finally:
        machine.WDT.feed = real_feed
    assert result.startswith("exit"), result
    kept = seen[0]
    if sys.implementation.name == "micropython":
        assert kept == [], kept
    else:
        assert kept == list(app.START_ONLY), kept
    return len(app.START_ONLY)


CHECKERS = ("board", "schema", "routine_file", "library")


def check_an_ordinary_wake_imports_no_checker(root, board_name):
    # The first start with no checked.cache runs the checkers and keeps
    # their answer (facewand/checked.py); the next builds the same wand from
    # it without importing a checker, and runs the same session.
    import facewand
    _rm(root + "/checked.cache")
    setup(root, board_name, SCRIPT)
    assert run_main(root).startswith("exit")
    first = _read(root + "/journal.jsonl")
    from facewand import checked
    assert checked.read(root, checked.key(root)) is not None
    setup(root, board_name, SCRIPT)
    assert run_main(root).startswith("exit")
    assert _read(root + "/journal.jsonl") == first
    # A start alone, with the checkers out of sys.modules as on a wand just
    # woken (MicroPython has dropped them already; CPython gets them back).
    setup(root, board_name, "")
    saved = {}
    for name in CHECKERS:
        module = sys.modules.pop("facewand." + name, None)
        if module is not None:
            saved[name] = module
        try:
            delattr(facewand, name)
        except (AttributeError, KeyError):
            pass
    try:
        from facewand import start
        built = start.start(machine, neopixel, vtime, root)
        loaded = [name for name in CHECKERS if "facewand." + name in sys.modules]
        built[3].shutdown()
    finally:
        for name in saved:
            sys.modules["facewand." + name] = saved[name]
            setattr(facewand, name, saved[name])
    assert loaded == [], loaded
    assert len(built[2].routines) == 5
    return len(first.splitlines())


CHECKS = ("check_journal_matches_the_simulator", "check_start_up_modules_are_dropped_once_the_wand_runs", "check_every_way_out_leaves_motor_and_ring_off",
          "check_an_ordinary_wake_imports_no_checker",
          "check_journal_names_the_steps_that_ran_after_another_routine_is_chosen",
          "check_a_wake_press_is_never_maintenance",
          "check_a_long_press_held_past_power_off_does_not_wake_the_wand",
          "check_a_haptic_driver_that_does_not_answer_shows_an_error_then_sleeps",
          "check_the_watchdog_is_fed_while_a_full_journal_is_written",
          "check_a_fault_in_any_driver_call_leaves_the_motor_off_within_a_tick",
          "check_bad_files_never_stop_the_wand", "check_maintenance_mode")
BOARDS = ("pico", "esp32-devkitc", "xiao-rp2040")

