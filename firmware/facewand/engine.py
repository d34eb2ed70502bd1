# The wand's state machine. Sans-I/O: the shell reports what it read
# (button level, pressure, battery) with the current tick (ms, wrapping
# like time.ticks_ms), then calls tick() once; the engine advances once,
# writes what the motor and ring should do into its outbox and has its view
# draw the ring. It reads no clock, touches no pin, allocates nothing once
# built.
#
# RULES (every transition is in this file)
#
# States: idle, running, paused, done, off, offer. Power-on is idle, or
# offer when the shell found a session that a power cut stopped (offer()).
#
# By the button (the table in _table() below; gestures.py tells them apart):
#   idle    press  -> running with the chosen routine (start cue; step 1
#                     begins LEAD_MS later); with the battery low, no:
#                     the battery warning again, then off
#           long   -> off (power-off cue)
#           double -> idle, the next routine chosen (its cue; the ring shows
#                     its number in its colour for _ROUTINE_SHOW_MS)
#   running press  -> paused (pause cue; the schedule stops)
#           long   -> idle (session ended early: end cue)
#           double -> running, the next step begins now (from the last: done)
#   paused  press  -> running (resume cue; every later cue shifted by the pause)
#           long   -> idle (end cue)
#           double -> paused, the next intensity (400, 550, 700, 850, 1000
#                     permille, then round again: the level cue at the new
#                     strength; the ring shows which for _LEVEL_SHOW_MS)
#   done    press  -> idle; long -> off
#   off     press  -> idle (wake cue)
#   offer   press  -> running, at the start of the step the cut stopped
#                     (resume cue; step announced LEAD_MS later)
#           double -> running from the first step (start cue)
#           long   -> off (the offer stays for the next power-on)
#   Any other gesture does nothing.
#
# By time (_advance, in this order):
#   the battery below battery_low_mv for BATTERY_CONFIRM_MS: latched low
#            until power-on (warning; running, a buzz and the step goes on)
#   running: the last step ends -> done (finish cue); a step ends with the
#            battery low -> off; active for SESSION_CAP_MS -> done
#   idle, paused, done, offer: BATTERY_SHOW_MS after the battery warning
#            was shown -> off; quiet (no button edge) for auto_off_ms -> off
#
# Entering a state (_enter): leaving running drops a waiting cue and
# clears a pressure warning; entering off brings the power-off cue; any
# state but running with the battery low shows the warning and switches off
# BATTERY_SHOW_MS later. Leaving a session (running or paused for any
# other state) says how it ended (`ended`, names.END_NAMES) and counts it
# (`ends`): the shell's keeper writes the history from these.
#
# Cues: every instant of a session is an exact offset from its anchors
# (schedule.py), so nothing drifts. A new cue replaces the one playing,
# except that guidance (step, stroke, press, release) never cuts into a
# warning or a state-change cue: it waits in one slot and plays when the
# motor is free, if the session is still running. The motor is driven only
# while running, plus the single short cue that announces entering another
# state (or, in idle, answers a press refused on a low battery).
#
# Pressure (permille, optional sensor) matters only while running, through
# the guard (pressure.py): a warning at once above the step's band, a buzz
# again every 2 s while it lasts, cleared after half a second within it.
# Following (a pressure sensor calibrated, the setting on: the shell gives
# the engine the stroke detector, `sense`, the module facewand.sense):
# while running, every sample goes through it, and the advance after one
# that sensed something lets it act (sense.tick): each stroke or press is
# said (sensed), a stroke that peaked under the step's pressure_min brings
# the light cue, and in a step's strokes the person's own count (schedule.py,
# `follow`): the last ends the step then and there; the pace cue drifts
# toward the person's period. Each part of a step (its intro, its last
# release) tells it what is asked (sense.step). With none, nothing here.
# At power-on, if some routine files were refused, the ring shows the error
# pattern for ERROR_SHOW_MS; the wand works on with the routines that loaded.
from facewand import cues, pressure, schedule
from facewand.commands import (
    IDLE, RUNNING, PAUSED, DONE, OFF, OFFER, Outbox, CMD_STATE, CMD_STEP, CMD_VIBE,
    CMD_LED, CMD_WARN, CMD_CLEAR, CMD_STROKE, CMD_POINT, CMD_ROUTINE, CMD_NOTE,
    CMD_OFFER, CMD_SET, POINT_PRESS, POINT_RELEASE, REASON_PRESSURE, REASON_BATTERY,
)
from facewand.gestures import Gestures
from facewand.pressure import PressureGuard, WARN_REPEAT_MS, CLEAR_AFTER_MS, PRESSURE_STALE_MS
from facewand.routines import LEAD_MS
from facewand.schedule import Schedule
from facewand.compat import add, diff
from facewand.view import BATTERY_SHOW_MS, L_ERROR, L_ROUTINE, L_LEVEL

from facewand.compat import const

SESSION_CAP_MS = const(1800000)
BATTERY_CONFIRM_MS = const(2000)
_ROUTINE_SHOW_MS = const(1500)
_LEVEL_SHOW_MS = const(1500)
_STRONG_FLOOR = const(700)    # strong_cues: the session level at least this ...
_STRONG_ADD = const(200)      # ... and this much above the wearer's
# The intensities a double press while paused steps through, permille.
INTENSITY_STEPS = (400, 550, 700, 850, 1000)
ERROR_SHOW_MS = const(2000)

# What a gesture does beyond changing state.
_NOTHING = const(0)
_START = const(1)       # begin a session (or refuse it on a low battery)
_CHOOSE = const(2)      # the next routine
_SKIP = const(3)        # the next step now
_PAUSE = const(4)
_RESUME = const(5)
_LEVEL = const(6)       # the next intensity
_RESUME_CUT = const(7)  # go on with the session a power cut stopped

_NO_STATE = const(255)

# How a session ended (`ended`; names.END_NAMES by number).
_END_FINISHED = const(1)
_END_EARLY = const(2)
_END_BATTERY = const(3)
_END_CAP = const(4)
_END_AUTO_OFF = const(5)
_SET_INTENSITY = const(1)     # names.SET_NAMES


def _table():
    """The gestures' table as a flat lookup by (state * 4 + gesture) * 3,
    built once, so a tick finds its row without making a tuple: next state
    (_NO_STATE: none), cue, do. The wand keeps only this (in bytes: a tenth
    of the rows' heap); the rows and their words are local here."""
    from facewand.gestures import PRESS, LONG, DOUBLE
    # state, gesture -> next state, its cue, and what else happens
    rows = (
        (IDLE, PRESS, RUNNING, cues.V_START, _START),
        (IDLE, LONG, OFF, 0, _NOTHING),
        (IDLE, DOUBLE, IDLE, 0, _CHOOSE),
        (RUNNING, PRESS, PAUSED, cues.V_PAUSE, _PAUSE),
        (RUNNING, LONG, IDLE, cues.V_END, _NOTHING),
        (RUNNING, DOUBLE, RUNNING, 0, _SKIP),
        (PAUSED, PRESS, RUNNING, cues.V_RESUME, _RESUME),
        (PAUSED, LONG, IDLE, cues.V_END, _NOTHING),
        (PAUSED, DOUBLE, PAUSED, 0, _LEVEL),
        (DONE, PRESS, IDLE, 0, _NOTHING),
        (DONE, LONG, OFF, 0, _NOTHING),
        (OFF, PRESS, IDLE, cues.V_WAKE, _NOTHING),
        (OFFER, PRESS, RUNNING, cues.V_RESUME, _RESUME_CUT),
        (OFFER, DOUBLE, RUNNING, cues.V_START, _START),
        (OFFER, LONG, OFF, 0, _NOTHING),
    )
    t = bytearray([_NO_STATE, 0, 0] * (6 * 4))
    for r in rows:
        j = (r[0] * 4 + r[1]) * 3
        t[j] = r[2]
        t[j + 1] = r[3]
        t[j + 2] = r[4]
    return bytes(t)


_TABLE = _table()
del _table

# Motor priorities: who may interrupt whom.
_P_GUIDE = const(1)
_P_WARN = const(2)
_P_STATE = const(3)


class Engine:
    def __init__(self, routines, settings, view, load_errors=0, choice=0):
        """routines: the installed routines, in the order a double press
        steps through them (at least one); view: what shows the ring
        (view.RingView, sized by the board); load_errors: how many routine
        files were refused when they were loaded; choice: the routine a
        press starts, by index."""
        self.routines = routines
        self.choice = choice if 0 <= choice < len(routines) else 0
        self.routine = routines[self.choice]
        self.settings = settings
        # In the instance's own dict now: the first write of a class default
        # (a double press while paused) would otherwise grow it on the tick.
        settings.intensity = settings.intensity
        self.view = view
        self.load_errors = load_errors
        self.out = Outbox()
        self.lazy = True          # skip quiet ticks (tests turn it off to compare)
        self.wake_t = 0           # nothing can happen before this, inputs aside
        self.stirred = True       # an input that may matter came since the last full tick
        self.gestures = Gestures(settings.long_press_ms)
        self.guard = PressureGuard()
        self.sch = Schedule(self.routine)
        self.level = 0
        self._set_level()
        self.state = IDLE
        self.state_t = 0          # when the current state began
        self.quiet_t = 0          # last button edge or state change
        self.pressed = False      # the button level last reported
        self.led = -1
        self.show = 0             # a passing idle overlay: L_ROUTINE or L_ERROR
        self.show_t = 0
        self.show_ms = 0
        self.paused_t = 0
        self.active_ms = 0        # time running in this session
        self.last_t = 0
        # motor
        self.motor_until = 0
        self.motor_prio = 0
        self.deferred = 0
        # battery
        self.b_low = False
        self.b_low_t = 0
        self.b_latched = False
        self.b_shown_t = 0
        self.off_pending = False  # power off once BATTERY_SHOW_MS has passed
        # what the shell's keeper reads (facewand.keeper)
        self.offer_inst = -1      # offer(): the step instance a power cut stopped
        self.notes = 0            # bits 1 << a note's number (names.NOTE_NAMES), said at power-on
        self.sessions = 0         # sessions begun since power-on
        self.ends = 0             # ... and ended
        self.ended = 0            # how the last one ended (names.END_NAMES by number)
        self.resumed = False      # the session running goes on from a cut one
        self.pauses = 0           # in the session running
        self.warnings = 0         # pressure warnings in it
        self.changes = 0          # settings changed on the wand
        self.sense = None         # following: the stroke detector, the module facewand.sense

    def offer(self, inst):
        """Before power_on(): a session of the chosen routine was cut off at
        step instance `inst`; power-on offers to go on from there."""
        if 0 <= inst < self.routine.instances():
            self.offer_inst = inst

    # ---------------------------------------------------------------- inputs
    # Inputs only record; tick() acts on them. The outbox holds what tick()
    # (or power_on()) returned until the next call: read it from
    # out.cmds[i * CMD_STRIDE ...].

    def power_on(self, now):
        self.out.clear()
        self.last_t = now
        for note in range(1, 8):
            if self.notes & (1 << note):
                self.out.emit(CMD_NOTE, note, 0, 0)
        if self.offer_inst >= 0:
            n = len(self.routine.steps)
            self._enter(OFFER, now)
            self.out.emit(CMD_OFFER, self.offer_inst % n + 1, self.offer_inst // n + 1, self.choice)
            self._vibe(cues.V_OFFER, _P_STATE, now)
        else:
            self._enter(IDLE, now)
        if self.load_errors:
            self._overlay(L_ERROR, ERROR_SHOW_MS, now)
        self._show(now)
        return self.out.n

    def button(self, pressed, now):
        """The button's level. A report that changes nothing is ignored: a
        shell may report the level every tick without keeping the wand on."""
        if pressed == self.pressed:
            return
        self.pressed = pressed
        self.stirred = True
        self.quiet_t = now
        self.gestures.edge(pressed, now)

    def pressure(self, permille, now):
        g = self.guard             # (the sample goes straight in: no call a tick)
        # The guard must look at once at a sample above the band unless it
        # already holds the person above it (a warning on, no all-clear
        # counting), and at one within the band if it does. Any other only
        # moves its clock: its deadlines (a repeat, the all-clear, a sample
        # gone stale) wake the engine by themselves (_timers_quiet).
        if (permille > g.band) != (g.warning and not g.ok):
            self.stirred = True
        g.value = permille
        g.t = now
        g.seen = True
        if (self.sense is not None and self.state == RUNNING and self.sense.pressure(permille, now)
                and diff(self.wake_t, now) > 1):
            # It sensed a stroke or a press: the next tick's advance says it
            # (this one has had the detector's own work: a stroke's end
            # and the step it may end would make the slowest tick), unless
            # an advance is due now anyway.
            self.wake_t = add(now, 1)

    def battery(self, mv, now):
        if mv >= self.settings.battery_low_mv:
            if self.b_low:
                self.b_low = False
                self.stirred = True
        elif not self.b_low:
            self.b_low = True
            self.b_low_t = now
            self.stirred = True

    def tick(self, now):
        """Advance to `now`; returns how many commands are in the outbox.

        Most ticks nothing is due: no input that matters came and the
        earliest moment anything could happen (wake_t, from _timers_quiet())
        has not come. Then only the clocks move and the view looks at the
        ring: on a Cortex-M0+ the whole advance costs more than the tick."""
        out = self.out
        out.n = 0                 # (out.clear(), without its call: every tick)
        out.vibe = 0
        if self.state == RUNNING:
            self.active_ms += diff(now, self.last_t)
        self.last_t = now
        if self.stirred or diff(now, self.wake_t) >= 0 or not self.lazy:
            self.stirred = False
            self._advance(now)
        # (the view's own first test, inlined: it has nothing to do on a
        # tick that said nothing before its next look)
        v = self.view
        if out.n or diff(now, v.look_t) >= 0 or not self.lazy:
            p = v.show(self, now)       # (_show(), without its call)
            if p != self.led:
                self.led = p
                out.emit(CMD_LED, p, 0, 0)
        elif not self.sch.ready:
            # A tick with nothing else to do works out the next step ahead:
            # the tick it begins in also ends this one, and is the session's
            # busiest.
            self.sch.prepare()
        return out.n

    def silent(self, now):
        """Whether tick(now) will say nothing, the inputs reported so far:
        no advance due, and no ring pattern that can have ended by itself
        (the view's pattern changes with nothing said only then)."""
        v = self.view
        return (self.lazy and not self.stirred and diff(now, self.wake_t) < 0
                and (diff(now, v.look_t) < 0 or diff(now, v.until) < 0))

    def _advance(self, now):
        gs = self.gestures
        if gs.busy:
            g = gs.poll(now)
            if g:
                self._gesture(g, now)
        # Every transition time makes, in the order of the RULES. Most ticks
        # of a session nothing is due: each part is one test on the way to
        # its work (a call costs the wand ~40 us).
        if self.b_low and not self.b_latched and diff(now, self.b_low_t) >= BATTERY_CONFIRM_MS:
            self._battery_latch(now)
        st = self.state
        if st == RUNNING:
            sch = self.sch
            if diff(now, sch.step_t) >= sch.next_at:
                self._run_schedule(now)
            sn = self.sense
            if sn is not None and sn.state and self.state == RUNNING:
                sn.tick(self, now)
            if self.state == RUNNING:
                g = self.guard
                if g.warning or g.value > g.band:      # else poll() has nothing to say
                    p = g.poll(now)
                    if p:
                        self._pressure(p, now)
                if self.active_ms >= SESSION_CAP_MS:
                    self._enter(DONE, now, cues.V_FINISH)
                elif self.deferred and diff(now, self.motor_until) >= 0:
                    cue = self.deferred
                    self.deferred = 0
                    self._vibe(cue, _P_GUIDE, now)
        elif st != OFF:
            if self.off_pending and diff(now, self.b_shown_t) >= BATTERY_SHOW_MS:
                self._enter(OFF, now)
            elif diff(now, self.quiet_t) >= self.settings.auto_off_ms:
                self._enter(OFF, now)
        if self.show:
            st = self.state
            if self.show == L_LEVEL:
                keep = st == PAUSED
            else:
                keep = st == IDLE or st == OFFER
            if not keep or diff(now, self.show_t) >= self.show_ms:
                self.show = 0
        if gs.busy:
            self.stirred = True    # a gesture in hand: look every tick
        else:
            self.wake_t = add(now, self._timers_quiet(now))

    # ------------------------------------------------------- the transitions

    def _gesture(self, g, now):
        j = (self.state * 4 + g) * 3
        nxt = _TABLE[j]
        if nxt == _NO_STATE:
            return
        do = _TABLE[j + 2]
        if do == _START or do == _RESUME_CUT:
            if self.b_latched:
                self._refuse_low_battery(now)
                return
            self.active_ms = 0
            self.pauses = 0
            self.warnings = 0
            self.resumed = do == _RESUME_CUT
            self.sessions += 1
            self.sch.follow = self.sense is not None
            if self.sense is not None:
                self.sense.state = 0      # (a stroke sensed before a pause is not this session's)
            self.sch.start(self.routine, add(now, LEAD_MS), self.offer_inst if self.resumed else 0)
            self.offer_inst = -1
            self.guard.band = self.sch.cur.pressure_max
        elif do == _LEVEL:
            self._next_intensity(now)
            return
        elif do == _CHOOSE:
            self._choose(now)
            return
        elif do == _SKIP:
            sch = self.sch
            if sch.next == schedule.INTRO and diff(sch.step_t, now) > 0:
                # The next step has not begun (the lead-in to the first, a
                # followed step's last moments): it begins now, announced,
                # not skipped unheard.
                sch.step_t = now
            else:
                self._next_step(now, now)
            return
        elif do == _PAUSE:
            self.paused_t = now
            self.pauses += 1
        elif do == _RESUME:
            self.sch.shift(diff(now, self.paused_t))
        self._enter(nxt, now, _TABLE[j + 1])

    def _enter(self, state, now, cue=0):
        """Change state; `cue` announces it (power-off brings its own)."""
        was = self.state
        if was == OFFER:
            self.offer_inst = -1      # (on flash it stays, for the next power-on)
        if was == RUNNING and state != RUNNING:
            self.deferred = 0
            if self.guard.stop():
                self.out.emit(CMD_CLEAR, REASON_PRESSURE, 0, 0)
        if (was == RUNNING or was == PAUSED) and state != RUNNING and state != PAUSED:
            if state == DONE:
                self.ended = _END_CAP if self.active_ms >= SESSION_CAP_MS else _END_FINISHED
            elif state == IDLE:
                self.ended = _END_EARLY
            else:
                self.ended = _END_BATTERY if self.b_latched else _END_AUTO_OFF
            self.ends += 1
        if state != RUNNING and state != PAUSED and not self.sch.first:
            self.sch.choose(self.routine)     # no session: the next one's first step is worked out ahead
        self.state = state
        self.state_t = now
        self.quiet_t = now
        self.out.emit(CMD_STATE, state, 0, 0)
        if state == OFF:
            self.off_pending = False
            cue = cues.V_POWER_OFF
        elif state != RUNNING and self.b_latched:
            self.off_pending = True
            self.b_shown_t = now
        if cue:
            self._vibe(cue, _P_STATE, now)

    # ----------------------------------------------------- a running session

    def _run_schedule(self, now):
        # The schedule's next item is due (_advance asked): say it. A few items
        # per tick at most: if a shell stalls, cues come late rather than
        # all at once, and the anchors keep everything after them on time.
        sch = self.sch
        out = self.out
        for _ in range(4):
            if sch.next == schedule.END:
                # The step is over (fire() has nothing to book for it): it
                # ends where it was planned to, and the next begins there.
                self._next_step(add(sch.step_t, sch.next_at), now)
                if self.state != RUNNING:
                    return
                continue          # (its announcement is due: step_t is past)
            item = sch.fire()
            if item == schedule.INTRO:
                n = len(self.routine.steps)
                number = sch.inst % n + 1
                out.emit(CMD_STEP, number, sch.inst // n + 1, self.choice)
                self._vibe(min(number, cues.MAX_STEP_CUE), _P_GUIDE, now)
                if self.sense is not None:
                    self.sense.step(self)     # (what this part of the step asks)
            elif item == schedule.PRESS:
                out.emit(CMD_POINT, POINT_PRESS, sch.presses, sch.cur.presses)
                self._vibe(cues.V_PRESS, _P_GUIDE, now)
            elif item == schedule.RELEASE:
                out.emit(CMD_POINT, POINT_RELEASE, sch.presses, sch.cur.presses)
                self._vibe(cues.V_RELEASE, _P_GUIDE, now)
                if self.sense is not None and sch.presses == sch.cur.presses:
                    self.sense.step(self)     # (its strokes begin)
            else:
                k = sch.k
                if sch.follow and k < sch.cur.strokes:
                    k += 1            # (the stroke the pace cue asks for)
                out.emit(CMD_STROKE, k, sch.cur.strokes, 0)
                self._vibe(cues.V_STROKE_LAST if sch.last else cues.V_STROKE, _P_GUIDE, now)
            if diff(now, sch.step_t) < sch.next_at:
                return

    def _pressure(self, p, now):
        if p == pressure.WARN:
            self.warnings += 1
            self.out.emit(CMD_WARN, REASON_PRESSURE, 0, 0)
            self._vibe(cues.V_PRESSURE_HIGH, _P_WARN, now)
        elif p == pressure.REPEAT:
            self._vibe(cues.V_PRESSURE_HIGH, _P_WARN, now)
        elif p == pressure.CLEAR:
            self.out.emit(CMD_CLEAR, REASON_PRESSURE, 0, 0)

    def _next_step(self, at, now):
        """Move to the following step instance, which begins at tick `at`;
        after the last one the session is done, and with the battery low
        the wand switches off instead of starting another."""
        sch = self.sch
        if sch.inst + 1 >= sch.count:        # the last
            self._enter(DONE, now, cues.V_FINISH)
        elif self.b_latched:
            self._enter(OFF, now)
        else:
            sch.next_step(at)
            self.guard.band = sch.cur.pressure_max

    # ------------------------------------------------------------- the rest

    def _choose(self, now):
        n = len(self.routines)
        self.choice = (self.choice + 1) % n
        self.routine = self.routines[self.choice]
        self.sch.choose(self.routine)
        self._set_level()
        self._overlay(L_ROUTINE, _ROUTINE_SHOW_MS, now)
        self.state_t = now        # the idle breathing starts afresh
        self.out.emit(CMD_ROUTINE, self.choice, 0, 0)
        self._vibe(cues.V_ROUTINE + min(self.choice + 1, cues.MAX_ROUTINES), _P_STATE, now)

    def _refuse_low_battery(self, now):
        # No new session on a flat battery: say why again, then power off.
        self.b_shown_t = now
        self.off_pending = True
        self.out.emit(CMD_WARN, REASON_BATTERY, 0, 0)
        self._vibe(cues.V_BATTERY_LOW, _P_STATE, now)

    def _battery_latch(self, now):
        self.b_latched = True
        self.b_shown_t = now
        self.out.emit(CMD_WARN, REASON_BATTERY, 0, 0)
        if self.state == RUNNING:
            self._vibe(cues.V_BATTERY_LOW, _P_WARN, now)
        elif self.state != OFF:
            self.off_pending = True

    def _overlay(self, pattern, ms, now):
        self.show = pattern
        self.show_t = now
        self.show_ms = ms

    def _set_level(self):
        level = self.settings.intensity * self.routine.intensity // 1000
        if self.settings.strong_cues:
            level = max(level + _STRONG_ADD, _STRONG_FLOOR)
        self.level = min(max(level, cues.MIN_LEVEL), cues.MAX_LEVEL)

    def _next_intensity(self, now):
        s = self.settings
        v = INTENSITY_STEPS[0]
        for step in INTENSITY_STEPS:
            if step > s.intensity:
                v = step
                break
        s.intensity = v
        self.changes += 1
        self._set_level()
        self._overlay(L_LEVEL, _LEVEL_SHOW_MS, now)
        self.out.emit(CMD_SET, _SET_INTENSITY, v, 0)
        self._vibe(cues.V_LEVEL, _P_STATE, now)

    def _vibe(self, pattern, prio, now):
        if prio < self.motor_prio and diff(now, self.motor_until) < 0:
            # Guidance waits for a warning or state cue to finish; a step
            # announcement outranks a stroke tick for the one waiting slot.
            if prio == _P_GUIDE and (self.deferred == 0 or pattern <= cues.MAX_STEP_CUE
                                     or self.deferred > cues.MAX_STEP_CUE):
                self.deferred = pattern
            return
        ms = cues.VIBE_MS[pattern] * cues.UNIT
        self.motor_until = add(now, ms)
        self.motor_prio = prio
        # A cue replaces one sent earlier in the same tick: the motor would
        # never play that one, so it leaves the outbox rather than reach
        # the driver (or the trace) for zero milliseconds.
        out = self.out
        if out.vibe:
            out.drop(CMD_VIBE)
        out.emit(CMD_VIBE, pattern, ms, self.level)

    def _show(self, now):
        p = self.view.show(self, now)
        if p != self.led:
            self.led = p
            self.out.emit(CMD_LED, p, 0, 0)

    def _timers_quiet(self, now):
        """How long until the timers could do anything, if no input comes: asked
        after an advance with no gesture in hand. The smallest wait, 0 if
        something is due; written out without calls (each costs the wand
        ~40 us, and this runs after every advance)."""
        best = 3600000
        st = self.state
        if st == RUNNING:
            sch = self.sch
            best = sch.next_at - diff(now, sch.step_t)
            ms = SESSION_CAP_MS - self.active_ms
            if ms < best:
                best = ms
            if self.deferred:
                ms = diff(self.motor_until, now)
                if ms < best:
                    best = ms
            g = self.guard
            if g.warning:
                # (polled in this advance) above the band, the repeat and
                # the moment the sample goes stale; within it, the all-clear
                if g.value > g.band and diff(now, g.t) < PRESSURE_STALE_MS:
                    ms = WARN_REPEAT_MS - diff(now, g.buzz_t)
                    if ms < best:
                        best = ms
                    ms = PRESSURE_STALE_MS - diff(now, g.t)
                else:
                    ms = CLEAR_AFTER_MS - diff(now, g.ok_t)
                if ms < best:
                    best = ms
        elif st != OFF:
            # idle, paused, done, offer (an overlay is on only in idle and
            # offer, or the level's in paused: the advance ends it on leaving)
            ms = self.settings.auto_off_ms - diff(now, self.quiet_t)
            if ms < best:
                best = ms
            if self.show:
                ms = self.show_ms - diff(now, self.show_t)
                if ms < best:
                    best = ms
        if self.b_low and not self.b_latched:
            ms = BATTERY_CONFIRM_MS - diff(now, self.b_low_t)
            if ms < best:
                best = ms
        if self.b_latched:
            ms = BATTERY_SHOW_MS - diff(now, self.b_shown_t)
            if 0 < ms < best:
                best = ms
        return best if best > 0 else 0
