# Reading the wand's journal (journal.jsonl, written when it powers off):
# the trace lines as a timeline a person can read, and a one-line summary.
import json
import sys


class JournalError(ValueError):
    pass


def _clock(ms):
    return "%02d:%02d.%03d" % (ms // 60000, ms // 1000 % 60, ms % 1000)


def parse(text, source):
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            raise JournalError("%s:%d: not a JSON line" % (source, n))
        if not isinstance(ev, dict) or not isinstance(ev.get("t_ms"), int) or "event" not in ev:
            raise JournalError("%s:%d: expected an object with t_ms and event" % (source, n))
        events.append(ev)
    return events


def describe(ev):
    """One event in words, or None for the ones a reader need not see."""
    k = ev["event"]
    if k == "state":
        return ev["state"]
    if k == "step":
        return "step %d, round %d: %s (%s, %s)" % (ev["index"], ev["round"], ev["name"],
                                                  ev.get("zone", "?"), ev.get("direction", "?"))
    if k == "stroke":
        return "  stroke %d of %d" % (ev["n"], ev["of"])
    if k == "point":
        return "  %s point %d of %d" % (ev["action"], ev["n"], ev["of"])
    if k == "warn":
        return "WARNING %s" % ev["reason"]
    if k == "clear":
        return "cleared %s" % ev["reason"]
    if k == "routine":
        return "routine %d chosen: %s" % (ev["index"], ev["name"])
    return None


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
    span = events[-1]["t_ms"] - events[0]["t_ms"] if events else 0
    w = ", ".join("%s x%d" % kv for kv in sorted(warns.items())) or "none"
    return "%d events over %s: %d steps started, ended %s, warnings: %s" % (
        len(events), _clock(span), steps, states[-1] if states else "?", w)


def main(port=None, path=None, raw=False, out=None):
    """`python -m host_tools journal`: from a file, or fetched from the wand."""
    from host_tools import flash
    out = out or sys.stdout
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeError) as e:
            raise flash.BadInput("%s: cannot be read (%s)" % (path, getattr(e, "strerror", None) or e))
        source = path
    else:
        port = flash.find_port(port)
        text = flash._mpremote(port, ["fs", "cat", ":journal.jsonl"])
        source = "journal.jsonl"
    try:
        events = parse(text, source)
    except JournalError as e:
        raise flash.BadInput(str(e))
    if raw:
        for ev in events:
            out.write(json.dumps(ev) + "\n")
        return 0
    for line in timeline(events):
        out.write(line + "\n")
    out.write(summary(events) + "\n")
    return 0
