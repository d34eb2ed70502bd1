import pytest

from facewand import compat as ticks
from facewand.gestures import (
    Gestures, NONE, PRESS, LONG, DOUBLE, DEBOUNCE_MS, LONG_MS, DOUBLE_GAP_MS,
)


def play(edges, until, start=0, step=5):
    """Feed (ms, pressed) edges, polling every `step` ms; return
    [(ms, gesture)] for every gesture recognised."""
    g = Gestures()
    out = []
    edges = sorted(edges)
    t = 0
    while t <= until:
        while edges and edges[0][0] <= t:
            g.edge(edges.pop(0)[1], ticks.add(start, t))
        r = g.poll(ticks.add(start, t))
        if r != NONE:
            out.append((t, r))
        t += step
    return out


def test_short_press_is_reported_once_the_double_window_closes():
    out = play([(100, True), (200, False)], 2000)
    assert [g for _, g in out] == [PRESS]
    t = out[0][0]
    # The click is dated at its release edge; the window runs from there.
    assert 200 + DOUBLE_GAP_MS < t <= 200 + DOUBLE_GAP_MS + DEBOUNCE_MS + 5


def test_long_press_fires_while_still_held_and_release_is_ignored():
    out = play([(100, True), (2500, False)], 4000)
    assert [g for _, g in out] == [LONG]
    assert 100 + LONG_MS <= out[0][0] <= 100 + LONG_MS + DEBOUNCE_MS + 5


def test_double_press():
    out = play([(100, True), (180, False), (300, True), (380, False)], 2000)
    assert [g for _, g in out] == [DOUBLE]


def test_two_presses_further_apart_than_the_gap_are_two_presses():
    out = play([(100, True), (180, False), (180 + DOUBLE_GAP_MS + 200, True),
                (180 + DOUBLE_GAP_MS + 280, False)], 3000)
    assert [g for _, g in out] == [PRESS, PRESS]


def test_contact_bounce_is_absorbed():
    # A mechanical switch chatters for a few ms on press and on release.
    bounces = [(100, True), (102, False), (104, True), (107, False), (109, True),
               (250, False), (252, True), (254, False)]
    out = play(bounces, 2000, step=1)
    assert [g for _, g in out] == [PRESS]


def test_glitch_shorter_than_debounce_is_not_a_press():
    out = play([(100, True), (110, False)], 2000, step=1)
    assert out == []


def test_press_then_hold_on_the_second_is_long_not_double():
    out = play([(100, True), (180, False), (300, True), (2000, False)], 3000)
    assert [g for _, g in out] == [LONG]


@pytest.mark.parametrize("start", [0, (1 << 30) - 150, (1 << 30) - 1])
def test_gestures_work_across_the_tick_wraparound(start):
    out = play([(100, True), (180, False), (300, True), (380, False),
                (1500, True), (2600, False)], 4000, start=start)
    assert [g for _, g in out] == [DOUBLE, LONG]


def test_a_slow_shell_that_only_reports_edges_still_gets_its_gestures():
    # No poll between the edges: each edge settles the level it ends.
    g = Gestures()
    for t, pressed in ((100, True), (180, False), (280, True), (360, False)):
        g.edge(pressed, t)
    assert g.poll(400) == DOUBLE
