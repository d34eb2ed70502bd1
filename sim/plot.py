# python -m sim plot TRACE.jsonl -o session.png|.svg
# python -m sim plot --history HISTORY.bin -o history.png|.svg [--today YYYY-MM-DD]
#
# A session trace (the simulator's --trace, or the wand's journal.jsonl) as
# a timeline: rounds and steps as bands, the state (paused shown) and the
# warnings as spans, the ring's patterns as a strip, each vibration cue as a
# mark coloured by what it means, the pressure the script set, and the
# offer, note, setting, routine, lost, cut and crash events as annotated
# markers. Or a history.bin (decoded by host_tools.history, the firmware's
# own reader) as sessions per week, finished or not, pressure warnings per
# week and the streak.
#
# The trace is read by host_tools.journal (the same line reader and checks
# as `python -m host_tools journal`); unlike that timeline, a plot is not
# drawn from a file with a line it cannot read: one line on stderr names
# the file and the first bad line, exit status 2. Event kinds it does not
# know are left out, as there. Drawn with matplotlib's Agg renderer, no
# display needed.
#
# draw_trace() and draw_history() return the figure; drawn(fig) says what
# is on it (each artist carries a gid: "vibe:stroke", "band:step", ...),
# which the tests read.
import collections
import datetime
import os
import sys
import warnings

from sim import paths
from sim.cli import BadInput
paths.add_firmware()

import matplotlib    # noqa: E402
matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg    # noqa: E402
from matplotlib.collections import Collection, PathCollection    # noqa: E402
from matplotlib.figure import Figure    # noqa: E402
from matplotlib.lines import Line2D    # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator    # noqa: E402

from facewand import memory    # noqa: E402
from host_tools import history, journal    # noqa: E402
from host_tools.messages import BadInput as HostBadInput, one_line    # noqa: E402
from host_tools.wandfiles import BytesFiles    # noqa: E402

FORMATS = {".png": "png", ".svg": "svg"}

# What each vibration cue means: (row, colour, legend label). Rows, bottom
# up: guidance, warning, state cue. stepN share one colour and label.
GUIDANCE, WARNING, STATE = 0, 1, 2
ROWS = ("guidance", "warning", "state cue")
VIBES = {
    "step": (GUIDANCE, "#1f77b4", "step N"),
    "stroke": (GUIDANCE, "#2ca02c", "stroke"),
    "stroke_last": (GUIDANCE, "#98df8a", "stroke_last"),
    "press": (GUIDANCE, "#9467bd", "press"),
    "release": (GUIDANCE, "#c5b0d5", "release"),
    "pressure_high": (WARNING, "#d62728", "pressure_high"),
    "battery_low": (WARNING, "#ff7f0e", "battery_low"),
    "light": (WARNING, "#f4a261", "light"),
    "start": (STATE, "#006400", "start"),
    "finish": (STATE, "#32cd32", "finish"),
    "pause": (STATE, "#7f7f7f", "pause"),
    "resume": (STATE, "#bcbd22", "resume"),
    "end": (STATE, "#000000", "end"),
    "power_off": (STATE, "#444444", "power_off"),
    "wake": (STATE, "#17becf", "wake"),
    "offer": (STATE, "#e377c2", "offer"),
    "level": (STATE, "#8c564b", "level"),
    "routine": (STATE, "#c49c94", "routine N"),
    "fault": (STATE, "#ff00ff", "fault"),
}
OTHER_VIBE = (STATE, "#aaaaaa", "other")

RING = {"off": "#303030", "idle": "#6a4c93", "start": "#8ecae6", "step": "#ffb703",
        "stroke": "#fb8500", "hold": "#e76f51", "paused": "#adb5bd", "warn": "#d62728",
        "battery_low": "#ff7f0e", "done": "#2a9d8f", "routine": "#c49c94", "error": "#ff00ff",
        "offer": "#e377c2", "level": "#8c564b"}
STATES = {"idle": "#dddddd", "running": "#a8dadc", "paused": "#6c757d", "done": "#2a9d8f",
          "off": "#303030", "offer": "#e377c2"}
REASONS = {"pressure_high": "#d62728", "battery_low": "#ff7f0e"}
# Events shown as annotated markers: marker, colour.
MARKERS = {"offer": ("D", "#e377c2"), "note": ("o", "#1f77b4"), "setting": ("s", "#8c564b"),
           "routine": ("^", "#c49c94"), "lost": ("X", "#ff7f0e"), "cut": ("v", "#000000"),
           "crash": ("X", "#d62728")}
INPUTS = {"press": "o", "double": "d", "long": "s", "end": "x", "powercut": "v"}
# What the wand sensed (the `sensed` events): marker, colour, height on the pressure axis.
SENSED = {"stroke": ("^", "#2ca02c", 980), "press": ("s", "#9467bd", 980), "light": ("v", "#f4a261", 940)}

# Rows of the bands axes, bottom up.
BANDS = ("ring", "warning", "state", "step", "round")
ENDS = ("done", "off", "idle", "offer")     # a session's steps end at these states


def _label(text, most=40):
    """Text from the file, safe to draw: one line, cut short, no mathtext."""
    text = one_line(str(text))
    if len(text) > most:
        text = text[:most - 1] + "\u2026"
    return text.replace("$", r"\$")


def _vibe_kind(pattern):
    if pattern.startswith("step") and pattern[4:].isdigit():
        return "step"
    if pattern.startswith("routine") and pattern[7:].isdigit():
        return "routine"
    return pattern


def _clock(x, _pos=None):
    s = int(round(x))
    return "%d:%02d" % (s // 60, s % 60) if s >= 0 else ""


def read_trace(path):
    """The events in the file at `path`; BadInput when it cannot be read,
    holds a line that is not an event, or holds none."""
    try:
        raw = journal._read_file(path)
    except HostBadInput as e:
        raise BadInput(str(e))
    events, skipped = journal.parse(raw)
    if skipped:
        n, why = skipped[0]
        more = len(skipped) - 1
        raise BadInput(one_line("%s:%d: %s%s" % (path, n, why, "" if not more else
                                                 " (and %d more bad lines)" % more)))
    if not events:
        raise BadInput(one_line("%s: no events (expected JSON Lines, as sim run --trace "
                                "writes)" % path))
    return events


def _intervals(events, start_kind, key, end_kind=None, t_end=0):
    """{value: [(t0, t1), ...]}: from each `start_kind` event to the next
    one (or, with end_kind, to its matching end), or to t_end."""
    out = collections.defaultdict(list)
    open_ = {}
    for ev in events:
        if end_kind is None and ev["event"] == start_kind:
            for v, t0 in open_.items():
                out[v].append((t0, ev["t_ms"]))
            open_ = {ev[key]: ev["t_ms"]}
        elif ev["event"] == start_kind and ev[key] not in open_:
            open_[ev[key]] = ev["t_ms"]
        elif ev["event"] == end_kind and ev[key] in open_:
            out[ev[key]].append((open_.pop(ev[key]), ev["t_ms"]))
    for v, t0 in open_.items():
        out[v].append((t0, t_end))
    return out


def _steps(events, t_end):
    """[(round, index, name, t0, t1)]: each step until the next, or until
    the session stops (done, off, idle, offer), or the trace's end."""
    out = []
    cur = None
    for ev in events:
        k = ev["event"]
        if k == "step" or (k == "state" and ev["state"] in ENDS) or k in ("cut", "crash"):
            if cur:
                out.append(cur + (ev["t_ms"],))
                cur = None
        if k == "step":
            cur = (ev["round"], ev["index"], ev["name"], ev["t_ms"])
    if cur:
        out.append(cur + (t_end,))
    return out


def _bars(ax, y, spans, colour, gid, label=None, **kw):
    """Spans (t0, t1 in ms) as one bar collection on row y."""
    c = ax.broken_barh([(t0 / 1000, max(t1 - t0, 1) / 1000) for t0, t1 in spans], (y - 0.4, 0.8),
                       facecolors=colour, label=label or "_nolegend_", **kw)
    c.set_gid(gid)
    return c


def draw_trace(events, title="session"):
    """The timeline of a session trace, as a Figure."""
    events = sorted(events, key=lambda e: e["t_ms"])     # stable: a journal is in order
    t_end = max(e["t_ms"] + (e["ms"] if e["event"] == "vibe" else 0) for e in events)
    t_begin = min(e["t_ms"] for e in events)
    fig = Figure(figsize=(16, 9), layout="constrained")
    FigureCanvasAgg(fig)
    ax_ev, ax_band, ax_vibe, ax_p = fig.subplots(
        4, 1, sharex=True, gridspec_kw={"height_ratios": [1.3, 2.6, 1.4, 1.8]})
    fig.suptitle(_label(title, 120))

    # Bands: rounds, steps, states, warnings, the ring.
    rows = {name: i for i, name in enumerate(BANDS)}
    steps = _steps(events, t_end)
    # a round's band: its steps one after another, until another round or a
    # gap (the session stopped: a resumed one draws a band of its own)
    rounds = []
    for r, _i, _n, t0, t1 in steps:
        if rounds and rounds[-1][0] == r and rounds[-1][2] == t0:
            rounds[-1][2] = t1
        else:
            rounds.append([r, t0, t1])
    for r, t0, t1 in rounds:
        _bars(ax_band, rows["round"], [(t0, t1)], "#e9c46a" if r % 2 else "#f4a261", "band:round",
              edgecolor="white")
        ax_band.text((t0 + t1) / 2000, rows["round"], "round %d" % r, ha="center", va="center",
                     fontsize=8, clip_on=True, gid="label:round")
    span = max(t_end - t_begin, 1)
    for r, i, name, t0, t1 in steps:
        _bars(ax_band, rows["step"], [(t0, t1)], "#bde0fe" if i % 2 else "#a2d2ff", "band:step",
              edgecolor="white")
        # the name when the band has room for it, else the number
        text = ("%d %s" % (i, _label(name, 18))) if (t1 - t0) / span > 0.06 else str(i)
        ax_band.text((t0 + t1) / 2000, rows["step"], text, ha="center", va="center",
                     fontsize=7 if len(steps) < 30 else 5, clip_on=True, gid="label:step")
    for state, spans in _intervals(events, "state", "state", t_end=t_end).items():
        _bars(ax_band, rows["state"], spans, STATES.get(state, "#aaaaaa"), "band:state:" + state,
              label=_label(state), hatch="//" if state == "paused" else None)
    warns = _intervals(events, "warn", "reason", "clear", t_end)
    for reason, spans in warns.items():
        _bars(ax_band, rows["warning"], spans, REASONS.get(reason, "#aaaaaa"),
              "band:warn:" + reason, label=_label(reason))
    for pattern, spans in _intervals(events, "led", "pattern", t_end=t_end).items():
        _bars(ax_band, rows["ring"], spans, RING.get(pattern, "#aaaaaa"), "band:ring:" + pattern,
              label="ring " + _label(pattern))
    ax_band.set_yticks(range(len(BANDS)), BANDS)
    ax_band.set_ylim(-0.6, len(BANDS) - 0.4)
    ax_band.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, ncols=2,
                   title="state, warning, ring", title_fontsize=7)

    # Vibration cues, by meaning.
    marks = collections.defaultdict(list)
    for ev in events:
        if ev["event"] == "vibe":
            marks[ev["pattern"]].append(ev["t_ms"] / 1000)
    labelled = set()
    for pattern in sorted(marks):
        row, colour, label = VIBES.get(_vibe_kind(pattern), OTHER_VIBE)
        if label == "other":
            label = _label(pattern)
        xs = marks[pattern]
        c = ax_vibe.scatter(xs, [row] * len(xs), marker="|", s=220, linewidths=1.5, c=colour,
                            label=label if label not in labelled else "_nolegend_")
        c.set_gid("vibe:" + pattern)
        labelled.add(label)
    ax_vibe.set_yticks(range(len(ROWS)), ROWS)
    ax_vibe.set_ylim(-0.6, len(ROWS) - 0.4)
    if marks:
        ax_vibe.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, ncols=2,
                       title="vibration cues", title_fontsize=7)

    # Pressure, with the warnings and pauses as spans behind it.
    for reason, spans in warns.items():
        for t0, t1 in spans:
            ax_p.axvspan(t0 / 1000, t1 / 1000, color=REASONS.get(reason, "#aaaaaa"), alpha=0.15,
                         gid="span:warn:" + reason)
    for t0, t1 in _intervals(events, "state", "state", t_end=t_end).get("paused", ()):
        ax_p.axvspan(t0 / 1000, t1 / 1000, facecolor="none", edgecolor="#6c757d", hatch="//",
                     gid="span:paused")
    ts, ps = [], []
    for ev in events:
        if ev["event"] == "input" and ev["input"] == "pressure":
            ts.append(ev["t_ms"] / 1000)
            ps.append(ev["permille"])
    if ts:
        ts.append(t_end / 1000)          # held until the end
        ps.append(ps[-1])
        ax_p.plot(ts, ps, drawstyle="steps-post", color="#264653", gid="pressure",
                  label="pressure (permille)")
    else:
        ax_p.text(0.5, 0.5, "no pressure readings in this trace", transform=ax_p.transAxes,
                  ha="center", va="center", fontsize=8, color="#777777")
    # What the wand sensed the person do (following their strokes): each
    # stroke and press a mark on the pressure line, a light one in orange.
    for kind, (marker, colour, y) in SENSED.items():
        xs = [ev["t_ms"] / 1000 for ev in events if ev["event"] == "sensed" and ev["kind"] == kind]
        if xs:
            c = ax_p.scatter(xs, [y] * len(xs), marker=marker, s=30, c=colour, zorder=3,
                             label="sensed " + kind)
            c.set_gid("sensed:" + kind)
    if ts or any(ev["event"] == "sensed" for ev in events):
        ax_p.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    ax_p.set_ylabel("pressure\u2030")
    ax_p.set_ylim(0, 1050)

    # Events: inputs along the bottom, the rest annotated above.
    ax_ev.set_ylim(0, 4)
    ax_ev.set_yticks([])
    inputs = collections.defaultdict(list)
    for ev in events:
        if ev["event"] == "input" and ev["input"] in INPUTS:
            inputs[ev["input"]].append(ev["t_ms"] / 1000)
    for kind, xs in sorted(inputs.items()):
        c = ax_ev.scatter(xs, [0.4] * len(xs), marker=INPUTS[kind], s=18, c="#555555",
                          label="input " + kind)
        c.set_gid("input:" + kind)
    placed = 0
    for ev in events:
        k = ev["event"]
        if k not in MARKERS:
            continue
        marker, colour = MARKERS[k]
        y = 1.3 + (placed % 3) * 0.9
        placed += 1
        x = ev["t_ms"] / 1000
        ax_ev.plot([x], [y], marker=marker, color=colour, markersize=7, gid="marker:" + k)
        right = ev["t_ms"] - t_begin > 0.8 * (t_end - t_begin)     # near the end: text leftwards
        ax_ev.annotate(_marker_text(ev), (x, y), xytext=(-5 if right else 5, 0),
                       textcoords="offset points", fontsize=7, va="center",
                       ha="right" if right else "left", color=colour, annotation_clip=True,
                       gid="annotation:" + k)
    if inputs:
        ax_ev.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title="events",
                     title_fontsize=7)

    ax_p.set_xlim(t_begin / 1000, max(t_end, t_begin + 1000) / 1000 * 1.01)
    ax_p.xaxis.set_major_formatter(FuncFormatter(_clock))
    ax_p.set_xlabel("time since power-on (m:ss)")
    for ax in (ax_ev, ax_band, ax_vibe, ax_p):
        ax.grid(axis="x", alpha=0.3)
    return fig


def _marker_text(ev):
    k = ev["event"]
    if k == "offer":
        return "offer: %s %s, step %d round %d" % (_label(ev["kind"], 10), _label(ev["routine"], 20),
                                                  ev["index"], ev["round"])
    if k == "note":
        return "note: " + _label(ev["note"])
    if k == "setting":
        return "%s %d" % (_label(ev["key"], 20), ev["value"])
    if k == "routine":
        return "routine %d: %s" % (ev["index"], _label(ev["name"], 20))
    if k == "lost":
        return "lost %d records" % ev["records"]
    if k == "crash":
        return "crash: " + _label(ev["error"])
    return "power cut"


def read_history(path):
    """(sessions, damaged) from the history.bin at `path`, by the firmware's
    own reader."""
    try:
        raw = journal._read_file(path)
    except HostBadInput as e:
        raise BadInput(str(e))
    sessions, damaged = history.decode(BytesFiles({memory.HISTORY: raw}))
    if damaged and not sessions:
        raise BadInput(one_line("%s: not a history.bin (%d records, none readable)"
                                % (path, damaged)))
    return sessions, damaged


def _monday(day):
    d = history.EPOCH + datetime.timedelta(days=day)
    return d - datetime.timedelta(days=d.weekday())


def draw_history(sessions, today, title="history"):
    """Sessions per week (finished or not), pressure warnings per week and
    the streak day by day, as a Figure."""
    summary = history.Summary(sessions, today)
    fig = Figure(figsize=(12, 8), layout="constrained")
    FigureCanvasAgg(fig)
    ax_w, ax_p, ax_s = fig.subplots(3, 1, sharex=True)
    fig.suptitle(_label("%s: %d sessions (%d finished, %d undated); streak %d day%s on %s"
                        % (title, summary.total, summary.total_finished, summary.undated,
                           summary.streak, "" if summary.streak == 1 else "s",
                           today.isoformat()), 140))
    dated = [s for s in sessions if s.dated]
    if not dated:
        ax_w.text(0.5, 0.5, "no dated sessions", transform=ax_w.transAxes, ha="center")
        return fig
    first = min(_monday(s.day) for s in dated)
    last = max(_monday(history.day_number(today)), max(_monday(s.day) for s in dated))
    weeks = [first + datetime.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    done = collections.Counter(_monday(s.day) for s in dated if s.finished)
    not_done = collections.Counter(_monday(s.day) for s in dated if not s.finished)
    warns = collections.Counter()
    for s in dated:
        warns[_monday(s.day)] += s.pressure_warnings
    x = list(range(len(weeks)))
    a = [done[w] for w in weeks]
    b = [not_done[w] for w in weeks]
    ax_w.bar(x, a, color="#2a9d8f", label="finished", gid="week:finished")
    ax_w.bar(x, b, bottom=a, color="#e76f51", label="not finished", gid="week:unfinished")
    ax_w.set_ylabel("sessions")
    ax_w.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax_w.legend(fontsize=8)
    ax_p.bar(x, [warns[w] for w in weeks], color="#d62728", gid="week:warnings",
             label="pressure warnings")
    ax_p.set_ylabel("pressure warnings")
    ax_p.yaxis.set_major_locator(MaxNLocator(integer=True))
    # The streak as Summary counts it, on each day from the first week on.
    t0, t1 = history.day_number(first), history.day_number(today)
    days = list(range(t0, t1 + 1))
    streak = [history.Summary(dated, history.EPOCH + datetime.timedelta(days=d)).streak
              for d in days]
    ax_s.plot([(d - t0) / 7 - 0.5 for d in days], streak, drawstyle="steps-post",
              color="#264653", gid="streak", label="streak (days)")
    ax_s.set_ylabel("streak (days)")
    ax_s.yaxis.set_major_locator(MaxNLocator(integer=True))
    every = -(-len(weeks) // 26)        # at most 26 weeks named
    ax_s.set_xticks(x[::every], [w.isoformat() for w in weeks[::every]], rotation=45, ha="right",
                    fontsize=7)
    ax_s.set_xlabel("week beginning")
    return fig


def drawn(fig):
    """What is on the figure: {gid: count}, a collection counting its bars
    or marks, a line its points, anything else 1."""
    out = collections.Counter()
    for a in fig.findobj():
        gid = a.get_gid()
        if not gid:
            continue
        if isinstance(a, PathCollection):        # scatter: its marks
            out[gid] += len(a.get_offsets())
        elif isinstance(a, Collection):          # bars: each one
            out[gid] += len(a.get_paths())
        elif isinstance(a, Line2D) and gid in ("pressure", "streak"):
            out[gid] += len(a.get_xdata())
        else:
            out[gid] += 1
    return out


def output_format(path):
    fmt = FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise BadInput(one_line("%s: unknown suffix (expected %s)" % (path, " or ".join(FORMATS))))
    return fmt


def save(fig, path, fmt):
    try:
        with open(path, "wb") as f:
            fig.savefig(f, format=fmt, dpi=100)
    except OSError as e:
        raise BadInput(one_line("%s: cannot be written (%s)" % (path, e.strerror or e)))


def run(args):
    """`python -m sim plot`: status 0, or BadInput."""
    if bool(args.trace) == bool(args.history):
        raise BadInput("plot: give a trace file or --history FILE (one of them)")
    if args.today and not args.history:
        raise BadInput("plot: --today is for --history")
    fmt = output_format(args.output)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # a glyph missing from the font, say
        if args.trace:
            fig = draw_trace(read_trace(args.trace), os.path.basename(args.trace))
        else:
            today = datetime.date.today()
            if args.today:
                try:
                    today = datetime.date.fromisoformat(args.today)
                except ValueError:
                    raise BadInput(one_line("--today: expected YYYY-MM-DD, got %r" % args.today))
            sessions, damaged = read_history(args.history)
            if damaged:
                sys.stderr.write("sim: %s\n" % one_line(history.damaged_note(args.history,
                                                                            damaged)))
            fig = draw_history(sessions, today, os.path.basename(args.history))
        save(fig, args.output, fmt)
    return 0
