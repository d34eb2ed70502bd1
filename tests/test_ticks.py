from hypothesis import given, strategies as st

from facewand import compat as ticks

PERIOD = 1 << 30
tick = st.integers(0, PERIOD - 1)
delta = st.integers(-(PERIOD // 2) + 1, PERIOD // 2 - 1)


@given(tick, delta)
def test_add_matches_modular_arithmetic(t, d):
    assert ticks.add(t, d) == (t + d) % PERIOD


@given(tick, delta)
def test_diff_undoes_add_across_the_wrap(t, d):
    assert ticks.diff(ticks.add(t, d), t) == d


@given(tick, delta)
def test_results_stay_small_ints_on_a_32_bit_port(t, d):
    # MicroPython's small ints stop at 2**30 - 1; anything bigger allocates.
    assert 0 <= ticks.add(t, d) < PERIOD
    assert -(1 << 29) <= ticks.diff(ticks.add(t, d), t) < (1 << 29)


def test_known_values_near_the_wrap():
    assert ticks.add(PERIOD - 1, 1) == 0
    assert ticks.diff(0, PERIOD - 1) == 1
    assert ticks.diff(PERIOD - 1, 0) == -1
    assert ticks.add(5, -10) == PERIOD - 5
