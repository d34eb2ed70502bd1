# What the firmware needs that only MicroPython has, with CPython stand-ins.
#
# MicroPython folds `NAME = const(value)` while parsing (it matches the
# word `const`, wherever it was imported from), so importing const from
# here costs the device nothing; CPython just calls the stand-in.
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]
except ImportError:
    def const(x):  # pyright: ignore[reportAssignmentType]
        return x


def describe(e):
    """An exception in one short line, the same on both interpreters (their
    messages and reprs differ): its type and first argument."""
    name = type(e).__name__
    if e.args:
        return "%s %s" % (name, e.args[0])
    return name


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
import time  # noqa: E402  (tick arithmetic below)

try:
    diff = getattr(time, "ticks_diff")
    add = getattr(time, "ticks_add")
except AttributeError:   # CPython
    from facewand.ticks_math import diff, add
