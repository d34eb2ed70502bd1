# The per-tick work of the wand's shell, shared by firmware/main.py on the
# device and by the simulator, so both drive the engine in exactly the same
# order: read the button, the pressure and (once a second) the battery into
# the engine, one engine tick; then the motor and the ring. Allocation-free.
from facewand import ticks
from facewand.commands import CMD_VIBE, CMD_STRIDE

from facewand.compat import const

TICK_MS = const(20)            # 50 Hz: gestures, cues and pressure all fit
BATTERY_EVERY_MS = const(1000)


class Hardware:
    """The parts a board has (None for one it has not), as
    facewand.hardware builds them."""

    def __init__(self, button, motor, ring, fsr, battery, button_pin):
        self.button = button
        self.motor = motor
        self.ring = ring
        self.fsr = fsr
        self.battery = battery
        self.button_pin = button_pin


def log(message):
    print("facewand: " + message)


class BoardFacts:
    """What the loop and sleep need of the board file, as plain values
    (defined here, not in facewand.start, which is dropped once the wand is
    built: an instance keeps its class's module)."""

    def __init__(self, board):
        self.chip = board.chip
        self.motor = board.motor
        self.button = board.button
        self.count = board.ring["count"]


class Shell:
    def __init__(self, engine, hw, journal):
        self.engine = engine
        self.hw = hw
        hw.ring.lend(engine.view.ring)      # the picture is painted in the ring's wire bytes too
        self.journal = journal
        self.t0 = 0
        self.battery_t = 0
        self.now = 0

    def power_on(self, now):
        self.t0 = now
        self.now = now
        self.battery_t = ticks.add(now, -BATTERY_EVERY_MS)
        self._apply(self.engine.power_on(now))
        self._outputs(now)

    def step(self, now):
        e = self.engine
        hw = self.hw
        self.now = now
        pressed = hw.button.pressed()
        if pressed != e.pressed:        # (the engine ignores the same level; a call saved)
            e.button(pressed, now)
        if hw.fsr is not None:
            p = hw.fsr.read()
            if p >= 0:
                e.pressure(p, now)
        if hw.battery is not None:
            late = ticks.diff(now, self.battery_t)
            if late >= BATTERY_EVERY_MS:
                # On the once-a-second grid, whatever ticks were skipped.
                self.battery_t = ticks.add(self.battery_t, late - late % BATTERY_EVERY_MS)
                e.battery(hw.battery.read_mv(), now)
        n = e.tick(now)
        if n:
            self._apply(n)
        self._outputs(now)

    def next_battery(self):
        """The tick at which the battery is next read."""
        return ticks.add(self.battery_t, BATTERY_EVERY_MS)

    def _apply(self, n):
        e = self.engine
        cm = e.out.cmds
        for i in range(n):
            j = i * CMD_STRIDE
            if cm[j] == CMD_VIBE:
                self.hw.motor.play(cm[j + 1], cm[j + 3], self.now)
        if self.journal is not None:
            self.journal.take(ticks.diff(self.now, self.t0), cm, n)

    def _outputs(self, now):
        hw = self.hw
        m = hw.motor
        if m.pattern:
            m.update(now)
        # Light with touch: the ring waits for a motor at rest to break
        # away, and hurries for a cue that starts on a motor still turning.
        ring = hw.ring
        if m.started:
            m.started = False
            if not m.from_rest:
                ring.follow_motor(False)
        elif ring.hold != ring.slow and m.drive <= 0 and m.still(now):
            ring.follow_motor(True)
        picture = self.engine.view.ring
        if picture.dirty or ring.pending or ring.behind < ring.hold:
            ring.show(picture)          # (else it would only count the tick)

    def motor_busy(self):
        return self.hw.motor.busy()

    def elapsed(self):
        """ms from power-on to the last tick."""
        return ticks.diff(self.now, self.t0)

    def shutdown(self):
        """Every way out: motor still, ring dark. Safe to call twice, and
        never raises: the motor's stop() retries and then cuts the drive,
        and a ring that will not take a write gets a second try."""
        self.hw.motor.stop()
        for _ in range(2):
            try:
                self.hw.ring.off()
                return
            except Exception:
                pass
