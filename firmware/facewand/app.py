# The wand's main program: load the board, routines and drivers, run the
# engine on a steady 50 Hz deadline loop with a watchdog, and leave the
# motor and ring off on every way out. firmware/main.py calls main() with
# the real machine, neopixel and time modules; tests call it with
# simulated ones.
from facewand import board as board_file
from facewand import hardware, library, trace
from facewand.engine import Engine, OFF
from facewand.journal import Journal
from facewand.settings import Settings
from facewand.shell import Shell, TICK_MS

from facewand.compat import const

WDT_MS = const(4000)          # longer than the slowest thing a tick does (the journal dump)
RESYNC_MS = const(200)        # this late, skip ahead instead of bursting ticks
JOURNAL_RECORDS = const(600)
MAINTENANCE_FILE = "maintenance"   # present: do not start (host_tools flash sets it)


def log(message):
    print("facewand: " + message)


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def _wait_release(button, time):
    # Woken by a press: wait for it to end so it is not taken as a gesture.
    t0 = time.ticks_ms()
    while button.pressed() and time.ticks_diff(time.ticks_ms(), t0) < 3000:
        time.sleep_ms(10)


def main(machine, neopixel, time, root=""):
    """Returns a reason string when it stops without sleeping (maintenance,
    bad board file, nothing to run); otherwise powers the wand off into
    sleep, from which a button press restarts the firmware."""
    try:
        board = board_file.load(root + "/board.json")
    except board_file.BoardError as e:
        # Unknown pins: driving anything could harm the hardware. Say why.
        log(str(e))
        return "board"
    routines, errors = library.load(root + "/routines")
    for e in errors:
        log(e)
    if not routines:
        log("no routine could be loaded")
        return "routines"
    settings = Settings()
    hw = hardware.build(board, machine, neopixel, settings.brightness)
    if _exists(root + "/" + MAINTENANCE_FILE) or hw.button.pressed():
        # Held at power-on, or asked for by the flash tool: stay out of the
        # way (no loop, no watchdog) so the REPL and mpremote have the board.
        hw.motor.stop()
        hw.ring.off()
        log("maintenance mode: not starting")
        return "maintenance"
    engine = Engine(routines, settings, board.ring["count"], len(errors))
    journal = Journal(JOURNAL_RECORDS)
    shell = Shell(engine, hw, journal)
    wdt = None
    try:
        _wait_release(hw.button, time)
        wdt = machine.WDT(timeout=WDT_MS)
        deadline = time.ticks_ms()
        shell.power_on(deadline)
        # Time given to the engine is the deadline, not the moment the loop
        # woke: the schedule stays exact however the sleeps fall.
        while engine.state != OFF or shell.motor_busy():
            shell.step(deadline)
            wdt.feed()
            deadline = time.ticks_add(deadline, TICK_MS)
            late = time.ticks_diff(time.ticks_ms(), deadline)
            if late < 0:
                time.sleep_ms(-late)
            elif late > RESYNC_MS:
                deadline = time.ticks_ms()
    finally:
        shell.shutdown()
        try:
            trace.dump(journal, engine, root + "/journal.jsonl")
        except OSError:
            pass
    wdt.feed()
    if board.chip == "rp2040":
        from facewand.drivers import sleep_rp2
        sleep_rp2.until_button(machine, hw.button, wdt)
    else:
        from facewand.drivers import sleep_esp32
        m = board.motor
        sleep_esp32.until_button(machine, hw.button_pin, board.button["active_low"],
                                 m["pin"] if m["kind"] == "pwm" else -1)
    return "off"
