# When the wand writes its memory (facewand.memory): the shell's keeper
# watches the engine between ticks and writes what is owed at a moment a
# flash stall delays nothing.
#
# - progress (which step a session is on): as each step begins, once the
#   step's cue has played and nothing is due for _QUIET_MS. A write is one
#   small file committed at close; littlefs erases a sector only now and
#   then (45 ms typically, 400 ms at worst, with interrupts off), and
#   _QUIET_MS is longer than that, so no cue comes late by it.
# - the journal so far (journal.bin), with each progress write and
#   whenever _FLUSH_AT records wait at a quiet moment: the shell's ring need
#   hold only what comes between two (memory.save_journal).
# - a session's history record, the settings changed on the wand and the
#   routine chosen: only while no session runs (idle, done, paused, offer),
#   at a quiet moment, or at power-off.
# A session the person ended (finished, ended early, the time cap) clears
# its progress; one that stopped otherwise (the battery, an error, left
# paused until auto-off, a power cut) keeps it, so the next power-on offers
# to go on with it.
#
# poll() runs every tick, outside the engine's tick: it compares a few
# counters and allocates nothing unless it writes. Writing allocates (a file
# object, a record), which is why it is not part of the tick itself.
import os

from facewand.commands import RUNNING, PAUSED
from facewand.compat import const
from facewand.compat import diff

_QUIET_MS = const(500)       # nothing due for this long: a flash stall delays no cue
# How a session ended (names.END_NAMES by number; the engine's `ended`).
_END_FINISHED = const(1)
_END_CRASH = const(6)
_END_CUT = const(7)
# What _write writes (memory.keep).
_W_PROGRESS = const(1)
_W_RECORD = const(2)
_W_SETTINGS = const(3)
_W_JOURNAL = const(4)
_FLUSH_AT = const(32)        # journal records that make a quiet moment worth a write


class Keeper:
    def __init__(self, engine, root, files, clock, cut=None, journal=None):
        """clock: the `time` module the wand's clock is read from (only when
        writing, by facewand.memory). cut: the memory.Progress of
        a session a power cut stopped, whose counts a resumed session
        carries on. journal: the shell's, put on flash as it fills (its
        ring holds only what comes between two quiet moments)."""
        self.e = engine
        self.journal = journal
        self.root = root
        self.files = files
        self.clock = clock
        self.cut = cut
        self.sessions = engine.sessions
        self.ends = engine.ends
        self.changes = engine.changes
        self.choice = engine.choice
        self.inst = -1               # the step instance whose progress is on flash
        self.seq = -1                # the running session's history record number (memory.next_seq)
        self.started = 0             # minutes, when the running session began (0: unknown)
        self.base_s = 0              # a resumed session's earlier counts
        self.base_pauses = 0
        self.base_warnings = 0
        self.flags = 0
        # a session's end, owed to the history (ended 0: none), and its routine
        # (the one chosen by the time it is written may be another)
        self.ended = 0
        self.routine = engine.routine
        self.done = 0
        self.active_s = 0
        self.pauses = 0
        self.warnings = 0
        self.settings_owed = False
        self.failed = 0              # writes that raised (the wand goes on without them)

    def poll(self, now, motor_busy):
        """After each tick: note what the engine did, and write one owed
        thing if this is a moment for it. True if it wrote."""
        self.poll_counts()
        e = self.e
        st = e.state
        j = self.journal
        if st == RUNNING:
            if motor_busy or e.stirred or diff(e.wake_t, now) < _QUIET_MS:
                return False
            if e.sch.inst != self.inst:
                self._write(_W_PROGRESS)
                return True
            if j is not None and j.count - j.saved >= _FLUSH_AT:
                self._write(_W_JOURNAL)
                return True
            return False
        if motor_busy or e.stirred or e.gestures.busy:
            return False
        if self.ended:
            self._write(_W_RECORD)
            return True
        if self.settings_owed and st != PAUSED:
            self._write(_W_SETTINGS)
            return True
        if j is not None and j.count - j.saved >= _FLUSH_AT:
            self._write(_W_JOURNAL)
            return True
        return False

    def power_off(self, crash):
        """At power-off (the loop has ended, outputs off): everything owed.
        A session still running or paused is kept for the next power-on,
        and recorded as ended by the crash, or as ended otherwise."""
        e = self.e
        self.poll_counts()
        st = e.state
        if st == RUNNING or st == PAUSED:
            if self.inst != e.sch.inst:
                self._write(_W_PROGRESS)
            self._take_end(_END_CRASH if crash else _END_CUT)
        if self.ended:
            self._write(_W_RECORD)
        if self.settings_owed:
            self._write(_W_SETTINGS)

    def poll_counts(self):
        """Note a session begun or ended and a setting changed."""
        e = self.e
        if e.sessions != self.sessions:
            self.sessions = e.sessions
            self._began()
        if e.ends != self.ends:
            self.ends = e.ends
            if self.ended:
                self._write(_W_RECORD)    # (two ends with no quiet moment between)
            self._take_end(e.ended)
        if e.changes != self.changes or e.choice != self.choice:
            self.changes = e.changes
            self.choice = e.choice
            self.settings_owed = True

    # ---------------------------------------------------------------- the work

    def _began(self):
        e = self.e
        if self.ended:
            # The last session's record is still owed (no quiet moment came
            # between its end and this start): written now, under its own
            # number, before this one takes the next.
            self._write(_W_RECORD)
        self.inst = -1
        self.seq = -1
        cut = self.cut
        if e.resumed and cut is not None:
            self.started = cut.started
            self.base_s = cut.active_s
            self.base_pauses = cut.pauses
            self.base_warnings = cut.warnings
            self.flags = 1               # (memory's FLAG_RESUMED)
        else:
            self.started = 0             # read from the clock with the first progress
            self.base_s = 0
            self.base_pauses = 0
            self.base_warnings = 0
            self.flags = 0
        self.cut = None

    def _take_end(self, ended):
        e = self.e
        sch = e.sch
        self.ended = ended
        self.routine = e.routine
        self.done = sch.count if ended == _END_FINISHED else sch.inst
        self.active_s = self.base_s + e.active_ms // 1000
        self.pauses = self.base_pauses + e.pauses
        self.warnings = self.base_warnings + e.warnings

    def _write(self, what):
        """One write (W_*), by facewand.memory, which is imported for it and
        dropped again: the running wand's heap holds none of its code."""
        import sys
        from facewand import memory
        try:
            memory.keep(self, what)
        finally:
            sys.modules.pop("facewand.memory", None)
            import facewand
            try:
                delattr(facewand, "memory")
            except (AttributeError, KeyError):    # (MicroPython's, for a name never set)
                pass


# What the keeper holds while the wand runs, for facewand.memory's writers:
# the filesystem. Here, not in memory (imported only to write, then
# dropped): an object of memory's own would keep all of that module on the
# running wand's heap.

class Files:
    """The filesystem as facewand.memory uses it. Tests put one in its place
    that cuts the power at a chosen write (tests/power_cut.py)."""

    def open(self, path, mode):
        return open(path, mode)

    def rename(self, a, b):
        os.rename(a, b)

    def remove(self, path):
        os.remove(path)

    def size(self, path):
        return os.stat(path)[6]
