# People stroking their face with a force-sensitive resistor under the
# fingers, as the wand's ADC would read them: a generator with ground truth
# for the stroke detector's evaluation (tests/test_sensing.py) and its
# scenarios.
#
# A person (person(seed)) has their own pulse height, rest pressure, pace
# (0.25-1 strokes a second) and part: its gain (FSRs differ ~6% part to
# part), drift over the session, ADC noise, and the ~10% hysteresis of an
# FSR (it reads higher unloading than loading at the same force: Interlink
# FSR 400 datasheet). Their strokes are pulses (press on, glide, lift),
# jittered in time and height, their pace drifting over the session; some
# have a double peak (a dip as deep as 10%); some hands never quite lift
# between strokes (up to 35% of a stroke stays on); some steps have a pause
# in contact mid-way, or a press held where strokes were asked.
#
# session() runs the simulator with the person in the loop: they hear the
# wand (its step, press and release cues, read from the trace as it is
# written) and do what it asks at their own pace, so a wand that follows
# them and one that does not both get a fair run. What they did is the
# ground truth; the pressure they put on the sensor becomes a script of
# `pressure` lines at the tick rate, which replays the very same run
# through `python -m sim run --script`.
import json
import math
import random

from facewand.routines import INTRO_MS, PRESS_GAP_MS
from facewand.settings import Settings
from facewand.shell import TICK_MS

START_S = "0.5"               # the person starts the session with a press here
START_MS = 500


class Person:
    def __init__(self, seed):
        r = random.Random(seed)
        self.seed = seed
        self.amp = r.uniform(120, 450)          # permille of full scale above rest, at the peak
        self.rest = r.uniform(0, 40)             # the skin's rest pressure between strokes
        self.period = r.uniform(1000, 4000)      # ms between stroke onsets: 0.25-1 a second
        self.jitter = r.uniform(0.03, 0.08)      # of the period, each interval (uniform +-)
        self.duty = r.uniform(0.35, 0.75)        # of the interval the hand is on (a long glide: 3/4)
        self.gain = r.uniform(0.94, 1.06)        # the part
        self.drift = r.uniform(-40, 40)          # permille over ten minutes
        self.noise = r.uniform(1.5, 4.0)         # ADC noise, permille (sigma)
        self.react = r.uniform(150, 400)         # ms from a cue to the hand
        self.double = r.uniform(0.1, 0.3)        # strokes with a double peak
        # Between strokes some hands never quite lift: the pressure stays at
        # this much of a stroke's height until the step's last.
        self.lift = r.uniform(0.1, 0.35) if r.random() < 0.4 else 0.0
        # The pace drifts over the session (tiring, warming up): this much
        # by ten minutes in, or by the session's end.
        self.drift_pace = r.uniform(-0.15, 0.15)
        self.pauses = r.uniform(0.05, 0.2)       # steps with a still pause mid-way
        self.presses = r.uniform(0.0, 0.15)      # stroke steps with a press held mid-way
        self.rnd = r

    def period_at(self, t):
        """The person's pace at t ms into the run."""
        return self.period * (1 + self.drift_pace * min(1.0, t / 600000))

    def __repr__(self):
        return ("Person(seed=%d, amp=%.0f, rest=%.0f, period=%.0f, duty=%.2f)"
                % (self.seed, self.amp, self.rest, self.period, self.duty))


def person(seed):
    return Person(seed)


class Truth:
    """What the person did: strokes as (onset, end, step instance), presses
    as [start, end, step instance, cued], pauses as (start, end)."""

    def __init__(self):
        self.strokes = []
        self.presses = []
        self.pauses = []
        self.steps = []           # (t, instance) at each step cue


class Hand:
    """The force the person puts on the sensor over time, planned a move at
    a time as the wand's cues come: a list of (start, end, shape, height)
    moves, each a pulse (stroke) or a plateau (press)."""

    def __init__(self, p, routine, truth):
        self.p = p
        self.routine = routine
        self.truth = truth
        self.moves = []           # (start, end, kind, height, dip) ending in time order
        self.inst = -1
        self.busy_until = 0       # the hand is doing something planned until then
        self.strokes_left = 0
        self.next_onset = None    # when the next stroke of this step begins
        self.more_at = None       # no new step by then: one stroke more
        self.stopped = False
        self.floor = None         # (from, to, force): a hand not lifted between strokes
        self.peak = 0.0           # the force's highest since it last rose (hysteresis)
        self.last_f = 0.0

    # ---- what the person hears
    def heard(self, t, ev):
        kind = ev["event"]
        if kind == "step":
            self.inst += 1
            self.truth.steps.append((t, self.inst))
            step = self.routine.step_of(self.inst)
            self.strokes_left = step.strokes
            self.next_onset = None
            self.more_at = None
            self.step = step
            if not step.presses and step.strokes:
                self._begin_strokes(t + INTRO_MS + self.p.react)
        elif kind == "point":
            at = t + self.p.react
            if ev["action"] == "press":
                # held until the release cue: its end is known only then
                self.held = self._plateau(at, 10 ** 9, self.p.amp * self.p.rnd.uniform(0.8, 1.1), True)
            else:
                self.held[1] = at
                self.truth.presses[-1][1] = at
                if ev["n"] == ev["of"] and self.step.strokes:
                    self._begin_strokes(t + PRESS_GAP_MS + self.p.react)
        elif kind == "state" and ev["state"] != "running":
            self.next_onset = None
            self.more_at = None
            if ev["state"] != "paused" and self.inst >= 0:
                self.stopped = True       # the session is over

    def _begin_strokes(self, at):
        self.next_onset = at
        r = self.p.rnd
        # This step's surprises: a still pause, or a press held, before stroke k.
        n = self.step.strokes
        self.pause_before = r.randint(2, n) if n >= 2 and r.random() < self.p.pauses else 0
        self.press_before = r.randint(2, n) if n >= 2 and r.random() < self.p.presses else 0

    def _plateau(self, start, end, height, cued):
        move = [start, end, "press", height, 0.0]
        self.moves.append(move)
        self.truth.presses.append([start, end, self.inst, cued])
        return move

    # ---- what the hand does, planned ahead of time t
    def plan(self, t):
        p = self.p
        r = p.rnd
        if self.next_onset is not None and t >= self.next_onset - TICK_MS * 2:
            if self.strokes_left <= 0:
                self.next_onset = None
                self.more_at = t + 1.6 * p.period
                return
            on = self.next_onset
            done = self.step.strokes - self.strokes_left
            if done + 1 == self.pause_before:
                self.pause_before = 0
                ms = r.uniform(2000, 5000)
                self.truth.pauses.append((on, on + ms))
                self.next_onset = on + ms
                self.floor = None
                return
            if done + 1 == self.press_before:
                self.press_before = 0
                ms = 1.2 * p.period + 600
                self._plateau(on, on + ms, p.amp * r.uniform(0.8, 1.1), False)
                self.next_onset = on + ms + r.uniform(600, 1000)
                self.floor = None
                return
            interval = p.period_at(on) * (1 + r.uniform(-p.jitter, p.jitter))
            width = interval * p.duty
            dip = r.uniform(0.1, 0.7) if r.random() < p.double else 0.0
            height = p.amp * r.uniform(0.85, 1.15)
            self.moves.append([on, on + width, "stroke", height, dip])
            self.truth.strokes.append((on, on + width, self.inst))
            self.strokes_left -= 1
            self.next_onset = on + interval
            if p.lift:
                # the hand stays on lightly until the next stroke (not after the step's last)
                self.floor = (on, on + interval if self.strokes_left else on + width, p.lift * height)
        elif self.more_at is not None and t >= self.more_at:
            # The wand has not moved on: the person gives it one more stroke.
            self.more_at = None
            self.strokes_left = 1
            self.next_onset = t + 200

    def force(self, t):
        """The force at t, permille of full scale above rest."""
        self.moves = [m for m in self.moves if m[1] >= t - 1000]
        f = 0.0
        if self.floor is not None and self.floor[0] <= t < self.floor[1]:
            f = self.floor[2]
        for start, end, kind, height, dip in self.moves:
            if start <= t <= end:
                f = max(f, _shape(kind, (t - start) / (end - start), height, dip, end - start))
        return f


def _shape(kind, x, height, dip, ms):
    """A move's force at fraction x of its length."""
    edge = min(0.2, 150.0 / ms) if kind == "press" else 0.2
    if x < edge:
        up = 0.5 - 0.5 * math.cos(math.pi * x / edge)
    elif x > 1 - edge:
        up = 0.5 + 0.5 * math.cos(math.pi * (x - 1 + edge) / edge)
    else:
        up = 1.0
    if kind == "stroke":
        # the glide eases off a little; a double peak dips in its middle
        glide = 1.0 - 0.15 * x
        if dip:
            glide *= 1.0 - (1.0 - dip) * max(0.0, 1.0 - abs(x - 0.5) / 0.15)
        return height * up * glide
    return height * up


class Sensor:
    """The FSR and the ADC: gain, hysteresis, drift, noise, rounding."""

    def __init__(self, p, seed):
        self.p = p
        self.rnd = random.Random(seed * 7919 + 1)
        self.peak = 0.0
        self.last = 0.0

    def read(self, t, force):
        p = self.p
        if force >= self.last:
            if force > self.peak or force <= 1:
                self.peak = force
            shown = force
        else:
            shown = force + 0.1 * (self.peak - force) * min(1.0, force / max(self.peak, 1e-9) * 4)
        self.last = force
        v = p.gain * (p.rest + shown) + p.drift * t / 600000 + self.rnd.gauss(0, p.noise)
        return max(0, min(1000, int(round(v))))


def session(routine_name, seed, board_name="pico", follow=True, limit_s=900):
    """Run `routine_name` with person(seed) in the loop. Returns (script
    text, trace lines, Truth, Person)."""
    from sim.cli import load_board, load_routines
    from sim.session import Session
    from sim.fakehw.script import parse_script

    board = load_board(board_name)
    routines, choice = load_routines(routine_name)
    p = person(seed)
    truth = Truth()
    hand = Hand(p, routines[choice], truth)
    sensor = Sensor(p, seed)
    head = settings_lines(board, follow) + ["%s press" % START_S]
    events = parse_script("\n".join(head) + "\n", "person")
    lines = []
    pressure = []             # (t, permille): the script's pressure lines
    last = [-1]

    def write(text):
        lines.append(text)
        if '"input"' in text:
            return
        ev = json.loads(text)
        if ev["event"] in ("step", "point", "state"):
            hand.heard(ev["t_ms"], ev)

    def on_step(t, engine):
        nxt = t + TICK_MS
        if hand.stopped or nxt > limit_s * 1000 or nxt <= START_MS:
            return                # (the hand is on the skin once it has pressed start)
        hand.plan(nxt)
        v = sensor.read(nxt, hand.force(nxt))
        if v != last[0]:
            last[0] = v
            pressure.append((nxt, v))
            run.world.events.append((nxt, "pressure", v))

    run = Session(routines, Settings(), events, write, board, choice=choice, on_step=on_step)
    run.run()
    script = head + ["%d.%03d pressure %d.%03d" % (t // 1000, t % 1000, v // 1000, v % 1000)
                     for t, v in pressure]
    return "\n".join(script) + "\n", lines, truth, p


def settings_lines(board, follow=True):
    """The wearer's calibration (the board's own figures: the simulated
    sensor is exact) and following, as script lines."""
    pr = board.pressure
    out = ["0 set pressure_zero %d" % pr["zero"], "0 set pressure_full %d" % pr["full"]]
    if not follow:
        out.append("0 set follow false")
    return out


def still_contact(seed, seconds=60):
    """A minute of the wand held still on the skin: rest pressure, drift,
    noise, a hand's tremor (8-12 Hz, a few permille) and breathing (a slow
    wobble). No stroke at all. Returns [(t, permille)] at the tick rate."""
    p = person(seed)
    r = random.Random(seed + 99)
    sensor = Sensor(p, seed)
    level = r.uniform(30, 250)              # a firm or a light hold
    tremor = r.uniform(8, 12)
    breath = r.uniform(0.2, 0.35)
    out = []
    for t in range(0, seconds * 1000, TICK_MS):
        f = level + 4 * math.sin(2 * math.pi * tremor * t / 1000) + 10 * math.sin(2 * math.pi * breath * t / 1000)
        out.append((t, sensor.read(t, f)))
    return out
