# sim.clock: the one loop every driver of the engine moves time through.
from sim.clock import Clock


def ticks_of(run, t=0, quiet=None, every=20):
    seen = []
    c = Clock(lambda at: seen.append(at), t, every, quiet)
    result = run(c)
    return seen, c.t, result


def test_ticks_fall_on_the_grid_from_power_on_and_land_on_an_end_between_two():
    assert ticks_of(lambda c: c.run(100)) == ([20, 40, 60, 80, 100], 100, False)
    assert ticks_of(lambda c: c.run(90)) == ([20, 40, 60, 80, 90], 90, False)
    assert ticks_of(lambda c: c.run(90, land=False)) == ([20, 40, 60, 80], 90, False)
    # From a moment between two ticks, back on the grid.
    assert ticks_of(lambda c: c.run(70), t=25) == ([40, 60, 70], 70, False)
    assert ticks_of(lambda c: c.run(25), t=25) == ([], 25, False)


def test_a_tick_or_stop_ends_the_run_at_that_tick():
    seen = []
    c = Clock(lambda at: seen.append(at) or at == 60)
    assert c.run(1000) is True and c.t == 60 and seen == [20, 40, 60]
    c = Clock(lambda at: seen.append(at), 60)
    assert c.run(1000, stop=lambda: c.t >= 100) is True and c.t == 100
    assert c.here() is None and c.ticks == 3


def test_quiet_time_leaves_out_whole_ticks_only():
    # Nothing can change for 50 ms after each tick: the next tick is the
    # first of the grid at or after that.
    seen, t, _ = ticks_of(lambda c: c.run(300), quiet=lambda at: 50)
    assert seen == [60, 120, 180, 240, 300] and t == 300
    seen, _, _ = ticks_of(lambda c: c.run(300), quiet=lambda at: 40)
    assert seen == [40, 80, 120, 160, 200, 240, 280]      # nothing can change at 300 either
    # 0 (or less): every tick; an end inside a quiet stretch gets no tick.
    assert ticks_of(lambda c: c.run(70), quiet=lambda at: -5)[0] == [20, 40, 60, 70]
    assert ticks_of(lambda c: c.run(70), quiet=lambda at: 1000) == ([], 70, False)
