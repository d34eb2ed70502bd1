# The per-tick work of the wand's shell, shared by firmware/main.py on the
# device and by the simulator, so both drive the engine in exactly the same
# order: read the button, the pressure and (once a second) the battery into
# the engine, one engine tick; then the motor, the journal (on the wand a
# tick or two later: see Shell.__init__) and the ring. Allocation-free.
from facewand.compat import add, diff

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
        self.count = board.ring["count"]
        # For sleep: a PWM motor's pin is held low through an ESP32's deep
        # sleep (-1: none to hold); the button's wake level. Values, not
        # the board's dicts, which would stay on the heap all session.
        m = board.motor
        self.motor_pin = m["pin"] if m["kind"] == "pwm" else -1
        self.active_low = board.button["active_low"]


class Shell:
    def __init__(self, engine, hw, journal):
        self.engine = engine
        self.hw = hw
        self.picture = engine.view.ring     # the engine's ring picture (Ring)
        hw.ring.lend(self.picture)          # ... painted in the ring's wire bytes too
        self.journal = journal
        # The wand takes a tick's records into its journal a little later,
        # from the outbox as that tick left it: on the next tick on which
        # the view does not paint (its view paints a cue's picture on the
        # tick after it, view.PAINT_LAG), or before the engine says anything
        # more. A cue's tick is the wand's busiest. The simulator, whose
        # view paints at once, writes its trace from the journal after every
        # tick and takes them at once.
        self.lag = engine.view.lag
        self.owed = 0                       # records of the last tick not yet taken
        self.owed_t = 0
        self.t0 = 0
        self.battery_t = 0                  # when the battery is next read
        self.now = 0
        # Following the person's strokes: with a pressure sensor calibrated
        # for its wearer (settings.pressure_full) and the setting on, the
        # engine gets the detector, a module loaded only then.
        st = engine.settings
        if hw.fsr is not None and st.follow and st.pressure_full:
            from facewand import sense
            sense.reset()
            engine.sense = sense

    def power_on(self, now):
        self.t0 = now
        self.now = now
        self.battery_t = now
        self._outputs(self.engine.power_on(now), now)

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
            late = diff(now, self.battery_t)
            if late >= 0:
                # On the once-a-second grid, whatever ticks were skipped.
                self.battery_t = add(self.battery_t, late - late % BATTERY_EVERY_MS + BATTERY_EVERY_MS)
                e.battery(hw.battery.read_mv(), now)
        # The last records still owed: taken now unless the view is to paint
        # (the engine saying nothing, so the outbox keeps them a tick more).
        if self.owed and (diff(now, e.view.look_t) < 0 or not e.silent(now)):
            self._take_owed()
        self._outputs(e.tick(now), now)

    def _outputs(self, n, now):
        """The engine's n commands to the motor and the journal; then the
        motor's pattern and the ring."""
        hw = self.hw
        m = hw.motor
        if n:
            out = self.engine.out
            cm = out.cmds
            v = out.vibe          # the cue (CMD_VIBE: pattern, ms, level), if any
            if v:
                m.play(cm[v], cm[v + 2], now)
            if self.journal is not None:
                if self.lag:
                    self.owed = n
                    self.owed_t = diff(now, self.t0)
                else:
                    self.journal.take(diff(now, self.t0), cm, n)
        if m.pattern and diff(now, m.until) >= 0:    # (else update() has nothing to do)
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
        picture = self.picture
        if picture.dirty or ring.pending or ring.behind < ring.hold:
            ring.show(picture)          # (else it would only count the tick)

    def _take_owed(self):
        self.journal.take(self.owed_t, self.engine.out.cmds, self.owed)
        self.owed = 0

    def motor_busy(self):
        return self.hw.motor.busy()

    def elapsed(self):
        """ms from power-on to the last tick."""
        return diff(self.now, self.t0)

    def shutdown(self):
        """Every way out: motor still, ring dark. Safe to call twice, and
        never raises: the motor's stop() retries and then cuts the drive,
        and a ring that will not take a write gets a second try. The
        journal gets the last tick's records, once the outputs are off."""
        self.hw.motor.stop()
        for _ in range(2):
            try:
                self.hw.ring.off()
                break
            except Exception:
                pass
        if self.owed:
            self._take_owed()
