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
# replace a file is FAT's mark (and vfs.mount() says so at start-up).
#
# Records are fixed-size binary (struct), checked with CRC-32:
#   progress.bin  one 48-byte record, rewritten as each step begins
#   history.bin   up to _SLOTS records of HISTORY_SIZE, one per
#                 session; the oldest overwritten once it is full
#   journal.bin   this wake's journal, appended in chunks (facewand/journal.py);
#                 written out as journal.jsonl at power-off, or at the next
#                 start after a power cut, then removed
# Dates are minutes since 2000-01-01 00:00 of the wand's clock, 0 when the
# wand does not know the date (a Pico's clock restarts in 2021 after a power
# cut; the host sets it when it connects).
import json
import struct

from facewand.compat import const
from facewand.keeper import Files  # noqa: F401  (memory.Files, for its users)

SETTINGS = "/settings.json"
PROGRESS = "/progress.bin"
HISTORY = "/history.bin"
JOURNAL = "/journal.bin"
_SLOTS = const(64)          # history records kept (about two months of daily use)
_READ_MAX = const(8192)     # bytes: longer than any file here the wand writes, but journal.bin
_ENOENT = const(2)          # errno: no such file
_SEQ_MAX = const(0x7FFFFFFF)  # a record number above this is not one the wand gave (a damaged file)
_JOURNAL_MAX = const(65536)   # bytes: a wake's journal.bin grows no further (about 8,000 records)

# Codes, by their names' places in facewand.names (END_NAMES, NOTE_NAMES).
_END_FINISHED = const(1)
_END_EARLY = const(2)
_END_CAP = const(4)
_END_CUT = const(7)
_NOTE_SETTINGS_MISSING = const(1)
_NOTE_SETTINGS_BAD = const(2)
_NOTE_NOT_LITTLEFS = const(3)
_NOTE_HISTORY_DAMAGED = const(4)

FLAG_RESUMED = const(1)    # the session went on from a cut one
_FLAG_RECORDED = const(2)   # (progress) its session is in the history already
_FLAG_SEQ = const(4)        # (progress) seq holds its record's number: a record
                            # written, then a cut before progress was marked, is known

# progress: inst, planned, active_s, seq (the low 16 bits of the sequence
# number its history record gets, with _FLAG_SEQ), pauses, warnings, flags,
# spare, started (minutes), saved (the clock's seconds, for the resume
# window), routine name, checksum
_PROGRESS = "<HHHHBBBBII24sI"
# history: seq, started (minutes), active_s, done, planned, routine name,
# pauses, warnings, ended, flags, spare, checksum
_HISTORY = "<IIHHH24sBBBBHI"
HISTORY_SIZE = const(48)

# Imported once, with memory: an import inside checksum() ran for every
# record, and on MicroPython each import of binascii (a built-in a file may
# stand in for) searches the filesystem first: ~2.3 ms a record on an
# RP2040, 150 ms for a full history, where the CRC itself takes 5.
try:
    from binascii import crc32 as _crc32
except ImportError:
    _crc32 = None


def checksum(buf, n):
    """CRC-32 of buf's first n bytes: binascii's (in C on the rp2, esp32 and
    WebAssembly ports: 64 history records check in ~5 ms on an RP2040,
    where a checksum in Python took ~90), or the same in Python."""
    if _crc32 is not None:
        return _crc32(memoryview(buf)[:n]) & 0xFFFFFFFF
    c = 0xFFFFFFFF
    for i in range(n):
        c ^= buf[i]
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def _sealed(fmt, values):
    """The record with its checksum in its last four bytes."""
    raw = bytearray(struct.pack(fmt, *(values + (0,))))
    n = len(raw) - 4
    raw[n:] = struct.pack("<I", checksum(raw, n))
    return raw


def _unsealed(fmt, raw):
    """The record's values without the checksum, or None if it does not match."""
    size = struct.calcsize(fmt)
    if len(raw) != size:
        return None
    if struct.unpack("<I", raw[size - 4:])[0] != checksum(raw, size - 4):
        return None
    return struct.unpack(fmt, raw)[:-1]


def _name(b):
    """A routine name from its padded field."""
    end = b.find(b"\0")
    return (b if end < 0 else b[:end]).decode()


def _read(files, path, size=_READ_MAX):
    """The file's bytes, at most `size` + 1 of them (a longer file is not
    one the wand wrote, and reading it whole could take the heap: the
    caller, seeing more than `size`, knows); OSError if it cannot be read.
    Only an OSError of ENOENT says the file is not there: a read that
    failed must not be taken for an empty file and written over."""
    f = files.open(path, "rb")
    try:
        # (read(n) takes n bytes of heap at once on MicroPython, whatever
        # the file holds: ask for what is there)
        n = files.size(path)
        return f.read(n if n <= size else size + 1)
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


def wand_clock(time):
    """clock() for the wand: (minutes since 2000, seconds of time.time()),
    (0, 0) while the clock was never set (before 2024)."""
    def clock():
        t = time.localtime()
        m = minutes(t)
        return (m, time.time()) if m else (0, 0)
    return clock

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
    except OSError as ex:
        if ex.args[0] != _ENOENT:
            # Not readable now (a flash error): the defaults for this wake,
            # and the file left as it is, the wearer's settings in it.
            return _NOTE_SETTINGS_BAD, "settings.json: could not be read (OSError %s); using the defaults" % (
                ex.args[0] if ex.args else "")
        raw = None
    if raw is not None and len(raw) > _READ_MAX:
        return _NOTE_SETTINGS_BAD, "settings.json: too long to be settings; using the defaults"
    if raw is None:
        # On FAT a cut between removing the old file and renaming the new
        # one over it leaves only the new: finish the rename.
        try:
            raw = _read(files, path + ".new")
            if isinstance(json.loads(raw), dict):
                files.rename(path + ".new", path)
            else:
                raw = None
        except (OSError, ValueError, UnicodeError):
            raw = None
    if raw is None:
        # A wand just flashed: the defaults are written, so it is said once.
        try:
            write_settings(files, root, settings)
        except Exception:
            pass
        return _NOTE_SETTINGS_MISSING, "settings.json: missing; using the defaults"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeError, RuntimeError):     # (RuntimeError: nested too deep)
        return _NOTE_SETTINGS_BAD, "settings.json: not valid JSON; using the defaults"
    if not isinstance(data, dict):
        return _NOTE_SETTINGS_BAD, "settings.json: expected a JSON object; using the defaults"
    bad = ""
    for name in sorted(data):
        try:
            check_one(settings, name, data[name])
        except ValueError as e:
            if not bad:
                bad = "settings.json: %s; using its default" % e.args[0]
    return (_NOTE_SETTINGS_BAD, bad) if bad else (0, "")


def write_settings(files, root, settings):
    """Save every setting; False if the filesystem is not littlefs (see the top)."""
    from facewand.settings_limits import as_dict
    return _replace(files, root + SETTINGS, json.dumps(as_dict(settings)).encode())


# ---- the session in progress ---------------------------------------------------

class Progress:
    """Where a session has got to: routine `name`, step instance `inst` of
    `planned`, and what the history wants of it."""

    def __init__(self, name, inst=0, planned=0, active_s=0, pauses=0, warnings=0,
                 flags=0, started=0, saved_s=0, seq=-1):
        self.name = name
        self.seq = seq                  # its history record's number, -1 not known yet
        self.inst = inst
        self.planned = planned
        self.active_s = active_s
        self.pauses = pauses
        self.warnings = warnings
        self.flags = flags
        self.started = started
        self.saved_s = saved_s

    def pack(self):
        flags = self.flags | _FLAG_SEQ if self.seq >= 0 else self.flags & ~_FLAG_SEQ
        # (counts held to their fields: a session of 300 warnings is kept,
        # with 255 of them)
        return _sealed(_PROGRESS, (self.inst, self.planned, min(self.active_s, 0xFFFF),
                                   self.seq & 0xFFFF, min(self.pauses, 0xFF),
                                   min(self.warnings, 0xFF), flags, 0, self.started,
                                   self.saved_s, self.name.encode()))


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
    return Progress(name, v[0], v[1], v[2], v[4], v[5], v[6], v[8], v[9],
                    v[3] if v[6] & _FLAG_SEQ else -1)


def write_progress(files, root, p):
    """One small write, committed at close (littlefs): the old record or
    the new one survives a cut."""
    raw = p.pack()                      # (before the old record is opened over)
    f = files.open(root + PROGRESS, "wb")
    try:
        f.write(raw)
    finally:
        f.close()


def clear_progress(files, root):
    try:
        files.remove(root + PROGRESS)
    except OSError:
        pass


# ---- the history ------------------------------------------------------------------

def history_record(seq, started, active_s, done, planned, name, pauses, warnings, ended, flags):
    return _sealed(_HISTORY, (seq, started, min(active_s, 0xFFFF), done, planned, name.encode(),
                              min(pauses, 0xFF), min(warnings, 0xFF), ended, flags, 0))


def read_history(files, root):
    """(records, damaged): the sessions in the order they were written,
    each (seq, started, active_s, done, planned, name, pauses, warnings,
    ended, flags); and how many slots did not check (a cut write, a flash
    error), which are skipped."""
    try:
        raw = _read(files, root + HISTORY, HISTORY_SIZE * _SLOTS)
    except OSError as ex:
        if ex.args[0] == _ENOENT:
            return [], 0
        raise                           # (not readable now: not the same as none)
    out = []
    damaged = 0
    if len(raw) > HISTORY_SIZE * _SLOTS:
        raw = raw[:HISTORY_SIZE * _SLOTS]   # (more is not the wand's: counted damaged)
        damaged += 1
    for i in range(len(raw) // HISTORY_SIZE):
        v = _unsealed(_HISTORY, raw[i * HISTORY_SIZE:(i + 1) * HISTORY_SIZE])
        if v is None or v[0] > _SEQ_MAX:
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
                   ended, flags, seq=-1):
    """Add one session's record: after the last whole record while there
    are fewer than _SLOTS, else over the oldest (or a damaged one).
    Only that slot is written, in place, so a cut loses this record at
    most. seq: the number it was given (next_seq) when its session began;
    a record of that number already there is that session's, and nothing
    is written. Returns its sequence number."""
    path = root + HISTORY
    try:
        raw = _read(files, path, HISTORY_SIZE * _SLOTS)
    except OSError as ex:
        if ex.args[0] != _ENOENT:
            raise                       # (a read that failed: the file is not written over)
        raw = b""
    n = min(len(raw) // HISTORY_SIZE, _SLOTS)
    nxt = 0
    where = -1
    oldest = -1
    oldest_seq = 0
    for i in range(n):
        v = _unsealed(_HISTORY, raw[i * HISTORY_SIZE:(i + 1) * HISTORY_SIZE])
        if v is None or v[0] > _SEQ_MAX:
            if where < 0:
                where = i
            continue
        if v[0] >= nxt:
            nxt = v[0] + 1
        if seq >= 0 and v[0] & 0xFFFF == seq & 0xFFFF:
            return v[0]                # (recorded before a cut stopped its marking)
        if oldest < 0 or v[0] < oldest_seq:
            oldest = i
            oldest_seq = v[0]
    if seq < nxt:
        seq = nxt
    if where < 0:
        where = n if n < _SLOTS else oldest
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


def next_seq(files, root):
    """The number the next history record will have."""
    records, _ = read_history(files, root)
    return records[-1][0] + 1 if records else 0


# ---- at start-up ------------------------------------------------------------------

def recall(files, root, routines, settings, clock):
    """What the wand remembers, at start-up, besides its settings (read
    before, by read_settings): the routine to start with, a session to
    offer back, and what to say.
    Returns (choice, offer_inst, cut, notes, messages): the routine's index;
    the step instance to offer (-1: none) and that session's Progress
    (`cut`, None); bits 1 << the notes' numbers (names.NOTE_NAMES); lines
    for the console.

    A session found in progress and not yet in the history is recorded
    there now, as cut off by the power (before any session: no flash
    stall can delay a cue). It is offered back if its routine is still
    installed with as many steps, and, where the clock knows the time at
    both ends, within settings.resume_window_s."""
    notes = 0
    messages = []
    if root_is_fat():
        notes |= 1 << _NOTE_NOT_LITTLEFS
        messages.append("the filesystem is FAT, not littlefs: a power cut while saving can "
                        "lose the settings or the session in progress")
    names = [r.name for r in routines]
    choice = names.index(settings.routine) if settings.routine in names else 0
    records, damaged = read_history(files, root)
    if damaged:
        notes |= 1 << _NOTE_HISTORY_DAMAGED
        messages.append("history.bin: %d damaged record%s skipped"
                        % (damaged, "" if damaged == 1 else "s"))
    p = read_progress(files, root)
    if p is None:
        return choice, -1, None, notes, messages
    if not p.flags & _FLAG_RECORDED:
        p.seq = append_history(files, root, p.started, p.active_s, p.inst, p.planned, p.name,
                               p.pauses, p.warnings, _END_CUT, p.flags & FLAG_RESUMED, p.seq)
        p.flags |= _FLAG_RECORDED
        write_progress(files, root, p)
    i = names.index(p.name) if p.name in names else -1
    _, now_s = clock()
    window = settings.resume_window_s
    if (i < 0 or routines[i].instances() != p.planned or not window
            or (now_s and p.saved_s and not 0 <= now_s - p.saved_s <= window)):
        clear_progress(files, root)
        return choice, -1, None, notes, messages
    return i, p.inst, p, notes, messages


def root_is_fat():
    """Whether the wand's root filesystem is FAT (an ESP32 "ffat"
    partition), as MicroPython's vfs.mount() lists it. False where that
    cannot be told (CPython, an older MicroPython)."""
    try:
        import vfs
        for fs, point in vfs.mount():
            if point == "/":
                return type(fs).__name__ == "VfsFat"
    except Exception:
        pass
    return False


# ---- the journal ----------------------------------------------------------------

def save_journal(files, root, j):
    """Append the records of the journal `j` not yet on flash, as one or
    two chunks (the ring may wrap). Records the ring dropped before they
    were saved are counted in the chunk (`lost`); so are those past
    _JOURNAL_MAX."""
    cap = j.capacity
    a = j.saved
    lost = 0
    if j.count - a > cap:
        lost = j.count - cap - a
        a = j.count - cap
    n = j.count - a
    if n == 0:
        return
    path = root + JOURNAL
    try:
        size = files.size(path)
    except OSError:
        size = 0
    if size + 8 * n + 8 > _JOURNAL_MAX:
        j.saved = j.count             # (dropped: the journal on flash is full)
        return
    f = files.open(path, "ab")
    try:
        i = a % cap
        while n:
            k = min(n, cap - i)       # as far as the ring's end
            f.write(struct.pack("<HH", k, lost))
            f.write(memoryview(j.t)[i:i + k])
            f.write(memoryview(j.cmd)[i:i + k])
            lost = 0
            n -= k
            i = 0
    finally:
        f.close()
    j.saved = j.count


def chunks(raw):
    """The records of a journal.bin's bytes, in order: (t, kind, a, b, c),
    and (t, -1, lost, 0, 0) where the ring dropped `lost` records before
    the one at t. A chunk cut short (a power cut mid-write on FAT) ends it."""
    from array import array
    from facewand.journal import unpack
    p = 0
    out = []
    while p + 4 <= len(raw):
        n = raw[p] | raw[p + 1] << 8
        lost = raw[p + 2] | raw[p + 3] << 8
        p += 4
        if n == 0 or p + 8 * n > len(raw):
            break
        times = array("i", raw[p:p + 4 * n])
        words = array("i", raw[p + 4 * n:p + 8 * n])
        p += 8 * n
        if lost:
            out.append((times[0], -1, lost, 0, 0))
        for i in range(n):
            out.append(unpack(times[i], words[i]))
    return out


def saved_journal(files, root):
    """journal.bin's bytes, b"" if there is none."""
    try:
        raw = _read(files, root + JOURNAL, _JOURNAL_MAX)
        return raw[:_JOURNAL_MAX]
    except OSError:
        return b""


def forget_journal(files, root):
    try:
        files.remove(root + JOURNAL)
    except OSError:
        pass


# ---- the keeper's writes ---------------------------------------------------------

def keep(k, what):
    """The write the keeper `k` owes (keeper.W_*): the progress of the step
    begun, the history record of the session ended, or the settings."""
    e = k.e
    if what == 4:                      # W_JOURNAL
        _do(k, save_journal, k.journal)
    elif what == 1:                    # W_PROGRESS (and the journal so far)
        _do(k, save_journal, k.journal)
        k.inst = e.sch.inst
        mins, secs = _clock(k)
        if not k.started:
            k.started = mins
        if k.seq < 0:
            try:
                k.seq = next_seq(k.files, k.root)
            except Exception:
                pass
        _do(k, write_progress, Progress(
            e.routine.name, k.inst, e.sch.count, k.base_s + e.active_ms // 1000,
            k.base_pauses + e.pauses, k.base_warnings + e.warnings, k.flags, k.started, secs,
            k.seq))
    elif what == 2:                    # W_RECORD
        ended = k.ended
        k.ended = 0
        r = k.routine                  # (the session's, whatever is chosen now)
        ok = _do(k, append_history, k.started, k.active_s, k.done, r.instances(), r.name,
                 k.pauses, k.warnings, ended, k.flags, k.seq)
        if ended == _END_FINISHED or ended == _END_EARLY or ended == _END_CAP:
            _do(k, clear_progress)
        elif ok and k.inst >= 0:
            # Kept for the offer, marked as in the history already.
            _, secs = _clock(k)
            _do(k, write_progress, Progress(
                r.name, k.inst, r.instances(), k.active_s, k.pauses, k.warnings,
                k.flags | _FLAG_RECORDED, k.started, secs, k.seq))
    else:                              # W_SETTINGS
        k.settings_owed = False
        e.settings.routine = e.routine.name
        if _do(k, write_settings, e.settings) is False:
            _log("settings: the filesystem will not rename over a file (FAT?): a power cut "
                 "while saving can lose them")


def _clock(k):
    """(minutes since 2000, seconds) by the keeper's `time`; (0, 0) when
    the clock was never set or cannot be read."""
    try:
        return wand_clock(k.clock)()
    except Exception:
        return 0, 0


def _do(k, what, *args):
    """A write: True if made (False: made, but not atomically: FAT), None
    if it failed, which is logged; the wand goes on."""
    try:
        return what(k.files, k.root, *args) is not False
    except Exception as ex:
        k.failed += 1
        from facewand.compat import describe
        _log("memory not written: " + describe(ex))
        return None


def _log(message):
    print("facewand: " + message)
