# What the wand does once its loop has ended and its outputs are off:
# write the journal, then sleep until the button wakes it. Imported by
# facewand.app only then (the heap is the loop's no longer), so the
# running wand holds none of this code.
from facewand.compat import describe
from facewand.shell import log


def save_journal(journal, engine, shell, root, wdt, crash):
    """journal.jsonl: what the keeper put in journal.bin during the wake,
    then what the ring still holds; then journal.bin goes. A wake in which
    no session began (and nothing went wrong) leaves the journal of the
    last one that did: that is the timeline a person asks for."""
    feed = wdt.feed if wdt is not None else None
    try:
        from facewand import memory, trace
        files = memory.Files()
        if not engine.sessions and crash is None and _exists(files, root + "/journal.jsonl"):
            memory.forget_journal(files, root)
            return
        trace.dump(journal, with_words(root, engine.routines), root + "/journal.jsonl",
                   feed, crash, shell.elapsed(), memory.chunks(memory.saved_journal(files, root)))
        memory.forget_journal(files, root)
    except Exception as e:
        log("journal not written: " + describe(e))


def _exists(files, path):
    try:
        files.open(path, "rb").close()
        return True
    except OSError:
        return False


def journal_after_a_cut(root, routines):
    """At start-up: a journal.bin left by a wake the power cut off (it
    never reached save_journal) becomes journal.jsonl, ending with a cut
    line; routines: the installed ones, with their words."""
    try:
        from facewand import memory, trace
        files = memory.Files()
        saved = memory.chunks(memory.saved_journal(files, root))
        if saved:
            trace.dump(None, routines, root + "/journal.jsonl", None, None, saved[-1][0], saved,
                       True)
        memory.forget_journal(files, root)
    except Exception as e:
        log("journal of the wake cut off not written: " + describe(e))


def with_words(root, routines):
    """The routines the wand ran, with their steps' words (names, zones,
    directions) for the journal: the loop keeps none (checked.lean), the
    cache written at start-up has them (~0.1 s to read on an RP2040,
    spent only now). Without a cache that matches, the steps are named ""."""
    try:
        from facewand import checked
        kept = checked.read(root, checked.key(root), True)
        if kept is not None and [r.name for r in kept[1]] == [r.name for r in routines]:
            return kept[1]
    except Exception:
        pass
    return routines


def sleep(machine, board, hw, wdt, root=""):
    """board: shell.BoardFacts. Returns "off" where the sleep returns
    (simulated machines); on the wand a press restarts the firmware."""
    if wdt is not None:
        wdt.feed()
    if hw.button is None:
        # Nothing could wake it: sleep as deep as the chip can.
        log("no button: sleeping until power is cycled")
        machine.deepsleep()
        return "off"
    if board.chip == "rp2040":
        from facewand.drivers import sleep_rp2
        sleep_rp2.until_button(machine, hw.button, wdt, root)
    else:
        from facewand.drivers import sleep_esp32
        sleep_esp32.until_button(machine, hw.button, hw.button_pin, board.active_low,
                                 board.motor_pin, wdt)
    return "off"
