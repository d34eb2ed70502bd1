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
# JSON reader, the driver builder: facewand.start) is imported in main() and, on
# MicroPython, dropped once the session is built: the loop runs with ~20 KB
# more heap. Nothing the loop keeps may refer to those modules (a class
# instance keeps its module's functions alive), so the board is kept as
# plain values, and the journal's writer and the sleep (facewand.power_off)
# are imported only at power-off.
import sys

from facewand.commands import OFF
from facewand.shell import TICK_MS, log

from facewand.compat import const, describe

# Start-up modules the loop does not use, dropped once the wand is built.
START_ONLY = ("start", "checked", "board", "schema", "routine_file", "library", "hardware",
              "memory", "settings_limits")

WDT_MS = const(4000)          # longer than the slowest thing a tick does
RESYNC_MS = const(200)        # this late, skip ahead instead of bursting ticks


def _forget(names):
    """Drop modules nothing refers to any more, so the heap gets them back."""
    import facewand
    for name in names:
        sys.modules.pop("facewand." + name, None)
        try:
            delattr(facewand, name)
        except (AttributeError, KeyError):    # (MicroPython's for a name never imported)
            pass


def main(machine, neopixel, time, root=""):
    """Returns a reason string when it stops without sleeping (maintenance,
    bad board file); otherwise powers the wand off into sleep, from which a
    button press restarts the firmware."""
    from facewand import start
    built = start.start(machine, neopixel, time, root)
    start = None
    if sys.implementation.name == "micropython":
        _forget(START_ONLY)
        import gc
        gc.collect()
    if isinstance(built, str):
        return built
    if len(built) == 2:
        board, hw = built
        from facewand import power_off
        return power_off.sleep(machine, board, hw, None, root)
    board, hw, engine, shell, journal, keeper = built
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
            # Between ticks: the keeper writes what is owed at a moment a
            # flash stall delays nothing (facewand/keeper.py).
            keeper.poll(deadline, shell.motor_busy())
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
        try:
            keeper.power_off(crash)
        except Exception as e:
            log("memory not written: " + describe(e))
        from facewand import power_off
        power_off.save_journal(journal, engine, shell, root, wdt, crash)
    return power_off.sleep(machine, board, hw, wdt, root)
