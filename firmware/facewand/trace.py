# Trace lines: the engine's commands as JSON Lines, the format the
# simulator writes and the wand's journal is read in. Written by hand (not
# with json.dumps) so CPython and MicroPython produce identical bytes.
from facewand.commands import (
    CMD_STATE, CMD_STEP, CMD_VIBE, CMD_LED, CMD_WARN, CMD_CLEAR, CMD_STROKE,
    CMD_POINT, CMD_ROUTINE, CMD_NOTE, CMD_OFFER, CMD_SET, POINT_PRESS,
)
from facewand.names import (
    CMD_SENSED, LED_NAMES, NOTE_NAMES, REASON_NAMES, SENSED_LIGHT, SENSED_NAMES, SENSED_STROKE,
    SET_NAMES, STATE_NAMES, VIBE_NAMES,
)


def json_str(s):
    """A JSON string in plain ASCII: whatever a name holds (a lone
    surrogate, U+2028, U+0085), the line stays one valid line of UTF-8 on
    both interpreters."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 0x20 <= o < 0x7F:
            out.append(c)
        elif o > 0xFFFF:          # JSON spells these as a surrogate pair
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
        else:
            out.append("\\u%04x" % o)
    out.append('"')
    return "".join(out)


def hex_bytes(buf):
    return "".join("%02x" % b for b in buf)


def line(t, event, rest):
    return '{"t_ms":%d,"event":"%s"%s}' % (t, event, rest)


def _name(names, i):
    """names[i], or "unknown-I" for a number no name has (a damaged record
    on flash: the line says so, and the lines after it are still written)."""
    return names[i] if 0 <= i < len(names) else "unknown-%d" % i


def command_line(t, kind, a, b, c, routines, frame=None):
    """One trace line for one command. `routines` are the installed ones
    (the engine's), for routine and step names; `frame`, if given, is added
    to ring lines as "rgb"."""
    if kind == CMD_STATE:
        return line(t, "state", ',"state":"%s"' % _name(STATE_NAMES, a))
    if kind == CMD_STEP:
        # The step of the routine that ran, named by the command itself: the
        # routine chosen by the time the line is written may be another.
        if not (0 <= c < len(routines) and 1 <= a <= len(routines[c].steps)):
            return line(t, "step", ',"index":%d,"name":"unknown","round":%d,"zone":"","direction":""' % (a, b))
        s = routines[c].steps[a - 1]
        return line(t, "step", ',"index":%d,"name":%s,"round":%d,"zone":"%s","direction":"%s"'
                    % (a, json_str(s.name), b, s.zone, s.direction))
    if kind == CMD_VIBE:
        return line(t, "vibe", ',"pattern":"%s","ms":%d,"level":%d' % (_name(VIBE_NAMES, a), b, c))
    if kind == CMD_LED:
        if frame is None:
            return line(t, "led", ',"pattern":"%s"' % _name(LED_NAMES, a))
        return line(t, "led", ',"pattern":"%s","rgb":"%s"' % (_name(LED_NAMES, a), hex_bytes(frame)))
    if kind == CMD_WARN or kind == CMD_CLEAR:
        return line(t, "warn" if kind == CMD_WARN else "clear", ',"reason":"%s"' % _name(REASON_NAMES, a))
    if kind == CMD_STROKE:
        return line(t, "stroke", ',"n":%d,"of":%d' % (a, b))
    if kind == CMD_POINT:
        return line(t, "point", ',"action":"%s","n":%d,"of":%d'
                    % ("press" if a == POINT_PRESS else "release", b, c))
    if kind == CMD_ROUTINE:
        return line(t, "routine", ',"index":%d,"name":%s' % (a + 1, json_str(_routine(routines, a))))
    if kind == CMD_OFFER:
        return line(t, "offer", ',"kind":"resume","index":%d,"round":%d,"routine":%s'
                    % (a, b, json_str(_routine(routines, c))))
    if kind == CMD_NOTE:
        return line(t, "note", ',"note":"%s"' % _name(NOTE_NAMES, a))
    if kind == CMD_SENSED:
        rest = ',"kind":"%s","n":%d' % (_name(SENSED_NAMES, a), c)
        if a == SENSED_STROKE:
            rest += ',"period_ms":%d' % (b * 4)
        elif a == SENSED_LIGHT:
            rest += ',"peak":%d' % b
        return line(t, "sensed", rest)
    if kind == CMD_SET:
        return line(t, "setting", ',"key":"%s","value":%d' % (_name(SET_NAMES, a), b))
    return line(t, "unknown", ',"kind":%d' % kind)


def _routine(routines, i):
    return routines[i].name if 0 <= i < len(routines) else "unknown"


FEED_EVERY = 32      # journal records written between two watchdog feeds


def crash_line(t, error):
    return line(t, "crash", ',"error":%s' % json_str(error))


def lost_line(t, n):
    return line(t, "lost", ',"records":%d' % n)


def dump(journal, routines, path, feed=None, crash=None, t=0, saved=(), cut=False):
    """Write the journal out as JSON Lines (at power-off, or at start-up
    after a power cut: allocation is fine), feeding the watchdog as it
    goes: a long one takes seconds of an RP2040's time, plus the flash's.
    `saved`: the records already put on flash (memory.chunks of
    journal.bin), which come first; then those of `journal` (None: none)
    not among them. Records dropped unsaved are marked by a lost line;
    `crash` ends it with a crash line at `t`, `cut` with a cut line (the
    power went: what came after the last record saved is not known)."""
    with open(path, "w") as f:
        k = 0
        for t_i, kind, a, b, c in saved:
            f.write(lost_line(t_i, a) if kind < 0 else command_line(t_i, kind, a, b, c, routines))
            f.write("\n")
            k += 1
            if feed is not None and k % FEED_EVERY == 0:
                feed()
        if journal is not None:
            first = journal.first()
            start = journal.saved
            if first > start:          # dropped from the ring before they were saved
                f.write(lost_line(journal.get(first)[0], first - start))
                f.write("\n")
                start = first
            for i in range(start, journal.count):
                t_i, kind, a, b, c = journal.get(i)
                f.write(command_line(t_i, kind, a, b, c, routines))
                f.write("\n")
                if feed is not None and i % FEED_EVERY == 0:
                    feed()
        if crash is not None:
            f.write(crash_line(t, crash))
            f.write("\n")
        if cut:
            f.write(line(t, "cut", ""))
            f.write("\n")
