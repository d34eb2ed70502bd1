# What the wand keeps on its flash between wakes: the wearer's settings, the
# session in progress (to resume after a power cut) and the history of
# sessions. Formats, reading and writing; facewand.keeper decides when.
#
# What the writes rely on: littlefs, the default filesystem of the rp2 and
# esp32 ports, commits a file's new contents at close() or not at all, and
# makes rename() atomic, so a power cut at any point leaves the old file or
# the new. FAT (an ESP32 "ffat" partition) does neither: there a cut can
# leave a file torn. So every record carries its own checksum and is
# ignored when it does not match (a torn history slot loses that session
# only, a torn progress record loses the offer to resume), and settings are
# written aside and renamed over the old file. A rename that will not
# replace a file is FAT's mark: the wand says so (commands.NOTE_NOT_LITTLEFS).
#
# Records are fixed-size binary (struct), checked with Adler-32:
#   progress.bin  one PROGRESS_SIZE record, rewritten as each step begins
#   history.bin   up to HISTORY_SLOTS records of HISTORY_SIZE, one per
#                 session; the oldest overwritten once it is full
# Dates are minutes since 2000-01-01 00:00 of the wand's clock, 0 when the
# wand does not know the date (a Pico's clock restarts in 2021 after a power
# cut; the host sets it when it connects).
import json
import os
import struct

from facewand.commands import NOTE_SETTINGS_MISSING, NOTE_SETTINGS_BAD
from facewand.compat import const

SETTINGS = "/settings.json"
PROGRESS = "/progress.bin"
HISTORY = "/history.bin"
HISTORY_SLOTS = const(64)

# How a session ended: commands.END_*.
END_NAMES = ("", "finished", "ended early", "battery low", "time cap", "auto-off",
             "crash", "power cut")

FLAG_RESUMED = const(1)    # the session went on from a cut one
FLAG_RECORDED = const(2)   # (progress) its cut is in the history already

# progress: inst, planned, active_s, spare, pauses, warnings, flags, spare,
# started (minutes), saved (the clock's seconds, for the resume window),
# routine name, checksum
_PROGRESS = "<HHHHBBBBII24sI"
PROGRESS_SIZE = const(48)
# history: seq, started (minutes), active_s, done, planned, routine name,
# pauses, warnings, ended, flags, spare, checksum
_HISTORY = "<IIHHH24sBBBBHI"
HISTORY_SIZE = const(48)

class Files:
    """The filesystem as this module uses it. Tests put one in its place
    that cuts the power at a chosen write (tests/power_cut.py)."""

    def open(self, path, mode):
        return open(path, mode)

    def rename(self, a, b):
        os.rename(a, b)

    def remove(self, path):
        os.remove(path)

    def size(self, path):
        return os.stat(path)[6]


def adler32(buf, n):
    a = 1
    b = 0
    for i in range(n):
        a = (a + buf[i]) % 65521
        b = (b + a) % 65521
    return (b << 16) | a


def _sealed(fmt, values):
    """The record with its checksum in its last four bytes."""
    raw = bytearray(struct.pack(fmt, *(values + (0,))))
    n = len(raw) - 4
    raw[n:] = struct.pack("<I", adler32(raw, n))
    return raw


def _unsealed(fmt, raw):
    """The record's values without the checksum, or None if it does not match."""
    size = struct.calcsize(fmt)
    if len(raw) != size:
        return None
    if struct.unpack("<I", raw[size - 4:])[0] != adler32(raw, size - 4):
        return None
    return struct.unpack(fmt, raw)[:-1]


def _name(b):
    """A routine name from its padded field."""
    end = b.find(b"\0")
    return (b if end < 0 else b[:end]).decode()


def _read(files, path):
    f = files.open(path, "rb")
    try:
        return f.read()
    finally:
        f.close()


def _replace(files, path, data):
    """Write `data` aside, then rename it over `path`: atomic on littlefs.
    Returns False if the filesystem would not rename over a file (FAT),
    where it removes the old one first: a cut between the two leaves none."""
    f = files.open(path + ".new", "wb")
    try:
        f.write(data)
    finally:
        f.close()
    try:
        files.rename(path + ".new", path)
        return True
    except OSError:
        try:
            files.remove(path)
        except OSError:
            pass
        files.rename(path + ".new", path)
        return False


# ---- the clock ---------------------------------------------------------------

def minutes(t):
    """Minutes since 2000-01-01 00:00 for a (year, month, day, hour, minute,
    ...) tuple, 0 before 2024: a clock that was never set."""
    y, m, d = t[0], t[1], t[2]
    if y < 2024:
        return 0
    # days from 2000-01-01 (the civil-calendar count, March-based years)
    if m <= 2:
        y -= 1
        m += 12
    days = 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + d - 730426
    return days * 1440 + t[3] * 60 + t[4]


def date_of(mins):
    """(year, month, day, hour, minute) for minutes since 2000-01-01."""
    days, m = divmod(mins, 1440)
    # the inverse of minutes(): the civil date from a day count
    z = days + 730425
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    mo = mp + 3 if mp < 10 else mp - 9
    if mo <= 2:
        y += 1
    return y, mo, d, m // 60, m % 60


# ---- settings -----------------------------------------------------------------

def read_settings(files, root, settings):
    """Give `settings` the values in the settings file, each checked by
    facewand.settings_limits. Returns (note, message): (0, "") when the
    file was read whole; a note and one line naming the file and the field
    otherwise. A value that fails its check keeps its default; a file that
    is missing or not a JSON object leaves every default."""
    from facewand.settings_limits import check_one
    path = root + SETTINGS
    try:
        raw = _read(files, path)
    except OSError:
        # A wand just flashed: the defaults are written, so it is said once.
        try:
            write_settings(files, root, settings)
        except Exception:
            pass
        return NOTE_SETTINGS_MISSING, "settings.json: missing; using the defaults"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeError):
        return NOTE_SETTINGS_BAD, "settings.json: not valid JSON; using the defaults"
    if not isinstance(data, dict):
        return NOTE_SETTINGS_BAD, "settings.json: expected a JSON object; using the defaults"
    bad = ""
    for name in sorted(data):
        try:
            check_one(settings, name, data[name])
        except ValueError as e:
            if not bad:
                bad = "settings.json: %s; using its default" % e.args[0]
    return (NOTE_SETTINGS_BAD, bad) if bad else (0, "")


def write_settings(files, root, settings):
    """Save every setting; False if the filesystem is not littlefs (see the top)."""
    from facewand.settings_limits import as_dict
    return _replace(files, root + SETTINGS, json.dumps(as_dict(settings)).encode())


# ---- the session in progress ---------------------------------------------------

class Progress:
    """Where a session has got to: routine `name`, step instance `inst` of
    `planned`, and what the history wants of it."""

    def __init__(self, name, inst=0, planned=0, active_s=0, pauses=0, warnings=0,
                 flags=0, started=0, saved_s=0):
        self.name = name
        self.inst = inst
        self.planned = planned
        self.active_s = active_s
        self.pauses = pauses
        self.warnings = warnings
        self.flags = flags
        self.started = started
        self.saved_s = saved_s

    def pack(self):
        return _sealed(_PROGRESS, (self.inst, self.planned, self.active_s, 0, self.pauses,
                                   self.warnings, self.flags, 0, self.started, self.saved_s,
                                   self.name.encode()))


def read_progress(files, root):
    """The session in progress when the wand last wrote it, or None (none,
    or a record that does not check)."""
    try:
        raw = _read(files, root + PROGRESS)
    except OSError:
        return None
    v = _unsealed(_PROGRESS, raw)
    if v is None:
        return None
    try:
        name = _name(v[10])
    except UnicodeError:
        return None
    if not name or v[0] >= v[1]:
        return None
    return Progress(name, v[0], v[1], v[2], v[4], v[5], v[6], v[8], v[9])


def write_progress(files, root, p):
    """One small write, committed at close (littlefs): the old record or
    the new one survives a cut."""
    f = files.open(root + PROGRESS, "wb")
    try:
        f.write(p.pack())
    finally:
        f.close()


def clear_progress(files, root):
    try:
        files.remove(root + PROGRESS)
    except OSError:
        pass


# ---- the history ------------------------------------------------------------------

def history_record(seq, started, active_s, done, planned, name, pauses, warnings, ended, flags):
    return _sealed(_HISTORY, (seq, started, active_s, done, planned, name.encode(),
                              pauses, warnings, ended, flags, 0))


def read_history(files, root):
    """(records, damaged): the sessions in the order they were written,
    each (seq, started, active_s, done, planned, name, pauses, warnings,
    ended, flags); and how many slots did not check (a cut write, a flash
    error), which are skipped."""
    try:
        raw = _read(files, root + HISTORY)
    except OSError:
        return [], 0
    out = []
    damaged = 0
    for i in range(len(raw) // HISTORY_SIZE):
        v = _unsealed(_HISTORY, raw[i * HISTORY_SIZE:(i + 1) * HISTORY_SIZE])
        if v is None:
            damaged += 1
            continue
        try:
            out.append(v[:5] + (_name(v[5]),) + v[6:10])
        except UnicodeError:
            damaged += 1
    if len(raw) % HISTORY_SIZE:
        damaged += 1
    out.sort(key=lambda r: r[0])
    return out, damaged


def append_history(files, root, started, active_s, done, planned, name, pauses, warnings,
                   ended, flags):
    """Add one session's record: after the last whole record while there
    are fewer than HISTORY_SLOTS, else over the oldest (or a damaged one).
    Only that slot is written, in place, so a cut loses this record at
    most. Returns its sequence number."""
    path = root + HISTORY
    try:
        raw = _read(files, path)
    except OSError:
        raw = b""
    n = len(raw) // HISTORY_SIZE
    seq = 0
    where = -1
    oldest = -1
    for i in range(n):
        v = _unsealed(_HISTORY, raw[i * HISTORY_SIZE:(i + 1) * HISTORY_SIZE])
        if v is None:
            if where < 0:
                where = i
            continue
        if v[0] >= seq:
            seq = v[0] + 1
        if oldest < 0 or v[0] < oldest_seq:
            oldest = i
            oldest_seq = v[0]
    if where < 0:
        where = n if n < HISTORY_SLOTS else oldest
    rec = history_record(seq, started, active_s, done, planned, name, pauses, warnings,
                         ended, flags)
    if not raw:
        f = files.open(path, "wb")
    else:
        f = files.open(path, "r+b")
    try:
        f.seek(where * HISTORY_SIZE)
        f.write(rec)
    finally:
        f.close()
    return seq


# ---- at start-up ------------------------------------------------------------------

def recall(files, root, routines, settings, clock):
    """What the wand remembers, at start-up, besides its settings (read
    before, by read_settings): the routine to start with, a session to
    offer back, and what to say.
    Returns (choice, offer_inst, cut, notes, messages): the routine's index;
    the step instance to offer (-1: none) and that session's Progress
    (`cut`, None); bits 1 << commands.NOTE_*; lines for the console.

    A session found in progress and not yet in the history is recorded
    there now, as cut off by the power (before any session: no flash
    stall can delay a cue). It is offered back if its routine is still
    installed with as many steps, and, where the clock knows the time at
    both ends, within settings.resume_window_s."""
    from facewand.commands import NOTE_HISTORY_DAMAGED, END_CUT
    notes = 0
    messages = []
    names = [r.name for r in routines]
    choice = names.index(settings.routine) if settings.routine in names else 0
    _, damaged = read_history(files, root)
    if damaged:
        notes |= 1 << NOTE_HISTORY_DAMAGED
        messages.append("history.bin: %d damaged record%s skipped"
                        % (damaged, "" if damaged == 1 else "s"))
    p = read_progress(files, root)
    if p is None:
        return choice, -1, None, notes, messages
    if not p.flags & FLAG_RECORDED:
        append_history(files, root, p.started, p.active_s, p.inst, p.planned, p.name,
                       p.pauses, p.warnings, END_CUT, p.flags & FLAG_RESUMED)
        p.flags |= FLAG_RECORDED
        write_progress(files, root, p)
    i = names.index(p.name) if p.name in names else -1
    _, now_s = clock()
    window = settings.resume_window_s
    if (i < 0 or routines[i].instances() != p.planned or not window
            or (now_s and p.saved_s and not 0 <= now_s - p.saved_s <= window)):
        clear_progress(files, root)
        return choice, -1, None, notes, messages
    return i, p.inst, p, notes, messages


def wand_clock(time):
    """clock() for the wand: (minutes since 2000, seconds of time.time()),
    (0, 0) while the clock was never set (before 2024)."""
    def clock():
        t = time.localtime()
        m = minutes(t)
        return (m, time.time()) if m else (0, 0)
    return clock
