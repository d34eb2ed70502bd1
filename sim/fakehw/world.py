# The simulated world around the wand: a virtual clock, the person's hand
# (button, pressure) and the battery as a script says, and the board's
# wiring to know which pin sees what.
import heapq

from facewand import compat as ticks

try:
    from sim.fakehw.script import GESTURE_EDGES
except ImportError:          # on the virtual wand these files are top-level modules
    from script import GESTURE_EDGES

FULL_BATTERY_MV = 4000
LIMIT_MS = 4 * 3600 * 1000   # nothing runs this long: auto-off ends every session first

# What left the drivers since the trace was last written (the "wire"): kept
# in buffers made once, since drivers write under the heap lock.
WIRE_DUTY = 1                # PWM duty_u16 on the motor pin
WIRE_RTP = 2                 # the DRV2605's real-time playback register
WIRE_MAX = 64                # motor writes held between two flushes
RING_SLOTS = 4               # ring writes held between two flushes
_RTP_REG = 0x02


def fsr_raw(permille, zero, full):
    """The read_u16 value at which the wand's Fsr.read() gives `permille`
    (before smoothing): the simulator's pressure sensor."""
    span = full - zero
    return zero + (permille * span + (999 if span > 0 else -999)) // 1000


def battery_raw(mv, ratio_milli, vref_mv):
    """The read_u16 value for a battery at `mv` behind the board's divider,
    as the wand's Battery.read_mv() reads it back: the simulator's battery."""
    pin_mv = mv * 1000 // ratio_milli
    return min(65535, (pin_mv * 65535 + vref_mv - 1) // vref_mv)


class ScriptEnd(SystemExit):
    """The script's `end` line, or the safety limit: the run stops here."""


# A Pico's clock after a power cut: 2021-01-01 00:00 (the wand takes any
# date before 2024 as a clock nobody set).
UNSET_CLOCK_S = 1609459200


class World:
    def __init__(self, board, events=(), start_tick=0, wire=False):
        self.board = board
        self.start = start_tick
        self.clock_s = UNSET_CLOCK_S     # the wand's clock at power-on, seconds since 1970
        self.t = 0                       # ms since power-on
        self.now = start_tick            # what ticks_ms() reads
        self.events = list(events)
        self.i = 0
        self.edges = []                  # pending (t, seq, pressed), a heap
        self.seq = 0
        self.inputs = []                 # (t, kind, value) as applied, for traces
        self.ended = False
        self.cut = False                 # the run ended by a power cut: nothing more is written
        self.battery_inputs = 0          # battery lines applied so far
        self.levels = {}                 # input pin -> level
        self.outs = {}                   # output pin -> level driven
        self.raw = {}                    # ADC pin -> read_u16 value
        self.pwms = {}                   # pin -> fake PWM
        self.pixels = {}                 # pin -> fake NeoPixel
        self.i2c = {}                    # bus id -> fake I2C
        self.wdt = None
        self.slept = None                # "light" / "deep" once the wand sleeps
        self.resets = 0
        self.recording = False           # keep output history (allocates; not under heap lock)
        self.history = []
        self.sleep_ends_run = False      # a sleeping wand nothing will wake ends the run
        self.wire = wire                 # log what leaves the drivers (see take_wire)
        self.motor_log = [0] * (WIRE_MAX * 3)   # t, kind, value
        self.nmotor = 0
        self.motor_last = -1
        self.ring_log = None             # made when the ring's NeoPixel is
        self.ring_t = [0] * RING_SLOTS
        self.nring = 0
        self.wire_lost = 0               # writes the buffers had no room for (tests: 0)
        # Faults to inject: kind ("pwm", "i2c", "adc", "neopixel") ->
        # [the call that fails (1-based), every call after it too?, calls so far]
        self.faults = {}
        self.fault_t = -1                # when an injected fault first raised
        self.reset_cause = 1             # machine.PWRON_RESET: a cold boot
        self.watch = None                # called each time the clock moves (tests)
        b = board.button
        self.button_pin = b["pin"]
        self.active_low = b["active_low"]
        self.levels[self.button_pin] = 1 if self.active_low else 0
        if board.pressure is not None:
            self.set_pressure(0)
        if board.battery is not None:
            self.set_battery(FULL_BATTERY_MV)

    # --- the person and the battery ---
    def set_button(self, pressed):
        self.levels[self.button_pin] = (0 if pressed else 1) if self.active_low else (1 if pressed else 0)

    def set_pressure(self, permille):
        p = self.board.pressure
        self.raw[p["pin"]] = fsr_raw(permille, p["zero"], p["full"])

    def set_battery(self, mv):
        b = self.board.battery
        self.raw[b["pin"]] = battery_raw(mv, b["ratio_milli"], b["vref_mv"])

    # --- time ---
    def advance_to(self, t):
        """Move the clock to t ms since power-on, applying every scripted
        input due by then, in time order."""
        ev = self.events
        while True:
            nxt = t + 1
            if self.i < len(ev) and ev[self.i][0] < nxt:
                nxt = ev[self.i][0]
            if self.edges and self.edges[0][0] < nxt:
                nxt = self.edges[0][0]
            if nxt > t:
                break
            if self.edges and self.edges[0][0] == nxt:
                self.set_button(heapq.heappop(self.edges)[2])
                continue
            et, kind, value = ev[self.i]
            self.i += 1
            self.inputs.append((et, kind, value))
            if kind == "end":
                self.ended = True
            elif kind == "powercut":
                self.ended = True
                self.cut = True
            elif kind == "pressure":
                if self.board.pressure is not None:
                    self.set_pressure(value)
            elif kind == "battery":
                self.battery_inputs += 1
                if self.board.battery is not None:
                    self.set_battery(value)
            else:
                for dt, pressed in GESTURE_EDGES[kind]:
                    # seq keeps edges of one time in the order they came
                    heapq.heappush(self.edges, (et + dt, self.seq, pressed))
                    self.seq += 1
        self.t = t
        self.now = ticks.add(self.start, t)
        if self.watch is not None:
            self.watch()
        if t >= LIMIT_MS:
            self.ended = True

    def next_input(self):
        """ms since power-on of the next thing the script does (an input
        line or a button edge), or of the run's time limit."""
        t = LIMIT_MS
        if self.i < len(self.events) and self.events[self.i][0] < t:
            t = self.events[self.i][0]
        if self.edges and self.edges[0][0] < t:
            t = self.edges[0][0]
        return t

    def sleep_ms(self, ms):
        # A sleeping wand nothing will wake ends the run: one that begins a
        # sleep with nothing left in the script (a sleep that something
        # ends, the button let go, say, returns, and the wand goes on).
        if self.sleep_ends_run and self.slept and self.i >= len(self.events) and not self.edges:
            raise ScriptEnd()
        if ms > 0:
            self.advance_to(self.t + ms)
        if self.ended:
            raise ScriptEnd()

    # --- faults ---
    def inject(self, kind, at, persist=False):
        """Make the `at`-th call of this kind raise OSError(EIO), and with
        `persist` every call after it."""
        self.faults[kind] = [at, persist, 0]

    def call(self, kind):
        """Every simulated driver call of a kind passes here."""
        f = self.faults.get(kind)
        if f is None:
            return
        f[2] += 1
        if f[2] == f[0] or (f[1] and f[2] > f[0]):
            if self.fault_t < 0:
                self.fault_t = self.t
            raise OSError(5)

    def motor_output(self):
        """What the motor is driven with right now, whatever the driver
        believes: 0 once its pin is taken from the PWM, its DRV2605 is in
        standby or has EN low."""
        m = self.board.motor
        if m["kind"] == "pwm":
            pwm = self.pwms.get(m["pin"])
            return 0 if pwm is None or pwm.detached else pwm.duty_u16()
        bus = self.i2c.get(m["i2c"])
        if bus is None or bus.regs[0x01] & 0x40:
            return 0
        if "en" in m and self.outs.get(m["en"], 0) == 0:
            return 0
        return bus.regs[0x02]

    # --- the wire ---
    def motor_write(self, kind, value):
        if not self.wire or value == self.motor_last:
            return
        self.motor_last = value
        if self.nmotor >= WIRE_MAX:
            self.wire_lost += 1
            return
        j = self.nmotor * 3
        log = self.motor_log
        log[j] = self.t
        log[j + 1] = kind
        log[j + 2] = value
        self.nmotor += 1

    def pwm_write(self, duty):
        self.motor_write(WIRE_DUTY, duty)

    def i2c_write(self, reg, value):
        if reg == _RTP_REG:
            self.motor_write(WIRE_RTP, value)

    def ring_write(self, buf):
        if not self.wire:
            return
        if self.ring_log is None or len(self.ring_log[0]) != len(buf):
            self.wire_lost += 1
            return
        if self.nring >= RING_SLOTS:
            self.wire_lost += 1
            return
        self.ring_log[self.nring][:] = buf
        self.ring_t[self.nring] = self.t
        self.nring += 1

    def ring_made(self, nbytes):
        self.ring_log = [bytearray(nbytes) for _ in range(RING_SLOTS)]

    def record(self, what, a, b):
        if self.recording:
            self.history.append((self.t, what, a, b))
