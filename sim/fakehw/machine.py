# Simulated `machine`: the parts of MicroPython's machine module the wand
# uses, with the same names and signatures, reading inputs from and
# reporting outputs to `world` (set by whoever starts the simulation).
world = None

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5


def reset_cause():
    return world.reset_cause


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    def __init__(self, id, mode=-1, pull=-1, value=None, hold=False):
        self.id = id
        self.mode = mode
        self.pull = pull
        self.out = 0 if value is None else value
        self.hold = hold
        if value is not None:
            world.record("pin", id, value)
        if mode == Pin.OUT:
            world.outs[id] = self.out

    def init(self, mode=-1, pull=-1, value=None):
        self.mode = mode
        if value is not None:
            self.out = value
        if mode == Pin.OUT:
            world.outs[self.id] = self.out
            # As on the chip: the pin is now plain GPIO, its PWM cut off.
            pwm = world.pwms.get(self.id)
            if pwm is not None:
                pwm.detached = True
                world.pwm_write(0)

    def value(self, v=None):
        if v is None:
            if self.mode == Pin.OUT:
                return self.out
            return world.levels.get(self.id, 0)
        self.out = 1 if v else 0
        world.record("pin", self.id, self.out)
        world.outs[self.id] = self.out


class PWM:
    def __init__(self, pin, freq=0, duty_u16=0):
        self.pin = pin
        self._freq = freq
        self._duty = duty_u16
        self.detached = False
        world.pwms[pin.id] = self

    def freq(self, f=None):
        if f is None:
            return self._freq
        self._freq = f

    def duty_u16(self, d=None):
        if d is None:
            return self._duty
        if d < 0 or d > 65535:
            raise ValueError("duty must be 0..65535")
        world.call("pwm")
        self._duty = d
        world.record("duty", self.pin.id, d)
        world.pwm_write(d)

    def deinit(self):
        world.call("pwm")
        self._duty = 0
        world.record("duty", self.pin.id, 0)
        world.pwm_write(0)


class ADC:
    ATTN_0DB = 0
    ATTN_11DB = 3

    def __init__(self, pin, atten=0):
        self.pin = pin.id if isinstance(pin, Pin) else pin
        self.atten = atten

    def read_u16(self):
        world.call("adc")
        return world.raw.get(self.pin, 0)


class I2C:
    """One bus with one register-file device on it (the haptic driver)."""

    def __init__(self, id, sda=None, scl=None, freq=400000):
        self.id = id
        self.addr = -1
        self.regs = bytearray(256)
        world.i2c[id] = self

    def writeto_mem(self, addr, reg, buf):
        world.call("i2c")
        self.addr = addr
        self.regs[reg] = buf[0]
        world.record("i2c", reg, buf[0])
        world.i2c_write(reg, buf[0])

    def scan(self):
        return [0x5A]


class WDT:
    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout
        self.fed = world.t
        self.longest = 0         # longest gap between feeds, ms of virtual time
        world.wdt = self

    def feed(self):
        gap = world.t - self.fed
        if gap > self.longest:
            self.longest = gap
        self.fed = world.t


def lightsleep(ms=0):
    world.slept = "light"
    world.sleep_ms(ms)


def deepsleep(ms=0):
    world.slept = "deep"
    raise SystemExit("deepsleep")


def reset():
    world.resets += 1
    try:
        import vwand_host       # the virtual wand: ask for a real reset
        vwand_host.reset()
    except ImportError:
        pass
    raise SystemExit("reset")


def soft_reset():
    # (as far as the run goes, the same as reset(): the firmware starts again)
    reset()


def freq():
    return 125000000
