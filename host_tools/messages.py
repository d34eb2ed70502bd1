# What host_tools says, and the two ways a command fails. Every other
# host_tools module may import this one, and it imports none of them, so
# the modules form no import circle.
#
# Every error is one line. BadInput ends a command with exit status 2: the
# command line, a board file, no wand or two of them, a port that cannot be
# opened, a wand whose MicroPython cannot load the build. Failure ends it
# with status 1: something broke on the way (mpy-cross, a wand that stops
# answering). host_tools/cli.py turns both into the line and the status.
from sim import paths
paths.add_firmware()

from facewand.schema import printable    # noqa: E402


class BadInput(Exception):
    """Exit status 2: the command line or the wand is not what the command needs."""


class NoWand(BadInput):
    """No wand on USB, and no --port given."""


class Failure(Exception):
    """Exit status 1: something broke on the way (the wand, mpy-cross)."""


def one_line(text):
    """A message as one line whatever it quotes (a file name, a value from
    a file): a newline becomes \\n, and every other character that would
    break the line or cannot be written as UTF-8 (other control characters,
    U+0085, U+2028, a lone surrogate) becomes an escape."""
    out = []
    for c in text:
        if c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif printable(c) or c == "\t":
            out.append(c)
        else:
            out.append("\\x%02x" % ord(c) if ord(c) < 0x100 else "\\u%04x" % ord(c))
    return "".join(out)


def last_line(text):
    """The last line that says something: what a tool or a traceback ends on."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def plural(n, word):
    """'1 file', '2 files': every count host_tools prints."""
    return "%d %s%s" % (n, word, "" if n == 1 else "s")
