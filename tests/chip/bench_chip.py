# Runs ON the emulated Pico (typed at its REPL by tests/bench.py): what the
# wand costs on the chip's own instruction set, with the real machine
# module, the real drivers and the real loop timing.
#
# It builds the wand as facewand.app does from /board.json and /routines,
# starts a watchdog (the runner times the button and sensor events from
# it), then runs TICKS ticks of a daily session on the 20 ms deadline loop
# with the heap locked around every tick, timing each one. Prints
# "key value" lines, then "bench done".
import gc
import micropython
import time

import machine
import neopixel
from facewand import app, start
from facewand.shell import TICK_MS

try:
    TICKS = BENCH_TICKS       # noqa: F821  (set at the REPL before exec)
except NameError:
    TICKS = 1000


def time_dump(journal, engine, shell, path):
    """How long writing the journal holds the loop: as the wand does at
    power-off, the steps' words read from the cache, then trace.dump
    (flash erase and program stall the CPU)."""
    from facewand import power_off, trace
    gc.collect()
    t0 = time.ticks_us()
    trace.dump(journal, power_off.with_words("", engine.routines), path, None, None,
               shell.elapsed())
    return time.ticks_diff(time.ticks_us(), t0)


def main():
    # Built exactly as facewand.app.main builds it (main.py is left out of
    # this filesystem), start-up modules dropped as it drops them.
    board, hw, engine, shell, journal, keeper = start.start(machine, neopixel, time, "")
    app._forget(app.START_ONLY)
    gc.collect()
    spent = [0] * TICKS
    alloc = 0
    last_err = None
    wdt = machine.WDT(timeout=8000)
    deadline = time.ticks_ms()
    shell.power_on(deadline)
    for i in range(TICKS):
        # The heap is locked around the tick (an allocation raises), the
        # lock itself outside what is timed.
        micropython.heap_lock()
        t0 = time.ticks_us()
        try:
            shell.step(deadline)
            wdt.feed()
        except MemoryError as err:
            alloc += 1
            last_err = err
        t1 = time.ticks_us()
        micropython.heap_unlock()
        spent[i] = time.ticks_diff(t1, t0)
        deadline = time.ticks_add(deadline, TICK_MS)
        late = time.ticks_diff(time.ticks_ms(), deadline)
        if late < 0:
            time.sleep_ms(-late)
    shell.shutdown()
    records = journal.count
    dump_us = time_dump(journal, engine, shell, "/journal.jsonl")
    # A journal at capacity, the session's records repeated: the longest
    # write the wand makes.
    for i in range(journal.capacity - journal.count):
        r = journal.get(i % records)
        journal.take(r[0], r[1:], 1)
    full_us = time_dump(journal, engine, shell, "/journal.jsonl")
    spent.sort()
    print("ticks %d" % TICKS)
    print("tick_median_us %d" % spent[TICKS // 2])
    print("tick_p99_us %d" % spent[TICKS * 99 // 100])
    print("tick_max_us %d" % spent[-1])
    print("ticks_that_allocated %d" % alloc)
    if last_err is not None:
        import sys
        sys.print_exception(last_err)
    print("journal_records %d" % records)
    print("journal_dump_us %d" % dump_us)
    print("journal_full_records %d" % journal.count)
    print("journal_full_dump_us %d" % full_us)
    print("state %d" % engine.state)
    print("bench done")


main()
