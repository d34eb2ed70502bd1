# The schedule works out each step instance's Step, period and length
# ahead (prepare(), asked on a quiet tick) or, if nothing asked, when the
# step begins: either way the session is the same, item for item.
from facewand import library, schedule
from facewand.schedule import Schedule
from facewand.view import A_LEAD

from mprig import REPO_ROOT

ROUTINES, _, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))


def session(sch, routine, ahead):
    """Every item of a whole session of `routine`, its step's numbers and
    times; `ahead`: prepare() whenever there is something to work out."""
    if ahead and not sch.ready:
        sch.prepare()
    sch.start(routine, 1000)
    assert sch.doing == A_LEAD and sch.inst == 0 and sch.step_t == 1000
    seen = []
    while True:
        if ahead and not sch.ready:
            sch.prepare()
        if sch.next == schedule.END:
            if sch.inst + 1 >= sch.count:
                return seen
            sch.next_step(sch.step_t + sch.step_len)
            continue
        at = sch.next_at
        item = sch.fire()
        seen.append((sch.inst, item, sch.step_t, at, sch.cur, sch.period, sch.step_len, sch.k,
                     sch.presses, sch.doing))


def test_a_step_worked_out_ahead_is_the_one_worked_out_when_it_begins():
    for r in ROUTINES:
        plain = session(Schedule(r), r, False)
        assert plain and plain[-1][0] == r.instances() - 1
        assert session(Schedule(r), r, True) == plain
        lengths = {i: length for i, _, _, _, _, _, length, _, _, _ in plain}
        assert lengths == {i: r.step_ms(i) for i in range(r.instances())}


def test_the_next_session_starts_from_its_own_first_step():
    # After a session, and after another routine is chosen, what was worked
    # out ahead is the first step of the routine that starts.
    a, b = ROUTINES[0], ROUTINES[1]
    sch = Schedule(a)
    first = session(sch, a, True)
    assert session(sch, a, True) == first       # the same routine again
    sch.choose(b)
    assert not sch.ready and sch.first
    assert session(sch, b, True) == session(Schedule(b), b, False)
    assert session(sch, a, False) == first      # start() itself takes another routine
