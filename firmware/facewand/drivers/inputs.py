# The wand's inputs, each read by the shell: the button (every tick), the
# pressure sensor (every tick) and the battery (once a second). One module
# for the three: each module costs the wand ~200 bytes of heap of its own.
#
# The button: its level only. Debounce and gestures are the engine's
# (facewand.gestures).
#
# Pressure: a force-sensitive resistor on an ADC, as permille of full scale.
# Wiring (see README): FSR from 3V3 to the ADC pin, 10 kOhm from the pin to
# ground on the wand's board, and 1 MOhm across the FSR on the sensor's side
# of its connector. So with the sensor in place and nothing pressing, the
# pin reads a little above zero (`zero`); with the sensor unplugged it reads
# zero (missing); with the FSR shorted it reads the rail (shorted). Readings
# are averaged over `smooth` samples to calm the sensor's noise.
#
# The battery: through a resistor divider on an ADC, in millivolts.
from facewand.compat import const

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import ADC, Pin

_MISSING_BELOW = const(200)
_SHORTED_ABOVE = const(65000)
FAULT_SAMPLES = const(5)      # a fault must last this many samples to count
# A reading at the rail right after one at least this firm (permille) is
# the hardest press, not a short: a real press climbs through the middle of
# the range at 50 samples a second, a short jumps there in one sample.
_RAIL_FROM = const(500)

_READS = const(4)             # battery readings averaged: one read is noisy under motor load


class Button:
    def __init__(self, pin: "Pin", active_low):
        self.pin = pin
        self.active = 0 if active_low else 1

    def pressed(self):
        return self.pin.value() == self.active


class Fsr:
    def __init__(self, adc: "ADC", zero, full, smooth):
        self.adc = adc
        self.zero = zero
        self.span = full - zero       # negative if the wiring is inverted
        self.window = [0] * smooth
        self.filled = 0
        self.i = 0
        self.total = 0
        self.faults = 0
        self.fault = False            # last verdict: missing or shorted
        self.last = -1                # the last reading taken as pressure, permille

    def read(self):
        """Permille 0..1000, or -1 while the sensor is missing or shorted.

        A reading at the rail is the sensor shorted only when nothing led
        up to it: at power-on, or straight from a light touch. Reached from
        a firm press it is the hardest press there is (the FSR's resistance
        falls towards nothing), and must keep the over-pressure warning on."""
        raw = self.adc.read_u16()
        if _MISSING_BELOW <= raw <= _SHORTED_ABOVE and not self.faults:
            # In range, as nearly every sample is: the short way (`fault`
            # is already False: it is set only after FAULT_SAMPLES faults).
            p = (raw - self.zero) * 1000 // self.span
            if p < 0:
                p = 0
            elif p > 1000:
                p = 1000
            self.last = p
            # (_smooth, inlined: this runs every tick)
            w = self.window
            i = self.i
            if self.filled < len(w):
                self.filled += 1
            else:
                self.total -= w[i]
            w[i] = p
            self.total += p
            i += 1
            self.i = i if i < len(w) else 0
            return self.total // self.filled
        rail = raw > _SHORTED_ABOVE if self.span > 0 else raw < _MISSING_BELOW
        if rail and self.last >= _RAIL_FROM:
            p = 1000
        elif raw < _MISSING_BELOW or raw > _SHORTED_ABOVE:
            self.faults += 1
            if self.faults >= FAULT_SAMPLES:
                self.fault = True
                self.filled = 0
                self.total = 0
                self.last = -1
                return -1
            return self._smooth(self.last if self.last >= 0 else 0)
        else:
            p = (raw - self.zero) * 1000 // self.span
            if p < 0:
                p = 0
            elif p > 1000:
                p = 1000
        self.faults = 0
        self.fault = False
        self.last = p
        return self._smooth(p)

    def _smooth(self, p):
        w = self.window
        n = len(w)
        if self.filled < n:
            self.filled += 1
        else:
            self.total -= w[self.i]
        w[self.i] = p
        self.total += p
        self.i = (self.i + 1) % n
        return self.total // self.filled


class Battery:
    def __init__(self, adc: "ADC", ratio_milli, vref_mv):
        self.adc = adc
        self.ratio_milli = ratio_milli
        self.vref_mv = vref_mv

    def read_mv(self):
        total = 0
        for _ in range(_READS):
            total += self.adc.read_u16()
        # In two steps so every product stays a small int on the device.
        pin_mv = (total // _READS) * self.vref_mv // 65535
        return pin_mv * self.ratio_milli // 1000
