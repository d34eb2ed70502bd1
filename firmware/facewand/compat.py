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
