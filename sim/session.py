# A simulated session: the wand's own shell (facewand.shell), drivers and
# engine, on simulated hardware (sim.fakehw) following a script, with the
# journal written out as a JSON Lines trace as it fills.
#
# This module also runs on MicroPython: the differential tests run it there
# and compare traces line for line, with the heap locked around every tick.
from facewand import hardware, ticks
from facewand.commands import DONE, OFF
from facewand.engine import Engine
from facewand.view import RingView
from facewand.journal import Journal
from facewand.shell import Shell, TICK_MS
from facewand.trace import command_line, hex_bytes, line
from sim.fakehw import machine, neopixel
from sim.fakehw.world import World, WIRE_DUTY

DEFAULT_PRESS_MS = 500       # with no script: one short press at 0.5 s


def default_script():
    return [(DEFAULT_PRESS_MS, "press", 0)]


def input_line(t, kind, value):
    if kind == "pressure":
        return line(t, "input", ',"input":"pressure","permille":%d' % value)
    if kind == "battery":
        return line(t, "input", ',"input":"battery","mv":%d' % value)
    return line(t, "input", ',"input":"%s"' % kind)


def wire_lines(world, write):
    """What left the drivers since the last call, as trace lines: the
    motor's PWM duty (or the DRV2605's RTP value) each time it changed, and
    each write to the ring, as the bytes sent."""
    log = world.motor_log
    for i in range(world.nmotor):
        j = i * 3
        what = "duty" if log[j + 1] == WIRE_DUTY else "rtp"
        write(line(log[j], "motor", ',"%s":%d' % (what, log[j + 2])))
    world.nmotor = 0
    for i in range(world.nring):
        write(line(world.ring_t[i], "ring", ',"wire":"%s"' % hex_bytes(world.ring_log[i])))
    world.nring = 0


def _no_guard():
    pass


class Session:
    """One run on a board. `routines` and `choice` are the wand's library
    and the routine a press starts. `start_tick` is what ticks_ms reads at
    power-on (tests set it near the wraparound). `lock`/`unlock` wrap each
    tick; the MicroPython tests pass heap_lock/heap_unlock. `wire` adds
    what leaves the drivers to the trace (motor and ring lines). The run
    ends when the session is done, or with `until_off` only once the wand
    switches off, as the device's own loop does."""

    def __init__(self, routines, settings, events, write, board, start_tick=0,
                 lock=_no_guard, unlock=_no_guard, on_step=None, choice=0, load_errors=0,
                 wire=False, until_off=False):
        self.world = World(board, events, start_tick, wire)
        machine.world = self.world
        self.hw = hardware.build(board, machine, neopixel, settings.brightness)
        self.engine = Engine(routines, settings, RingView(board.ring["count"]), load_errors, choice)
        self.journal = Journal(64)
        self.shell = Shell(self.engine, self.hw, self.journal)
        self.write = write
        self.lock = lock
        self.unlock = unlock
        self.on_step = on_step        # called after each tick (display, pacing)
        self.done = 0                 # journal records written out so far
        self.inputs_done = 0
        self.t = 0
        self.until_off = until_off

    def _flush(self):
        w = self.world
        while self.inputs_done < len(w.inputs):
            t, kind, value = w.inputs[self.inputs_done]
            self.inputs_done += 1
            self.write(input_line(t, kind, value))
        j = self.journal
        frame = self.engine.view.ring.frame
        while self.done < j.count:
            t, kind, a, b, c = j.get(self.done)
            self.done += 1
            self.write(command_line(t, kind, a, b, c, self.engine, frame))
        wire_lines(self.world, self.write)

    def run(self):
        w = self.world
        e = self.engine
        w.advance_to(0)
        self.lock()
        self.shell.power_on(w.now)
        self.unlock()
        self._flush()
        t = 0
        while True:
            w.advance_to(t)
            if w.ended:
                self._flush()
                break
            self.lock()
            self.shell.step(w.now)
            self.unlock()
            self._flush()
            if self.on_step is not None:
                self.on_step(t, e)
            if e.state == OFF or (e.state == DONE and not self.until_off):
                break
            t += TICK_MS
        self.t = t
        self._wind_down()
        return e.state

    def _wind_down(self):
        """As the wand does on its way out: the last cue plays to its end,
        then the shell stops the motor and darkens the ring. The clock moves
        on without the script, so the trace's own lines end where they did;
        only the wire shows this."""
        w = self.world
        if not w.wire:
            return
        t = self.t
        while self.hw.motor.busy():
            t += TICK_MS
            w.t = t
            w.now = ticks.add(w.start, t)
            self.lock()
            self.hw.motor.update(w.now)
            self.unlock()
            self._flush()
        self.shell.shutdown()
        self._flush()
