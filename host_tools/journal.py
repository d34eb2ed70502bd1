# python -m host_tools journal: what the wand remembers of its sessions.
#
# The history (history.bin, one record per session: host_tools/history.py)
# as a table with the streak and the week, or as CSV or JSON; and the
# journal (journal.jsonl, written when the wand powers off) as a timeline a
# person can read, with a one-line summary.
#
# The journal is read line by line, as bytes: one bad line (not UTF-8, not
# JSON, nested too deeply, a known event with a field missing or of the
# wrong type) is skipped, and the rest is shown. One line on stderr names
# the file and the first line skipped with its reason, then the others by
# number. Event kinds this reader does not know are kept out of the
# timeline but are not errors: a newer firmware may write more. Only a file
# that cannot be read at all is bad input (exit status 2).
#
# Where from: the wand (--port, or the one on USB), or files on this
# computer: --file JOURNAL (a journal.jsonl or a simulator trace) and/or
# --history FILE (a history.bin); never both the wand and files.
# What: the history table (the default), --csv, --json, --timeline (the
# journal) or --raw (the journal's lines as they are). Given only --file,
# the default is the timeline, as it always was: that file holds no history.
import datetime
import json
import sys

from sim import paths
paths.add_firmware()

from facewand.schema import is_int, printable, show    # noqa: E402
from facewand import memory    # noqa: E402
from host_tools import history, ports    # noqa: E402
from host_tools.messages import BadInput, one_line, plural    # noqa: E402
from host_tools.session import Session    # noqa: E402
from host_tools.wandfiles import BytesFiles, WandFiles    # noqa: E402


class JournalError(ValueError):
    """Why one line is not an event this reader can use."""


def _clock(ms):
    return "%02d:%02d.%03d" % (ms // 60000, ms // 1000 % 60, ms % 1000)


def _text(s):
    """A string from the file as one printable line (a lone surrogate, a
    control character or U+2028 shown as an escape)."""
    return "".join(c if printable(c) else "\\u%04x" % ord(c) for c in s)


# What each known event holds (README.md, the trace table): field -> kind.
# Kinds: "text", "pos" (an integer from 1), "nat" (an integer from 0),
# "int" (any integer), "hex" (bytes as hex digits), or a tuple of allowed
# words. A field named with a "?" is optional.
TEXT, POS, NAT, INT, HEX, VALUE = "text", "pos", "nat", "int", "hex", "value"
EVENTS = {
    "state": {"state": TEXT},
    "step": {"index": POS, "name": TEXT, "round": POS, "zone": TEXT, "direction": TEXT},
    "stroke": {"n": POS, "of": POS},
    "point": {"action": ("press", "release"), "n": POS, "of": POS},
    "vibe": {"pattern": TEXT, "ms": NAT, "level": NAT},
    "led": {"pattern": TEXT, "rgb?": HEX},
    "warn": {"reason": TEXT},
    "clear": {"reason": TEXT},
    "routine": {"index": POS, "name": TEXT},
    "crash": {"error": TEXT},
    "input": {"input": ("press", "long", "double", "end", "powercut", "pressure", "battery", "set"),
              "permille?": NAT, "mv?": NAT, "key?": TEXT, "value?": VALUE},
    "motor": {"duty?": NAT, "rtp?": NAT},
    "ring": {"wire": HEX},
    "offer": {"kind": TEXT, "index": POS, "round": POS, "routine": TEXT},
    "note": {"note": TEXT},
    "setting": {"key": TEXT, "value": INT},
    "sensed": {"kind": ("stroke", "press", "light"), "n": NAT, "period_ms?": NAT, "peak?": NAT},
    "lost": {"records": NAT},
    "cut": {},
}
# The one value each kind of input or motor line carries.
_INPUT_VALUE = {"pressure": "permille", "battery": "mv", "set": "value"}
_EXPECTED = {TEXT: "text", POS: "an integer 1 or more", NAT: "an integer 0 or more",
             INT: "an integer", HEX: "hex digits, two a byte", VALUE: "an integer or true/false"}
T_MAX = 2 ** 53      # ms; more is not a time a wand has been on


def _show(v):
    """A value from the file, quoted back short: show() escapes and cuts
    text; a number of thousands of digits is described, not printed."""
    if is_int(v) and not -10 ** 20 < v < 10 ** 20:
        return "a number of %d digits" % len(str(abs(v)))
    return show(v)


def _ok(v, kind):
    if isinstance(kind, tuple):
        return isinstance(v, str) and v in kind
    if kind == TEXT:
        return isinstance(v, str)
    if kind == HEX:
        return (isinstance(v, str) and len(v) % 2 == 0
                and all(c in "0123456789abcdefABCDEF" for c in v))
    if kind == INT:
        return is_int(v)
    if kind == VALUE:
        return is_int(v) or v is True or v is False
    return is_int(v) and v >= (1 if kind == POS else 0)


def check(ev):
    """None when `ev` (a decoded line) is an event this reader can show or
    ignore; else what is wrong with it, in words, one line."""
    if not isinstance(ev, dict) or "t_ms" not in ev or "event" not in ev:
        return "expected an object with t_ms and event"
    t = ev["t_ms"]
    if not is_int(t) or not 0 <= t <= T_MAX:
        return "t_ms: expected an integer 0..%d, got %s" % (T_MAX, _show(t))
    kind = ev["event"]
    if not isinstance(kind, str):
        return "event: expected text, got %s" % _show(kind)
    fields = EVENTS.get(kind)
    if fields is None:
        return None                 # not one we know: not shown, not an error
    for key, want in fields.items():
        optional = key.endswith("?")
        key = key.rstrip("?")
        if key not in ev:
            if optional:
                continue
            return "%s: %s: missing" % (kind, key)
        if not _ok(ev[key], want):
            expected = ("one of " + ", ".join(want) if isinstance(want, tuple)
                        else _EXPECTED[want])
            return "%s: %s: expected %s, got %s" % (kind, key, expected, _show(ev[key]))
    if kind == "input" and ev["input"] in _INPUT_VALUE and _INPUT_VALUE[ev["input"]] not in ev:
        return "input: %s: missing" % _INPUT_VALUE[ev["input"]]
    if kind == "motor" and ("duty" in ev) == ("rtp" in ev):
        return "motor: expected one of duty or rtp"
    return None


def _lines(raw):
    """(line number, bytes) for each line that is not blank. Lines end at
    \\n only, as JSON Lines do; a \\r before it is kept (raw shows it)."""
    for n, line in enumerate(raw.split(b"\n"), 1):
        if line.strip():
            yield n, line


def _decode(line):
    """The event on one line, or JournalError saying why it is not one."""
    try:
        text = line.decode("utf-8")
    except UnicodeError:
        raise JournalError("not UTF-8 text")
    try:
        ev = json.loads(text)
    except RecursionError:
        raise JournalError("not a JSON line (nested too deeply)")
    except (ValueError, MemoryError):
        # ValueError also covers an integer of more digits than CPython
        # converts (sys.int_info.default_max_str_digits).
        raise JournalError("not a JSON line")
    why = check(ev)
    if why:
        raise JournalError(why)
    return ev


def parse(raw):
    """The events in `raw` (bytes, or text) and the lines skipped, as
    (events, [(line number, why), ...])."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    events, skipped = [], []
    for n, line in _lines(raw):
        try:
            events.append(_decode(line))
        except JournalError as e:
            skipped.append((n, str(e)))
    return events, skipped


def warning(source, skipped):
    """One line for every line skipped: the first with its reason, the
    others by number."""
    n, why = skipped[0]
    text = "%s:%d: skipped: %s" % (source, n, why)
    rest = [str(s[0]) for s in skipped[1:]]
    if len(rest) == 1:
        text += "; also skipped line %s" % rest[0]
    elif 1 < len(rest) <= 10:
        text += "; also skipped lines %s" % ", ".join(rest)
    elif rest:
        text += "; also skipped %d more lines (%s, ...)" % (len(rest), ", ".join(rest[:10]))
    return text


def describe(ev):
    """One event in words, or None for the ones a reader need not see."""
    k = ev["event"]
    if k == "state":
        return _text(ev["state"])
    if k == "step":
        return "step %d, round %d: %s (%s, %s)" % (ev["index"], ev["round"], _text(ev["name"]),
                                                  _text(ev["zone"]), _text(ev["direction"]))
    if k == "stroke":
        return "  stroke %d of %d" % (ev["n"], ev["of"])
    if k == "point":
        return "  %s point %d of %d" % (ev["action"], ev["n"], ev["of"])
    if k == "warn":
        return "WARNING %s" % _text(ev["reason"])
    if k == "clear":
        return "cleared %s" % _text(ev["reason"])
    if k == "routine":
        return "routine %d chosen: %s" % (ev["index"], _text(ev["name"]))
    if k == "crash":
        return "STOPPED BY AN ERROR: %s (motor and ring switched off)" % _text(ev["error"])
    if k == "input" and ev["input"] == "powercut":
        return "POWER CUT (the simulator's script cut the power here)"
    if k == "offer":
        return "offered to resume %s at step %d, round %d (press: resume, double: start over)" % (
            _text(ev["routine"]), ev["index"], ev["round"])
    if k == "note":
        return "note: %s" % NOTES.get(ev["note"], _text(ev["note"]))
    if k == "setting":
        return "setting changed on the wand: %s %s" % (_text(ev["key"]), _show(ev["value"]))
    if k == "sensed":
        if ev["kind"] == "stroke":
            pace = ev.get("period_ms", 0)
            return "  your stroke %d%s" % (ev["n"], ", your pace %.1f s" % (pace / 1000) if pace else "")
        if ev["kind"] == "press":
            return "  your press %d" % ev["n"]
        return "  a little more pressure: stroke %d peaked at %d permille" % (ev["n"], ev.get("peak", 0))
    if k == "lost":
        return "(%s not kept: the journal filled before they reached the flash)" % plural(
            ev["records"], "record")
    if k == "cut":
        return "POWER CUT: the wand's power went after this (its journal written at the next start)"
    return None


# What the wand says at power-on about its memory (names.NOTE_NAMES).
NOTES = {
    "settings_missing": "settings.json was missing: the defaults are used (and written)",
    "settings_bad": "settings.json holds a bad value: its default is used",
    "not_littlefs": "the filesystem is not littlefs: a power cut while saving can lose settings",
    "history_damaged": "damaged records in history.bin were skipped",
}


def timeline(events):
    out = []
    for ev in events:
        words = describe(ev)
        if words is not None:
            out.append("%s  %s" % (_clock(ev["t_ms"]), words))
    return out


def summary(events):
    steps = sum(1 for e in events if e["event"] == "step")
    warns = {}
    for e in events:
        if e["event"] == "warn":
            warns[e["reason"]] = warns.get(e["reason"], 0) + 1
    states = [e["state"] for e in events if e["event"] == "state"]
    times = [e["t_ms"] for e in events]
    span = max(times) - min(times) if times else 0
    w = ", ".join("%s x%d" % (_text(r), k) for r, k in sorted(warns.items())) or "none"
    return "%s over %s: %s started, ended %s, warnings: %s" % (
        plural(len(events), "event"), _clock(span), plural(steps, "step"),
        _text(states[-1]) if states else "?", w)


NO_JOURNAL = "the wand on %s has no journal yet: it writes one when it switches itself off"
NO_HISTORY = "no sessions in the history yet: the wand records each one when it ends"

VIEWS = ("table", "csv", "json", "timeline", "raw")
HISTORY_VIEWS = ("table", "csv", "json")


def cut_notes(events, sessions):
    """Lines that say where what the timeline shows was cut: the journal's
    start not kept, or the last session in the history cut off by the
    power (a wand writes its journal only when it switches itself off)."""
    notes = []
    if events and events[0]["t_ms"] != 0:
        notes.append("NOTE: the journal begins at %s, not at power-on: its earlier records "
                     "were not kept" % _clock(events[0]["t_ms"]))
    if sessions and sessions[-1].cut and not any(e["event"] == "cut" for e in events):
        s = sessions[-1]
        notes.append("NOTE: the last session in the history (%s, %s, %d of %d steps) was cut "
                     "off by a power cut, and this timeline is not of that session"
                     % (_text(s.routine), s.started() or "undated", s.steps_done,
                        s.steps_planned))
    return notes


def _read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise BadInput("%s: cannot be read (%s)" % (path, e.strerror or e))
    except MemoryError:
        raise BadInput("%s: cannot be read (too large)" % path)


def _write_raw(out, raw):
    """The file's non-blank lines, byte for byte."""
    data = b"".join(line + b"\n" for _, line in _lines(raw))
    buf = getattr(out, "buffer", None)
    if buf is not None:
        out.flush()
        buf.write(data)
        buf.flush()
    else:
        out.write(data.decode("utf-8", "backslashreplace"))


def choose_view(path, history_path, view):
    """The view asked for (one of VIEWS), or the default; BadInput when
    the files given do not hold what it shows."""
    from_wand = not path and not history_path
    if view is None:
        view = "timeline" if path and not history_path else "table"
    if from_wand:
        return view
    if view in HISTORY_VIEWS and not history_path:
        raise BadInput("--%s shows the history: give --history FILE (a history.bin), or "
                       "neither --file nor --history to read the wand" % view)
    if view not in HISTORY_VIEWS and not path:
        raise BadInput("--%s shows the journal: give --file FILE (a journal.jsonl), or "
                       "neither --file nor --history to read the wand" % view)
    return view


def main(port=None, path=None, raw=False, out=None, err=None, history_path=None, view=None,
         today=None):
    """`python -m host_tools journal`: from files, or fetched from the wand.
    view: one of VIEWS (raw=True is view "raw"); today: a datetime.date
    for the streak and the week (default: the host's date)."""
    out, err = out or sys.stdout, err or sys.stderr
    if raw:
        view = "raw"
    if port and (path or history_path):
        raise BadInput("--port reads the wand, --file and --history read files: not both")
    view = choose_view(path, history_path, view)
    wants_journal = view in ("timeline", "raw")
    wants_history = view != "raw"
    data = sessions = None
    damaged = 0
    if path or history_path:
        if path and wants_journal:
            data, source = _read_file(path), path
        if history_path and wants_history:
            files = BytesFiles({memory.HISTORY: _read_file(history_path)})
            sessions, damaged = history.decode(files)
            history_source = history_path
    else:
        port = ports.find_port(port)
        with Session(port, set_clock=True) as wand:
            if wants_journal:
                data = wand.read("journal.jsonl")
            if wants_history:
                sessions, damaged = history.decode(WandFiles(wand))
        source, history_source = "journal.jsonl", "history.bin"
        if wants_journal and data is None:
            out.write(NO_JOURNAL % port + "\n")
            return 0
    if damaged:
        err.write(one_line(history.damaged_note(history_source, damaged)) + "\n")
        err.flush()
    if view == "raw":
        # Raw is raw: every non-blank line as it is, checked or not.
        _write_raw(out, data)
        return 0
    if view == "timeline":
        events, skipped = parse(data)
        if skipped:
            err.write(one_line(warning(source, skipped)) + "\n")
            err.flush()
        for line in cut_notes(events, sessions or []) + timeline(events):
            out.write(line + "\n")
        out.write(summary(events) + "\n")
        return 0
    summary_ = history.Summary(sessions, today or datetime.date.today())
    if view == "csv":
        out.write(history.as_csv(sessions))
    elif view == "json":
        out.write(history.as_json(sessions, summary_, damaged))
    else:
        for line in (history.table(sessions) if sessions else [NO_HISTORY]):
            out.write(line + "\n")
        for line in summary_.lines():
            out.write(line + "\n")
    return 0
