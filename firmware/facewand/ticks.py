# Wraparound-safe millisecond tick arithmetic, the same as MicroPython's
# time.ticks_add/ticks_diff on a 32-bit port (period 2**30).
#
# The engine never reads a clock: shells hand it a tick value. Implementing
# the arithmetic here (rather than calling time.ticks_diff) keeps the engine
# identical on CPython, where the simulator runs it, and on the device.
#
# Every intermediate value stays inside MicroPython's small-int range
# (-2**30 .. 2**30-1) so that nothing here allocates on the tick path: a sum
# such as t + delta could reach 1.5 * 2**30 and would become a heap integer.
from facewand.compat import const

MASK = const(0x3FFFFFFF)   # ticks values are 0 .. MASK
HALF = const(0x20000000)   # the largest distance that can be told apart


def diff(end, start):
    """Signed distance end - start in ms, correct across one wraparound.

    Valid while the true distance lies in -HALF .. HALF-1 (about 6 days)."""
    d = (end - start) & MASK
    if d >= HALF:
        d = d - HALF - HALF
    return d


def add(t, delta):
    """t + delta modulo the tick period; delta may be negative (|delta| < HALF)."""
    r = (t - HALF + delta) & MASK
    if r < HALF:
        return r + HALF
    return r - HALF
