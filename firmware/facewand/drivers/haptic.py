# Vibration: plays the engine's cue patterns without blocking.
#
# The engine says which pattern and at what session level; the player walks
# the pattern's (on_ms, off_ms, level) segments against the tick it is
# given, so the main loop never sleeps inside a cue. A new pattern replaces
# the one playing, as the engine expects.
#
# Here the player and the PWM-switched coin motor; the DRV2605 haptic
# driver is in drv2605.py, loaded only by a board that has one.
from facewand.cues import VIBE, VIBE_AT, UNIT, MAX_LEVEL
from facewand.compat import add, diff
from facewand.compat import const

# The 80% cap as PWM duty: the driver maps MAX_LEVEL here, whatever the
# board's stall duty, so the cap holds at the pin and not only in the trace.
CAP_DUTY = const(52428)      # 65535 * MAX_LEVEL // 1000
_STOP_TRIES = const(3)        # an I2C EIO is often a one-off: try again before cutting

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import PWM, Pin


class PatternPlayer:
    """Segment timing shared by every motor; subclasses provide _drive().

    It also tells whether the motor is at rest (driven at 0 for rest_ms,
    long enough to have stopped turning): a cue from rest is felt only
    after the motor breaks away, one on a turning motor almost at once,
    and the ring waits accordingly (see Shell._outputs)."""

    def __init__(self, rest_ms=0):
        self.pattern = 0        # the cue playing (cues.V_*), 0 for none
        self.seg = 0            # its current (on, off, level) triple, by index in cues.VIBE
        self.end = 0            # where its triples end
        self.on = False         # in the on part of the segment
        self.until = 0          # tick at which the current part ends
        self.level = 0          # session level, permille
        self.drive = -1         # what _drive was last given, permille
        self.t = 0              # the tick being played
        self.rest_ms = rest_ms
        self.rested = True      # at rest since power-on, or since still_t + rest_ms
        self.still_t = 0        # when the drive last dropped to 0
        self.started = False    # a cue began since the shell last looked
        self.from_rest = True   # ... and the motor was at rest then

    def play(self, pattern_id, level, now):
        if level > MAX_LEVEL:   # the engine caps it; a driver never trusts that alone
            level = MAX_LEVEL
        self.t = now
        # still(), without its call (a cue's tick is the wand's busiest).
        rested = False
        if self.drive <= 0:
            rested = self.rested
            if not rested and diff(now, self.still_t) >= self.rest_ms:
                rested = self.rested = True
        self.from_rest = rested
        self.started = True
        self.pattern = pattern_id
        self.level = level
        # The first segment (here rather than in a call: a cue's tick is
        # the wand's busiest). A cue played is never the empty pattern 0.
        s = VIBE_AT[pattern_id]
        self.seg = s
        self.end = VIBE_AT[pattern_id + 1]
        self.on = True
        i = s * 3
        self.until = add(now, VIBE[i] * UNIT)
        self._set(level * VIBE[i + 2] * UNIT // 1000)

    def busy(self):
        return self.pattern != 0

    def still(self, now):
        """True once the motor has been undriven long enough to stop."""
        if self.drive > 0:
            return False
        if not self.rested and diff(now, self.still_t) >= self.rest_ms:
            self.rested = True
        return self.rested

    def stop(self):
        """Motor off, whatever it takes: the drive is written as 0 even if
        the player believes it is 0 already (a write that raised leaves
        that belief wrong), retried, and if the bus or pin still fails the
        motor is cut another way (_cut). Never raises; True when the
        driver answered."""
        self.pattern = 0
        for _ in range(_STOP_TRIES):
            try:
                self._drive(0)
                self.drive = 0
                return True
            except Exception:
                pass
        self.drive = -1                # unknown: whatever the driver holds
        self._cut()
        return False

    def _cut(self):
        """The last way to stop the motor when its drive cannot be written."""

    def update(self, now):
        self.t = now
        until = self.until
        while self.pattern and diff(now, until) >= 0:
            s = self.seg
            i = s * 3
            if self.on and VIBE[i + 1] > 0:
                self.on = False
                until = add(until, VIBE[i + 1] * UNIT)
                self.until = until
                self._set(0)
            else:
                s += 1
                self.seg = s
                if s >= self.end:
                    self.pattern = 0
                    self._set(0)
                    return
                # the next segment starts
                i += 3
                self.on = True
                until = add(until, VIBE[i] * UNIT)
                self.until = until
                self._set(self.level * VIBE[i + 2] * UNIT // 1000)

    def _set(self, permille):
        # Written first, recorded after: if the write raises, the player
        # does not believe the motor has the new drive (stop() writes anyway).
        if permille != self.drive:
            self._drive(permille)
            if permille <= 0 and self.drive > 0:
                self.still_t = self.t
                self.rested = False
            self.drive = permille

    def _drive(self, permille):
        raise NotImplementedError


class PwmMotor(PatternPlayer):
    """An ERM coin motor switched by a transistor on a PWM pin.

    min_duty is where the motor stalls: a drive of 1..MAX_LEVEL permille is
    mapped linearly onto min_duty..CAP_DUTY, so every soft cue turns the
    motor and the strongest stays at 80% duty on any board."""

    def __init__(self, pwm: "PWM", min_duty, rest_ms=0, pin: "Pin | None" = None):
        """pin: the motor's Pin, to hold it low if the PWM itself fails."""
        super().__init__(rest_ms)
        self.pwm = pwm
        self.pin = pin
        self.min_duty = min_duty
        self.span = CAP_DUTY - min_duty
        pwm.duty_u16(0)

    def _cut(self):
        # Stop the PWM, then take the pin from it as a plain output held
        # low (the gate's pull-down does the rest if even that fails).
        try:
            self.pwm.deinit()
        except Exception:
            pass
        if self.pin is not None:
            try:
                self.pin.init(self.pin.OUT, value=0)
            except Exception:
                pass

    def _drive(self, permille):
        if permille <= 0:
            self.pwm.duty_u16(0)
            return
        if permille > MAX_LEVEL:
            permille = MAX_LEVEL
        self.pwm.duty_u16(self.min_duty + self.span * permille // MAX_LEVEL)

    def _set(self, permille):
        # PatternPlayer._set with _drive's mapping written in: it runs at
        # every cue's start and segment, and a call costs the wand ~40 us.
        drive = self.drive
        if permille != drive:
            if permille <= 0:
                self.pwm.duty_u16(0)
                if drive > 0:
                    self.still_t = self.t
                    self.rested = False
            else:
                capped = permille if permille < MAX_LEVEL else MAX_LEVEL
                self.pwm.duty_u16(self.min_duty + self.span * capped // MAX_LEVEL)
            self.drive = permille
