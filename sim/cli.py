# python -m sim run --routine NAME_OR_PATH [--script FILE] [--trace FILE]
#                   [--realtime] [--quiet] [--start-tick N] [--board NAME]
#                   [--flash DIR [--date YYYY-MM-DDTHH:MM]]
# python -m sim wand [--board NAME]      (a virtual wand on a pseudo-terminal)
# python -m sim cues [--board NAME] [--level N]   (every cue as a hand feels it)
# python -m sim play --routine NAME [--board NAME] [--speed N]   (the wand in real time,
#                   the keyboard as its button: sim/play.py)
# python -m sim plot TRACE.jsonl -o OUT.png|.svg   (a session's timeline: sim/plot.py)
# python -m sim plot --history HISTORY.bin -o OUT.png|.svg [--today YYYY-MM-DD]
# python -m sim web [--port N] [--host H]   (the wand in a browser: sim/web.py, web/)
#
# Exit status: 0 when the run ends (done, off or an `end` line), 2 for bad
# input (unknown routine, invalid routine file, bad script line, unwritable
# trace file), with a one-line message and never a traceback.
import os
import sys
import time

from sim import paths
from sim.options import Parser, add_board
paths.add_firmware()

from facewand import board as board_file, library, routine_file  # noqa: E402
from facewand.names import STATE_NAMES  # noqa: E402
from facewand.settings import Settings     # noqa: E402
from sim.display import Display            # noqa: E402
from sim.fakehw.script import ScriptError, parse_script  # noqa: E402
from sim.session import Session, default_script  # noqa: E402


class BadInput(Exception):
    pass


def load_routines(arg):
    """The wand's library as the device would load it, with `arg` (a
    built-in name or a file, which joins the library) chosen. Returns
    (routines, index of the chosen one)."""
    extra = ()
    if "/" in arg or arg.endswith(".json"):
        try:
            name = routine_file.load(arg, source=arg).name
        except routine_file.RoutineError as e:
            raise BadInput(str(e))
        if os.path.dirname(os.path.realpath(arg)) != os.path.realpath(paths.ROUTINES):
            extra = (arg,)            # one of the wand's own files is there already
    else:
        name = arg
        if not os.path.exists(os.path.join(paths.ROUTINES, arg + ".json")):
            raise BadInput("unknown routine %r (built in: %s; or give a path to a .json file)"
                           % (arg, ", ".join(paths.builtin_names())))
    routines, errors, notices = library.load(paths.ROUTINES, extra)
    if errors:
        raise BadInput(errors[0])
    for note in notices:
        sys.stderr.write("sim: note: %s\n" % note)
    names = [r.name for r in routines]
    if name not in names:
        raise BadInput("%s: not loaded, the wand holds %d routines" % (arg, len(names)))
    return routines, names.index(name)


def load_board(name):
    try:
        path = paths.board_path(name)
    except ValueError as e:
        raise BadInput(str(e))
    try:
        return board_file.load(path)
    except board_file.BoardError as e:
        raise BadInput(str(e))


def load_script(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise BadInput("%s: cannot be read (%s)" % (path, e.strerror))
    try:
        text = raw.decode("utf-8")
    except UnicodeError:
        raise BadInput("%s: not UTF-8 text" % path)
    try:
        return parse_script(text, path)
    except ScriptError as e:
        raise BadInput(str(e))


def _parser():
    p = Parser(prog="python -m sim", description="Run the wand's engine on a virtual clock.",
               voice="sim")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a session")
    run.add_argument("--routine", required=True, help="a built-in routine name or a routine .json file")
    run.add_argument("--script", help="events file: '<seconds> press|long|double|pressure V|battery V|end'")
    run.add_argument("--trace", help="write the JSON Lines trace here")
    run.add_argument("--realtime", action="store_true", help="run at the speed of a real wand")
    run.add_argument("--quiet", action="store_true", help="do not draw the wand")
    run.add_argument("--start-tick", type=int, default=0,
                     help="ticks_ms value at power-on (test the wraparound)")
    add_board(run)
    run.add_argument("--flash", metavar="DIR",
                     help="use DIR as the wand's flash: boot from the settings, session in "
                     "progress and history saved there, and save to it (a later run with the same "
                     "DIR boots from what this one saved)")
    run.add_argument("--date", metavar="YYYY-MM-DDTHH:MM",
                     help="with --flash: the wand's clock at power-on, as a host sets it when it "
                     "connects (default: a clock nobody set)")
    run.add_argument("--wire", action="store_true",
                     help="add what leaves the drivers to the trace: motor duty (or DRV2605 RTP) "
                     "changes and the bytes written to the ring")
    cu = sub.add_parser("cues", help="every vibration cue as a hand would feel it, and whether it passes")
    add_board(cu)
    cu.add_argument("--level", type=int, default=None,
                    help="session level in permille (default: the softest a person can set)")
    pl = sub.add_parser("play", help="the wand in real time in the terminal, the keyboard as its "
                        "button and sensors (see sim/play.py)")
    pl.add_argument("--routine", required=True, help="a built-in routine name or a routine .json file")
    add_board(pl)
    pl.add_argument("--speed", default="1", metavar="N",
                    help="play N times faster than real time (default 1)")
    pt = sub.add_parser("plot", help="draw a trace (or the wand's journal.jsonl) as a timeline, "
                        "or a history.bin as weeks and the streak, to a .png or .svg")
    pt.add_argument("trace", nargs="?", help="a trace from run --trace, or a journal.jsonl")
    pt.add_argument("--history", metavar="FILE", help="a history.bin, instead of a trace")
    pt.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="the picture: FILE.png or FILE.svg")
    pt.add_argument("--today", metavar="YYYY-MM-DD",
                    help="with --history: the day the streak ends on (default: today)")
    wb = sub.add_parser("web", help="serve the wand in a browser (web/): the firmware on "
                        "MicroPython's WebAssembly build in the page, a static server here")
    wb.add_argument("--port", type=int, default=8000, metavar="N",
                    help="port to listen on (default 8000; 0: any free one, printed)")
    wb.add_argument("--host", default="127.0.0.1", metavar="H",
                    help="address to listen on (default 127.0.0.1: this machine only)")
    # Listed for --help; its own options are parsed by sim.wand.server.
    sub.add_parser("wand", help="serve a virtual wand on a pseudo-terminal, for mpremote "
                   "(options: --board NAME)")
    return p


def parse_date(text):
    """'2026-11-23T08:30' -> seconds since 1970 (the wand's clock)."""
    import calendar
    try:
        t = time.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise BadInput("--date: expected YYYY-MM-DDTHH:MM, got %r" % text)
    if not 2024 <= t.tm_year <= 2099:
        raise BadInput("--date: expected a year 2024..2099, got %d" % t.tm_year)
    return calendar.timegm(t)


def flash_dir(path):
    """The folder standing for the wand's flash, made if need be."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise BadInput("--flash %s: not a folder" % path)
    if not os.path.isdir(path):
        try:
            os.makedirs(path)
        except OSError as e:
            raise BadInput("--flash %s: cannot be made (%s)" % (path, e.strerror))
    return path.rstrip("/") or "/"


def run(args):
    board = load_board(args.board)
    routines, choice = load_routines(args.routine)
    if args.date and not args.flash:
        raise BadInput("--date: only with --flash (the clock matters only to what is saved)")
    clock_s = parse_date(args.date) if args.date else None
    flash = flash_dir(args.flash) if args.flash else None
    events = load_script(args.script) if args.script else default_script()
    trace = None
    if args.trace:
        try:
            trace = open(args.trace, "w", encoding="utf-8")
        except OSError as e:
            raise BadInput("%s: cannot be written (%s)" % (args.trace, e.strerror))
    display = None
    wall0 = time.monotonic()

    def write(line):
        if trace:
            try:
                trace.write(line + "\n")
            except OSError as e:
                raise BadInput("%s: cannot be written (%s)" % (args.trace, e.strerror))
        if display:
            display.on_line(line)

    def on_step(t, engine):
        if args.realtime:
            ahead = t / 1000 - (time.monotonic() - wall0)
            if ahead > 0:
                time.sleep(ahead)
        if display:
            display.on_step(t, engine)

    # Every tick is looked at only when someone watches (the picture) or
    # waits (real time); a trace alone lets the run leave quiet ticks out,
    # and with no trace and no picture no line is made at all.
    watched = args.realtime or not args.quiet
    session = Session(routines, Settings(), events, write if trace or watched else None, board,
                      choice=choice, start_tick=args.start_tick & 0x3FFFFFFF,
                      on_step=on_step if watched else None, wire=args.wire, flash=flash,
                      clock_s=clock_s)
    for message in getattr(session, "messages", ()):
        sys.stderr.write("sim: note: %s\n" % message)
    if not args.quiet:
        display = Display(session.engine)
    try:
        try:
            state = session.run()
        finally:
            if trace:
                try:
                    trace.close()        # the last buffered lines go out here
                except OSError as e:
                    raise BadInput("%s: cannot be written (%s)" % (args.trace, e.strerror))
        if display:
            display.on_step(session.t, session.engine, final=True)
    finally:
        if display:
            display.close()              # cursor shown, colours reset, on every way out
    if not args.quiet:
        print("ended %s at %.1f s simulated, %.2f s wall" % (
            STATE_NAMES[state], session.t / 1000, time.monotonic() - wall0))
    return 0


def cues_report(args, out=sys.stdout):
    from sim import felt
    from facewand import cues
    board = load_board(args.board)
    level = felt.softest_level() if args.level is None else args.level
    if not cues.MIN_LEVEL <= level <= cues.MAX_LEVEL:
        raise BadInput("--level: expected %d..%d (the engine's floor and cap), got %d"
                       % (cues.MIN_LEVEL, cues.MAX_LEVEL, level))
    m = board.motor
    what = ("ERM on PWM, stall at duty %d" % m["min_duty"] if m["kind"] == "pwm"
            else "%s on a DRV2605L" % m["actuator"].upper())
    out.write("%s: %s; lag %d ms, rise %d ms, stop %d ms; session level %d%s\n"
              % (board.name, what, m["lag_ms"], m["rise_ms"], m["stop_ms"], level,
                 " (the softest a person can set)" if level == felt.softest_level() else ""))
    out.write("pulse: driven ms / felt peak (of full) / felt ms; gap: ms / how far it falls\n\n")
    felt_cues, problems = felt.vocabulary(board, level)
    for f in felt_cues:
        pulses = " ".join("%d/%.2f/%d" % (p.on_ms, p.peak, p.width) for p in f.pulses)
        gaps = " ".join("%d/%d%%" % (g[0], g[1] * 100) for g in f.gaps) or "-"
        out.write("%-14s %-4s %s\n" % (f.name, "ok" if not f.problems else "FAIL", f.describe()))
        out.write("%-14s      pulses %s; gaps %s; %.1f/s\n" % ("", pulses, gaps, f.rate()))
        for problem in f.problems:
            out.write("%-14s      ! %s\n" % ("", problem))
    bad = sum(1 for f in felt_cues if f.problems) + len(problems)
    for problem in problems:
        out.write("! %s\n" % problem)
    out.write("\n%d cues, %s\n" % (len(felt_cues), "all felt, countable and distinct" if not bad
                                    else "%d problems" % bad))
    return 1 if bad else 0


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["wand"]:
        from sim.wand.server import main as wand_main
        return wand_main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        if args.command == "cues":
            return cues_report(args)
        if args.command == "play":
            from sim.play import play
            return play(args)
        if args.command == "plot":
            from sim import plot
            return plot.run(args)
        if args.command == "web":
            from sim import web
            return web.serve(args)
        return run(args)
    except BadInput as e:
        sys.stderr.write("sim: %s\n" % e)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into head or less that closed early: not an error.
        # Point stdout at nothing so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
