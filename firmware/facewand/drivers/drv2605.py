# Vibration through a TI DRV2605L haptic driver over I2C: the pattern
# player of haptic.py driving the chip's real-time playback register.
# Its own module, so a board with a PWM motor never loads it.
from facewand.cues import MAX_LEVEL
from facewand.drivers.haptic import PatternPlayer
from facewand.compat import const

CAP_RTP = const(204)         # 255 * MAX_LEVEL // 1000: the 80% cap in the RTP register

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import I2C, Pin

# DRV2605L registers (datasheet section 8.6).
_MODE = const(0x01)
_RTP_INPUT = const(0x02)
_LIBRARY = const(0x03)
_FEEDBACK = const(0x1A)
_CONTROL1 = const(0x1B)
_CONTROL2 = const(0x1C)
_CONTROL3 = const(0x1D)
_MODE_RTP = const(0x05)
_MODE_STANDBY = const(0x40)


class Drv2605(PatternPlayer):
    """An LRA (or ERM) on a TI DRV2605L haptic driver over I2C, in
    real-time playback mode: each drive level is one register write."""

    def __init__(self, i2c: "I2C", addr=0x5A, lra=True, rest_ms=0, en: "Pin | None" = None):
        """en: the chip's EN pin, if wired: high to run, low to shut the
        chip down, the motor's last way off when I2C fails."""
        super().__init__(rest_ms)
        self.i2c = i2c
        self.addr = addr
        self.en = en
        self.byte = bytearray(1)      # reused for every write
        if en is not None:
            en.value(1)
        self._write(_MODE, 0x00)      # out of standby
        # bit 7: LRA mode; bits 6-4: brake factor 4x, so a pulse stops in
        # about one period of the LRA instead of ringing on.
        self._write(_FEEDBACK, 0xB6 if lra else 0x36)
        # STARTUP_BOOST (overdrive at each start), default drive time.
        self._write(_CONTROL1, 0x93)
        # Unidirectional input: 0 means no drive and the chip brakes by
        # itself when the input drops (bidirectional, the reset default,
        # reads an unsigned 0 as full reverse drive).
        self._write(_CONTROL2, 0x75)
        self._write(_LIBRARY, 6 if lra else 1)
        self._write(_CONTROL3, 0x08)  # RTP input is unsigned
        self._write(_RTP_INPUT, 0)
        self._write(_MODE, _MODE_RTP)

    def _write(self, reg, value):
        self.byte[0] = value
        self.i2c.writeto_mem(self.addr, reg, self.byte)

    def _drive(self, permille):
        if permille > MAX_LEVEL:
            permille = MAX_LEVEL
        self._write(_RTP_INPUT, 255 * permille // 1000 if permille > 0 else 0)

    def _cut(self):
        # Standby stops the output stage; EN low shuts the chip down even
        # when its bus is gone.
        try:
            self._write(_MODE, _MODE_STANDBY)
        except Exception:
            pass
        if self.en is not None:
            try:
                self.en.value(0)
            except Exception:
                pass
