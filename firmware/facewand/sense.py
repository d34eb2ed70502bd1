# The stroke detector: the person's own strokes and presses, read from the
# pressure sensor's samples. Sans-I/O and integer, like pressure.py: a
# sample (permille, with its tick) in, an event out of sample(); nothing
# allocated once built (its whole state is one array of ints).
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
# - a pulse begins when the signal rises ENTER of the person's own pulse
#   height above the baseline and ends when it falls below LEAVE of it (two
#   thresholds: a wobble at one cannot count twice), never less than
#   _MIN_RISE / _MIN_FALL, so noise and a still hand count nothing before
#   the first stroke has taught it the height;
# - a pulse that begins within the refractory time of the last (half the
#   person's period, once three intervals make it; _REFRACT_MS before) is
#   the same stroke rising again (a double peak), not a new one;
# - a pulse still on after the plateau time is a press (reported once, as
#   it is reached; the baseline then creeps up under it, so a hand that
#   came back to rest firmer than before cannot stay "pressing" for ever);
#   one that ends before is a stroke (reported as it ends);
#   the engine sets the plateau time for what the step asks (half a hold
#   while it asks for presses, three quarters of a period for strokes);
# - the person's period is a robust average of the last four intervals
#   between stroke onsets in one part of a step (the gap between two parts
#   is the wand's, not the person's): the middle two of four (the median
#   of three, the mean of two, while it has fewer); an interval
#   far from it (a pause, a missed stroke) is left out, and three of those
#   in a row start it afresh (the person changed pace).
from array import array

from facewand.compat import const, diff

NONE = const(0)
STROKE = const(1)
PRESS = const(2)

_Q = const(8)                 # the smoothed signal and baseline are permille << _Q
_MIN_RISE = const(40)         # permille above the baseline: the least pulse there is
_MIN_FALL = const(20)
_ENTER = const(50)            # percent of the person's pulse height
_LEAVE = const(30)
_REFRACT_MS = const(450)      # before the period is known: a stroke cannot be faster
_FIRST_MS = const(400)        # intervals believed before the period is known
_LAST_MS = const(6000)
_LOW_PCT = const(65)          # then: within 65..145% of it
_HIGH_PCT = const(145)

# The state, by index (public: the engine and the tests read these).
F = const(0)                  # smoothed signal, << _Q
BASE = const(1)               # baseline, << _Q
HIGH = const(2)               # 0: no pulse; 1: a pulse; 2: a pulse already a press; 3: one ignored
ON_T = const(3)               # its onset
PEAK = const(4)               # its highest, << _Q (the last pulse's, once it ended)
AMP = const(5)                # the person's pulse height above the baseline, << _Q (0: not yet)
LAST_T = const(6)             # the last stroke's onset
HAVE_LAST = const(7)          # 1: LAST_T holds one
N = const(8)                  # strokes in this step
PRESSES = const(9)            # presses in this step
PERIOD = const(10)            # the person's period, ms (0: not yet known)
PLATEAU = const(11)           # ms on before a pulse is a press
MISSES = const(12)            # intervals left out in a row
NI = const(13)                # intervals held (up to 4)
IV = const(14)                # ... the last four, at IV..IV+3 (IV + NI % 4 is the next)
ENTER_AT = const(18)          # the thresholds above the baseline, << _Q (from AMP)
LEAVE_AT = const(19)
STROKE_PLATEAU = const(20)    # ms: in a step's strokes, a pulse on this long is a press (from PERIOD)
_SIZE = const(21)
_PLATEAU_MIN_MS = const(1200)   # strokes: 3/4 of the person's period, at least this, is a press
_PLATEAU_FIRST_MS = const(2500)  # before an interval is known: the slowest stroke's 60%


class Sense:
    def __init__(self):
        self.s = array("i", bytearray(4 * _SIZE))
        s = self.s
        s[F] = -1                  # (the first sample starts the smoothing where it is)
        s[STROKE_PLATEAU] = _PLATEAU_FIRST_MS
        s[ENTER_AT] = _MIN_RISE << _Q
        s[LEAVE_AT] = _MIN_FALL << _Q

    def step(self, plateau_ms):
        """A new step, or a new part of one: count afresh. In a part that
        asks for presses a pulse on plateau_ms is one; in strokes (0),
        one on 3/4 of the person's period. The person's period and pulse
        height carry over: they are the person's, not the step's."""
        s = self.s
        s[N] = 0
        s[PRESSES] = 0
        s[PLATEAU] = plateau_ms
        if s[HIGH] == 1:
            s[HIGH] = 3               # a pulse begun in the part before counts in neither
        s[HAVE_LAST] = 0              # nor does the gap between two parts (an intro, a press)

    def sample(self, p, now):
        """One sample (permille) at tick `now`: NONE, STROKE (s[N] is its
        number, s[PERIOD] the period now) or PRESS (s[PRESSES])."""
        s = self.s
        f = s[F]
        if f < 0:
            f = s[BASE] = p << _Q
        f += ((p << _Q) - f) >> 2
        s[F] = f
        high = s[HIGH]
        b = s[BASE]
        if not high:
            if f < b:
                b = f
            else:
                b += (f - b) >> 7
            s[BASE] = b
            if f - b > s[ENTER_AT]:
                s[ON_T] = now
                s[PEAK] = f
                refract = s[PERIOD] >> 1 if s[NI] >= 3 else _REFRACT_MS
                if s[HAVE_LAST] and diff(now, s[LAST_T]) < refract:
                    s[HIGH] = 3
                else:
                    s[HIGH] = 1
            return NONE
        if f > s[PEAK]:
            s[PEAK] = f
        if f - b >= s[LEAVE_AT]:
            if high == 2:
                # A press held on: the rest pressure may have risen under it
                # (the wand put down on the skin again, firmer), so the
                # baseline creeps up (~5 s) and the pulse ends in the end.
                s[BASE] = b + ((f - b) >> 8)
                return NONE
            if high == 1 and diff(now, s[ON_T]) >= (s[PLATEAU] or s[STROKE_PLATEAU]):
                s[HIGH] = 2
                s[HAVE_LAST] = 0          # a press breaks the rhythm
                s[PRESSES] += 1
                return PRESS
            return NONE
        s[HIGH] = 0
        if high != 1:
            return NONE
        # A stroke, ended: its height teaches the thresholds, its onset the period.
        rise = s[PEAK] - b
        amp = s[AMP]
        amp = rise if amp == 0 else amp + ((rise - amp) >> 2)
        s[AMP] = amp
        s[ENTER_AT] = max(amp * _ENTER // 100, _MIN_RISE << _Q)
        s[LEAVE_AT] = max(amp * _LEAVE // 100, _MIN_FALL << _Q)
        on = s[ON_T]
        if s[HAVE_LAST]:
            self._interval(diff(on, s[LAST_T]))
        s[LAST_T] = on
        s[HAVE_LAST] = 1
        s[N] += 1
        return STROKE

    def _interval(self, ms):
        s = self.s
        est = s[PERIOD]
        if est:
            ok = est * _LOW_PCT // 100 <= ms <= est * _HIGH_PCT // 100 and ms <= _LAST_MS
        else:
            ok = _FIRST_MS <= ms <= _LAST_MS
        if not ok:
            s[MISSES] += 1
            if s[MISSES] < 3:
                return
            s[NI] = 0                     # three in a row: the pace changed
            if not (_FIRST_MS <= ms <= _LAST_MS):
                s[PERIOD] = 0
                s[MISSES] = 0
                s[STROKE_PLATEAU] = _PLATEAU_FIRST_MS
                return
        s[MISSES] = 0
        n = s[NI]
        s[IV + (n & 3)] = ms
        n += 1
        s[NI] = n
        if n >= 4:
            a = s[IV]
            b = s[IV + 1]
            c = s[IV + 2]
            d = s[IV + 3]
            lo = min(a, b, c, d)
            hi = max(a, b, c, d)
            s[PERIOD] = (a + b + c + d - lo - hi) >> 1
        elif n == 3:
            a = s[IV]
            b = s[IV + 1]
            c = s[IV + 2]
            s[PERIOD] = a + b + c - min(a, b, c) - max(a, b, c)     # the median
        else:
            s[PERIOD] = (s[IV] + s[IV + n - 1]) >> 1
        ms = s[PERIOD] * 3 // 4
        s[STROKE_PLATEAU] = ms if ms > _PLATEAU_MIN_MS else _PLATEAU_MIN_MS
