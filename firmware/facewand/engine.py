# The wand's state machine. Sans-I/O: the shell passes in events and the
# current tick (ms, wrapping like time.ticks_ms); the engine writes what the
# motor and ring should do into `cmds` and draws the ring into `ring.frame`.
# It reads no clock, touches no pin and allocates nothing once built.
#
# RULES (every transition is in this file)
#
# States: idle, running, paused, done, off. Power-on is idle.
#
#   idle    press  -> running with the chosen routine (start cue; step 1
#                     begins LEAD_MS later); with the battery low, no:
#                     the battery warning again, then off
#           double -> choose the next routine (its cue; the ring shows its
#                     number in its colour for ROUTINE_SHOW_MS)
#           long   -> off
#           quiet for auto_off_ms -> off
#   running press  -> paused (pause cue; the schedule stops)
#           long   -> idle (session ended early: end cue)
#           double -> the next step begins now (the last step: done)
#           the last step ends -> done (finish cue)
#           active for SESSION_CAP_MS -> done, whatever the routine says
#   paused  press  -> running (resume cue; the schedule picks up where it
#                     stopped, every later cue shifted by the pause)
#           long   -> idle (end cue)
#           quiet for auto_off_ms -> off
#   done    press  -> idle; long -> off; quiet for auto_off_ms -> off
#   off     press  -> idle (wake cue). Nothing else wakes it.
#
# A double press in paused, done or off does nothing. At power-on, if some
# routine files were refused, the ring shows the error pattern for
# ERROR_SHOW_MS; the wand works on with the routines that loaded.
#
# Cues: every instant of a session is an exact offset from its anchors, so
# nothing drifts. A new cue replaces the one playing, except that guidance
# (step, stroke, press, release) never cuts into a warning or a state-change
# cue: it waits in one slot and plays when the motor is free, if the session
# is still running. The motor is driven only while running, plus the single
# short cue that announces entering another state (or, in idle, answers a
# press refused on a low battery).
#
# Pressure (permille, optional sensor) matters only while running: a sample
# above the current step's pressure_max raises the warning at once (ring
# warning colour, a distinct buzz, repeated every WARN_REPEAT_MS while it
# lasts); CLEAR_AFTER_MS of samples within the band clears it. No sample for
# PRESSURE_STALE_MS counts as within the band (a sensor that went away).
# Leaving running clears the warning.
#
# Battery (mV): below battery_low_mv for BATTERY_CONFIRM_MS latches
# battery_low until power-on. Running, the current step finishes and then the
# wand powers off instead of starting another; in any other state it powers
# off after showing the warning for BATTERY_SHOW_MS.
from facewand import ticks, cues
from facewand.gestures import Gestures, PRESS, LONG, DOUBLE
from facewand.ring import Ring, triangle, decay
from facewand.routines import LEAD_MS, INTRO_MS, PRESS_GAP_MS

from facewand.compat import const

IDLE = const(0)
RUNNING = const(1)
PAUSED = const(2)
DONE = const(3)
OFF = const(4)
STATE_NAMES = ("idle", "running", "paused", "done", "off")

# Output commands: CMD_STRIDE slots each in `cmds`: kind, a, b, c.
CMD_STRIDE = const(4)
CMD_MAX = const(24)
CMD_STATE = const(1)    # a = state
CMD_STEP = const(2)     # a = step number in the round (1-based), b = round (1-based), c = routine index
CMD_VIBE = const(3)     # a = pattern, b = ms it lasts, c = level permille (capped)
CMD_LED = const(4)      # a = ring pattern
CMD_WARN = const(5)     # a = reason
CMD_CLEAR = const(6)    # a = reason
CMD_STROKE = const(7)   # a = stroke number (1-based), b = strokes in the step
CMD_POINT = const(8)    # a = POINT_PRESS or POINT_RELEASE, b = press number, c = presses
CMD_ROUTINE = const(9)  # a = index of the routine now chosen

POINT_PRESS = const(1)
POINT_RELEASE = const(2)

REASON_PRESSURE = const(1)
REASON_BATTERY = const(2)
REASON_NAMES = ("", "pressure_high", "battery_low")

SESSION_CAP_MS = const(1800000)
WARN_REPEAT_MS = const(2000)
CLEAR_AFTER_MS = const(500)
PRESSURE_STALE_MS = const(500)
BATTERY_CONFIRM_MS = const(2000)
BATTERY_SHOW_MS = const(3000)
ROUTINE_SHOW_MS = const(1500)
ERROR_SHOW_MS = const(2000)

# What the current step is doing, which also picks the ring pattern.
_A_LEAD = const(0)
_A_INTRO = const(1)
_A_HOLD = const(2)
_A_GAP = const(3)
_A_STROKE = const(4)

# The next scheduled item within a step.
_N_INTRO = const(0)
_N_PRESS = const(1)
_N_RELEASE = const(2)
_N_STROKE = const(3)
_N_END = const(4)

# Motor priorities: who may interrupt whom.
_P_GUIDE = const(1)
_P_WARN = const(2)
_P_STATE = const(3)


class Engine:
    def __init__(self, routines, settings, pixels, load_errors=0, choice=0):
        """routines: the installed routines, in the order a double press
        steps through them (at least one); pixels: the ring's size, from
        the board file; load_errors: how many routine files were refused
        when they were loaded; choice: the routine a press starts, by
        index."""
        self.routines = routines
        self.choice = choice if 0 <= choice < len(routines) else 0
        self.routine = routines[self.choice]
        self.load_errors = load_errors
        self.show = 0             # a passing idle overlay: L_ROUTINE or L_ERROR
        self.show_t = 0
        self.show_ms = 0
        self.settings = settings
        self.gestures = Gestures()
        self.ring = Ring(pixels)
        self.cmds = [0] * (CMD_MAX * CMD_STRIDE)
        self.ncmd = 0
        self.dropped = 0          # commands lost to a full outbox (tests: always 0)
        self.level = 0
        self._set_level()
        self.state = IDLE
        self.state_t = 0          # when the current state began
        self.quiet_t = 0          # last button edge or state change
        self.led = -1
        # session schedule
        self.inst = 0             # step instance over the whole session
        self.step_t = 0           # absolute tick at which this instance began
        self.step_len = 0         # its planned length, ms
        self.next = _N_INTRO      # next scheduled item
        self.next_at = 0          # its offset from step_t
        self.k = 0                # press or stroke counter within the step
        self.doing = _A_LEAD
        self.mark_t = 0           # offset of the current hold or stroke
        self.paused_t = 0
        self.active_ms = 0
        self.last_t = 0
        # motor
        self.motor_until = 0
        self.motor_prio = 0
        self.deferred = 0
        # pressure
        self.band = 1000
        self.p_value = 0
        self.p_t = 0
        self.p_seen = False
        self.p_warn = False
        self.p_ok = False         # in band since p_ok_t
        self.p_ok_t = 0
        self.p_buzz_t = 0
        # battery
        self.b_low = False
        self.b_low_t = 0
        self.b_latched = False
        self.b_shown_t = 0
        self.off_pending = False  # power off once BATTERY_SHOW_MS has passed

    # ---------------------------------------------------------------- inputs
    # Each input clears the outbox, acts, and returns how many commands it
    # wrote. Read them from cmds[i * CMD_STRIDE ...] before the next call.

    def power_on(self, now):
        self.ncmd = 0
        self.last_t = now
        self._enter(IDLE, now)
        if self.load_errors:
            self._overlay(cues.L_ERROR, ERROR_SHOW_MS, now)
        self._refresh(now)
        return self.ncmd

    def button(self, pressed, now):
        self.ncmd = 0
        self.quiet_t = now
        self.gestures.edge(pressed, now)
        self._advance(now)
        return self.ncmd

    def pressure(self, permille, now):
        self.ncmd = 0
        self.p_value = permille
        self.p_t = now
        self.p_seen = True
        self._advance(now)
        return self.ncmd

    def battery(self, mv, now):
        self.ncmd = 0
        if mv >= self.settings.battery_low_mv:
            self.b_low = False
        elif not self.b_low:
            self.b_low = True
            self.b_low_t = now
        self._advance(now)
        return self.ncmd

    def tick(self, now):
        self.ncmd = 0
        self._advance(now)
        return self.ncmd

    # ------------------------------------------------------------ the core

    def _advance(self, now):
        if self.state == RUNNING:
            self.active_ms += ticks.diff(now, self.last_t)
        self.last_t = now
        g = self.gestures.poll(now)
        if g:
            self._gesture(g, now)
        if self.b_low and not self.b_latched and ticks.diff(now, self.b_low_t) >= BATTERY_CONFIRM_MS:
            self._battery_latch(now)
        st = self.state
        if st == RUNNING:
            self._schedule(now)
            if self.state == RUNNING:
                self._check_pressure(now)
                if self.active_ms >= SESSION_CAP_MS:
                    self._finish(now)
        if self.state == RUNNING and self.deferred and ticks.diff(now, self.motor_until) >= 0:
            p = self.deferred
            self.deferred = 0
            self._vibe(p, _P_GUIDE, now)
        if self.show and (self.state != IDLE or ticks.diff(now, self.show_t) >= self.show_ms):
            self.show = 0
        st = self.state
        if st == IDLE or st == PAUSED or st == DONE:
            if self.off_pending and ticks.diff(now, self.b_shown_t) >= BATTERY_SHOW_MS:
                self._enter(OFF, now)
            elif ticks.diff(now, self.quiet_t) >= self.settings.auto_off_ms:
                self._enter(OFF, now)
        self._refresh(now)

    def _gesture(self, g, now):
        st = self.state
        if st == IDLE:
            if g == PRESS and self.b_latched:
                self._refuse_low_battery(now)
            elif g == PRESS:
                self._start(now)
            elif g == LONG:
                self._enter(OFF, now)
            elif g == DOUBLE:
                self._choose(now)
        elif st == RUNNING:
            if g == PRESS:
                self.paused_t = now
                self._enter(PAUSED, now, cues.V_PAUSE)
            elif g == LONG:
                self._enter(IDLE, now, cues.V_END)
            elif g == DOUBLE:
                self._next_step(now, now)
        elif st == PAUSED:
            if g == PRESS:
                self.step_t = ticks.add(self.step_t, ticks.diff(now, self.paused_t))
                self._enter(RUNNING, now, cues.V_RESUME)
            elif g == LONG:
                self._enter(IDLE, now, cues.V_END)
        elif st == DONE:
            if g == PRESS:
                self._enter(IDLE, now)
            elif g == LONG:
                self._enter(OFF, now)
        elif g == PRESS:   # off
            self._enter(IDLE, now, cues.V_WAKE)

    def _enter(self, state, now, cue=0):
        """Change state; `cue` announces it (power-off brings its own)."""
        if self.state == RUNNING and state != RUNNING:
            self.deferred = 0
            if self.p_warn:
                self.p_warn = False
                self._emit(CMD_CLEAR, REASON_PRESSURE, 0, 0)
        self.state = state
        self.state_t = now
        self.quiet_t = now
        self._emit(CMD_STATE, state, 0, 0)
        if state == OFF:
            self.off_pending = False
            cue = cues.V_POWER_OFF
        elif state != RUNNING and self.b_latched:
            self.off_pending = True
            self.b_shown_t = now
        if cue:
            self._vibe(cue, _P_STATE, now)

    def _overlay(self, pattern, ms, now):
        self.show = pattern
        self.show_t = now
        self.show_ms = ms

    def _set_level(self):
        level = self.settings.intensity * self.routine.intensity // 1000
        self.level = min(max(level, cues.MIN_LEVEL), cues.MAX_LEVEL)

    def _choose(self, now):
        n = len(self.routines)
        self.choice = (self.choice + 1) % n
        self.routine = self.routines[self.choice]
        self._set_level()
        self._overlay(cues.L_ROUTINE, ROUTINE_SHOW_MS, now)
        self.state_t = now        # the idle breathing starts afresh
        self._emit(CMD_ROUTINE, self.choice, 0, 0)
        self._vibe(cues.V_ROUTINE + min(self.choice + 1, cues.MAX_ROUTINES), _P_STATE, now)

    def _start(self, now):
        self.inst = 0
        self.active_ms = 0
        self.step_t = ticks.add(now, LEAD_MS)
        self._begin_instance()
        self.doing = _A_LEAD
        self._enter(RUNNING, now, cues.V_START)

    def _begin_instance(self):
        r = self.routine
        self.step_len = r.step_ms(self.inst)
        self.band = r.step_of(self.inst).pressure_max
        self.next = _N_INTRO
        self.next_at = 0
        self.k = 0

    def _next_step(self, at, now):
        """Move to the following step instance, which begins at tick `at`."""
        if self.inst + 1 >= self.routine.instances():
            self._finish(now)
            return
        if self.b_latched:
            self._enter(OFF, now)
            return
        self.inst += 1
        self.step_t = at
        self._begin_instance()

    def _finish(self, now):
        self._enter(DONE, now, cues.V_FINISH)

    def _schedule(self, now):
        """Fire the step's items that are due. A few per call at most: if a
        shell stalls, cues come late rather than all at once, and the
        anchors keep everything after them on time."""
        for _ in range(4):
            if self.state != RUNNING:
                return
            if ticks.diff(now, self.step_t) < self.next_at:
                return
            self._fire(now)

    def _fire(self, now):
        r = self.routine
        s = r.step_of(self.inst)
        at = self.next_at
        item = self.next
        if item == _N_INTRO:
            n = len(r.steps)
            self._emit(CMD_STEP, self.inst % n + 1, self.inst // n + 1, self.choice)
            self._vibe(min(self.inst % n + 1, cues.MAX_STEP_CUE), _P_GUIDE, now)
            self.doing = _A_INTRO
            self.k = 0
            self.next_at = at + INTRO_MS
            self.next = _N_PRESS if s.presses else _N_STROKE
            if not s.presses and not s.strokes:
                self.next = _N_END
        elif item == _N_PRESS:
            self._emit(CMD_POINT, POINT_PRESS, self.k + 1, s.presses)
            self._vibe(cues.V_PRESS, _P_GUIDE, now)
            self.doing = _A_HOLD
            self.mark_t = at
            self.next_at = at + s.hold_ms
            self.next = _N_RELEASE
        elif item == _N_RELEASE:
            self._emit(CMD_POINT, POINT_RELEASE, self.k + 1, s.presses)
            self._vibe(cues.V_RELEASE, _P_GUIDE, now)
            self.doing = _A_GAP
            self.next_at = at + PRESS_GAP_MS
            self.k += 1
            if self.k < s.presses:
                self.next = _N_PRESS
            else:
                self.k = 0
                self.next = _N_STROKE if s.strokes else _N_END
        elif item == _N_STROKE:
            last = self.k + 1 == s.strokes
            self._emit(CMD_STROKE, self.k + 1, s.strokes, 0)
            self._vibe(cues.V_STROKE_LAST if last else cues.V_STROKE, _P_GUIDE, now)
            self.doing = _A_STROKE
            self.mark_t = at
            self.next_at = at + r.period(self.inst)
            self.k += 1
            if last:
                self.next = _N_END
        else:
            self._next_step(ticks.add(self.step_t, self.step_len), now)

    def _check_pressure(self, now):
        if not self.p_seen:
            return
        high = self.p_value > self.band and ticks.diff(now, self.p_t) < PRESSURE_STALE_MS
        if high:
            self.p_ok = False
            if not self.p_warn:
                self.p_warn = True
                self._emit(CMD_WARN, REASON_PRESSURE, 0, 0)
                self.p_buzz_t = now
                self._vibe(cues.V_PRESSURE_HIGH, _P_WARN, now)
            elif ticks.diff(now, self.p_buzz_t) >= WARN_REPEAT_MS:
                self.p_buzz_t = now
                self._vibe(cues.V_PRESSURE_HIGH, _P_WARN, now)
        elif self.p_warn:
            if not self.p_ok:
                self.p_ok = True
                # A stale reading counts from when it went stale.
                if ticks.diff(now, self.p_t) < PRESSURE_STALE_MS:
                    self.p_ok_t = self.p_t
                else:
                    self.p_ok_t = ticks.add(self.p_t, PRESSURE_STALE_MS)
            if ticks.diff(now, self.p_ok_t) >= CLEAR_AFTER_MS:
                self.p_warn = False
                self.p_ok = False
                self._emit(CMD_CLEAR, REASON_PRESSURE, 0, 0)

    def _refuse_low_battery(self, now):
        # No new session on a flat battery: say why again, then power off.
        self.b_shown_t = now
        self.off_pending = True
        self._emit(CMD_WARN, REASON_BATTERY, 0, 0)
        self._vibe(cues.V_BATTERY_LOW, _P_STATE, now)

    def _battery_latch(self, now):
        self.b_latched = True
        self.b_shown_t = now
        self._emit(CMD_WARN, REASON_BATTERY, 0, 0)
        if self.state == RUNNING:
            self._vibe(cues.V_BATTERY_LOW, _P_WARN, now)
        elif self.state != OFF:
            self.off_pending = True

    # ------------------------------------------------------------- outputs

    def _emit(self, kind, a, b, c):
        if self.ncmd >= CMD_MAX:
            self.dropped += 1
            return
        j = self.ncmd * CMD_STRIDE
        cm = self.cmds
        cm[j] = kind
        cm[j + 1] = a
        cm[j + 2] = b
        cm[j + 3] = c
        self.ncmd += 1

    def _vibe(self, pattern, prio, now):
        if prio < self.motor_prio and ticks.diff(now, self.motor_until) < 0:
            # Guidance waits for a warning or state cue to finish; a step
            # announcement outranks a stroke tick for the one waiting slot.
            if prio == _P_GUIDE and (self.deferred == 0 or pattern <= cues.MAX_STEP_CUE
                                     or self.deferred > cues.MAX_STEP_CUE):
                self.deferred = pattern
            return
        ms = cues.VIBE_MS[pattern]
        self.motor_until = ticks.add(now, ms)
        self.motor_prio = prio
        self._drop_vibe()
        self._emit(CMD_VIBE, pattern, ms, self.level)

    def _drop_vibe(self):
        """A cue replaces one sent earlier in the same call: the motor would
        never play that one, so it leaves the outbox rather than reach the
        driver (or the trace) for zero milliseconds."""
        cm = self.cmds
        for i in range(self.ncmd):
            j = i * CMD_STRIDE
            if cm[j] == CMD_VIBE:
                for k in range(j, (self.ncmd - 1) * CMD_STRIDE):
                    cm[k] = cm[k + CMD_STRIDE]
                self.ncmd -= 1
                return

    def _led_pattern(self, now):
        st = self.state
        if st == OFF:
            return cues.L_OFF
        if self.b_latched and ticks.diff(now, self.b_shown_t) < BATTERY_SHOW_MS:
            return cues.L_BATTERY
        if st == IDLE:
            return self.show or cues.L_IDLE
        if st == PAUSED:
            return cues.L_PAUSED
        if st == DONE:
            return cues.L_DONE
        if self.p_warn:
            return cues.L_WARN
        d = self.doing
        if ticks.diff(now, self.step_t) < 0 or d == _A_LEAD:
            return cues.L_START
        if d == _A_INTRO:
            return cues.L_STEP
        if d == _A_HOLD:
            return cues.L_HOLD
        return cues.L_STROKE

    def _refresh(self, now):
        p = self._led_pattern(now)
        if p != self.led:
            self.led = p
            self._emit(CMD_LED, p, 0, 0)
        self._draw(p, now)

    def _draw(self, p, now):
        # Levels are perceptual (0..255 before gamma); every pattern's
        # brightest level reaches the wire visibly on every board's cap.
        ring = self.ring
        r = self.routine
        since = ticks.diff(now, self.state_t)
        if since < 0:
            since = 0
        n = len(r.steps)
        idx = self.inst % n
        colour = cues.STEP_COLOURS[idx % len(cues.STEP_COLOURS)]
        if p == cues.L_OFF:
            ring.fill(0, 0)
        elif p == cues.L_IDLE:
            ring.fill(r.colour, triangle(since, 4000, 40, 200))
        elif p == cues.L_START:
            ring.fill(r.colour, triangle(since, LEAD_MS * 2, 40, 255))
        elif p == cues.L_STEP:
            ring.marks(colour, idx + 1, 255, 140)
        elif p == cues.L_HOLD:
            held = ticks.diff(now, self.step_t) - self.mark_t
            hold = r.step_of(self.inst).hold_ms
            ring.arc(colour, hold - held, hold, 255, 0)
        elif p == cues.L_STROKE:
            local = ticks.diff(now, self.step_t)
            beat = local - self.mark_t
            if beat < 0:
                beat = 0
            # The fill flashes on each beat, with the stroke's tick.
            ring.arc(colour, local, self.step_len, decay(beat, r.period(self.inst), 150, 255), 0,
                     self.inst * ring.count // r.instances())
        elif p == cues.L_ROUTINE:
            ring.marks(r.colour, self.choice + 1, 255, 140)
        elif p == cues.L_ERROR:
            blink = ticks.diff(now, self.show_t) // 250
            ring.fill(cues.MAGENTA, 220 if blink % 2 == 0 else 0)
        elif p == cues.L_PAUSED:
            ring.marks(cues.AMBER, idx + 1, triangle(since, 2000, 90, 230), 90)
        elif p == cues.L_WARN:
            blink = ticks.diff(now, self.p_buzz_t) // 125
            ring.fill(cues.RED, 255 if blink % 2 == 0 else 90)
        elif p == cues.L_BATTERY:
            blink = ticks.diff(now, self.b_shown_t) // 500
            ring.fill(cues.ORANGE, 220 if blink % 2 == 0 else 0)
        else:
            ring.fill(cues.GREEN, triangle(since, 3000, 60, 220))
