# Following the person: the stroke detector, which reads their own strokes
# and presses from the pressure sensor's samples, and what the engine does
# with them. Sans-I/O and integer, like pressure.py: a sample (permille,
# with its tick) in, an event out of pressure(); nothing allocated once
# loaded (the detector's whole state is one array of ints, `s`).
#
# The module is the detector: the wand has one sensor and one person, and
# a module loaded only when following (facewand.shell gives the engine the
# module itself as `sense`) adds no name to the running wand's table of
# interned names for the many wands that do not follow: every name of an
# object or method the engine called would (docs/performance.md). reset()
# starts it afresh for a new wand.
#
# What the engine does with it (its RULES, "Following"): pressure() every
# sample while running; step(engine) as a step's presses or strokes begin;
# tick(engine, now) in the advance after a sample that sensed something.
#
# What the sensor sees: a stroke is a pulse (press on, glide, lift); a press
# is a plateau. A force-sensitive resistor drifts and repeats only to a few
# per cent, part to part and person to person, so nothing here is an
# absolute level:
# - the signal is smoothed over ~4 samples (a tick is 20 ms: far shorter
#   than any pulse, long enough to quieten the ADC);
# - a baseline follows the signal down at once and up slowly (~2.6 s), and
#   only while no pulse is on: it is the skin's rest pressure, whatever the
#   part, the person and the drift make of it;
# - a pulse begins when the signal has risen _ENTER of the person's own
#   pulse height from the lowest it reached since the last pulse ended
#   (so a pulse that ended above the baseline, a hand not quite lifted,
#   does not begin again on its way down), and ends below _LEAVE of that
#   height above the baseline, or _LEAVE_PEAK of its own height if that is
#   more (two thresholds: a wobble at one cannot count twice); never less
#   than _MIN_RISE / _MIN_FALL, so noise and a still hand count nothing
#   before the first stroke has taught it the height;
# - a pulse that begins within the refractory time of the last (half the
#   person's period, once three intervals make it; _REFRACT_MS before) is
#   the same stroke rising again (a double peak), not a new one;
# - a pulse still on after the plateau time is a press (reported once, as
#   it is reached; the baseline then creeps up under it, so a hand that
#   came back to rest firmer than before cannot stay "pressing" for ever);
#   one that ends before is a stroke (reported as it ends). The plateau
#   time is what the step asks: half a hold while it asks for presses,
#   9/10 of the person's period among strokes (_PLATEAU_FIRST_MS until two
#   intervals are known); two presses in a row where strokes are asked
#   are slow strokes misjudged, and the period is learnt again;
# - the person's period is a robust average of the last four intervals
#   between stroke onsets in one part of a step (the gap between two parts
#   is the wand's, not the person's): the middle two of four (the median
#   of three, the mean of two, while it has fewer); an interval
#   far from it (a pause, a missed stroke) is left out, and three of those
#   in a row start it afresh (the person changed pace);
# - samples _GAP_MS apart (a pause, a session ended and another begun):
#   the pulse open then says nothing.
from array import array

from facewand.compat import add, const, diff

_NONE = const(0)
_STROKE = const(1)
_PRESS = const(2)

_Q = const(8)                 # the smoothed signal and baseline are permille << _Q
_MIN_RISE = const(40)         # permille above the baseline: the least pulse there is
_MIN_FALL = const(20)
_ENTER = const(50)            # percent of the person's pulse height
_LEAVE = const(30)
_LEAVE_PEAK = const(40)       # ... or of this pulse's own height, if that is more (a hand that
                              # does not quite lift between strokes still ends each one)
_REFRACT_MS = const(600)      # before the period is known: no stroke is faster (1 s at the
                              # quickest, the hand on for half of it: a rise 0.6 s after a
                              # stroke began is that stroke's second peak)
_FIRST_MS = const(400)        # intervals believed before the period is known
_LAST_MS = const(6000)
_LOW_PCT = const(65)          # then: within 65..145% of it
_HIGH_PCT = const(145)

# The state, by index (private, as every name here: a name the module
# defines is interned for good when it loads; the tests read them by these).
_F = const(0)                  # smoothed signal, << _Q
_BASE = const(1)               # baseline, << _Q
_HIGH = const(2)               # 0: no pulse; 1: a pulse; 2: one already a press; 3: one ignored;
#                                4: one begun in the step's part before, a press or nothing
_ON_T = const(3)               # its onset
_PEAK = const(4)               # its highest, << _Q (the last pulse's, once it ended)
_AMP = const(5)                # the person's pulse height above the baseline, << _Q (0: not yet)
_LAST_T = const(6)             # the last stroke's onset
_HAVE_LAST = const(7)          # 1: _LAST_T holds one
_N = const(8)                  # strokes in this step
_PRESSES = const(9)            # presses in this step
_PERIOD = const(10)            # the person's period, ms (0: not yet known)
_PLATEAU = const(11)           # ms on before a pulse is a press
_MISSES = const(12)            # intervals left out in a row
_NI = const(13)                # intervals held (up to 4)
_IV = const(14)                # ... the last four, at _IV..IV+3 (_IV + _NI % 4 is the next)
_ENTER_AT = const(18)          # the thresholds above the baseline, << _Q (from _AMP)
_LEAVE_AT = const(19)
_STROKE_PLATEAU = const(20)    # ms: in a step's strokes, a pulse on this long is a press (from _PERIOD)
_RATIO = const(21)             # the pace cue, permille of the routine's (800..1200)
_BASE_PERIOD = const(22)       # the routine's period for the step instance on
_PULSE_PLATEAU = const(23)     # the plateau time the pulse on began under
_READY = const(24)             # step() done ahead for step instance _READY - 1 (0: none)
_T = const(25)                 # the last sample's tick
_PULSE_LEAVE = const(26)       # the pulse on ends below this above the baseline, << _Q
_VALLEY = const(27)            # the lowest since the last pulse ended, << _Q
_PRESS_RUN = const(28)         # presses felt in a row where strokes were asked
_SIZE = const(29)
_PLATEAU_MIN_MS = const(1200)   # strokes: 9/10 of the person's period, at least this, is a press
_PLATEAU_FIRST_MS = const(3500)  # before an interval is known: more than the slowest stroke's
                                 # glide (4 s a stroke, the hand on for 3/4 of it)



# The engine's, which this module cannot import by name (MicroPython folds
# private constants away): a test holds them to theirs.
_CMD_SENSED = const(13)       # names.CMD_SENSED
_SENSED_LIGHT = const(3)      # names.SENSED_LIGHT
_V_LIGHT = const(37)          # names.VIBE_NAMES: "light"
_P_GUIDE = const(1)           # engine's motor priority for guidance
_PRESS_PLATEAU_MIN_MS = const(300)
_SCH_STROKE = const(3)        # schedule.STROKE, END
_SCH_END = const(4)
_NEXT_MS = const(40)          # from a step's last stroke to the next step's cue
_RUNNING = const(1)           # commands.RUNNING
_INTRO_MS = const(1800)       # routines.INTRO_MS
_GAP_MS = const(100)          # samples this far apart: the session stopped between (a pause, an end)

s = array("i", bytearray(4 * _SIZE))
state = _NONE                 # what the last sample sensed (_STROKE, _PRESS), until tick() has said it


def reset():
    """A new wand (or a test's new person): nothing known."""
    global state
    for i in range(_SIZE):
        s[i] = 0
    s[_F] = -1                 # (the first sample starts the smoothing where it is)
    s[_STROKE_PLATEAU] = _PLATEAU_FIRST_MS
    s[_ENTER_AT] = _MIN_RISE << _Q
    s[_LEAVE_AT] = _MIN_FALL << _Q
    s[_RATIO] = 1000
    state = _NONE


def pressure(p, now):
    """One sample (permille) at tick `now`: _NONE, _STROKE (s[_N] is its
    number, s[_PERIOD] the period now) or _PRESS (s[_PRESSES]); kept in
    `state` for tick()."""
    global state
    a = s                     # (a local: the module's global, looked up once)
    f = a[_F]
    if f < 0:
        f = a[_BASE] = a[_VALLEY] = p << _Q
    f += ((p << _Q) - f) >> 2
    a[_F] = f
    high = a[_HIGH]
    b = a[_BASE]
    if not high:
        if f < b:
            b = f
        else:
            b += (f - b) >> 7
        a[_BASE] = b
        a[_T] = now
        v = a[_VALLEY]
        if f < v:
            a[_VALLEY] = f
        elif f - v > a[_ENTER_AT]:
            # (risen that far from where the last pulse left off, not only
            # above the baseline: a pulse that ended above it, a hand not
            # quite lifted, does not begin again on its way down)
            a[_ON_T] = now
            a[_PEAK] = f
            a[_PULSE_LEAVE] = a[_LEAVE_AT]
            a[_PULSE_PLATEAU] = a[_PLATEAU] or a[_STROKE_PLATEAU]
            refract = a[_PERIOD] >> 1 if a[_NI] >= 3 else _REFRACT_MS
            if a[_HAVE_LAST] and diff(now, a[_LAST_T]) < refract:
                a[_HIGH] = 3
            else:
                a[_HIGH] = 1
        return _NONE
    if diff(now, a[_T]) > _GAP_MS:
        # No sample for a while (the session was paused, or ended, and a
        # new one began): the pulse open then is over, and says nothing.
        high = a[_HIGH] = 3
    a[_T] = now
    if f > a[_PEAK]:
        a[_PEAK] = f
        lv = (f - b) * _LEAVE_PEAK // 100
        if lv > a[_PULSE_LEAVE]:
            a[_PULSE_LEAVE] = lv
    if f - b >= a[_PULSE_LEAVE]:
        if high == 2:
            # A press held on: the rest pressure may have risen under it
            # (the wand put down on the skin again, firmer), so the
            # baseline creeps up (~5 s) and the pulse ends in the end.
            a[_BASE] = b + ((f - b) >> 8)
            return _NONE
        if (high == 1 or high == 4) and diff(now, a[_ON_T]) >= a[_PULSE_PLATEAU]:
            a[_HIGH] = 2
            a[_HAVE_LAST] = 0          # a press breaks the rhythm
            a[_PRESSES] += 1
            if not a[_PLATEAU]:
                a[_PRESS_RUN] += 1
                if a[_PRESS_RUN] >= 2:
                    # Presses one after another where strokes are asked:
                    # more likely slow strokes judged by a period learnt
                    # wrong. It is learnt again.
                    a[_NI] = 0
                    a[_PERIOD] = 0
                    a[_STROKE_PLATEAU] = _PLATEAU_FIRST_MS
            state = _PRESS
            return _PRESS
        return _NONE
    a[_HIGH] = 0
    a[_VALLEY] = f
    if high != 1:
        return _NONE
    # A stroke, ended: its height teaches the thresholds, its onset the period.
    rise = a[_PEAK] - b
    amp = a[_AMP]
    amp = rise if amp == 0 else amp + ((rise - amp) >> 2)
    a[_AMP] = amp
    a[_ENTER_AT] = max(amp * _ENTER // 100, _MIN_RISE << _Q)
    a[_LEAVE_AT] = max(amp * _LEAVE // 100, _MIN_FALL << _Q)
    on = a[_ON_T]
    if a[_HAVE_LAST]:
        _interval(diff(on, a[_LAST_T]))
    a[_LAST_T] = on
    a[_HAVE_LAST] = 1
    a[_N] += 1
    a[_PRESS_RUN] = 0
    state = _STROKE
    return _STROKE


def _interval(ms):
    a = s                     # (a local: the module's global, looked up once)
    est = a[_PERIOD]
    if est:
        ok = est * _LOW_PCT // 100 <= ms <= est * _HIGH_PCT // 100 and ms <= _LAST_MS
    else:
        ok = _FIRST_MS <= ms <= _LAST_MS
    if not ok:
        a[_MISSES] += 1
        if a[_MISSES] < 3:
            return
        a[_NI] = 0                     # three in a row: the pace changed
        if not (_FIRST_MS <= ms <= _LAST_MS):
            a[_PERIOD] = 0
            a[_MISSES] = 0
            a[_STROKE_PLATEAU] = _PLATEAU_FIRST_MS
            return
    a[_MISSES] = 0
    n = a[_NI]
    a[_IV + (n & 3)] = ms
    n += 1
    a[_NI] = n
    if n >= 4:
        w = a[_IV]
        x = a[_IV + 1]
        y = a[_IV + 2]
        z = a[_IV + 3]
        a[_PERIOD] = (w + x + y + z - min(w, x, y, z) - max(w, x, y, z)) >> 1
    elif n == 3:
        w = a[_IV]
        x = a[_IV + 1]
        y = a[_IV + 2]
        a[_PERIOD] = w + x + y - min(w, x, y) - max(w, x, y)     # the median
    else:
        a[_PERIOD] = (a[_IV] + a[_IV + n - 1]) >> 1
    if n >= 2:                    # (one interval alone is not yet a period to judge by)
        ms = a[_PERIOD] * 9 // 10
        a[_STROKE_PLATEAU] = ms if ms > _PLATEAU_MIN_MS else _PLATEAU_MIN_MS


# ------------------------------------------------- what the engine does

def step(e):
    """Engine `e`'s step instance begins a part (its intro fired, or its
    last release): count afresh. While it asks for presses a pulse on half
    a hold is one; among strokes, one on 9/10 of the person's period. A
    pulse begun in the part before is no stroke of this one, nor is the
    gap between two parts an interval. The person's period and pulse
    height carry over: they are the person's, not the step's. At the
    step's start the pace cue takes the person's ratio to the routine's
    period for this instance."""
    a = s
    sch = e.sch
    if a[_READY]:
        if a[_READY] == sch.inst + 1:
            a[_READY] = 0
            return                # (done on the tick its last stroke ended the step before)
        a[_READY] = 0
    cur = sch.cur
    done = sch.presses
    if done == 0:
        p = sch.period
        a[_BASE_PERIOD] = p
        sch.period = p * a[_RATIO] // 1000
    ms = 0
    if done < cur.presses:
        ms = cur.hold_ms >> 1
        if ms < _PRESS_PLATEAU_MIN_MS:
            ms = _PRESS_PLATEAU_MIN_MS
    a[_N] = 0
    if done == 0:
        a[_PRESSES] = 0           # (a press held past its release cue is still the step's)
    a[_PLATEAU] = ms
    if a[_HIGH] == 1:
        a[_HIGH] = 4
    a[_HAVE_LAST] = 0


def tick(e, now):
    """Say what the last sample sensed (engine `e` running), and follow:
    in a step's strokes, once its intro is over, the person's own count
    (a stroke made while the step is announced is the hand on its way to
    the new place), the last ending the step; the pace cue halfway toward
    their period, within 80..120% of the routine's; the light cue for a
    stroke under the step's pressure_min."""
    global state
    a = s                     # (a local: the module's global, looked up once)
    ev = state
    state = _NONE
    out = e.out
    sch = e.sch
    if ev == _PRESS:
        out.emit(_CMD_SENSED, _PRESS, 0, min(a[_PRESSES], 1023))
        return
    at = diff(now, sch.step_t)
    nxt = sch.next
    if at < _INTRO_MS or nxt != _SCH_STROKE and nxt != _SCH_END:
        a[_N] = 0                 # (felt, not counted: n 0)
        out.emit(_CMD_SENSED, _STROKE, a[_PERIOD] >> 2, 0)
        return
    n = min(a[_N], 1023)
    period = a[_PERIOD]
    out.emit(_CMD_SENSED, _STROKE, period >> 2, n)
    cur = sch.cur
    if period:
        base = a[_BASE_PERIOD]
        target = period * 1000 // base
        if target < 800:
            target = 800
        elif target > 1200:
            target = 1200
        r = a[_RATIO]
        r += (target - r) // 2
        a[_RATIO] = r
        sch.period = base * r // 1000
    sch.k += 1
    sch.mark_t = at
    last = sch.k >= cur.strokes
    peak = a[_PEAK] >> _Q
    if peak < cur.pressure_min:
        out.emit(_CMD_SENSED, _SENSED_LIGHT, peak, n)
        # A nudge for the next stroke: never over a cue still playing (a
        # step's number must be felt whole), nor after the step's last
        # (the next step's cue would cut it short).
        if not last and diff(now, e.motor_until) >= 0:
            e._vibe(_V_LIGHT, _P_GUIDE, now)
    if last:
        # The next step begins two ticks on: the tick between takes this
        # one's records into the journal, so the step's start (its cue,
        # its picture) is not also the tick that does that.
        e._next_step(add(now, _NEXT_MS), now)
        if e.state == _RUNNING:
            # What the next step asks, worked out now: its first tick
            # (its cue, its picture) is the wand's busiest.
            step(e)
            a[_READY] = sch.inst + 1


reset()
