# A simulated session: the wand's own shell (facewand.shell), drivers and
# engine, on simulated hardware (sim.fakehw) following a script, with the
# journal written out as a JSON Lines trace as it fills.
#
# Time moves through sim.clock, on the wand's 20 ms tick grid; the run
# leaves out the whole ticks in which nothing it shows can change
# (Session.quiet), which makes a 13-minute session a few hundred ticks.
#
# This module also runs on MicroPython: the differential tests run it there
# and compare traces line for line, with the heap locked around every tick.
from facewand import hardware
from facewand import compat as ticks
from facewand.commands import DONE, OFF, RUNNING
from facewand.engine import Engine
from facewand.view import RingView
from facewand.journal import Journal
from facewand.settings import Settings
from facewand.shell import Shell, TICK_MS, BATTERY_EVERY_MS
from facewand.trace import command_line, hex_bytes, line
from sim.clock import Clock
from sim.picture import FramedRing
from sim.fakehw import machine, neopixel, vtime
from sim.fakehw.world import World, WIRE_DUTY

DEFAULT_PRESS_MS = 500       # with no script: one short press at 0.5 s


def default_script():
    return [(DEFAULT_PRESS_MS, "press", 0)]


def input_line(t, kind, value):
    if kind == "pressure":
        return line(t, "input", ',"input":"pressure","permille":%d' % value)
    if kind == "battery":
        return line(t, "input", ',"input":"battery","mv":%d' % value)
    if kind == "set":
        v = value[1]
        return line(t, "input", ',"input":"set","key":"%s","value":%s'
                    % (value[0], ("true" if v else "false") if v is True or v is False else "%d" % v))
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


def _settled(fsr):
    """True when another read of the same ADC value would change nothing
    the pressure driver (facewand.drivers.inputs.Fsr) says: a fault already
    declared, or no fault being counted and the smoothing window full of
    the last reading. The wand reads every tick; the simulator skips
    ticks only while this holds."""
    if fsr.fault:
        return True
    if fsr.faults or fsr.filled < len(fsr.window):
        return False
    last = fsr.last
    for p in fsr.window:
        if p != last:
            return False
    return True


class Session:
    """One run on a board. `routines` and `choice` are the wand's library
    and the routine a press starts. `start_tick` is what ticks_ms reads at
    power-on (tests set it near the wraparound). `lock`/`unlock` wrap each
    tick; the MicroPython tests pass heap_lock/heap_unlock. `wire` adds
    what leaves the drivers to the trace (motor and ring lines). `write`
    takes each trace line; None: nothing reads the trace, and no line is
    made. The run ends when the session is done, or with `until_off` only
    once the wand switches off, as the device's own loop does.

    With `skip` (the default) the run leaves out the ticks in which nothing
    it shows can change (see quiet()): the trace is the same, byte for
    byte, as with every tick. It never skips while something looks at every
    tick: an `on_step`, or a world that is watched, recorded or has faults
    to inject."""

    def __init__(self, routines, settings, events, write, board, start_tick=0,
                 lock=_no_guard, unlock=_no_guard, on_step=None, choice=0, load_errors=0,
                 wire=False, until_off=False, skip=True, flash=None, clock_s=None):
        # A script's settings (`set` lines, at power-on) are the wand's own.
        self.settings_set = [e for e in events if e[1] == "set"]
        events = [e for e in events if e[1] != "set"]
        self.world = World(board, events, start_tick, wire)
        if clock_s is not None:
            self.world.clock_s = clock_s
        machine.world = self.world
        self.keeper = None
        if flash is not None:
            # The wand's memory in the folder `flash`, read and written by
            # the firmware's own code, as start-up and the loop do.
            from facewand import memory
            files = memory.Files()
            note, message = memory.read_settings(files, flash, settings)
        if self.settings_set:
            # (after the flash's own: the script's are the ones the run is about)
            from facewand.settings_limits import check_one
            for e in self.settings_set:
                check_one(settings, e[2][0], e[2][1])
        if board.pressure is not None and settings.pressure_full:
            # (as start-up does: the wearer's calibration over the board's)
            board.pressure = dict(board.pressure, zero=settings.pressure_zero,
                                  full=settings.pressure_full)
        self.hw = hardware.build(board, machine, neopixel, settings.brightness)
        count = board.ring["count"]
        if flash is not None:
            clock = memory.wand_clock(vtime)
            # (the routine asked for, not the one last chosen: unless a
            # session of another is offered back)
            recalled, offer, cut, notes, self.messages = memory.recall(
                files, flash, routines, settings, clock)
            if memory.saved_journal(files, flash):
                from facewand import power_off    # the last run was cut off: its journal
                power_off.journal_after_a_cut(flash, routines)
            if offer >= 0:
                choice = recalled
            if message:
                self.messages.insert(0, message)
        self.engine = Engine(routines, settings, RingView(count, FramedRing(count)), load_errors, choice)
        if flash is not None:
            from facewand.keeper import Keeper
            self.engine.notes = notes | (1 << note if note else 0)
            self.engine.offer(offer)
            self.flash = flash
        self.journal = Journal(64)
        self.shell = Shell(self.engine, self.hw, self.journal)
        if flash is not None:
            self.keeper = Keeper(self.engine, flash, files, vtime, cut, self.journal)
        self.write = write
        self.lock = lock
        self.unlock = unlock
        self.on_step = on_step        # called after each tick (display, pacing)
        self.done = 0                 # journal records written out so far
        self.inputs_done = 0
        self.t = 0
        self.until_off = until_off
        self.skip = skip
        self.battery_seen = -1        # world.battery_inputs at the shell's last battery read
        self.clock = Clock(self._tick)

    def _flush(self):
        w = self.world
        write = self.write
        if write is None:             # nobody reads the trace: make no lines
            self.inputs_done = len(w.inputs)
            self.done = self.journal.count
            w.nmotor = 0
            w.nring = 0
            return
        while self.inputs_done < len(w.inputs):
            t, kind, value = w.inputs[self.inputs_done]
            self.inputs_done += 1
            write(input_line(t, kind, value))
        j = self.journal
        frame = self.engine.view.ring.frame
        while self.done < j.count:
            t, kind, a, b, c = j.get(self.done)
            self.done += 1
            write(command_line(t, kind, a, b, c, self.engine.routines, frame))
        wire_lines(self.world, write)

    def run(self):
        w = self.world
        e = self.engine
        ended = self.power_on()
        c = self.clock
        c.quiet = self.quiet if self.skips() else None
        if not ended:
            c.run()
        self.t = c.t
        self._wind_down()
        if self.keeper is not None and not w.cut:
            # As the wand powers off (a power cut writes nothing more): what
            # the keeper owes, then journal.jsonl from journal.bin.
            from facewand import power_off
            self.keeper.power_off(None)
            power_off.save_journal(self.journal, e, self.shell, self.flash, None, None)
        return e.state

    def power_on(self):
        """Power-on at t = 0 and the tick there: how run() begins, and how
        a run paced from outside begins (the wand in a browser,
        sim/web_wand.py), which then moves on with step(). True when the
        run ends at once."""
        w = self.world
        w.advance_to(0)
        if self.write is not None:
            for t, kind, value in self.settings_set:
                self.write(input_line(t, kind, value))
        self.lock()
        self.shell.power_on(w.now)
        self.unlock()
        self._flush()
        c = self.clock
        c.t = 0
        ended = c.here()
        self.t = c.t
        return ended

    def step(self, until):
        """For a run paced from outside, after power_on(): every tick of
        the grid after the last one up to `until` ms since power-on, none
        left out (whoever paces it looks at each). True once the run has
        ended (at self.t, its last tick); a later step() must not be made."""
        c = self.clock
        if until <= c.t:
            return False
        ended = c.run(until, land=False)
        self.t = c.t
        return ended

    def _tick(self, t):
        """One tick of the wand at t ms since power-on, the script's inputs
        applied first; True when the run ends here."""
        w = self.world
        e = self.engine
        w.advance_to(t)
        if w.ended:
            self._flush()
            return True
        shell = self.shell
        read = shell.battery_t        # when the shell reads the battery next
        late = ticks.diff(w.now, read)
        if late > 0:
            # Reads on the battery's grid were left out (each of a value
            # the engine already had: quiet() stops for one that is not):
            # the shell reads next where it would have, not now.
            read = ticks.add(read, (late + BATTERY_EVERY_MS - 1) // BATTERY_EVERY_MS * BATTERY_EVERY_MS)
            shell.battery_t = read
        self.lock()
        shell.step(w.now)
        self.unlock()
        if self.keeper is not None:
            self.keeper.poll(w.now, shell.motor_busy())     # (as the wand's loop, between ticks)
        if shell.battery_t != read:
            self.battery_seen = w.battery_inputs
        self._flush()
        if self.on_step is not None:
            self.on_step(t, e)
        return e.state == OFF or (e.state == DONE and not self.until_off)

    def skips(self):
        """Whether the run may leave ticks out: asked for, and nothing looks
        at every tick."""
        w = self.world
        return (self.skip and self.on_step is None and w.watch is None
                and not w.recording and not w.faults and self.keeper is None)

    def quiet(self, t):
        """After the tick at t: ms before a tick could change anything this
        run shows (0: the next tick may). A tick is left out only if it
        would find no input and an engine with nothing to do:
        - the script: its next line or button edge;
        - the engine: not stirred by an input, and its next advance
          (wake_t) not yet due;
        - the pressure sensor's smoothing settled on the present reading
          (a few ticks after each change);
        - the battery: read again only after the script changed it (a
          reading the engine has already had changes nothing);
        - the view: the moment its pattern can end by itself. A pattern
          changes only then or with a command, and the picture on a led
          line is painted in that very tick from what it shows then, so the
          frames in between are never seen.
        With the wire in the trace, what leaves the drivers must come at
        the very ticks it would, so the run also stops for every tick the
        drivers have work: the view's next look at the picture (each
        repaint is a ring write), a picture waiting in the ring's delay
        line or the hold growing back, the motor coming to rest (the ring
        then lags more), the end of the motor's pattern segment. Without
        it they are not in the trace and never feed the engine: they catch
        up at the next tick that runs (every segment due is played, the
        picture due is sent)."""
        e = self.engine
        if e.stirred or not e.lazy:
            return 0
        if e.sense is not None and e.state == RUNNING:
            return 0              # (the stroke detector takes every sample)
        hw = self.hw
        w = self.world
        wire = w.wire
        if wire:
            ring = hw.ring
            if ring.pending or ring.behind < ring.hold or e.view.ring.dirty:
                return 0
        if hw.fsr is not None and not _settled(hw.fsr):
            return 0
        now = w.now
        v = e.view
        best = w.next_input() - t
        left = ticks.diff(e.wake_t, now)
        if left < best:
            best = left
        if wire:
            m = hw.motor
            if ring.hold != ring.slow and m.drive <= 0:
                if m.rested:
                    return 0
                left = m.rest_ms - ticks.diff(now, m.still_t)
                if left < best:
                    best = left
            if m.pattern:
                left = ticks.diff(m.until, now)
                if left < best:
                    best = left
            left = ticks.diff(v.look_t, now)
        else:
            left = ticks.diff(v.until, now)
        if left < best:
            best = left
        if hw.battery is not None and self.battery_seen != w.battery_inputs:
            left = ticks.diff(self.shell.battery_t, now)     # (its next reading)
            if left < best:
                best = left
        return best

    def _wind_down(self):
        """As the wand does on its way out: the last cue plays to its end,
        then the shell stops the motor and darkens the ring. The clock moves
        on without the script, so the trace's own lines end where they did;
        only the wire shows this."""
        w = self.world
        if not w.wire:
            return
        m = self.hw.motor
        if m.busy():
            c = Clock(self._wind_tick, self.t, TICK_MS, self._wind_quiet if self.skips() else None)
            c.run()
        self.shell.shutdown()
        self._flush()

    def _wind_tick(self, t):
        w = self.world
        w.t = t
        w.now = ticks.add(w.start, t)
        self.lock()
        self.hw.motor.update(w.now)
        self.unlock()
        self._flush()
        return not self.hw.motor.busy()

    def _wind_quiet(self, t):
        # Only the motor moves now: to the end of its segment.
        return ticks.diff(self.hw.motor.until, self.world.now)


def time_run(routines, board, events=None, choice=0, wire=False, skip=True, repeat=5):
    """For a bench (CPython only): the fastest of `repeat` runs of a
    session, timed around Session.run() alone (no interpreter start-up, no
    loading), keeping its trace lines as a reader would. Returns (wall
    seconds, simulated ms, trace lines, ticks made)."""
    import time
    best = None
    for _ in range(repeat):
        lines = []
        s = Session(routines, Settings(), events or default_script(), lines.append, board,
                    choice=choice, wire=wire, skip=skip)
        t0 = time.perf_counter()
        s.run()
        wall = time.perf_counter() - t0
        if best is None or wall < best[0]:
            best = (wall, s.t, len(lines), s.clock.ticks)
    return best
