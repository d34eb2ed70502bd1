# Builds the drivers a board describes, from the machine and neopixel
# modules it is given: the real ones on the wand, simulated ones in the
# simulator and tests. The only place that turns pin numbers into objects.
from facewand.drivers.neoring import NeoRing
from facewand.drivers.inputs import Button, Fsr, Battery
from facewand.shell import TICK_MS, Hardware
from facewand.compat import describe


# The ring driver's start-up: the wire's colour order (where R, G and B go
# in each pixel's 3 bytes) and its brightness table. Here, not in the
# driver: the loop keeps the driver, and needs neither once it is built.
ORDERS = {"RGB": (0, 1, 2), "GRB": (1, 0, 2), "BRG": (1, 2, 0),
          "BGR": (2, 1, 0), "RBG": (0, 2, 1), "GBR": (2, 0, 1)}


def gamma_table(cap):
    # Eyes see light roughly as a power 2.2 of the drive; the table maps the
    # engine's perceptual levels onto the LEDs' linear ones, topping out at
    # `cap`. Built once at start-up (floats are fine here).
    t = bytearray(256)
    for i in range(256):
        t[i] = int((i / 255) ** 2.2 * cap + 0.5)
    return t


def cap_for(max_brightness, brightness_pct):
    """The brightest wire byte: the board's cap scaled by the setting."""
    return max_brightness * brightness_pct // 100


def _adc(machine, board, pin):
    if board.chip == "rp2040":
        return machine.ADC(machine.Pin(pin))
    # ESP32s read only to ~1 V without attenuation; 11 dB covers 0..3.1 V.
    return machine.ADC(machine.Pin(pin), atten=machine.ADC.ATTN_11DB)


def ring_delay(board, tick_ms):
    """Ticks to hold the ring back so a cue's light comes when its
    vibration is felt, from a motor at rest: its lag (drive on to half
    amplitude), rounded to the nearest tick."""
    return (board.motor["lag_ms"] + tick_ms // 2) // tick_ms


def ring_delay_turning(board, tick_ms):
    """The same for a cue that starts on a motor still turning: no
    break-away, only the rise, which (first order, 50% at lag, 90% at
    rise) reaches half a new amplitude within (rise - lag) * ln2 / ln5,
    about 0.43 of the difference."""
    m = board.motor
    return ((m["rise_ms"] - m["lag_ms"]) * 43 // 100 + tick_ms // 2) // tick_ms


def rest_ms(board):
    """How long undriven before the motor surely stands still: a running
    motor falls to 10% in stop_ms, and to a standstill in about twice it."""
    return 2 * board.motor["stop_ms"]


def build(board, machine, neopixel, brightness=100, paint_lag=0):
    """Every part the board has, or HardwareFault naming the first part
    that would not start (a DRV2605 that does not answer, a bus that will
    not open). Every part is tried, so the fault's `parts` hold all that
    did start: what the caller can still use to say so and to switch off."""
    hw = Hardware(None, None, None, None, None, None)
    fault = None
    for part in ("button", "motor", "ring", "pressure sensor", "battery monitor"):
        try:
            _build_part(part, hw, board, machine, neopixel, brightness, paint_lag)
        except Exception as e:
            if fault is None:
                fault = HardwareFault(part, e, hw)
    if fault is not None:
        raise fault
    return hw


def _build_part(part, hw, board, machine, neopixel, brightness, paint_lag):
    if part == "button":
        b = board.button
        pull = machine.Pin.PULL_UP if b["active_low"] else machine.Pin.PULL_DOWN
        hw.button_pin = machine.Pin(b["pin"], machine.Pin.IN, pull)
        hw.button = Button(hw.button_pin, b["active_low"])
    elif part == "motor":
        hw.motor = _motor(board, machine)
    elif part == "ring":
        r = board.ring
        # A view that paints a new picture `paint_lag` ticks after its cue
        # (the wand's: view.PAINT_LAG) has the ring hold it back that much less.
        hw.ring = NeoRing(neopixel.NeoPixel(machine.Pin(r["pin"]), r["count"]), ORDERS[r["order"]],
                          gamma_table(cap_for(r["max_brightness"], brightness)),
                          max(0, ring_delay(board, TICK_MS) - paint_lag),
                          max(0, ring_delay_turning(board, TICK_MS) - paint_lag))
    elif part == "pressure sensor" and board.pressure is not None:
        p = board.pressure
        hw.fsr = Fsr(_adc(machine, board, p["pin"]), p["zero"], p["full"], p["smooth"])
    elif part == "battery monitor" and board.battery is not None:
        bt = board.battery
        hw.battery = Battery(_adc(machine, board, bt["pin"]), bt["ratio_milli"], bt["vref_mv"])


class HardwareFault(Exception):
    def __init__(self, part, cause, parts):
        super().__init__("%s does not start: %s" % (part, describe(cause)))
        self.part = part
        self.parts = parts


def _motor(board, machine):
    # Each board loads only its motor's driver.
    m = board.motor
    if m["kind"] == "pwm":
        from facewand.drivers.haptic import PwmMotor
        pin = machine.Pin(m["pin"], machine.Pin.OUT, value=0)
        pwm = machine.PWM(pin)
        pwm.freq(m["freq"])
        return PwmMotor(pwm, m["min_duty"], rest_ms(board), pin)
    from facewand.drivers.drv2605 import Drv2605
    en = None
    if "en" in m:
        # Shut down first: a DRV2605 left playing by a crash keeps playing
        # until it is told otherwise, and its bus may not answer.
        en = machine.Pin(m["en"], machine.Pin.OUT, value=0)
    i2c = machine.I2C(m["i2c"], sda=machine.Pin(m["sda"]), scl=machine.Pin(m["scl"]), freq=400000)
    return Drv2605(i2c, m["addr"], m["actuator"] == "lra", rest_ms(board), en)
