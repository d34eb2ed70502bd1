# python -m host_tools routine check FILE...
#
# Output, one line per file, in the order given:
#   FILE: ok (N steps x R rounds, about M min S s)     on stdout
#   <the checker's error, e.g. a.json: steps[2].zone: expected ...>   on stderr
# Exit status: 0 when every file is ok, 2 when any is bad or the command
# line is wrong. Never a traceback: every bad input is one line.
#
# Commands are argparse subcommands, each with its own subcommands, so
# `flash` and `doctor` can be added beside `routine` without touching it.
import argparse
import sys

from sim import paths
paths.add_firmware()

# The firmware's own checker, so a file that passes here loads on the wand.
from facewand import routine_file    # noqa: E402


class _ArgParser(argparse.ArgumentParser):
    def error(self, message):
        # One line and status 2, the same as a bad file; no usage dump.
        sys.stderr.write("host_tools: %s\n" % message)
        raise SystemExit(2)


def _one_line(text):
    # A string value quoted back in an error may hold a newline; keep the
    # promise of one line per file.
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _source(path):
    # The file named as routine_file.load names it in its own errors.
    return path.rsplit("/", 1)[-1]


def _duration(ms):
    s = (ms + 500) // 1000
    return "about %d min %d s" % (s // 60, s % 60)


def routine_check(args):
    bad = 0
    for path in args.files:
        try:
            r = routine_file.load(path)
        except routine_file.RoutineError as e:
            sys.stderr.write(_one_line(str(e)) + "\n")
            bad += 1
            continue
        except RecursionError:
            # json.loads on CPython gives up on very deep nesting with
            # RecursionError, which is not a ValueError the checker catches.
            sys.stderr.write("%s: not valid JSON (nested too deeply)\n" % _source(path))
            bad += 1
            continue
        # Flushed so ok lines and errors interleave in order when both
        # streams go to one place.
        print("%s: ok (%d steps x %d rounds, %s)"
              % (path, len(r.steps), r.rounds, _duration(r.total_ms())), flush=True)
    return 2 if bad else 0


def _parser():
    p = _ArgParser(prog="python -m host_tools", description="Tools for the facewand on the host.")
    commands = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    routine = commands.add_parser("routine", help="work with routine files")
    routine_sub = routine.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = routine_sub.add_parser("check", help="check routine .json files as the wand would")
    check.add_argument("files", nargs="+", metavar="FILE", help="routine file to check")
    check.set_defaults(func=routine_check)
    return p


def main(argv=None):
    # A file name that is not valid UTF-8 must not crash the ok line.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
