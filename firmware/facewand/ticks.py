# Wraparound-safe millisecond tick arithmetic, the same as MicroPython's
# time.ticks_add/ticks_diff on a 32-bit port (period 2**30): diff and add.
#
# The engine never reads a clock: shells hand it a tick value. Doing the
# arithmetic here (rather than calling time.ticks_diff) keeps the engine
# identical on CPython, where the simulator runs it, and on the device.
#
# On MicroPython the arithmetic is built in (its ticks period is 2**30 on
# 32-bit ports), and a call into C costs a tenth of a Python one on a
# Cortex-M0+: the engine asks for a tick difference a dozen times a tick.
# It is pure arithmetic; no clock is read. CPython has none, and gets the
# same in Python (facewand/ticks_math.py, which the wand never loads). The
# differential tests (near the wraparound too) hold the two the same.
# getattr keeps the type checker on ticks_math's signatures: the stubs type
# time.ticks_* with a constrained type variable the engine's ints do not meet.
import time

try:
    diff = getattr(time, "ticks_diff")
    add = getattr(time, "ticks_add")
except AttributeError:   # CPython
    from facewand.ticks_math import diff, add
