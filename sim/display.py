# Draws the simulated wand in a terminal: the ring as coloured cells, the
# motor, the step and how far through it and the session the person is.
#
# It reads the trace as it is written (the same lines a test or a tool
# would read) plus the ring's frame, so it shows only what the device shows.
#
# The picture is redrawn in place: the cursor goes back up over the lines
# drawn last time and each line is cleared and written again. That only
# works if every line takes exactly one screen row, so each line is cut to
# the terminal's width (read at every draw, so a resized terminal is
# followed), counting what the terminal shows: escape codes take no
# column, wide characters two. The terminal never wraps a line of ours;
# on a short terminal fewer lines are drawn, the most useful ones first.
#
# The cursor is hidden while the picture is live; close() (or the final
# draw) shows it again, resets colours and leaves the cursor below the
# picture. close() is idempotent and never raises, so the caller can run it
# from a `finally:` on every way out (normal end, an error, Ctrl-C).
#
# NO_COLOR (https://no-color.org), when set and not empty, turns off every
# colour and style code; lit and dark pixels still differ ("●" / "○"), and
# a lit pixel carries a letter for its colour family. When the output is
# not a terminal (or TERM=dumb) there are no escapes at all: a plain log.
import colorsys
import json
import os
import shutil
import sys
import time
import unicodedata

from sim.shown import Seen


_UP = "\x1b[%dA"               # cursor up N rows (N >= 1)
_CLEAR_LINE = "\x1b[2K"        # erase the whole row the cursor is on
_CLEAR_BELOW = "\x1b[J"        # erase from the cursor to the end of the screen
_HIDE_CURSOR = "\x1b[?25l"
_SHOW_CURSOR = "\x1b[?25h"
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_DARK = "\x1b[38;2;60;60;60m"

_INDENT = "      "
_BAR_MAX = 30                  # cells in the session bar when there is room
_BAR_MIN = 5                   # narrower than this, the bar is left out
_HINT_LINES = 2                # a long hint is word-wrapped onto this many lines

# Glyphs, and their stand-ins for an output whose encoding lacks them.
_UNICODE = {"lit": "●", "dark": "○", "full": "█", "empty": "░", "motor": "≋",
            "still": "·", "sep": "·", "warn": "⚠", "more": "…"}
_ASCII = {"lit": "*", "dark": "o", "full": "#", "empty": "-", "motor": "~",
          "still": ".", "sep": "-", "warn": "!", "more": "."}

# Characters that would move the cursor or change how the terminal reads
# what follows: C0 and C1 controls, DEL, line and paragraph separators,
# bidirectional overrides, lone surrogates. Text from a routine file is
# checked on loading; this keeps the picture whole whatever gets through.
_BAD = set(range(0x20)) | set(range(0x7F, 0xA0)) | {0x2028, 0x2029} \
    | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def _clean(text):
    return "".join("\ufffd" if ord(c) in _BAD or 0xD800 <= ord(c) <= 0xDFFF else c
                   for c in text)


def _char_width(c):
    """Columns a terminal gives one character: 0 for combining marks and
    format characters, 2 for wide and fullwidth (CJK, most emoji), else 1
    (East Asian "ambiguous" ones such as ● count 1, as in a Western
    terminal)."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 2
    return 1


def width(text):
    """Visible columns of plain text (no escape codes)."""
    return sum(_char_width(c) for c in text)


def _cut(text, cols):
    """The longest start of `text` that takes at most `cols` columns."""
    used = 0
    for i, c in enumerate(text):
        w = _char_width(c)
        if used + w > cols:
            return text[:i]
        used += w
    return text


def _family(r, g, b):
    """A letter for a lit pixel's colour family, for when there is no colour."""
    h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
    if s < 0.25:
        return "w"
    deg = h * 360
    for top, letter in ((15, "r"), (45, "o"), (70, "y"), (165, "g"), (195, "c"),
                        (255, "b"), (345, "m")):
        if deg < top:
            return letter
    return "r"


def _clock(ms):
    s = ms // 1000
    return "%02d:%02d" % (s // 60, s % 60)


class Display(Seen):
    def __init__(self, engine, out=None, fps=20, environ=None):
        Seen.__init__(self)
        self.engine = engine
        self.out = out or sys.stdout
        env = os.environ if environ is None else environ
        try:
            tty = bool(self.out.isatty())
        except (AttributeError, ValueError, OSError):
            tty = False
        # A terminal that cannot move the cursor gets the plain log.
        self.tty = tty and env.get("TERM", "") != "dumb"
        self.colour = self.tty and not env.get("NO_COLOR", "")
        self.encoding = getattr(self.out, "encoding", None) or "utf-8"
        try:
            "".join(_UNICODE.values()).encode(self.encoding)
            self.glyph = _UNICODE
        except (LookupError, UnicodeError):
            self.glyph = _ASCII
        self.min_gap = 1.0 / fps
        self.last_draw = 0.0
        self.drawn = 0              # rows of the picture on screen, cursor just below them
        self.hidden = False         # the cursor is hidden (close() shows it)
        self.closed = False
        self.vibe = ("", 0)

    # --- the trace ---------------------------------------------------------
    def _log(self, text):
        self.out.write(self._text(text) + "\n")

    def on_line(self, line):
        ev = json.loads(line)
        kind = self.seen(ev)
        if kind == "vibe":
            self.vibe = (ev["pattern"], ev["t_ms"] + ev["ms"])
        if self.tty:
            return
        # The plain log: what a person would notice, one line each.
        if kind == "state":
            self._log("%s  %s" % (_clock(ev["t_ms"]), ev["state"]))
        elif kind == "step":
            self._log("%s  step %d/%d round %d: %s" % (
                _clock(ev["t_ms"]), ev["index"], len(self.engine.routine.steps), ev["round"], ev["name"]))
        elif kind == "routine":
            self._log("%s  routine %d: %s" % (_clock(ev["t_ms"]), ev["index"], ev["name"]))
        elif kind == "warn":
            self._log("%s  warning: %s" % (_clock(ev["t_ms"]), ev["reason"]))

    def on_step(self, t, engine, final=False):
        if not self.tty or self.closed:
            return
        now = time.monotonic()
        if not final and now - self.last_draw < self.min_gap:
            return
        self.last_draw = now
        self.draw(t, engine)
        if final:
            self.close()

    # --- restoring the terminal ----------------------------------------------
    def close(self):
        """Give the terminal back as it was: cursor shown, colours reset,
        the cursor at the start of the row below the picture. Safe to call
        more than once and from a `finally:`; it never raises."""
        if self.closed:
            return
        self.closed = True
        if not self.tty or not self.hidden:
            return      # a log, or nothing drawn: the caller's flush as usual
        try:
            # Completes a frame whose write was cut short (Ctrl-C in the
            # middle of a flush): what is left of it is still buffered.
            self.out.flush()
        except (OSError, ValueError):
            pass
        self.hidden = False
        try:
            self.out.write((_RESET if self.colour else "") + _SHOW_CURSOR)
            self.out.flush()
        except (OSError, ValueError):
            pass    # the terminal is gone; nothing left to restore

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- the picture -----------------------------------------------------------
    def _text(self, text):
        """Text from outside (names, hints) as it can safely be shown."""
        text = _clean(text)
        return text.encode(self.encoding, "replace").decode(self.encoding)

    def _fit(self, segments, cols):
        """One row: `segments` is a list of (text, style), cut to `cols`
        columns (the last one shown as "…" when something was cut), with
        the style codes only when colour is on."""
        out = []
        used = 0
        total = sum(width(t) for t, _ in segments)
        room = cols if total <= cols else cols - 1
        cut = False
        for text, style in segments:
            w = width(text)
            if used + w > room:
                text = _cut(text, room - used)
                w = width(text)
                cut = True
            if text:
                if style and self.colour:
                    out.append(style + text + _RESET)
                else:
                    out.append(text)
            used += w
            if cut:
                break
        if cut and cols > 0:
            out.append(self.glyph["more"])
        return "".join(out)

    def _first_fit(self, variants, cols):
        for segments in variants:
            if sum(width(t) for t, _ in segments) <= cols:
                return segments
        return variants[-1]

    def _cells(self, frame, room):
        """The ring's pixels, `room` columns each (1, 2 or 3): "●" lit,
        "○" dark; coloured, or without colour a letter for the colour
        family before a lit pixel when there is room for it."""
        g = self.glyph
        cells = []
        for i in range(0, len(frame), 3):
            r, gr, b = frame[i], frame[i + 1], frame[i + 2]
            pad = " " * (room - 1)
            if r == gr == b == 0:
                cells.append((pad + g["dark"], _DARK))
            elif self.colour:
                cells.append((pad + g["lit"], "\x1b[38;2;%d;%d;%dm" % (r, gr, b)))
            elif room > 1:
                cells.append((pad[1:] + _family(r, gr, b) + g["lit"], ""))
            else:
                cells.append((g["lit"], ""))
        return cells

    def _wrap(self, text, cols, rows):
        """`text` word-wrapped into at most `rows` lines of `cols` columns;
        what does not fit ends in "…"."""
        lines = []
        words = text.split()
        while words and len(lines) < rows:
            line = words.pop(0)
            while words and width(line + " " + words[0]) <= cols:
                line += " " + words.pop(0)
            lines.append(line)
        if words and lines:
            lines[-1] += " " + " ".join(words)     # _fit cuts it, with "…"
        return lines + [""] * (rows - len(lines))

    def lines(self, t, engine, cols):
        """The picture for a terminal `cols` columns wide: a list of
        (priority, segments), top to bottom; priority 0 is kept longest."""
        g = self.glyph
        r = engine.routine
        name = self._text(r.name)
        sep = " %s " % g["sep"]
        header = self._first_fit([
            [("facewand" + sep + name + sep + self.state + "   " + _clock(t), "")],
            [(name + sep + self.state + " " + _clock(t), "")],
        ], cols)

        led = self._text(self.led)
        f = engine.view.ring.frame
        led = [("   " + led, "")] if led else []
        # Roomiest cells first; the pattern's name goes before the room.
        # With colour, a cell of 2 is as clear as one of 3.
        ring = self._first_fit(([] if self.colour else [
            [("ring ", "")] + self._cells(f, 3) + led,
        ]) + [
            [("ring  ", "")] + self._cells(f, 2) + led,
        ] + ([] if self.colour else [
            [("ring ", "")] + self._cells(f, 3),
        ]) + [
            [("ring  ", "")] + self._cells(f, 2),
            [("ring ", "")] + self._cells(f, 1) + led,
            [("ring ", "")] + self._cells(f, 1),
            self._cells(f, 1),
        ], cols)

        vibe, until = self.vibe
        if t < until:
            motor = [("motor ", ""), ("%s %s" % (g["motor"], self._text(vibe)), _BOLD)]
        else:
            motor = [("motor %s still" % g["still"], "")]

        if self.step:
            s = self.step
            sname = self._text(s["name"])
            where = "(%s, %s)" % (self._text(s["zone"]), self._text(s["direction"]))
            rounds = "round %d/%d" % (s["round"], r.rounds)
            num = "%d/%d" % (s["index"], len(r.steps))
            step = self._first_fit([
                [("step %s  %s  %s  %s" % (num, sname, where, rounds), "")],
                [("step %s  %s  %s" % (num, sname, rounds), "")],
                [("%s %s" % (num, sname), "")],
            ], cols)
            hint = self._text(r.step_of(engine.sch.inst).hint)
        else:
            step = [("press to start" if self.state == "idle" else "", "")]
            hint = ""
        indent = _INDENT if cols >= 40 else ""
        count = [(indent + self.count, "")] if self.count else [("", "")]
        hints = [[(indent + h, "")] if h else [("", "")]
                 for h in self._wrap(hint, cols - len(indent), _HINT_LINES)]

        total = r.total_ms()
        done = min(engine.active_ms, total)
        times = "%s / %s" % (_clock(done), _clock(total))
        warn = ("%s %s" % (g["warn"], ", ".join(sorted(self.warns)))) if self.warns else ""
        warning = [("  ", ""), (warn, _RED)] if warn else []
        cells = min(_BAR_MAX, cols - len(indent) - width(times) - width(warn) - 3)
        bar = [(indent, "")]
        if cells >= _BAR_MIN:
            filled = cells * done // max(total, 1)
            bar.append((g["full"] * filled + g["empty"] * (cells - filled) + " ", ""))
        # Narrow: the warning goes first, so that it is the last thing cut.
        bar = self._first_fit([
            bar + [(times, "")] + warning,
            [(indent + times, "")] + warning,
            ([(warn, _RED), ("  ", "")] if warn else []) + [(times, "")],
        ], cols)

        return [(0, header), (1, ring), (4, motor), (2, step), (5, count)] + \
            [(6 + i, h) for i, h in enumerate(hints)] + [(3, bar)]

    def draw(self, t, engine):
        if not self.tty or self.closed:
            return
        size = shutil.get_terminal_size()
        # The last column is left empty: some terminals wrap as soon as it
        # is written. One row is kept for the cursor below the picture, so
        # the picture never scrolls its own top off the screen.
        cols = size.columns - 1
        rows = size.lines - 1
        picture = []
        if cols >= 1 and rows >= 1:
            lines = self.lines(t, engine, cols)
            keep = sorted(p for p, _ in lines)[:rows]
            picture = [self._fit(segs, cols) for p, segs in lines if p in keep]
        parts = []
        if not self.hidden:
            parts.append(_HIDE_CURSOR)
            self.hidden = True
        if self.drawn:
            parts.append(_UP % self.drawn)
        for line in picture:
            parts.append("\r" + _CLEAR_LINE + line + "\n")
        parts.append("\r" + _CLEAR_BELOW)     # what a taller picture left below
        self.drawn = len(picture)
        self.out.write("".join(parts))
        self.out.flush()
