# Wraparound-safe millisecond tick arithmetic in Python: what MicroPython's
# time.ticks_add/ticks_diff compute on a 32-bit port (period 2**30), for
# where there are none (CPython: the simulator and the tests), and for the
# virtual wand's clock (sim/fakehw/vtime.py). The wand itself uses its
# built-ins and never loads this (facewand/ticks.py).
#
# Every intermediate value stays inside MicroPython's small-int range
# (-2**30 .. 2**30-1) so that nothing here allocates on the tick path: a sum
# such as t + delta could reach 1.5 * 2**30 and would become a heap integer.
from facewand.compat import const

_MASK = const(0x3FFFFFFF)   # ticks values are 0 .. _MASK
_HALF = const(0x20000000)   # the largest distance that can be told apart


def diff(end, start):
    """Signed distance end - start in ms, correct across one wraparound.

    Valid while the true distance lies in -_HALF .. _HALF-1 (about 6 days)."""
    d = (end - start) & _MASK
    if d >= _HALF:
        d = d - _HALF - _HALF
    return d


def add(t, delta):
    """t + delta modulo the tick period; delta may be negative (|delta| < _HALF)."""
    r = (t - _HALF + delta) & _MASK
    if r < _HALF:
        return r + _HALF
    return r - _HALF
