# Vibration: plays the engine's cue patterns without blocking.
#
# The engine says which pattern and at what session level; the player walks
# the pattern's (on_ms, off_ms, level) segments against the tick it is
# given, so the main loop never sleeps inside a cue. A new pattern replaces
# the one playing, as the engine expects.
from facewand import ticks
from facewand.cues import VIBE_PATTERNS, MAX_LEVEL

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import PWM, I2C


class PatternPlayer:
    """Segment timing shared by every motor; subclasses provide _drive()."""

    def __init__(self):
        self.pattern = ()
        self.seg = 0            # index of the current (on, off, level) triple
        self.on = False         # in the on part of the segment
        self.until = 0          # tick at which the current part ends
        self.level = 0          # session level, permille
        self.drive = -1         # what _drive was last given, permille

    def play(self, pattern_id, level, now):
        if level > MAX_LEVEL:   # the engine caps it; a driver never trusts that alone
            level = MAX_LEVEL
        self.pattern = VIBE_PATTERNS[pattern_id]
        self.level = level
        self.seg = 0
        self._start_segment(now)

    def busy(self):
        return len(self.pattern) > 0

    def stop(self):
        self.pattern = ()
        self._set(0)

    def update(self, now):
        p = self.pattern
        while p and ticks.diff(now, self.until) >= 0:
            if self.on and p[self.seg * 3 + 1] > 0:
                self.on = False
                self.until = ticks.add(self.until, p[self.seg * 3 + 1])
                self._set(0)
            else:
                self.seg += 1
                if self.seg * 3 >= len(p):
                    self.pattern = ()
                    self._set(0)
                    return
                self._start_segment(self.until)

    def _start_segment(self, at):
        p = self.pattern
        self.on = True
        self.until = ticks.add(at, p[self.seg * 3])
        self._set(self.level * p[self.seg * 3 + 2] // 1000)

    def _set(self, permille):
        if permille != self.drive:
            self.drive = permille
            self._drive(permille)

    def _drive(self, permille):
        raise NotImplementedError


class PwmMotor(PatternPlayer):
    """An ERM coin motor switched by a transistor on a PWM pin.

    min_duty is where the motor starts to turn: any drive above zero is
    mapped into min_duty..65535 so a soft cue is still felt."""

    def __init__(self, pwm: "PWM", min_duty):
        super().__init__()
        self.pwm = pwm
        self.min_duty = min_duty
        pwm.duty_u16(0)

    def _drive(self, permille):
        if permille <= 0:
            self.pwm.duty_u16(0)
        else:
            self.pwm.duty_u16(self.min_duty + (65535 - self.min_duty) * permille // 1000)


# DRV2605L registers (datasheet section 8.6).
_MODE = 0x01
_RTP_INPUT = 0x02
_LIBRARY = 0x03
_FEEDBACK = 0x1A
_CONTROL3 = 0x1D
_MODE_RTP = 0x05
_MODE_STANDBY = 0x40


class Drv2605(PatternPlayer):
    """An LRA (or ERM) on a TI DRV2605L haptic driver over I2C, in
    real-time playback mode: each drive level is one register write."""

    def __init__(self, i2c: "I2C", addr=0x5A, lra=True):
        super().__init__()
        self.i2c = i2c
        self.addr = addr
        self.byte = bytearray(1)      # reused for every write
        self._write(_MODE, 0x00)      # out of standby
        self._write(_FEEDBACK, 0xB6 if lra else 0x36)   # bit 7: LRA mode
        self._write(_LIBRARY, 6 if lra else 1)
        self._write(_CONTROL3, 0x08)  # RTP input is unsigned
        self._write(_RTP_INPUT, 0)
        self._write(_MODE, _MODE_RTP)

    def _write(self, reg, value):
        self.byte[0] = value
        self.i2c.writeto_mem(self.addr, reg, self.byte)

    def _drive(self, permille):
        self._write(_RTP_INPUT, 255 * permille // 1000)

    def standby(self):
        self.stop()
        self._write(_MODE, _MODE_STANDBY)
