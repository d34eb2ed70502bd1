# The wand's start-up: the board file, the drivers, the maintenance checks,
# the routines, and the engine built from them. facewand.app calls start()
# once, then drops this module and the checkers it imported (app.START_ONLY):
# the loop runs without them. An ordinary wake imports no checker at all:
# the board and routines come from what they answered before
# (facewand.checked) while the files are the same.
from facewand import cues
from facewand.ring import Ring
from facewand.shell import TICK_MS, BoardFacts, log
from facewand.view import PAINT_LAG

from facewand.compat import const, describe

# The ring holds what comes between two of the keeper's writes to
# journal.bin (a quiet moment comes with nearly every stroke; it writes
# once 32 wait): the whole session is kept on flash.
JOURNAL_RECORDS = const(96)
MAINTENANCE_FILE = "maintenance"   # present: do not start (host_tools flash sets it)
MAINTENANCE_HOLD_MS = const(5000)  # held this long from a cold boot: maintenance
FAULT_SHOW_MS = const(2000)
_START_WDT_MS = const(8000)        # (the rp2's longest is 8388)
WOKE_FILE = "/woke"                # drivers/sleep_rp2.py's
CLOCK_FILE = "/clock"              # host_tools/session.py's
_CLOCK_GAP_S = const(6)            # a host's commands, then the watchdog's reset and a boot


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def _cold_boot(machine, woke):
    # Power applied (not a wake from sleep, a watchdog or machine.reset()).
    # A soft reset keeps the cause of the last hard one: an RP2040 woken by
    # its own soft reset said so in a file (drivers/sleep_rp2.py).
    if woke:
        return False
    try:
        return machine.reset_cause() == machine.PWRON_RESET
    except Exception:
        return False


def _restore_clock(machine, time, root):
    """A host that connected set the clock and left the time in /clock
    (host_tools/session.py); the watchdog reset that followed set an
    RP2040's clock back to 2021. After such a reset (not a power-on: then
    nobody knows how long the wand was off) the clock is put back, a few
    seconds on. The file goes either way."""
    try:
        import os
        with open(root + CLOCK_FILE) as f:
            y, mo, d, h, mi, s = [int(x) for x in f.read().split()]
        os.remove(root + CLOCK_FILE)
        if time.localtime()[0] >= 2024 or machine.reset_cause() == machine.PWRON_RESET:
            return
        t = time.localtime(time.mktime((y, mo, d, h, mi, s, 0, 0)) + _CLOCK_GAP_S)
        machine.RTC().datetime((t[0], t[1], t[2], t[6], t[3], t[4], t[5], 0))
    except Exception:
        pass


def _woke(machine, root):
    """Whether this start is the RP2040's wake from its sleep (a soft
    reset, its watchdog still running: armed afresh here, with room for the
    slowest start-up, until the loop arms its own)."""
    try:
        import os
        os.remove(root + WOKE_FILE)
    except OSError:
        return False
    try:
        machine.WDT(timeout=_START_WDT_MS)
    except Exception:
        pass
    return True


def _held_for_maintenance(machine, button, time, woke):
    """Wait for a press held at start-up to end (a wake press must not be
    taken as a gesture). True if it was held MAINTENANCE_HOLD_MS from a
    cold boot: a gesture no wake or power-off press makes. A button held
    longer than that otherwise (stuck) is left to the engine, which takes
    it as a long press and switches off."""
    if not button.pressed():
        return False
    cold = _cold_boot(machine, woke)
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
    outputs_off(hw)


def outputs_off(hw):
    if hw.motor is not None:
        hw.motor.stop()               # never raises: retries, then cuts
    if hw.ring is not None:
        for _ in range(2):
            try:
                hw.ring.off()
                return
            except Exception:
                pass


def start(machine, neopixel, time, root):
    """The wand built from its files: (board, hw, engine, shell, journal,
    keeper), or a reason string when it must not run (a board that cannot
    be trusted, maintenance), or (board, hw) when it can only sleep."""
    from facewand import checked, hardware, memory
    from facewand.keeper import Keeper
    from facewand.engine import Engine
    from facewand.journal import Journal
    from facewand.settings import Settings
    from facewand.shell import Shell
    from facewand.view import RingView
    # The board and routines as checked at an earlier start (or by the
    # flash tool) while their files are the same; else the checkers, whose
    # answer is kept for the next start. The key is taken before they read
    # anything: a file changed meanwhile makes the next key differ.
    woke = _woke(machine, root)
    _restore_clock(machine, time, root)
    key = checked.key(root)
    kept = checked.read(root, key)
    if kept is None:
        from facewand import board as board_file
        try:
            board = board_file.load(root + "/board.json")
        except board_file.BoardError as e:
            # Unknown pins: driving anything could harm the hardware. Say why.
            log(str(e))
            return "board"
    else:
        board = kept[0]
    plain = BoardFacts(board)
    # The wearer's settings first: the drivers are built with them. A bad
    # or missing file means the defaults, said on the console and, once the
    # engine is built, in the journal.
    files = memory.Files()
    settings = Settings()
    note, message = memory.read_settings(files, root, settings)
    if message:
        log(message)
    if board.pressure is not None and settings.pressure_full:
        board.pressure = dict(board.pressure, zero=settings.pressure_zero,
                              full=settings.pressure_full)
    try:
        hw = hardware.build(board, machine, neopixel, settings.brightness, PAINT_LAG)
    except hardware.HardwareFault as e:
        log(str(e))
        _show_fault(e.parts, plain.count, time)
        return plain, e.parts
    if _exists(root + "/" + MAINTENANCE_FILE):
        # Asked for by the flash tool: stay out of the way (no loop, no
        # watchdog) so the REPL and mpremote have the board.
        outputs_off(hw)
        log("maintenance mode: not starting")
        return "maintenance"
    if _held_for_maintenance(machine, hw.button, time, woke):
        outputs_off(hw)
        if hw.ring is not None:
            try:
                hw.ring.show(_maintenance_picture(plain.count))
            except Exception:
                pass
        log("maintenance mode (button held at power-on): not starting")
        return "maintenance"
    if kept is None:
        from facewand import library
        kept = (board,) + library.load(root + "/routines")
        # Now, before any session: the watchdog is not running yet, and
        # the flash write delays nothing. The cache keeps the steps' words
        # for the journal; the loop runs without them.
        checked.write(root, key, *kept)
        kept = kept[:1] + (checked.lean(kept[1]),) + kept[2:]
    if _exists(root + memory.JOURNAL):
        # The last wake was cut off before it wrote its journal out.
        from facewand import power_off
        power_off.journal_after_a_cut(root, power_off.with_words(root, kept[1]))
        _forget_power_off()
    board, routines, errors, notices = kept
    for e in errors + notices:
        log(e)
    if not routines:
        log("no routine could be loaded")
        _show_fault(hw, plain.count, time)
        return plain, hw
    # The wand keeps no perceptual copy of the ring's picture (only the
    # simulator shows it), which halves the cost of painting, and paints a
    # new pattern the tick after its cue (the ring holds it a tick less).
    clock = memory.wand_clock(time)
    try:
        choice, offer, cut, notes, messages = memory.recall(files, root, routines, settings, clock)
    except Exception as e:
        # A flash that will not be read or written: the wand runs on
        # without its memory rather than not at all.
        choice, offer, cut, notes, messages = 0, -1, None, 0, ["memory: " + describe(e)]
    for m in messages:
        log(m)
    engine = Engine(routines, settings, RingView(plain.count, False, PAINT_LAG), len(errors),
                    choice)
    engine.notes = notes | (1 << note if note else 0)
    engine.offer(offer)
    journal = Journal(JOURNAL_RECORDS)
    return (plain, hw, engine, Shell(engine, hw, journal), journal,
            Keeper(engine, root, files, time, cut, journal))


def _forget_power_off():
    import sys
    import facewand
    sys.modules.pop("facewand.power_off", None)
    sys.modules.pop("facewand.trace", None)
    for name in ("power_off", "trace"):
        try:
            delattr(facewand, name)
        except (AttributeError, KeyError):
            pass


def _maintenance_picture(count):
    picture = Ring(count)
    picture.fill(cues.WHITE, 60)     # dim white: the wand is awake for a computer
    return picture
