# Board descriptions: which pin does what, checked against the chip.
#
# A board file is data (boards/NAME.json on the host, /board.json on the
# wand). The same checks run on both, and every error names the file, the
# field and what was expected:
#     pico.json: motor.pin: GPIO 26 is already the pressure.pin
#     esp32-devkitc.json: pressure.pin: GPIO 25 has no ADC usable here (ADC pins: 32..39)
import json

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

# field: (kind, required, low, high); kinds as in routine_file, plus
# "pin" (a GPIO the chip has), "adc" (a GPIO with an ADC), "out" (a GPIO
# that can drive an output) and "bool".
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
MOTOR_PWM = {
    "kind": ("text", True, 0, 16),
    "pin": ("out", True, 0, 0),
    "freq": ("int", True, 20000, 40000),       # above hearing, within ERM drivers' reach
    "min_duty": ("int", True, 0, 40000),       # the duty below which the motor stalls
}
MOTOR_DRV = {
    "kind": ("text", True, 0, 16),
    "i2c": ("int", True, 0, 1),
    "sda": ("out", True, 0, 0),
    "scl": ("out", True, 0, 0),
    "addr": ("int", True, 8, 119),
    "actuator": (("lra", "erm"), True, 0, 0),
}
RING = {
    "pin": ("out", True, 0, 0),
    "count": ("int", True, 8, 32),
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


class BoardError(ValueError):
    pass


class Board:
    """A checked board: plain attributes, sub-parts as dicts or None."""

    def __init__(self, fields):
        self.name = fields["name"]
        self.chip = fields["chip"]
        self.button = fields["button"]
        self.motor = fields["motor"]
        self.ring = fields["ring"]
        self.pressure = fields.get("pressure")
        self.battery = fields.get("battery")


class _Checker:
    def __init__(self, source):
        self.source = source
        self.chip = None
        self.used = {}            # pin -> field path that claimed it

    def fail(self, path, message):
        raise BoardError("%s: %s: %s" % (self.source, path, message))

    def obj(self, data, fields, path):
        if not isinstance(data, dict):
            self.fail(path or "(top)", "expected an object")
        for key in sorted(data):
            if key not in fields:
                self.fail(_join(path, key), "unknown field (expected one of %s)" % ", ".join(sorted(fields)))
        out = {}
        for key in sorted(fields):
            kind, required, lo, hi = fields[key]
            p = _join(path, key)
            if key not in data:
                if required:
                    self.fail(p, "missing")
                continue
            out[key] = self.value(data[key], kind, lo, hi, p)
        return out

    def value(self, v, kind, lo, hi, path):
        if isinstance(kind, tuple):
            if v not in kind:
                self.fail(path, "expected one of %s, got %s" % (", ".join(kind), _show(v)))
            return v
        if kind == "bool":
            if v is not True and v is not False:
                self.fail(path, "expected true or false, got %s" % _show(v))
            return v
        if kind == "int":
            if not isinstance(v, int) or isinstance(v, bool) or v < lo or v > hi:
                self.fail(path, "expected an integer %d..%d, got %s" % (lo, hi, _show(v)))
            return v
        if kind == "text":
            if not isinstance(v, str) or not lo <= len(v) <= hi:
                self.fail(path, "expected text of %d..%d characters, got %s" % (lo, hi, _show(v)))
            return v
        if kind == "chip":
            if v not in CHIPS:
                self.fail(path, "expected one of %s, got %s" % (", ".join(sorted(CHIPS)), _show(v)))
            self.chip = CHIPS[v]
            return v
        if kind == "obj":
            return v   # checked by the caller, which knows which table
        return self.pin(v, kind, path)

    def pin(self, v, kind, path):
        chip = self.chip
        if not isinstance(v, int) or isinstance(v, bool) or v not in chip["pins"]:
            self.fail(path, "expected a GPIO number this chip has, got %s" % _show(v))
        if kind == "adc" and v not in chip["adc"]:
            self.fail(path, "GPIO %d has no ADC usable here (ADC pins: %s)" % (v, _ranges(chip["adc"])))
        if kind == "out" and v in chip["input_only"]:
            self.fail(path, "GPIO %d is input-only and cannot drive an output" % v)
        if v in self.used:
            self.fail(path, "GPIO %d is already the %s" % (v, self.used[v]))
        self.used[v] = path
        return v


def _join(path, key):
    return key if not path else path + "." + key


def _show(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return '"%s"' % v[:40]
    if isinstance(v, (dict, list)):
        return "an object" if isinstance(v, dict) else "a list"
    return str(v)


def _ranges(pins):
    lo, hi = min(pins), max(pins)
    if len(pins) == hi - lo + 1:
        return "%d..%d" % (lo, hi)
    return ", ".join(str(p) for p in pins)


def parse(data, source):
    c = _Checker(source)
    if not isinstance(data, dict):
        c.fail("(top)", "expected an object")
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
        c.fail("motor.kind", "expected one of pwm, drv2605, got %s" % _show(kind))
    f["ring"] = c.obj(f["ring"], RING, "ring")
    if "pressure" in f:
        p = f["pressure"] = c.obj(f["pressure"], PRESSURE, "pressure")
        if abs(p["full"] - p["zero"]) < 4096:
            c.fail("pressure.full", "must differ from zero by at least 4096 counts, or every reading is noise")
    if "battery" in f:
        f["battery"] = c.obj(f["battery"], BATTERY, "battery")
    return Board(f)


def load(path):
    source = path.rstrip("/").rsplit("/", 1)[-1] or path
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        raise BoardError("%s: cannot be read" % source)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeError):
        raise BoardError("%s: not valid JSON in UTF-8" % source)
    return parse(data, source)
