# When the wand writes its memory (facewand.memory): the shell's keeper
# watches the engine between ticks and writes what is owed at a moment a
# flash stall delays nothing.
#
# - progress (which step a session is on): as each step begins, once the
#   step's cue has played and nothing is due for _QUIET_MS. A write is one
#   small file committed at close; littlefs erases a sector only now and
#   then (45 ms typically, 400 ms at worst, with interrupts off), and
#   _QUIET_MS is longer than that, so no cue comes late by it.
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
from facewand.commands import (
    RUNNING, PAUSED, END_FINISHED, END_EARLY, END_CAP, END_CRASH, END_CUT,
)
from facewand.compat import const, describe
from facewand.shell import log
from facewand.ticks import diff

_QUIET_MS = const(500)       # nothing due for this long: a flash stall delays no cue


class Keeper:
    def __init__(self, engine, root, files, clock, cut=None):
        """clock() -> (minutes since 2000, seconds) of the wand's clock,
        (0, 0) when it does not know the time. cut: the memory.Progress of
        a session a power cut stopped, whose counts a resumed session
        carries on."""
        self.e = engine
        self.root = root
        self.files = files
        self.clock = clock
        self.cut = cut
        self.sessions = engine.sessions
        self.ends = engine.ends
        self.changes = engine.changes
        self.choice = engine.choice
        self.inst = -1               # the step instance whose progress is on flash
        self.started = 0             # minutes, when the running session began (0: unknown)
        self.base_s = 0              # a resumed session's earlier counts
        self.base_pauses = 0
        self.base_warnings = 0
        self.flags = 0
        # a session's end, owed to the history (ended 0: none)
        self.ended = 0
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
        if st == RUNNING:
            if (e.sch.inst != self.inst and not motor_busy and not e.stirred
                    and diff(e.wake_t, now) >= _QUIET_MS):
                self._progress()
                return True
            return False
        if motor_busy or e.stirred or e.gestures.busy:
            return False
        if self.ended:
            self._record()
            return True
        if self.settings_owed and st != PAUSED:
            self._settings()
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
                self._progress()
            self._take_end(END_CRASH if crash else END_CUT)
        if self.ended:
            self._record()
        if self.settings_owed:
            self._settings()

    def poll_counts(self):
        """Note a session begun or ended and a setting changed."""
        e = self.e
        if e.sessions != self.sessions:
            self.sessions = e.sessions
            self._began()
        if e.ends != self.ends:
            self.ends = e.ends
            if self.ended:
                self._record()           # (two ends with no quiet moment between)
            self._ended()
        if e.changes != self.changes or e.choice != self.choice:
            self.changes = e.changes
            self.choice = e.choice
            self.settings_owed = True

    # ---------------------------------------------------------------- the work

    def _began(self):
        e = self.e
        self.inst = -1
        cut = self.cut
        if e.resumed and cut is not None:
            self.started = cut.started
            self.base_s = cut.active_s
            self.base_pauses = cut.pauses
            self.base_warnings = cut.warnings
            self.flags = 1               # memory.FLAG_RESUMED
        else:
            self.started = 0             # read from the clock with the first progress
            self.base_s = 0
            self.base_pauses = 0
            self.base_warnings = 0
            self.flags = 0
        self.cut = None

    def _ended(self):
        self._take_end(self.e.ended)

    def _take_end(self, ended):
        e = self.e
        sch = e.sch
        self.ended = ended
        self.done = sch.count if ended == END_FINISHED else sch.inst
        self.active_s = self.base_s + e.active_ms // 1000
        self.pauses = self.base_pauses + e.pauses
        self.warnings = self.base_warnings + e.warnings

    def _progress(self):
        from facewand import memory
        e = self.e
        inst = e.sch.inst
        self.inst = inst
        mins, secs = self._clock()
        if not self.started:
            self.started = mins
        p = memory.Progress(e.routine.name, inst, e.sch.count, self.base_s + e.active_ms // 1000,
                            self.base_pauses + e.pauses, self.base_warnings + e.warnings,
                            self.flags, self.started, secs)
        self._do(memory.write_progress, p)

    def _record(self):
        from facewand import memory
        ended = self.ended
        self.ended = 0
        e = self.e
        flags = self.flags
        ok = self._do(memory.append_history, self.started, self.active_s, self.done,
                      e.sch.count, e.routine.name, self.pauses, self.warnings, ended, flags)
        if ended == END_FINISHED or ended == END_EARLY or ended == END_CAP:
            self._do(memory.clear_progress)
        elif ok and self.inst >= 0:
            # Kept for the offer, marked as in the history already.
            mins, secs = self._clock()
            p = memory.Progress(e.routine.name, self.inst, e.sch.count, self.active_s,
                                self.pauses, self.warnings, flags | memory.FLAG_RECORDED,
                                self.started, secs)
            self._do(memory.write_progress, p)

    def _settings(self):
        from facewand import memory
        e = self.e
        self.settings_owed = False
        e.settings.routine = e.routine.name
        if self._do(memory.write_settings, e.settings) is False:
            log("settings: this filesystem will not rename over a file (FAT?): "
                "a power cut while saving can lose them")

    def _clock(self):
        try:
            return self.clock()
        except Exception:
            return 0, 0

    def _do(self, what, *args):
        """A write; one that fails is logged and the wand goes on."""
        try:
            r = what(self.files, self.root, *args)
            return True if r is None else r
        except Exception as ex:
            self.failed += 1
            log("memory not written: " + describe(ex))
            return None
