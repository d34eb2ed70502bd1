# The wand's history of sessions (history.bin), for `python -m host_tools
# journal`: a table, CSV or JSON, and the streak and the week.
#
# The records are decoded by the firmware's own reader (memory.read_history,
# checksums and all): a damaged record is skipped, and one line on stderr
# says how many were. Each record is (seq, started, active_s, done,
# planned, routine, pauses, warnings, ended, flags): started is minutes
# since 2000-01-01 by the wand's clock, 0 when the wand did not know the
# date ("undated"); ended names how it ended (names.END_NAMES).
#
# The streak is the number of days in a row, ending today or yesterday by
# the host's date (or --today), with at least one session that finished.
# The week is today and the six days before. Undated sessions count in the
# totals, never in the streak or the week.
import csv
import datetime
import io
import json

from sim import paths
paths.add_firmware()

from facewand import memory    # noqa: E402
from facewand.names import END_NAMES, date_of    # noqa: E402
from host_tools.messages import one_line    # noqa: E402

EPOCH = datetime.date(2000, 1, 1)      # memory's minutes count from here

FIELDS = ("seq", "started", "routine", "steps_done", "steps_planned", "active_s", "pauses",
          "pressure_warnings", "ended", "resumed")


class Session:
    """One record of the history, its fields named."""

    def __init__(self, record):
        (self.seq, self.minutes, self.active_s, self.steps_done, self.steps_planned,
         self.routine, self.pauses, self.pressure_warnings, ended, flags) = record
        self.ended_code = ended
        self.ended = (END_NAMES[ended] if 0 < ended < len(END_NAMES)
                      else "unknown (%d)" % ended)
        self.resumed = bool(flags & memory.FLAG_RESUMED)

    @property
    def dated(self):
        return self.minutes != 0

    @property
    def day(self):
        """Days since 2000-01-01, or None when undated."""
        return self.minutes // 1440 if self.minutes else None

    @property
    def finished(self):
        return self.ended_code == END_NAMES.index("finished")

    @property
    def cut(self):
        return self.ended_code == END_NAMES.index("power cut")

    def started(self, sep=" "):
        """'YYYY-MM-DD HH:MM' by the wand's clock, or None when undated."""
        if not self.minutes:
            return None
        y, mo, d, h, mi = date_of(self.minutes)
        return "%04d-%02d-%02d%s%02d:%02d" % (y, mo, d, sep, h, mi)

    def as_dict(self):
        return {"seq": self.seq, "started": self.started("T"), "routine": self.routine,
                "steps_done": self.steps_done, "steps_planned": self.steps_planned,
                "active_s": self.active_s, "pauses": self.pauses,
                "pressure_warnings": self.pressure_warnings, "ended": self.ended,
                "resumed": self.resumed}


def decode(files, root=""):
    """(sessions oldest first, damaged count) from history.bin on `files`
    (a memory.Files-like object: host_tools.wandfiles)."""
    records, damaged = memory.read_history(files, root)
    return [Session(r) for r in records], damaged


def damaged_note(source, damaged):
    return "%s: %d damaged record%s skipped" % (source, damaged, "" if damaged == 1 else "s")


def day_number(date):
    """A datetime.date as days since 2000-01-01, as Session.day counts."""
    return (date - EPOCH).days


class Summary:
    """The streak, the week and the totals, on the day `today` (a date)."""

    def __init__(self, sessions, today):
        self.today = today
        t = day_number(today)
        finished_days = {s.day for s in sessions if s.finished and s.dated}
        d = t if t in finished_days else t - 1
        streak = 0
        while d in finished_days:
            streak += 1
            d -= 1
        self.streak = streak
        week = [s for s in sessions if s.dated and t - 6 <= s.day <= t]
        self.week = len(week)
        self.week_finished = sum(1 for s in week if s.finished)
        self.total = len(sessions)
        self.total_finished = sum(1 for s in sessions if s.finished)
        self.undated = sum(1 for s in sessions if not s.dated)

    def lines(self):
        return [
            "streak: %d day%s in a row with a finished session (today: %s)"
            % (self.streak, "" if self.streak == 1 else "s", self.today.isoformat()),
            "last 7 days: %d session%s, %d finished"
            % (self.week, "" if self.week == 1 else "s", self.week_finished),
            "in the history: %d session%s, %d finished, %d undated"
            % (self.total, "" if self.total == 1 else "s", self.total_finished, self.undated),
        ]

    def as_dict(self):
        return {"today": self.today.isoformat(), "streak_days": self.streak,
                "last_7_days": {"sessions": self.week, "finished": self.week_finished},
                "total": {"sessions": self.total, "finished": self.total_finished,
                          "undated": self.undated}}


def _minutes(s):
    return "%d:%02d" % (s // 60, s % 60)


HEADER = ("date", "routine", "steps", "minutes", "pauses", "warnings", "ended", "")
# Left-aligned columns; the others (counts) are right-aligned.
_LEFT = {0, 1, 6, 7}


def table(sessions):
    """The history as lines of a table, oldest first."""
    rows = [HEADER]
    for s in sessions:
        rows.append((s.started() or "undated", one_line(s.routine),
                     "%d of %d" % (s.steps_done, s.steps_planned), _minutes(s.active_s),
                     str(s.pauses), str(s.pressure_warnings), s.ended,
                     "resumed" if s.resumed else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    out = []
    for r in rows:
        cells = [r[i].ljust(widths[i]) if i in _LEFT else r[i].rjust(widths[i])
                 for i in range(len(HEADER))]
        out.append("  ".join(cells).rstrip())
    return out


def as_csv(sessions):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(FIELDS)
    for s in sessions:
        d = s.as_dict()
        d["started"] = s.started() or ""
        d["resumed"] = "true" if s.resumed else "false"
        w.writerow([d[f] for f in FIELDS])
    return buf.getvalue()


def as_json(sessions, summary, damaged):
    data = {"sessions": [s.as_dict() for s in sessions], "damaged": damaged}
    data.update(summary.as_dict())
    return json.dumps(data, indent=2) + "\n"
