# The safety rules at the motor pin itself: random scripts through the
# wand's shell, drivers and simulated hardware. Outside a running session
# the PWM duty must be zero once the cue announcing the change is over; it
# never exceeds the cap; and every run ends with the motor still.
from hypothesis import given, settings, strategies as st, HealthCheck

from facewand import board as board_file, cues, library
from facewand import compat as ticks
from facewand.commands import RUNNING, DONE, OFF
from facewand.settings import Settings
from sim.session import Session

from mprig import REPO_ROOT

ROUTINES, _, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))
BOARD = board_file.load(str(REPO_ROOT / "boards" / "pico.json"))
CAP_DUTY = BOARD.motor["min_duty"] + (65535 - BOARD.motor["min_duty"]) * cues.MAX_LEVEL // 1000

line = st.one_of(
    st.tuples(st.sampled_from(["press", "long", "double"]), st.just(0)),
    st.tuples(st.just("pressure"), st.integers(0, 1000)),
    st.tuples(st.just("battery"), st.integers(3000, 4200)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 6000), line), max_size=25), st.integers(0, 4))
def test_motor_pin_obeys_the_rules(script, choice):
    t = 0
    events = []
    for gap, (kind, value) in script:
        t += gap
        events.append((t, kind, value))
    s = Session(ROUTINES, Settings(auto_off_ms=20000), events, lambda _: None, BOARD, choice=choice)
    pwm = s.world.pwms[BOARD.motor["pin"]]
    last_change = [0, s.engine.state]

    def watch(now_ms, engine):
        duty = pwm.duty_u16()
        assert duty <= CAP_DUTY
        if engine.state != last_change[1]:
            last_change[0], last_change[1] = now_ms, engine.state
        if engine.state != RUNNING and now_ms - last_change[0] > cues.MAX_CUE_MS:
            # Choosing a routine in idle announces itself too; allow its cue.
            assert duty == 0 or ticks.diff(s.shell.now, engine.motor_until) < 0, (now_ms, engine.state)
    s.on_step = watch
    state = s.run()
    assert state in (DONE, OFF)
    # Let the last cue (finish or power-off) play out: then the motor is still.
    s.hw.motor.update(ticks.add(s.shell.now, cues.MAX_CUE_MS))
    assert pwm.duty_u16() == 0 and not s.hw.motor.busy()
