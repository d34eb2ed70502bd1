# python -m host_tools routine check FILE...
#
# Output, one line per file, in the order given:
#   FILE: ok (N steps x R rounds, about M min S s)     on stdout
#   <the checker's error, e.g. a.json: steps[2].zone: expected ...>   on stderr
# FILE is the path as given, in both.
# Exit status: 0 when every file is ok, 2 when any is bad or the command
# line is wrong. Never a traceback: every bad input is one line.
#
# Commands are argparse subcommands, each with its own subcommands, so
# `flash` and `doctor` can be added beside `routine` without touching it.
#
# python -m host_tools flash --board NAME [--port PORT] [--dry-run]
# python -m host_tools doctor [--port PORT]
# python -m host_tools typecheck [--port rp2|esp32]
# python -m host_tools journal [--port PORT | --file FILE --history FILE]
#                              [--timeline | --csv | --json | --raw] [--today YYYY-MM-DD]
# python -m host_tools settings get [KEY] [--port PORT]
# python -m host_tools settings set KEY VALUE [--port PORT]
# (see host_tools/flash.py, doctor.py, journal.py, settings.py and typecheck.py).
# Their errors are one line too (host_tools/messages.py); status 2 means
# bad input, 1 anything else that failed. An error this code did not
# foresee is one line and status 1, never a traceback.
#
# This is the one argument parser (its error handling and --board are
# sim's too: sim/options.py). A command's module is imported when the
# command runs: those that talk to a wand bring in mpremote, whose import
# (0.1 s) routine check need not wait for.
import datetime
import os
import sys

from sim import paths
from sim.options import Parser, add_board
paths.add_firmware()

# The firmware's own checker, so a file that passes here loads on the wand.
from facewand import routine_file    # noqa: E402
from host_tools import typecheck    # noqa: E402
from host_tools.messages import BadInput, Failure, one_line, plural    # noqa: E402


# The commands that talk to a wand, each importing its module as it runs
# (see the top).

def _flash(args):
    from host_tools import flash
    return flash.flash(args.board, args.port, args.dry_run)


def _doctor(args):
    from host_tools import doctor
    return doctor.doctor(args.port)


def _journal(args):
    from host_tools import journal
    return journal.main(args.port, args.file, args.raw, history_path=args.history,
                        view=args.view, today=args.today)


def _settings_get(args):
    from host_tools import settings
    return settings.get(args.key, args.port)


def _settings_set(args):
    from host_tools import settings
    return settings.set_(args.key, args.value, args.port)


def _date(text):
    """--today: a date as YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
_date.__name__ = "date (YYYY-MM-DD)"    # argparse names the type in its error


def _duration(ms):
    s = (ms + 500) // 1000
    return "about %d min %d s" % (s // 60, s % 60)


def routine_check(args):
    bad = 0
    for path in args.files:
        try:
            r = routine_file.load(path, source=path)
        except routine_file.RoutineError as e:
            sys.stderr.write(one_line(str(e)) + "\n")
            bad += 1
            continue
        # Flushed so ok lines and errors interleave in order when both
        # streams go to one place.
        print("%s: ok (%s x %s, %s)"
              % (one_line(path), plural(len(r.steps), "step"),
                 plural(r.rounds, "round"),
                 _duration(r.total_ms())), flush=True)
    return 2 if bad else 0


def _parser():
    # A bad command line is one line and status 2, the same as a bad file.
    p = Parser(prog="python -m host_tools", description="Tools for the facewand on the host.",
               voice="host_tools", tidy=one_line)
    commands = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    routine = commands.add_parser("routine", help="work with routine files")
    routine_sub = routine.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = routine_sub.add_parser("check", help="check routine .json files as the wand would")
    check.add_argument("files", nargs="+", metavar="FILE", help="routine file to check")
    check.set_defaults(func=routine_check)

    fl = commands.add_parser(
        "flash", help="put the firmware onto a wand over USB",
        description="Build firmware/ for a board (the facewand package compiled to .mpy, main.py "
        "and routines as they are, the board file as board.json) into build/flash/NAME/, check "
        "the wand's MicroPython loads it, put the wand into maintenance mode, copy what differs "
        "from the wand's files (compared by sha256), remove files under facewand/ that the "
        "build no longer has, and leave maintenance mode with a reset. The board file is "
        "checked first by the wand's own checker. Exit status 2: bad input (unknown board, a "
        "board file the wand would refuse, no wand or several, a port that cannot be opened, "
        "wrong MicroPython); 1: a failure on the way.")
    add_board(fl, required=True)
    fl.add_argument("--port", help="the wand's serial port (default: the one plugged-in "
                    "Raspberry Pi/Espressif/CP210x/CH340/FTDI USB device)")
    fl.add_argument("--dry-run", action="store_true",
                    help="print the mpremote commands that would change the wand, one per "
                    "line, and run none of them. It still asks the wand for its MicroPython "
                    "and file hashes (read-only); if no wand is found or it cannot be reached it "
                    "says so in one line on stderr and shows the flash of an empty wand (every "
                    "file copied), with exit status 0")
    fl.set_defaults(func=_flash)

    doc = commands.add_parser(
        "doctor", help="show what a wand runs and holds",
        description="Print the wand's MicroPython, bytecode version, free heap, the board "
        "named in its board.json, and its files with their sha256, each compared with a "
        "fresh build for that board when boards/ has it. Writes nothing to the wand; a wand "
        "in a session is stopped by the query, and its watchdog restarts it a few seconds later.")
    doc.add_argument("--port", help="the wand's serial port (default: as for flash)")
    doc.set_defaults(func=_doctor)

    jr = commands.add_parser(
        "journal", help="show the history of sessions, or the journal of the last one",
        description="Show what the wand remembers. By default, its history (history.bin, one "
        "record per session, the last 64) as a table: date and time by the wand's clock (or "
        "undated), routine, steps done of planned, minutes active, pauses, pressure warnings, "
        "how it ended, and resumed for a session that went on after a power cut; then the "
        "streak (days in a row, up to today or yesterday, with a finished session), the "
        "sessions of the last 7 days and the totals (undated sessions count in the totals "
        "only). --csv and --json give the history as data. --timeline shows the journal of "
        "the last power-on (journal.jsonl, written when the wand switches itself off): "
        "states, steps, strokes, presses and warnings, then a one-line summary. A damaged "
        "history record, or a journal line that is not an event (not UTF-8, not JSON, a field "
        "missing or of the wrong type), is skipped, and one line on stderr says so. A wand "
        "with no journal yet says so, with exit status 0. Exit status 2 when a file cannot "
        "be read, or no wand is found or its port cannot be opened.")
    jr.add_argument("--port", help="read the wand on this port (default: as for flash)")
    jr.add_argument("--file", metavar="FILE",
                    help="read a journal (journal.jsonl, or a simulator trace) saved on this "
                    "computer instead of the wand; alone, it is shown as a timeline")
    jr.add_argument("--history", metavar="FILE",
                    help="read a history (history.bin) saved on this computer instead of the "
                    "wand; with --file too, the timeline says when the history's last session "
                    "was cut off by a power cut")
    view = jr.add_mutually_exclusive_group()
    view.add_argument("--timeline", dest="view", action="store_const", const="timeline",
                      help="show the journal of the last power-on as a timeline")
    view.add_argument("--csv", dest="view", action="store_const", const="csv",
                      help="print the history as CSV, a header row first")
    view.add_argument("--json", dest="view", action="store_const", const="json",
                      help="print the history as JSON: the sessions, each with named fields, "
                      "and the streak, the last 7 days and the totals")
    view.add_argument("--raw", action="store_true",
                      help="print the journal's lines exactly as they are (all but blank "
                      "ones), unchecked")
    jr.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                    help="count the streak and the last 7 days up to this date instead of "
                    "the host's today (for reproducible output)")
    jr.set_defaults(func=_journal, view=None)

    st = commands.add_parser(
        "settings", help="read or change the wand's settings",
        description="The wearer's settings the wand keeps in settings.json, read and checked "
        "by the wand's own code. Exit status 2 for an unknown setting or a value out of its "
        "limits (nothing is written), or when no wand is found or its port cannot be opened.")
    st_sub = st.add_subparsers(dest="action", metavar="ACTION", required=True)
    sg = st_sub.add_parser(
        "get", help="print the settings, or one",
        description="Print every setting, or KEY's, as `KEY VALUE` lines, the value spelled "
        "as JSON. A settings.json that is missing or holds a bad value prints what the wand "
        "uses instead (the defaults) and says so on stderr.")
    sg.add_argument("key", nargs="?", metavar="KEY", help="one setting (default: all)")
    sg.add_argument("--port", help="the wand's serial port (default: as for flash)")
    sg.set_defaults(func=_settings_get)
    ss = st_sub.add_parser(
        "set", help="change one setting",
        description="Check VALUE as the wand would, then write settings.json with it, every "
        "other setting kept as it was: written aside and renamed over the old file, so a "
        "power cut leaves the old settings or the new. VALUE is JSON (850, true, \"daily\"); "
        "anything else is taken as text, so a bare word is a string.")
    ss.add_argument("key", metavar="KEY", help="the setting")
    ss.add_argument("value", metavar="VALUE", help="its new value")
    ss.add_argument("--port", help="the wand's serial port (default: as for flash)")
    ss.set_defaults(func=_settings_set)

    tc = commands.add_parser(
        "typecheck", help="type-check firmware/ against the MicroPython stubs",
        description="Run pyright on firmware/ against the pinned micropython-PORT-stubs "
        "(installed into build/typings/PORT on first use). Status 1 when pyright complains.")
    tc.add_argument("--port", choices=sorted(typecheck.STUBS), action="append",
                    help="only this MicroPython port (default: all)")
    tc.set_defaults(func=lambda a: typecheck.main(a.port))
    return p


def main(argv=None):
    # A file name that is not valid UTF-8 must not crash the ok line.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except BadInput as e:
        sys.stderr.write("host_tools: %s\n" % one_line(str(e)))
        return 2
    except Failure as e:
        sys.stderr.write("host_tools: %s\n" % one_line(str(e)))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into head or less that closed early: not an error.
        # Point stdout at nothing so the interpreter's final flush is quiet.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Exception as e:    # noqa: BLE001 - the last line of defence: no traceback
        sys.stderr.write("host_tools: internal error, please report it: %s\n"
                         % one_line("%s: %s" % (type(e).__name__, e)))
        return 1
