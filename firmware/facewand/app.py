# The wand's main program: load the board, routines and drivers, run the
# engine on a steady 50 Hz deadline loop with a watchdog, and leave the
# motor and ring off on every way out. firmware/main.py calls main() with
# the real machine, neopixel and time modules; tests call it with
# simulated ones.
#
# Ways out, and what each leaves behind (outputs are off on all of them):
# - the wand switched itself off (or was switched off): journal, then sleep
#   until the next press;
# - an exception in the loop (a driver call that raised, anything): the
#   journal with a crash line the host can read, then sleep;
# - a part that will not start (a haptic driver that does not answer), or
#   no routine to run: an error pattern on whatever works, then sleep;
# - a board file that cannot be trusted (unknown pins: driving anything
#   could harm the hardware), the flash tool's maintenance file, or the
#   button held 5 s from a cold boot: no loop, no watchdog, the REPL free.
#
# Memory: what only start-up needs (the board and routine checkers, the
# JSON reader, the driver builder) is imported inside _start and, on
# MicroPython, dropped once the session is built: the loop runs with ~20 KB
# more heap. Nothing the loop keeps may refer to those modules (a class
# instance keeps its module's functions alive), so the board is kept as
# plain values and the journal's writer is imported only at power-off.
import sys

from facewand import cues
from facewand.commands import OFF
from facewand.ring import Ring
from facewand.view import PAINT_LAG
from facewand.shell import TICK_MS

from facewand.compat import const, describe

WDT_MS = const(4000)          # longer than the slowest thing a tick does
RESYNC_MS = const(200)        # this late, skip ahead instead of bursting ticks
JOURNAL_RECORDS = const(600)
MAINTENANCE_FILE = "maintenance"   # present: do not start (host_tools flash sets it)
MAINTENANCE_HOLD_MS = const(5000)  # held this long from a cold boot: maintenance
FAULT_SHOW_MS = const(2000)


def log(message):
    print("facewand: " + message)


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def _cold_boot(machine):
    # Power applied (not a wake from sleep, a watchdog or machine.reset()).
    try:
        return machine.reset_cause() == machine.PWRON_RESET
    except Exception:
        return False


def _held_for_maintenance(machine, button, time):
    """Wait for a press held at start-up to end (a wake press must not be
    taken as a gesture). True if it was held MAINTENANCE_HOLD_MS from a
    cold boot: a gesture no wake or power-off press makes. A button held
    longer than that otherwise (stuck) is left to the engine, which takes
    it as a long press and switches off."""
    if not button.pressed():
        return False
    cold = _cold_boot(machine)
    t0 = time.ticks_ms()
    while button.pressed():
        if time.ticks_diff(time.ticks_ms(), t0) >= MAINTENANCE_HOLD_MS:
            return cold
        time.sleep_ms(10)
    return False


def _show_fault(hw, count, time):
    """Say that something is wrong on whatever still works: the ring blinks
    red, the motor gives its fault cue; then both off."""
    picture = Ring(count)
    t0 = time.ticks_ms()
    if hw.motor is not None:
        try:
            hw.motor.play(cues.V_FAULT, cues.MAX_LEVEL, t0)
        except Exception:
            pass
    while True:
        now = time.ticks_ms()
        since = time.ticks_diff(now, t0)
        if since >= FAULT_SHOW_MS:
            break
        picture.fill(cues.RED, 220 if since // 250 % 2 == 0 else 0)
        for part in (hw.motor, hw.ring):
            if part is None:
                continue
            try:
                if part is hw.motor:
                    part.update(now)
                else:
                    part.show(picture)
            except Exception:
                pass
        time.sleep_ms(TICK_MS)
    _outputs_off(hw)


def _outputs_off(hw):
    if hw.motor is not None:
        hw.motor.stop()               # never raises: retries, then cuts
    if hw.ring is not None:
        for _ in range(2):
            try:
                hw.ring.off()
                return
            except Exception:
                pass


# Start-up modules that the loop does not use, dropped after _start.
_START_ONLY = ("board", "schema", "routine_file", "library", "hardware")


class _Board:
    """What the loop and sleep need of the board file, as plain values."""

    def __init__(self, board):
        self.chip = board.chip
        self.motor = board.motor
        self.button = board.button
        self.count = board.ring["count"]


def _start(machine, neopixel, time, root):
    """The wand built from its files: (board, hw, engine, shell, journal),
    or a reason string when it must not run (a board that cannot be
    trusted, maintenance), or (board, hw) when it can only sleep."""
    from facewand import board as board_file, hardware, library
    from facewand.engine import Engine
    from facewand.journal import Journal
    from facewand.settings import Settings
    from facewand.shell import Shell
    from facewand.view import RingView
    try:
        board = board_file.load(root + "/board.json")
    except board_file.BoardError as e:
        # Unknown pins: driving anything could harm the hardware. Say why.
        log(str(e))
        return "board"
    plain = _Board(board)
    settings = Settings()
    try:
        hw = hardware.build(board, machine, neopixel, settings.brightness, PAINT_LAG)
    except hardware.HardwareFault as e:
        log(str(e))
        _show_fault(e.parts, plain.count, time)
        return plain, e.parts
    if _exists(root + "/" + MAINTENANCE_FILE):
        # Asked for by the flash tool: stay out of the way (no loop, no
        # watchdog) so the REPL and mpremote have the board.
        _outputs_off(hw)
        log("maintenance mode: not starting")
        return "maintenance"
    if _held_for_maintenance(machine, hw.button, time):
        _outputs_off(hw)
        if hw.ring is not None:
            try:
                hw.ring.show(_maintenance_picture(plain.count))
            except Exception:
                pass
        log("maintenance mode (button held at power-on): not starting")
        return "maintenance"
    routines, errors, notices = library.load(root + "/routines")
    for e in errors + notices:
        log(e)
    if not routines:
        log("no routine could be loaded")
        _show_fault(hw, plain.count, time)
        return plain, hw
    # The wand keeps no perceptual copy of the ring's picture (only the
    # simulator shows it), which halves the cost of painting, and paints a
    # new pattern the tick after its cue (the ring holds it a tick less).
    engine = Engine(routines, settings, RingView(plain.count, False, PAINT_LAG), len(errors))
    journal = Journal(JOURNAL_RECORDS)
    return plain, hw, engine, Shell(engine, hw, journal), journal


def _forget(names):
    """Drop modules nothing refers to any more, so the heap gets them back."""
    import facewand
    for name in names:
        sys.modules.pop("facewand." + name, None)
        try:
            delattr(facewand, name)
        except AttributeError:
            pass


def main(machine, neopixel, time, root=""):
    """Returns a reason string when it stops without sleeping (maintenance,
    bad board file); otherwise powers the wand off into sleep, from which a
    button press restarts the firmware."""
    built = _start(machine, neopixel, time, root)
    if sys.implementation.name == "micropython":
        _forget(_START_ONLY)
        import gc
        gc.collect()
    if isinstance(built, str):
        return built
    if len(built) == 2:
        board, hw = built
        return _sleep(machine, board, hw, None, time)
    board, hw, engine, shell, journal = built
    built = None
    wdt = None
    crash = None
    try:
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
    except Exception as e:
        crash = describe(e)
        log("stopped by an error: " + crash)
    finally:
        # Also on KeyboardInterrupt (mpremote's Ctrl-C), which goes on up.
        shell.shutdown()
        _save_journal(journal, engine, shell, root + "/journal.jsonl", wdt, crash)
    return _sleep(machine, board, hw, wdt, time)


def _save_journal(journal, engine, shell, path, wdt, crash):
    feed = wdt.feed if wdt is not None else None
    try:
        from facewand import trace
        trace.dump(journal, engine, path, feed, crash, shell.elapsed())
    except Exception as e:
        log("journal not written: " + describe(e))


def _maintenance_picture(count):
    picture = Ring(count)
    picture.fill(cues.WHITE, 60)     # dim white: the wand is awake for a computer
    return picture


def _sleep(machine, board, hw, wdt, time):
    if wdt is not None:
        wdt.feed()
    if hw.button is None:
        # Nothing could wake it: sleep as deep as the chip can.
        log("no button: sleeping until power is cycled")
        machine.deepsleep()
        return "off"
    if board.chip == "rp2040":
        from facewand.drivers import sleep_rp2
        sleep_rp2.until_button(machine, hw.button, wdt)
    else:
        from facewand.drivers import sleep_esp32
        m = board.motor
        sleep_esp32.until_button(machine, hw.button, hw.button_pin, board.button["active_low"],
                                 m["pin"] if m["kind"] == "pwm" else -1, wdt)
    return "off"
