# Board descriptions: which pin does what, checked against the chip.
#
# A board file is data (boards/NAME.json on the host, /board.json on the
# wand). The same checks run on both, and every error names the file, the
# field and what was expected:
#     pico.json: motor.pin: GPIO 26 is already the pressure.pin
#     esp32-devkitc.json: pressure.pin: GPIO 25 has no ADC usable here (ADC pins: 32..39)
from facewand.checked import Board
from facewand.schema import Checker, SchemaError, is_int, load_json

# What each chip offers. ESP32: GPIO 6-11 drive the flash and are not
# usable; 34-39 are inputs only; only ADC1 (32-39) is listed because ADC2
# cannot be read while the radio is on. ESP32-S3: 26-32 drive flash/PSRAM.
CHIPS = {
    "rp2040": {
        "pins": tuple(range(30)),
        "input_only": (),
        "adc": (26, 27, 28, 29),
    },
    "esp32": {
        "pins": (0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23,
                 25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39),
        "input_only": (34, 35, 36, 37, 38, 39),
        "adc": (32, 33, 34, 35, 36, 37, 38, 39),
    },
    "esp32s3": {
        "pins": tuple(range(0, 22)) + tuple(range(33, 49)),
        "input_only": (),
        "adc": tuple(range(1, 11)),
    },
}
ORDERS = ("RGB", "GRB", "BRG", "BGR", "RBG", "GBR")

# Field tables as in facewand.schema, plus the kinds "chip", "obj" (a part
# checked against its own table), "pin" (a GPIO the chip has), "adc" (a
# GPIO with an ADC) and "out" (a GPIO that can drive an output).
TOP = {
    "name": ("text", True, 1, 32),
    "description": ("text", False, 0, 120),
    "chip": ("chip", True, 0, 0),
    "button": ("obj", True, 0, 0),
    "motor": ("obj", True, 0, 0),
    "ring": ("obj", True, 0, 0),
    "pressure": ("obj", False, 0, 0),
    "battery": ("obj", False, 0, 0),
}
BUTTON = {
    "pin": ("pin", True, 0, 0),
    "active_low": ("bool", True, 0, 0),
}
# How the actuator answers its drive, for the motor model (sim/motor_model.py)
# and for holding the ring until a cue is felt (drivers/neoring.py). The
# terms are the ones vibration-motor datasheets use (Precision Microdrives'
# step-response test): lag_ms from drive on to 50% of the amplitude,
# rise_ms to 90%, stop_ms from drive off until it has fallen to 10%.
RESPONSE = {
    "lag_ms": ("int", False, 2, 300),
    "rise_ms": ("int", False, 4, 600),
    "stop_ms": ("int", False, 4, 600),
}
# Defaults when a board file gives none, per actuator:
# - a 10 mm coin ERM driven straight from a transistor: TDK gives an ERM's
#   latency as 50-100 ms, Precision Microdrives' 8-10 mm coin motors reach
#   90% in about 100 ms (a 5 mm one in about 180 ms), and with no active
#   braking they stop about as slowly as they start;
# - an LRA on a DRV2605L: TDK gives an LRA's latency as 10-20 ms, and the
#   DRV2605L's overdrive (STARTUP_BOOST) and automatic braking keep both
#   edges near that;
# - an ERM on a DRV2605L: its overdrive and braking about halve the ERM's
#   own times (Precision Microdrives' overdrive and active-braking tests).
RESPONSE_DEFAULTS = {
    "pwm": (50, 100, 100),
    "lra": (10, 20, 20),
    "erm": (30, 60, 50),
}
MOTOR_PWM = {
    "kind": ("text", True, 0, 16),
    "pin": ("out", True, 0, 0),
    "freq": ("int", True, 20000, 40000),       # above hearing, within ERM drivers' reach
    # The duty below which the motor stalls: the driver maps the softest
    # drive just above it. At most half the range, so the drive keeps room
    # below the 80% cap (a motor that stalls at more than half its supply
    # wants a lower supply, not more duty).
    "min_duty": ("int", True, 0, 32767),
}
MOTOR_DRV = {
    "kind": ("text", True, 0, 16),
    "i2c": ("int", True, 0, 1),
    "sda": ("out", True, 0, 0),
    "scl": ("out", True, 0, 0),
    "addr": ("int", True, 8, 119),
    "actuator": (("lra", "erm"), True, 0, 0),
    "en": ("out", False, 0, 0),                # the chip's EN pin, if wired: the last way off
}
for _f in (MOTOR_PWM, MOTOR_DRV):
    _f.update(RESPONSE)
RING = {
    "pin": ("out", True, 0, 0),
    # 12 at least: a step's number is shown on a twelve-hour clock face.
    "count": ("int", True, 12, 32),
    "order": (ORDERS, True, 0, 0),
    "max_brightness": ("int", True, 16, 255),  # caps current: a ring at full white draws amps
}
PRESSURE = {
    "pin": ("adc", True, 0, 0),
    "zero": ("int", True, 0, 65535),           # read_u16 with nothing pressing
    "full": ("int", True, 0, 65535),           # read_u16 at full scale
    "smooth": ("int", True, 1, 8),             # samples averaged
}
BATTERY = {
    "pin": ("adc", True, 0, 0),
    "ratio_milli": ("int", True, 1000, 10000), # divider: battery volts / pin volts, x1000
    "vref_mv": ("int", True, 1000, 5000),
}


class BoardError(SchemaError):
    pass


class _Checker(Checker):
    error = BoardError

    def __init__(self, source):
        super().__init__(source)
        self.chip = None
        self.used = {}            # pin -> field path that claimed it

    def special(self, v, kind, lo, hi, path):
        if kind == "chip":
            if not isinstance(v, str) or v not in CHIPS:
                self.expect(path, "one of " + ", ".join(sorted(CHIPS)), v)
            self.chip = CHIPS[v]
            return v
        if kind == "obj":
            return v   # checked by parse(), which knows which table
        chip = self.chip
        if chip is None:
            self.fail(path, "the chip must be known before any pin")
        if not is_int(v) or v not in chip["pins"]:
            self.expect(path, "a GPIO number this chip has", v)
        if kind == "adc" and v not in chip["adc"]:
            self.fail(path, "GPIO %d has no ADC usable here (ADC pins: %s)" % (v, _ranges(chip["adc"])))
        if kind == "out" and v in chip["input_only"]:
            self.fail(path, "GPIO %d is input-only and cannot drive an output" % v)
        if v in self.used:
            self.fail(path, "GPIO %d is already the %s" % (v, self.used[v]))
        self.used[v] = path
        return v


def _ranges(pins):
    lo, hi = min(pins), max(pins)
    if len(pins) == hi - lo + 1:
        return "%d..%d" % (lo, hi)
    return ", ".join(str(p) for p in pins)


def parse(data, source):
    c = _Checker(source)
    if not isinstance(data, dict):
        c.expect("", "an object", data)
    # The chip first: every pin check depends on it.
    if "chip" not in data:
        c.fail("chip", "missing")
    c.value(data["chip"], "chip", 0, 0, "chip")
    f = c.obj(data, TOP, "")
    f["button"] = c.obj(f["button"], BUTTON, "button")
    m = f["motor"]
    kind = m.get("kind") if isinstance(m, dict) else None
    if kind == "pwm":
        f["motor"] = c.obj(m, MOTOR_PWM, "motor")
    elif kind == "drv2605":
        f["motor"] = c.obj(m, MOTOR_DRV, "motor")
    else:
        c.expect("motor.kind", "one of pwm, drv2605", kind)
    _response(c, f["motor"])
    f["ring"] = c.obj(f["ring"], RING, "ring")
    if "pressure" in f:
        p = f["pressure"] = c.obj(f["pressure"], PRESSURE, "pressure")
        if abs(p["full"] - p["zero"]) < 4096:
            c.fail("pressure.full", "must differ from zero by at least 4096 counts, or every reading is noise")
    if "battery" in f:
        f["battery"] = c.obj(f["battery"], BATTERY, "battery")
    return Board(f["name"], f["chip"], f["button"], f["motor"], f["ring"], f.get("pressure"),
                 f.get("battery"))


def _response(c, m):
    """Fill in the actuator's response times and check they make sense."""
    kind = "pwm" if m["kind"] == "pwm" else m["actuator"]
    d = RESPONSE_DEFAULTS[kind]
    lag = m.setdefault("lag_ms", d[0])
    rise = m.setdefault("rise_ms", d[1])
    m.setdefault("stop_ms", d[2])
    if rise <= lag:
        c.fail("motor.rise_ms", "must be longer than motor.lag_ms (%d): 90%% comes after 50%%" % lag)


def load(path, source=None):
    data, source = load_json(path, BoardError, source)
    return parse(data, source)
