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

_MASK = const(0x3FFFFFFF)   # ticks values are 0 .. _MASK
_HALF = const(0x20000000)   # the largest distance that can be told apart


def _diff(end, start):
    """Signed distance end - start in ms, correct across one wraparound.

    Valid while the true distance lies in -_HALF .. _HALF-1 (about 6 days)."""
    d = (end - start) & _MASK
    if d >= _HALF:
        d = d - _HALF - _HALF
    return d


def _add(t, delta):
    """t + delta modulo the tick period; delta may be negative (|delta| < _HALF)."""
    r = (t - _HALF + delta) & _MASK
    if r < _HALF:
        return r + _HALF
    return r - _HALF


# On MicroPython the same arithmetic is built in (its ticks period is 2**30
# on 32-bit ports, as here), and a call into C costs a tenth of a Python
# one on a Cortex-M0+: the engine asks for a tick difference a dozen times
# a tick. It is pure arithmetic; no clock is read. The differential tests
# (near the wraparound too) hold the two the same.
# getattr keeps the type checker on the signatures above: the stubs type
# time.ticks_* with a constrained type variable the engine's ints do not meet.
import time as _time

try:
    diff = getattr(_time, "ticks_diff")
    add = getattr(_time, "ticks_add")
except AttributeError:   # CPython
    diff = _diff
    add = _add
