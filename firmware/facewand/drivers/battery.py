# The battery, through a resistor divider on an ADC, in millivolts.
from facewand.compat import const

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import ADC

_READS = const(4)    # averaged per reading: one read is noisy under motor load


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
