# Runs ON the emulated Pico (typed at its REPL by tests/bench.py): what the
# wand costs on the chip's own instruction set, with the real machine
# module, the real drivers and the real loop timing.
#
# It builds the wand as facewand.app does from /board.json and /routines,
# starts a watchdog (the runner times the button and sensor events from
# it), then runs TICKS ticks of a daily session on the 20 ms deadline loop
# with the heap locked around every tick, timing each one; between ticks
# the keeper writes to the real littlefs as the wand's loop has it do
# (facewand/keeper.py), each write timed, with how long nothing was due
# when it began. Prints "key value" lines, then "bench done".
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
try:
    LONG_JOURNAL = BENCH_LONG     # noqa: F821  (records of the long journal; set at the REPL)
except NameError:
    LONG_JOURNAL = 1500


def time_dump(journal, engine, shell):
    """How long writing the journal out holds the wand at power-off:
    power_off.save_journal, as facewand.app calls it (the steps' words read
    from the cache, journal.bin and the ring written as journal.jsonl;
    flash erase and program stall the CPU)."""
    from facewand import power_off
    gc.collect()
    t0 = time.ticks_us()
    power_off.save_journal(journal, engine, shell, "", None, None)
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
    writes = []                # (us the keeper's write took, ms nothing was due)
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
        quiet = time.ticks_diff(engine.wake_t, deadline)
        if keeper.poll(deadline, shell.motor_busy()):
            writes.append((time.ticks_diff(time.ticks_us(), t1), quiet))
        deadline = time.ticks_add(deadline, TICK_MS)
        late = time.ticks_diff(time.ticks_ms(), deadline)
        if late < 0:
            time.sleep_ms(-late)
    shell.shutdown()
    # The slowest ticks, with the kinds of what the engine said in them or
    # the tick before (from the journal's ring: a short run's records).
    slow = sorted(range(TICKS), key=lambda i: -spent[i])[:3]
    for i in slow:
        said = [journal.get(j)[1] for j in range(journal.first(), journal.count)
                if journal.get(j)[0] in (i * TICK_MS, i * TICK_MS - TICK_MS)]
        print("slow_tick %d ms %d us %s" % (i * TICK_MS, spent[i], said))
    sensed = engine.sense
    if sensed is not None:
        # Following: the detector's own cost per sample, on a person's
        # stroke (a pulse every 1.5 s), apart from the rest of the tick.
        print("sensed_strokes %d" % sum(1 for i in range(journal.first(), journal.count)
                                         if journal.get(i)[1] == 13))    # (commands.CMD_SENSED)
        n = 1500
        worst = 0
        total = 0
        t = deadline
        for i in range(n):
            x = i * 20 % 1500
            p = 30 + (250 * x // 700 if x < 350 else 250 * (700 - x) // 350 if x < 700 else 0)
            t0 = time.ticks_us()
            sensed.pressure(p, t)
            dt = time.ticks_diff(time.ticks_us(), t0)
            total += dt
            if dt > worst:
                worst = dt
            t = time.ticks_add(t, TICK_MS)
        print("sense_sample_mean_us %d" % (total // n))
        print("sense_sample_max_us %d" % worst)
    keeper.power_off(None)
    records = journal.count
    dump_us = time_dump(journal, engine, shell)
    # A long session's journal: the session's records repeated, put on
    # flash as the keeper does, to some 1,500 records (a 13-minute full
    # session sends about that many); then written out.
    from facewand import memory
    files = memory.Files()
    first = journal.first()
    while journal.count < LONG_JOURNAL:
        for i in range(32):
            r = journal.get(first + i % (journal.count - first if journal.count - first < 64 else 64))
            journal.take(r[0], r[1:], 1)
        memory.save_journal(files, "", journal)
    full_us = time_dump(journal, engine, shell)
    spent.sort()
    writes.sort()
    print("ticks %d" % TICKS)
    print("tick_median_us %d" % spent[TICKS // 2])
    print("tick_p99_us %d" % spent[TICKS * 99 // 100])
    print("tick_max_us %d" % spent[-1])
    print("ticks_that_allocated %d" % alloc)
    print("keeper_writes %d" % len(writes))
    if writes:
        print("keeper_write_median_us %d" % writes[len(writes) // 2][0])
        print("keeper_write_max_us %d" % writes[-1][0])
        print("keeper_quiet_min_ms %d" % min(q for _, q in writes))
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
