# Property tests: random event streams (button storms and bounces, pressure
# noise, battery readings, irregular ticks, a clock near its wraparound)
# against the engine's invariants.
from hypothesis import example, given, settings, strategies as st, HealthCheck

from facewand import cues, names
from facewand import compat as ticks
from facewand.commands import (
    CMD_MAX, CMD_STRIDE, CMD_STATE, CMD_ROUTINE, CMD_VIBE, CMD_WARN, CMD_CLEAR,
    IDLE, RUNNING, PAUSED, DONE, OFF, OFFER, REASON_PRESSURE, REASON_BATTERY, CMD_SET, CMD_OFFER,
)
from facewand.engine import Engine
from facewand.view import RingView
from facewand.settings import Settings
from sim.clock import Clock
from sim.picture import FramedRing
# Whole gestures as a script's edge lists (ms from the gesture's start), so
# streams reach deep states often, not only when random edges happen to line up.
from sim.fakehw.script import GESTURE_EDGES as GESTURES

from wand import routine

STATE_CUES = {cues.V_PAUSE, cues.V_END, cues.V_FINISH, cues.V_POWER_OFF, cues.V_WAKE,
              cues.V_RESUME, cues.V_START, cues.V_OFFER, cues.V_LEVEL} | {
                  cues.V_ROUTINE + n for n in range(1, cues.MAX_ROUTINES + 1)}
AUTO_OFF = 10000

event = st.one_of(
    st.tuples(st.integers(0, 40), st.just("edge"), st.booleans()),           # storms, bounces
    st.tuples(st.integers(0, 1500), st.just("edge"), st.booleans()),
    st.tuples(st.integers(0, 200), st.just("pressure"), st.integers(0, 1000)),
    st.tuples(st.integers(0, 3000), st.just("battery"), st.integers(3000, 4200)),
    st.tuples(st.integers(0, 5000), st.just("tick"), st.just(0)),
    st.tuples(st.integers(0, 3000), st.just("gesture"), st.sampled_from(sorted(GESTURES))),
)
start_tick = st.one_of(st.integers(0, (1 << 30) - 1),
                       st.integers((1 << 30) - 20000, (1 << 30) - 1))


class Checked:
    """Drives an engine and checks every call's output against the rules."""

    def __init__(self, start, offer=-1, follow=False):
        # Two routines, so a double press in idle really changes the choice;
        # `offer`: a session a power cut stopped at that step, offered back;
        # `follow`: the engine follows the person's strokes (facewand.sense).
        self.e = Engine((routine(), routine(name="other", rounds=2)), Settings(auto_off_ms=AUTO_OFF), RingView(12, FramedRing(12)))
        self.e.offer(offer)
        if follow:
            from facewand import sense
            sense.reset()
            self.e.sense = sense
        self.step_t = None        # when the step instance running began, and which
        self.inst = -1
        self.start = start
        self.clock = Clock(lambda t: self.call("tick", 0))
        self.warned = False
        self.check(self.e.power_on(self.now), IDLE)

    @property
    def t(self):
        return self.clock.t

    @property
    def now(self):
        return ticks.add(self.start, self.t)

    def call(self, kind, value):
        before = self.e.state
        # Inputs only record; every call here is followed by a tick at the
        # same moment, as a shell does.
        if kind == "edge":
            self.e.button(value, self.now)
        elif kind == "pressure":
            self.e.pressure(value, self.now)
        elif kind == "battery":
            self.e.battery(value, self.now)
        n = self.e.tick(self.now)
        self.check(n, before)

    def check(self, n, before):
        e = self.e
        assert 0 <= n <= CMD_MAX and e.out.dropped == 0
        assert e.state in (IDLE, RUNNING, PAUSED, DONE, OFF, OFFER)
        assert (e.offer_inst >= 0) == (e.state == OFFER)
        cmds = [tuple(e.out.cmds[i * CMD_STRIDE:(i + 1) * CMD_STRIDE]) for i in range(n)]
        # What the motor may announce outside a session: a state change, a
        # routine chosen, or a start refused on a low battery (its warning).
        changed = [c for c in cmds if c[0] == CMD_STATE or c[0] == CMD_ROUTINE or c[0] == CMD_SET
                   or (c[0] == CMD_WARN and c[1] == REASON_BATTERY and e.state in (IDLE, OFFER))]
        vibes = [c for c in cmds if c[0] == CMD_VIBE]
        for v in vibes:
            assert v[3] <= cues.MAX_LEVEL and v[2] <= cues.MAX_CUE_MS
        if e.state != RUNNING:
            # Outside a session the motor speaks only to announce the change.
            assert all(v[1] in STATE_CUES or v[1] == cues.V_BATTERY_LOW for v in vibes), (cmds, before, e.state)
            assert len(vibes) <= len(changed)
        if before == RUNNING and e.state != RUNNING:
            # Leaving a session always replaces whatever the motor was doing.
            assert vibes, cmds
        for c in cmds:
            if c[0] == CMD_WARN and c[1] == REASON_PRESSURE:
                assert not self.warned
                self.warned = True
            if c[0] == CMD_CLEAR and c[1] == REASON_PRESSURE:
                assert self.warned
                self.warned = False
        assert self.warned == e.guard.warning
        if e.state != RUNNING:
            assert not e.guard.warning
        sensed = [c for c in cmds if c[0] == names.CMD_SENSED]
        if sensed:
            # Only a wand that follows says what it sensed, and only in a
            # session; a step's strokes counted never pass its number.
            assert e.sense is not None and (e.state == RUNNING or before == RUNNING), cmds
        if e.state == RUNNING:
            sch = e.sch
            assert sch.k <= sch.cur.strokes
            if sch.inst != self.inst:
                self.inst = sch.inst
                self.step_t = sch.step_t
            if sch.follow and self.step_t == sch.step_t:
                # Following, a step lasts at most twice its plan (pauses aside).
                assert ticks.diff(self.now, sch.step_t) <= 2 * sch.step_len + 20

    def play(self, events):
        """A stream of (gap, kind, value): inputs, whole gestures, strokes."""
        for gap, kind, value in events:
            self.advance(gap)
            if kind == "gesture":
                at = 0
                for dt, pressed in GESTURES[value]:
                    self.advance(dt - at)
                    at = dt
                    self.call("edge", pressed)
            elif kind == "stroke":
                # (a sample every tick, as the shell reads them: the pulse, then rest)
                for i in range(50):
                    self.call("pressure", 20 + value * max(0, 15 - abs(15 - i)) // 15)
                    self.advance(20)
            else:
                self.call(kind, value)

    def runs_out(self, limit):
        """The button let go and nothing more: the wand ends by itself
        within `limit` ms, even with a shell slowed to a tick every 100 ms."""
        self.call("edge", False)
        if self.e.state not in (DONE, OFF):
            self.clock.every = 100
            self.clock.run(self.t + limit, stop=lambda: self.e.state in (DONE, OFF))
        assert self.e.state in (DONE, OFF)

    def advance(self, gap):
        # A shell ticking at 50 Hz for short gaps, a stalled one for long.
        if gap <= 200:
            self.clock.run(self.t + gap, land=False)
        else:
            self.clock.t += gap


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, max_size=120), start_tick, st.one_of(st.just(-1), st.integers(0, 3)))
# Battery confirmed low in the tick where the last step ends: the warning
# buzz and the power-off cue fell in one call; only the last may reach the motor.
@example([(0, "edge", True), (25, "tick", 0), (0, "edge", False), (301, "tick", 0),
          (500, "edge", False), (1500, "edge", False), (3000, "battery", 3000)], 0, -1)
def test_random_streams_keep_every_rule_and_always_end(events, start, offer):
    # (offer: a power-on that offers back a session a cut stopped, or none)
    w = Checked(start, offer)
    w.play(events)
    # Input stops (the button let go): the wand must end by itself, even
    # with a shell that has slowed to a tick every 100 ms.
    w.runs_out(routine(rounds=2).total_ms() + 2 * AUTO_OFF + 5000)


# A stroke: a pulse of pressure over 0.6 s, then 0.4 s at rest, a sample a tick.
stroke_event = st.tuples(st.integers(0, 3000), st.just("stroke"), st.integers(20, 700))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(event, stroke_event, stroke_event), max_size=100), start_tick)
def test_following_the_person_keeps_every_rule_and_always_ends(events, start):
    w = Checked(start, follow=True)
    w.play(events)
    # No stroke comes any more: each step ends at twice its plan at most.
    w.runs_out(2 * routine(rounds=2).total_ms() + 2 * AUTO_OFF + 5000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.booleans()), min_size=1, max_size=200), start_tick)
def test_button_storms_never_break_the_machine(edges, start):
    w = Checked(start)
    for gap, pressed in edges:
        w.advance(gap)
        w.call("edge", pressed)
    w.advance(100)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=50, max_size=300), st.integers(1, 1000))
def test_pressure_noise_warns_only_above_the_band(samples, seed):
    w = Checked(seed)
    w.call("edge", True)
    w.advance(100)
    w.call("edge", False)
    w.advance(200)
    w.advance(200)
    w.advance(1500)
    w.call("tick", 0)
    assert w.e.state == RUNNING
    for p in samples:
        w.call("pressure", p)
        if p > w.e.guard.band:
            assert w.e.guard.warning            # above the band: warned at once
        w.advance(20)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, max_size=100), start_tick)
def test_skipping_quiet_ticks_changes_nothing(events, start):
    # The engine skips its advance until _timers_quiet() says something can
    # happen: fed the same inputs, it must say and show exactly what an
    # engine that advances every tick does.
    engines = [Engine((routine(), routine(name="other", rounds=2)), Settings(auto_off_ms=AUTO_OFF),
                      RingView(12, FramedRing(12))) for _ in range(2)]
    engines[1].lazy = False
    # The inputs at their times (gestures as their edges), between ticks
    # every 20 ms, then long enough for the wand to end by itself.
    inputs = {}
    t = 0
    for gap, kind, value in events:
        t += gap
        if kind == "gesture":
            for dt, pressed in GESTURES[value]:
                inputs.setdefault(t + dt, []).append(("edge", pressed))
        elif kind != "tick":
            inputs.setdefault(t, []).append((kind, value))
    end = t + 3 * AUTO_OFF + routine(rounds=2).total_ms()
    for e in engines:
        e.power_on(start)
    said = []

    def tick(at):
        # Each engine: the inputs of this moment, then a tick; the two must
        # say and show the same. An engine that tells its shell it will say
        # nothing (silent(), the wand's journal waits on it) says nothing.
        now = ticks.add(start, at)
        said.clear()
        for e in engines:
            for kind, value in inputs.get(at, ()):
                if kind == "edge":
                    e.button(value, now)
                elif kind == "pressure":
                    e.pressure(value, now)
                else:
                    e.battery(value, now)
            silent = e.silent(now)
            n = e.tick(now)
            assert n == 0 or not silent, at
            said.append((e.out.cmds[:n * CMD_STRIDE], bytes(e.view.ring.frame), e.state))
        assert said[0] == said[1], (at, inputs.get(at))
        return said[0][2] == OFF and at > t

    # Ticks on the grid, and one at each input's moment between two.
    clock = Clock(tick)
    clock.here()
    for at in sorted(inputs):
        if clock.run(at):
            return
    clock.run(end, land=False)


# A pressure sample every tick, as the wand's shell reports it: a walk that
# crosses the band, jumps, and stops now and then (a sensor fault). The
# engine looks at the guard only when a sample changes what it holds, and
# at the guard's deadlines (a repeat, the all-clear, a sample gone stale).
walk = st.lists(st.tuples(st.integers(1, 120), st.one_of(st.none(), st.integers(0, 1000))),
                min_size=1, max_size=60)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk, st.integers(0, 2000), start_tick)
def test_a_sample_every_tick_wakes_the_engine_only_when_it_matters(segments, press_at, start):
    engines = [Engine((routine(rounds=3),), Settings(auto_off_ms=AUTO_OFF), RingView(12, FramedRing(12))) for _ in range(2)]
    engines[1].lazy = False
    for e in engines:
        e.power_on(start)
    press_at -= press_at % 20
    t = 0
    p = 0
    for ticks_long, target in segments:
        for i in range(ticks_long):
            t += 20
            now = ticks.add(start, t)
            if target is not None:
                p += max(-25, min(25, target - p))     # on its way to the target
            said = []
            for e in engines:
                if t == press_at + 20 or t == press_at + 140:
                    e.button(t == press_at + 20, now)
                if target is not None:
                    e.pressure(p, now)
                n = e.tick(now)
                said.append((e.out.cmds[:n * CMD_STRIDE], bytes(e.view.ring.frame), e.state))
            assert said[0] == said[1], (t, p, target)
