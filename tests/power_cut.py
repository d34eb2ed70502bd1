# Power cuts at every point of every write the wand makes to its memory
# (facewand.memory, facewand.keeper), each followed by a boot on what is
# left; written to run unchanged on CPython and on MicroPython
# (test_power_cut.py runs it on both through checkrun).
#
# CutFiles is a filesystem in memory ({path: bytes}) that memory.py uses
# through its `files` argument, in one of two models:
# - littlefs (the rp2 and esp32 ports' default): a file opened for writing
#   ("wb", "r+b", "ab"; "w", text, for journal.jsonl) holds its new bytes
#   apart until close (or flush, which is littlefs's sync) commits them; a
#   file created by open exists, empty, at once; rename replaces its target
#   atomically;
# - FAT (an ESP32 "ffat" partition): "wb" truncates at open and bytes reach
#   the file as they are written (an append's too); rename will not replace
#   a file (OSError), so memory falls back to remove, then rename.
# journal.jsonl is written by facewand.trace with open() itself: _powered()
# gives trace (and power_off, through memory.Files) the CutFiles instead.
# It cuts the power before operation number `at` (open, write, flush,
# close, rename, remove; reads, seeks and sizes are not counted), or inside
# that write after `after` of its bytes: PowerCut is raised there and by
# every operation after it (the chip is off: no finally: clause closes a
# file for it). PowerCut is a BaseException, so no `except Exception` in
# the firmware takes it for an error and goes on.
#
# Each check runs one of the wand's writes uncut to count its operations and
# bytes, then cuts it at every operation and at every byte of every write
# (journal.jsonl's lines at their first byte only), in each model, and
# boots on what is left as start-up does (memory.read_settings,
# power_off.journal_after_a_cut if journal.bin is there, then
# memory.recall), then boots once more, and asserts the
# project's rule: the wand always boots; the settings are the old or the
# new ones (FAT too: never the defaults, but on a wand that had none); the
# history loses at most the record being written and holds no session
# twice; the progress record is one the write passed through, or none;
# journal.bin's records are those it held before the operation cut (a
# chunk torn on FAT is dropped whole, never read as records), and the boot
# writes them all out to journal.jsonl, with a cut line, and removes it.
from facewand import memory
from facewand.commands import CMD_LED, CMD_STATE, CMD_STROKE, CMD_VIBE, DONE, RUNNING
from facewand.journal import Journal
from facewand.memory import chunks
from facewand.names import END_NAMES, NOTE_NAMES
from facewand.settings import Settings
from facewand.settings_limits import as_dict

# Codes by their names (each firmware module keeps its own as private
# consts, which MicroPython does not make module attributes).
END_FINISHED = END_NAMES.index("finished")
END_CUT = END_NAMES.index("power cut")
NOTE_SETTINGS_MISSING = NOTE_NAMES.index("settings_missing")
FLAG_RECORDED = 2          # memory._FLAG_RECORDED: progress whose session is in the history
SLOTS = 64                 # memory._SLOTS: history records kept

ROOT = ""                                   # paths as on the wand: /settings.json ...


class PowerCut(BaseException):
    """The power went."""


class CutFiles:
    """memory.Files over {path: bytes} (`files`, what is on the flash now),
    littlefs or FAT, cut at operation `at` (-1: never), `after` bytes into
    it if it is a write. With `record`, `states` keeps the flash after each
    operation and `kinds` each operation's kind (a write's with its length)."""

    def __init__(self, files, fat=False, at=-1, after=0, record=False):
        self.files = dict(files)
        self.fat = fat
        self.at = at
        self.after = after
        self.ops = 0
        self.dead = False
        self.kinds = [] if record else None
        self.states = [dict(self.files)] if record else None
        self.before = [] if record else None   # the flash before each operation
        self.writes = []                     # (operation number, bytes, path) of each write

    def _op(self, kind, n=0, path=None):
        """Count one operation; cut the power if it is the chosen one (a
        write cut inside itself returns True and cuts after its bytes)."""
        if self.dead:
            raise PowerCut("the power is off")
        k = self.ops
        self.ops += 1
        if self.before is not None:
            self.before.append(dict(self.files))
        if self.kinds is not None:
            self.kinds.append(kind if kind != "write" else "write of %d" % n)
        if kind == "write":
            self.writes.append((k, n, path))
        if k == self.at:
            if kind == "write" and self.after:
                return True
            self.dead = True
            raise PowerCut("cut before %s" % kind)
        return False

    def _done(self):
        if self.states is not None:
            self.states.append(dict(self.files))

    def open(self, path, mode):
        if mode not in ("rb", "wb", "r+b", "ab", "w"):
            raise ValueError("mode " + mode)
        self._op("open")
        if mode in ("rb", "r+b") and path not in self.files:
            raise OSError(2)                   # ENOENT
        f = _File(self, path, mode)
        self._done()
        return f

    def rename(self, a, b):
        self._op("rename")
        if a not in self.files:
            raise OSError(2)
        if b in self.files and self.fat:
            raise OSError(17)                  # EEXIST: FAT will not replace a file
        self.files[b] = self.files.pop(a)
        self._done()

    def remove(self, path):
        self._op("remove")
        if path not in self.files:
            raise OSError(2)
        del self.files[path]
        self._done()

    def size(self, path):
        if self.dead:
            raise PowerCut("the power is off")
        if path not in self.files:
            raise OSError(2)
        return len(self.files[path])


class _File:
    def __init__(self, fs, path, mode):
        self.fs = fs
        self.path = path
        self.writing = mode != "rb"
        self.pos = 0
        if mode in ("wb", "w"):
            self.data = b""
            if fs.fat or path not in fs.files:
                # FAT truncates at open; littlefs creates a new file at
                # open (empty) but truncates an old one only at close.
                fs.files[path] = b""
        elif mode == "ab":
            if path not in fs.files:
                fs.files[path] = b""          # created at open, on both
            self.data = fs.files[path]
            self.pos = len(self.data)
        else:
            self.data = fs.files[path]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, n=-1):
        if self.fs.dead:
            raise PowerCut("the power is off")
        end = len(self.data) if n < 0 else min(len(self.data), self.pos + n)
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def seek(self, pos):
        if self.fs.dead:
            raise PowerCut("the power is off")
        self.pos = pos

    def write(self, b):
        b = b.encode() if isinstance(b, str) else bytes(b)
        fs = self.fs
        torn = fs._op("write", len(b), self.path)
        if torn:
            b = b[:fs.after]
        d = self.data
        if self.pos > len(d):
            d = d + bytes(self.pos - len(d))
        self.data = d[:self.pos] + b + d[self.pos + len(b):]
        self.pos += len(b)
        if fs.fat:
            fs.files[self.path] = self.data     # on the flash as it is written
        if torn:
            fs.dead = True
            raise PowerCut("cut inside a write")
        fs._done()
        return len(b)

    def flush(self):
        self.fs._op("flush")
        if self.writing:
            self.fs.files[self.path] = self.data   # littlefs: a sync commits
        self.fs._done()

    def close(self):
        self.fs._op("close")
        if self.writing:
            self.fs.files[self.path] = self.data
        self.fs._done()


# ---- what the wand has on its flash, and what it writes ---------------------------

MINS = memory.minutes((2025, 3, 1, 8, 30, 0))
NOW_S = 794000000


def clock():
    return MINS, NOW_S


class _Time:
    """The time module as the keeper reads its clock (memory.wand_clock):
    the same moment as clock()."""

    @staticmethod
    def localtime():
        return (2025, 3, 1, 8, 30, 0, 5, 60)

    @staticmethod
    def time():
        return NOW_S


class _Routine:
    def __init__(self, name, steps):
        self.name = name
        self.steps = steps

    def instances(self):
        return self.steps


ROUTINES = [_Routine("daily", 10), _Routine("eyes", 6)]
OLD_SETTINGS = Settings(intensity=500, brightness=60, routine="eyes", long_press_ms=400)
NEW_SETTINGS = dict(intensity=900, brightness=40, routine="daily", strong_cues=True,
                    resume_window_s=3600)


def _progress(inst, flags, seq=-1):
    # (the keeper's: started when the session's first step began; its
    # record's number, memory.next_seq, fixed then)
    return memory.Progress("daily", inst, 10, 60 * inst, 1, 0, flags, MINS,
                           NOW_S - 300 + 30 * inst, seq)


def _history(n, slots=None):
    """n sessions' records, seq 0..n-1; with `slots`, only the newest that
    many, the oldest of them in slot n % slots (as a full file wraps)."""
    recs = []
    for seq in range(n):
        recs.append((seq, memory.history_record(seq, MINS - 1440 * (n - seq), 600 + seq, 10, 10,
                                                "daily", seq % 3, 0, END_FINISHED, 0)))
    if slots is None:
        return b"".join(r for _, r in recs)
    out = [None] * slots
    for seq, r in recs[-slots:]:
        out[seq % slots] = r
    return b"".join(out)


# The journal: record i of a wake is _record(i), of a kind trace writes
# with no routine's words; a Journal holds them as the shell's does.

def _record(i):
    kind = (CMD_STATE, CMD_VIBE, CMD_LED, CMD_STROKE)[i % 4]
    a = (i % 6, 1 + i % 30, i % 13, 1 + i % 7)[i % 4]
    b = (0, 40 + 10 * (i % 100), 0, 7)[i % 4]
    c = (0, 100 + i % 900, 0, 0)[i % 4]
    return (1000 + 37 * i, kind, a, b, c)


def _records(lo, hi, lost=0):
    """Records lo..hi-1 as memory.chunks gives them back, after a lost
    line if the ring dropped `lost` before lo."""
    out = [(_record(lo)[0], -1, lost, 0, 0)] if lost else []
    return out + [_record(i) for i in range(lo, hi)]


def _journal(capacity, saves, n=0, saved=0, files=None):
    """A Journal of `capacity` that has taken records 0.. and, after the
    first `saves[k]` of them, been saved to `files` (memory.save_journal);
    then (the same wake, later) has taken n in all, `saved` of them on
    flash already."""
    j = Journal(capacity)
    for upto in list(saves) + [n]:
        while j.count < upto:
            t, kind, a, b, c = _record(j.count)
            j.take(t, [kind, a, b, c], 1)
        if files is not None and upto in saves:
            memory.save_journal(files, ROOT, j)
    if saved:
        j.saved = saved
    return j


def _flash(settings=True, history=0, progress=None, journal=()):
    """The flash: settings (the old ones) or none, `history` sessions,
    `progress`, and journal.bin as a Journal of 16 saved after each count
    in `journal`."""
    fs = CutFiles({})
    if settings:
        memory.write_settings(fs, ROOT, OLD_SETTINGS)
    if history:
        full = SLOTS
        fs.files[ROOT + memory.HISTORY] = _history(history, full if history > full else None)
    if progress is not None:
        memory.write_progress(fs, ROOT, progress)
    if journal:
        _journal(16, journal, files=fs)
    return fs.files


def _append(fs):
    memory.append_history(fs, ROOT, MINS - 20, 700, 6, 6, "eyes", 2, 1, END_FINISHED, 0)


def _save_journal(capacity, before, n):
    """The keeper's journal write: a Journal of `capacity` that saved after
    each count in `before` (on the flash already) has taken n records."""
    def work(fs):
        j = _journal(capacity, before, n, before[-1])
        memory.save_journal(fs, ROOT, j)
        if j.saved != n:
            raise AssertionError("save_journal left %d of %d records saved" % (j.saved, n))
    return work


def _powered(fs, call, *args):
    """call(*args) where the wand's own files are fs: facewand.power_off
    takes memory.Files() (keeper.Files, as memory imports it afresh), and
    facewand.trace writes journal.jsonl with open(). Returns the lines
    power_off logged (each an exception it took and went on from)."""
    import sys
    from facewand import keeper, power_off, trace
    said = []
    mods = [memory, sys.modules.get("facewand.memory")]
    files, log, words = keeper.Files, power_off.log, power_off.with_words
    keeper.Files = lambda: fs
    for m in mods:
        if m is not None:
            m.Files = keeper.Files
    trace.open = lambda path, mode="r": fs.open(path, mode)
    power_off.log = said.append
    power_off.with_words = lambda root, routines: routines      # (the routines have none)
    try:
        call(*args)
    finally:
        keeper.Files = files
        for m in mods + [sys.modules.get("facewand.memory")]:
            if m is not None:
                m.Files = files
        power_off.log = log
        power_off.with_words = words
        try:
            delattr(trace, "open")
        except (AttributeError, KeyError):
            pass
    return said


def _boot(fs):
    """Start-up's memory (facewand.start): the settings, a journal left by
    a cut written out, what recall finds. Returns what power_off logged."""
    from facewand import power_off
    settings = Settings()
    memory.read_settings(fs, ROOT, settings)
    said = []
    if ROOT + memory.JOURNAL in fs.files:
        said = _powered(fs, power_off.journal_after_a_cut, ROOT, ROUTINES)
    memory.recall(fs, ROOT, ROUTINES, settings, clock)
    return said


class _Sch:
    def __init__(self, inst, count):
        self.inst = inst
        self.count = count


class _Gestures:
    busy = False


class _Engine:
    """What the keeper reads of the engine: a session of ROUTINES[0] on
    step instance `inst`, quiet (nothing stirred, nothing due)."""

    def __init__(self, inst):
        self.sessions = self.ends = self.changes = self.choice = 0
        self.state = RUNNING
        self.sch = _Sch(inst, ROUTINES[0].steps)
        self.routine = ROUTINES[0]
        self.active_ms = 60000 * inst + 4321
        self.pauses = 1
        self.warnings = 2
        self.ended = 0
        self.resumed = False
        self.stirred = False
        self.wake_t = 60000          # nothing due for a minute
        self.settings = Settings(**NEW_SETTINGS)
        self.gestures = _Gestures()
        self.routines = ROUTINES


class _Shell:
    def elapsed(self):
        return 120000


def _keeper(inst, ended, settings):
    """The keeper through a session's step `inst`: the step begins (its
    progress, and the journal so far: records 6..15, 0..5 on flash
    already), then the wand switches off, the session still running
    (ended 0) or ended, with a setting changed or not: all it owes then,
    in its order; then the journal is written out (power_off.save_journal:
    journal.jsonl from journal.bin and the ring's 16..23; journal.bin
    removed)."""
    def work(fs):
        from facewand import power_off
        from facewand.keeper import Keeper
        e = _Engine(inst)
        j = _journal(96, (), 16, 6)
        k = Keeper(e, ROOT, fs, _Time, None, j)
        # Its writes as Keeper._write makes them, without importing memory
        # afresh for each (a compile each time where no bytecode is cached:
        # 20 times the sweep's own time).
        k._write = lambda what: memory.keep(k, what)
        e.sessions += 1
        if not k.poll(1000, False):
            raise AssertionError("the keeper wrote no progress as the step began")
        if ended:
            e.state = DONE
            e.ended = ended
            e.ends += 1
        if settings:
            e.changes += 1
        _journal_more(j, 24)
        k.power_off(False)
        if k.failed:
            raise AssertionError("the keeper's writes failed")
        said = _powered(fs, power_off.save_journal, j, e, _Shell(), ROOT, None, None)
        if said:
            raise AssertionError("power_off.save_journal: %r" % said)
    return work


def _journal_more(j, n):
    while j.count < n:
        t, kind, a, b, c = _record(j.count)
        j.take(t, [kind, a, b, c], 1)


# name: (the flash before, the write)
WORKLOADS = {
    "settings": (lambda: _flash(True, 5, _progress(2, FLAG_RECORDED)),
                 lambda fs: memory.write_settings(fs, ROOT, Settings(**NEW_SETTINGS))),
    "settings_first": (lambda: _flash(False),
                       lambda fs: memory.write_settings(fs, ROOT, Settings(**NEW_SETTINGS))),
    "history_append": (lambda: _flash(True, 5), _append),
    "history_first": (lambda: _flash(True), _append),
    "history_full": (lambda: _flash(True, 81, _progress(2, FLAG_RECORDED)), _append),
    "progress": (lambda: _flash(True, 5, _progress(2, FLAG_RECORDED)),
                 lambda fs: memory.write_progress(fs, ROOT, _progress(3, 0))),
    "progress_first": (lambda: _flash(True, 5),
                       lambda fs: memory.write_progress(fs, ROOT, _progress(0, 0))),
    # the keeper: progress as step 3 begins (step 2's, numbered as the
    # keeper numbers the session's record, written earlier in the wake); at
    # power-off the session's record, its progress marked recorded, the
    # settings
    "keeper_off": (lambda: _flash(True, 5, _progress(2, 0, 5), (6,)), _keeper(3, 0, True)),
    "keeper_off_full": (lambda: _flash(True, 81, _progress(2, 0, 81), (6,)),
                        _keeper(3, 0, False)),
    # progress as the last step begins; the session's record, its progress
    # cleared, the settings
    "keeper_finished": (lambda: _flash(True, 5, _progress(8, 0, 5), (6,)),
                        _keeper(9, END_FINISHED, True)),
    # start-up itself: settings written on a fresh wand; a cut session
    # recorded, the journal of its wake written out
    "boot_fresh": (lambda: _flash(False), _boot),
    "boot_after_a_cut": (lambda: _flash(True, 5, _progress(4, 0, 5), (10, 33)), _boot),
    # the journal appended: a first chunk; one after two (the second after
    # records the ring dropped); two at once (the ring wrapped), the first
    # after records dropped
    "journal_first": (lambda: _flash(True, 5, _progress(2, 0, 5)), _save_journal(96, (0,), 20)),
    "journal_append": (lambda: _flash(True, 5, _progress(2, 0, 5), (10, 33)),
                       _save_journal(16, (10, 33), 45)),
    "journal_wrap": (lambda: _flash(True, 5, _progress(2, 0, 5), (10,)),
                     _save_journal(16, (10,), 30)),
}

# What journal.bin holds after each of the journal's writes, uncut; the
# keeper's wake leaves none, and journal.jsonl with every record.
JOURNALS = {
    "journal_first": lambda: _records(0, 20),
    "journal_append": lambda: _records(0, 10) + _records(17, 33, 7) + _records(33, 45),
    "journal_wrap": lambda: _records(0, 10) + _records(14, 30, 4),
    "keeper_off": list,
    "keeper_off_full": list,
    "keeper_finished": list,
}
JSONLS = {
    "keeper_off": lambda: _records(0, 24),
    "keeper_off_full": lambda: _records(0, 24),
    "keeper_finished": lambda: _records(0, 24),
}

CHECKS = tuple(sorted(WORKLOADS))


# ---- reading the flash back -------------------------------------------------------------

def _settings_of(files, fat):
    s = Settings()
    note, _ = memory.read_settings(CutFiles(files, fat), ROOT, s)
    return note, as_dict(s)


def _progress_of(files):
    p = memory.read_progress(CutFiles(files), ROOT)
    return None if p is None else bytes(p.pack())


def _history_of(files):
    return memory.read_history(CutFiles(files), ROOT)


def _legal(start, uncut, fat):
    """What a boot may find after a cut of the write whose uncut run is
    `uncut` (a recording CutFiles) on the flash `start`."""
    final = uncut.files
    settings = [_settings_of(start, fat), _settings_of(final, fat)]
    # (FAT: a cut between removing the old file and renaming the new one
    # over it leaves settings.json.new alone, which the boot takes: never
    # the defaults, but on a wand that had no settings.)
    progress = []
    for state in uncut.states:
        p = _progress_of(state)
        if p not in progress:
            progress.append(p)
    if fat and None not in progress:
        progress.append(None)                # FAT: a torn record does not check
    old, damaged = _history_of(start)
    new, damaged_new = _history_of(final)
    assert damaged == damaged_new == 0
    return settings, progress, old, new


JOURNAL = ROOT + memory.JOURNAL
JSONL = ROOT + "/journal.jsonl"
_EVENTS = {-1: "lost", CMD_STATE: "state", CMD_VIBE: "vibe", CMD_LED: "led", CMD_STROKE: "stroke"}


def _lines(records):
    """(t_ms, event) of the journal lines for records (memory.chunks')."""
    return [(r[0], _EVENTS[r[1]]) for r in records]


def _journal_lines(files):
    import json
    text = files.get(JSONL, b"").decode()
    return [(d["t_ms"], d["event"]) for d in (json.loads(x) for x in text.splitlines())]


def _fail(what, why):
    raise AssertionError("%s: %s" % (what, why))


def _check_boot(files, fat, legal, what):
    """Boot (as start-up does) on the flash `files` left by a cut, twice,
    and hold what it finds against `legal`."""
    from facewand import power_off
    settings_ok, progress_ok, old, new = legal
    fs = CutFiles(files, fat)
    try:
        # what was left, before start-up writes anything
        records, damaged = memory.read_history(fs, ROOT)
        p = memory.read_progress(fs, ROOT)
        saved = chunks(files.get(JOURNAL, b""))
        # start-up
        s = Settings()
        note, message = memory.read_settings(fs, ROOT, s)
        said = []
        if JOURNAL in fs.files:
            said = _powered(fs, power_off.journal_after_a_cut, ROOT, ROUTINES)
        recall = memory.recall(fs, ROOT, ROUTINES, s, clock)
        after, damaged_after = memory.read_history(fs, ROOT)
        written = dict(fs.files)
        # and the next start-up
        s2 = Settings()
        note2, _ = memory.read_settings(fs, ROOT, s2)
        if JOURNAL in fs.files:
            said += _powered(fs, power_off.journal_after_a_cut, ROOT, ROUTINES)
        memory.recall(fs, ROOT, ROUTINES, s2, clock)
        again, damaged_again = memory.read_history(fs, ROOT)
        # journal.bin read as power-off reads it (a wake that went on)
        other = CutFiles(files, fat)
        engine = _Engine(0)
        engine.sessions = 1
        said_off = _powered(other, power_off.save_journal, Journal(8), engine, _Shell(), ROOT,
                            None, None)
    except Exception as e:
        _fail(what, "the boot raised %s %r" % (type(e).__name__, e.args))
    # The journal: start-up wrote out every record journal.bin held, with a
    # cut line, and removed it (none: journal.jsonl as it was); power-off
    # would have written them all; neither took an exception.
    if said or said_off:
        _fail(what, "the journal's writer said %r" % (said + said_off))
    if JOURNAL in written or JOURNAL in other.files:
        _fail(what, "journal.bin left after %s" % ("start-up" if JOURNAL in written else "power-off"))
    want = _lines(saved)
    if saved:
        want.append((saved[-1][0], "cut"))
        if _journal_lines(written) != want:
            _fail(what, "start-up wrote journal.jsonl %r, not %r" % (_journal_lines(written), want))
    elif written.get(JSONL) != files.get(JSONL):
        _fail(what, "start-up changed journal.jsonl with no journal.bin")
    if fs.files.get(JSONL) != written.get(JSONL):
        _fail(what, "the next start-up changed journal.jsonl")
    if saved and _journal_lines(other.files) != _lines(saved):
        _fail(what, "power-off wrote journal.jsonl %r, not %r" % (_journal_lines(other.files), _lines(saved)))
    # Settings: the old or the new ones (FAT: or none, said).
    if (note, as_dict(s)) not in settings_ok:
        _fail(what, "settings %r (note %d, %r), not the old or the new ones" % (as_dict(s), note, message))
    if note2 or as_dict(s2) != as_dict(s):
        _fail(what, "the next boot read other settings (note %d)" % note2)
    # Progress: one the write passed through, or none.
    pb = None if p is None else bytes(p.pack())
    if pb not in progress_ok:
        _fail(what, "progress %r, not one the write passed through" % (pb,))
    # History: every old record the write keeps, the new one or not,
    # nothing else; a damaged slot only on FAT, and only one.
    have, was, will = set(records), set(old), set(new)
    if not fat and damaged:
        _fail(what, "%d damaged history records on littlefs" % damaged)
    if damaged > 1:
        _fail(what, "%d damaged history records" % damaged)
    if not have <= was | will:
        _fail(what, "history records from nowhere: %r" % list(have - was - will))
    if not was & will <= have:
        _fail(what, "history lost old records: %r" % list((was & will) - have))
    if len(will - have) > 1:
        _fail(what, "history lost %d records" % len(will - have))
    if not fat and records != old and records != new:
        _fail(what, "history neither the old nor the new one on littlefs")
    # Start-up recorded the session found in progress, if it was not yet,
    # as cut off, and lost nothing else (but the oldest, when full).
    added = [r for r in after if r not in have]
    lost = [r for r in records if r not in set(after)]
    want = []
    if p is not None and not p.flags & FLAG_RECORDED:
        # under the number its progress holds (memory.next_seq when it
        # began), unless a record of that number is there already: written
        # just before the cut, the progress not yet marked
        seq = records[-1][0] + 1 if records else 0
        if p.seq < 0 or not [r for r in records if r[0] & 0xFFFF == p.seq]:
            want = [(max(seq, p.seq), p.started, p.active_s, p.inst, p.planned, p.name, p.pauses,
                     p.warnings, END_CUT, p.flags & memory.FLAG_RESUMED)]
    if added != want:
        _fail(what, "start-up added %r to the history, not %r" % (added, want))
    full = len(records) >= SLOTS and not damaged
    if lost != (records[:1] if want and full else []):
        _fail(what, "start-up lost history records %r" % lost)
    if damaged_after > damaged or (not fat and damaged_after):
        _fail(what, "start-up left %d damaged history records" % damaged_after)
    if again != after or damaged_again != damaged_after:
        _fail(what, "the next start-up changed the history")
    if recall[1] >= 0 and recall[2] is None:
        _fail(what, "an offer with no session")
    # No session is recorded twice (a cut between a session's record and
    # its progress marked recorded, or cleared, once did that).
    for when, got in (("the cut", records), ("start-up", after)):
        sessions = [(r[1], r[5], r[4]) for r in got]
        for k in sessions:
            if sessions.count(k) > 1:
                _fail(what, "after %s a session is recorded twice: %r"
                      % (when, [r for r in got if (r[1], r[5], r[4]) == k]))


def check_cuts(name):
    """Cut the write `name` (WORKLOADS) at every operation and byte, on
    littlefs and on FAT, and boot after each. Returns {"littlefs": cuts,
    "fat": cuts, "boots": distinct flash states booted}."""
    make, work = WORKLOADS[name]
    out = {"littlefs": 0, "fat": 0, "boots": 0}
    for fat in (False, True):
        mode = "fat" if fat else "littlefs"
        start = make()
        uncut = CutFiles(start, fat, record=True)
        work(uncut)
        if uncut.dead or not uncut.writes:
            _fail(name, "the uncut run wrote nothing")
        legal = _legal(start, uncut, fat)
        if name in JOURNALS and chunks(uncut.files.get(JOURNAL, b"")) != JOURNALS[name]():
            _fail(name, "journal.bin holds %r, not %r" % (chunks(uncut.files.get(JOURNAL, b"")),
                                                          JOURNALS[name]()))
        if name in JSONLS and _journal_lines(uncut.files) != _lines(JSONLS[name]()):
            _fail(name, "journal.jsonl holds %r" % _journal_lines(uncut.files))
        points = [(k, 0) for k in range(uncut.ops)]
        for k, n, path in uncut.writes:
            # journal.jsonl (trace's text, not memory's records): torn once
            # per write, which is all a torn line can differ by
            points += [(k, b) for b in (range(1, n) if path != JSONL else range(1, min(n, 2)))]
        seen = {}
        _check_boot(uncut.files, fat, legal, "%s (%s) uncut" % (name, mode))
        for k, b in points:
            fs = CutFiles(start, fat, at=k, after=b)
            try:
                work(fs)
            except PowerCut:
                pass
            if not fs.dead:
                _fail(name, "cut %d+%d never came" % (k, b))
            where = ("%s (%s): cut before operation %d (%s)" % (name, mode, k, uncut.kinds[k])
                     if not b else "%s (%s): cut %d bytes into operation %d (%s)"
                     % (name, mode, b, k, uncut.kinds[k]))
            # journal.bin's records are those it held before the operation
            # cut: a chunk torn on FAT is dropped, the chunks before it kept
            # (those of this write too, on FAT), none misread.
            try:
                got = chunks(fs.files.get(JOURNAL, b""))
            except Exception as e:
                _fail(where, "memory.chunks raised %s %r" % (type(e).__name__, e.args))
            if got != chunks(uncut.before[k].get(JOURNAL, b"")):
                _fail(where, "journal.bin's records %r, not the %d before the cut"
                      % (got, len(chunks(uncut.before[k].get(JOURNAL, b"")))))
            # The boot's outcome is a function of the flash alone: a state
            # seen before (a littlefs cut inside a write leaves what a cut
            # before it does) has been booted.
            key = tuple(sorted(fs.files.items()))
            if key not in seen:
                seen[key] = 1
                _check_boot(fs.files, fat, legal, where)
        out[mode] = len(points)
        out["boots"] += len(seen)
    return out
