# The routine checker: valid files run, invalid ones are refused with a
# message naming the file and the field, never a traceback.
import copy
import json

import pytest
from hypothesis import assume, given, settings, strategies as st, HealthCheck

from facewand import board, routine_file
from facewand.routine_file import RoutineError, parse, parse_bytes, ZONES, DIRECTIONS
from facewand.settings import Settings
from sim.session import Session, default_script

from mprig import REPO_ROOT

BUILTIN = REPO_ROOT / "firmware" / "routines"


def builtin(name):
    return json.loads((BUILTIN / (name + ".json")).read_text())


@pytest.mark.parametrize("name, lo, hi", [
    ("daily", 60, 120), ("full", 600, 900), ("guasha", 120, 600),
    ("acupressure", 60, 300), ("eyes", 60, 300),
])
def test_builtin_durations_match_their_descriptions(name, lo, hi):
    r = routine_file.load(str(BUILTIN / (name + ".json")))
    assert lo <= r.total_ms() / 1000 <= hi


def test_full_routine_slows_as_it_goes():
    r = routine_file.load(str(BUILTIN / "full.json"))
    periods = [r.period(i) for i in range(r.instances())]
    assert periods == sorted(periods) and periods[-1] > periods[0]
    assert r.rounds >= 6 and len(r.steps) == 10


def test_each_builtin_has_its_own_colour():
    colours = [builtin(n)["colour"] for n in ("daily", "full", "guasha", "acupressure", "eyes")]
    assert len(set(colours)) == 5


def test_acupressure_presses_every_point_three_times():
    r = routine_file.load(str(BUILTIN / "acupressure.json"))
    assert all(s.presses == 3 and s.strokes == 0 for s in r.steps)


def test_the_eye_zone_is_the_lightest_band_in_the_ten_steps():
    r = routine_file.load(str(BUILTIN / "daily.json"))
    eyes = [s for s in r.steps if s.zone == "eyes"][0]
    assert eyes.pressure_max == min(s.pressure_max for s in r.steps)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["steps"][3].update(strokes=25), "x.json: steps[3].strokes: expected an integer 0..20, got 25"),
    (lambda d: d["steps"][3].update(strokes=0), "x.json: steps[3]: a step needs strokes or presses (both are 0)"),
    (lambda d: d.update(steps=[]), "x.json: steps: expected a list of 1..12 steps, got 0"),
    (lambda d: d.update(colour="red"), 'x.json: colour: expected a colour "#RRGGBB", not black, got "red"'),
    (lambda d: d.update(colour="#000000"), 'x.json: colour: expected a colour "#RRGGBB", not black, got "#000000"'),
    (lambda d: d.update(intensity=1.5), "x.json: intensity: expected a number 0.100..1, got 1.5"),
    (lambda d: d.update(rounds=True), "x.json: rounds: expected an integer 1..20, got true"),
    (lambda d: d.update(speed=3), "x.json: speed: unknown field (expected one of colour, description, "
                                   "intensity, name, pace, rounds, steps)"),
    (lambda d: d.pop("pace"), "x.json: pace: missing"),
    (lambda d: d["pace"].update(start_ms=0), "x.json: pace.start_ms: expected an integer 1000..10000, got 0"),
    (lambda d: d["steps"][0].update(zone="knee"), "x.json: steps[0].zone: expected one of " + ", ".join(ZONES) + ', got "knee"'),
    (lambda d: d["steps"][0].pop("hold_ms"), "x.json: steps[0].hold_ms: missing (needed when presses > 0)"),
    (lambda d: d["steps"][1].update(hold_ms=3600000), "x.json: steps[1].hold_ms: expected an integer 500..10000, got 3600000"),
    (lambda d: d.update(rounds=20, pace={"start_ms": 10000, "end_ms": 10000}),
     # 20 rounds x (10 intros x 1.8 s + 30 strokes x 10 s + 6 holds x 1.5 s) + 1.2 s lead
     "x.json: (top): the session would last 6541 s, over the 1800 s safety cap"),
])
def test_specific_refusals(mutate, message):
    d = builtin("daily")
    mutate(d)
    with pytest.raises(RoutineError) as e:
        parse(d, "x.json")
    assert str(e.value) == message


def test_not_json_and_not_utf8():
    with pytest.raises(RoutineError, match=r"^x.json: not UTF-8 text$"):
        parse_bytes(b"\xff\xfe{}", "x.json")
    with pytest.raises(RoutineError, match=r"^x.json: not valid JSON"):
        parse_bytes(b'{"name": ', "x.json")


# --- generated routines ---------------------------------------------------

text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_categories=("Cc", "Cs")),
               min_size=1, max_size=20)


@st.composite
def valid_step(draw):
    presses = draw(st.integers(0, 3))
    s = {
        "name": draw(text),
        "zone": draw(st.sampled_from(ZONES)),
        "direction": draw(st.sampled_from(DIRECTIONS)),
        "strokes": draw(st.integers(0 if presses else 1, 6)),
        "pressure_max": draw(st.integers(50, 1000)) / 1000,
    }
    if presses:
        s["presses"] = presses
        s["hold_ms"] = draw(st.integers(500, 4000))
    if draw(st.booleans()):
        s["hint"] = draw(text)
    return s


@st.composite
def valid_routine(draw):
    start = draw(st.integers(1000, 5000))
    return {
        "name": draw(st.from_regex(r"[a-z0-9_-]{1,24}", fullmatch=True)),
        "colour": "#%06X" % draw(st.integers(1, 0xFFFFFF)),
        "rounds": draw(st.integers(1, 3)),
        "pace": {"start_ms": start, "end_ms": draw(st.integers(start, 6000))},
        "intensity": draw(st.integers(100, 1000)) / 1000,
        "steps": draw(st.lists(valid_step(), min_size=1, max_size=6)),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_routine())
def test_every_valid_routine_runs_to_done(data):
    r = parse(json.loads(json.dumps(data)), "gen.json")
    lines = []
    b = board.load(str(REPO_ROOT / "boards" / "pico.json"))
    state = Session((r,), Settings(), default_script(), lines.append, b).run()
    assert state == 3            # done
    steps = [json.loads(x) for x in lines if '"event":"step"' in x]
    assert len(steps) == r.rounds * len(r.steps)


def _paths(d, prefix=()):
    """Every (container, key) in a decoded routine, to corrupt one of them."""
    out = []
    if isinstance(d, dict):
        for k in d:
            out.append((d, k))
            out += _paths(d[k])
    elif isinstance(d, list):
        for i in range(len(d)):
            out.append((d, i))
            out += _paths(d[i])
    return out


BAD_VALUES = [None, True, False, -1, 0, 10 ** 9, 2.5, -0.5, "", "x" * 300, "#GGGGGG",
              [], {}, [1, 2], {"a": 1}]


@settings(max_examples=300, deadline=None)
@given(valid_routine(), st.data())
def test_corrupted_routines_are_refused_with_a_field_named(data, draw):
    d = copy.deepcopy(data)
    where = draw.draw(st.sampled_from(_paths(d)))
    container, key = where
    how = draw.draw(st.sampled_from(["value", "delete", "unknown"]))
    if how == "value":
        container[key] = draw.draw(st.sampled_from(BAD_VALUES))
    elif how == "delete" and isinstance(container, dict):
        del container[key]
    elif isinstance(container, dict):
        container["surprise"] = 1
    else:
        container.append(draw.draw(st.sampled_from(BAD_VALUES)))
    try:
        parse(json.loads(json.dumps(d)), "bad.json")
    except RoutineError as e:
        msg = str(e)
        assert msg.startswith("bad.json: ") and "\n" not in msg
        field = msg.split(": ")[1]
        assert field == "(top)" or field.split(".")[0].split("[")[0] in routine_file.ROUTINE_FIELDS \
            or field in ("surprise",), msg
        return
    # Some corruptions leave a valid routine (an optional field removed, a
    # value that happens to fit); those must then be genuinely valid.
    assume(False)


@settings(max_examples=200, deadline=None)
@given(valid_routine(), st.data())
def test_damaged_bytes_are_refused_or_valid_never_a_crash(data, draw):
    raw = bytearray(json.dumps(data).encode())
    for _ in range(draw.draw(st.integers(1, 4))):
        op = draw.draw(st.sampled_from(["flip", "cut", "insert"]))
        i = draw.draw(st.integers(0, max(len(raw) - 1, 0)))
        if op == "flip" and raw:
            raw[i] ^= 1 << draw.draw(st.integers(0, 7))
        elif op == "cut":
            del raw[i:]
        else:
            raw.insert(i, draw.draw(st.integers(0, 255)))
    try:
        parse_bytes(bytes(raw), "bad.json")
    except RoutineError as e:
        assert str(e).startswith("bad.json: ") and "\n" not in str(e)


@pytest.mark.parametrize("bad", ["\ud800", "a\u2028b", "a\u2029b", "x\u0085", "\u009b", "tab\there"])
def test_a_name_that_would_break_a_trace_line_is_refused(bad):
    d = builtin("daily")
    d["steps"][0]["name"] = bad
    with pytest.raises(RoutineError, match=r"^x.json: steps\[0\].name: expected one line of text"):
        parse(d, "x.json")


def test_a_refused_name_is_quoted_back_printable(tmp_path):
    # The message itself must be writable to a UTF-8 terminal.
    d = builtin("daily")
    d["steps"][0]["name"] = "\ud800"
    with pytest.raises(RoutineError) as e:
        parse(d, "x.json")
    str(e.value).encode("utf-8")
    assert '"\\ud800"' in str(e.value)


def test_a_key_given_twice_is_refused(tmp_path):
    from facewand.routine_file import load
    f = tmp_path / "twice.json"
    f.write_text((REPO_ROOT / "firmware" / "routines" / "daily.json").read_text().replace(
        '"rounds": 1,', '"rounds": 1, "rounds": 2,'))
    with pytest.raises(RoutineError, match=r'^twice.json: "rounds": given twice in one object$'):
        load(str(f))
