# Fuzzing every command that reads a file (issue 8, "done when"): random
# bytes, random JSON (deep nesting, huge numbers, lone surrogate escapes,
# wrong types) and valid files with a few values broken, fed as files to
#     python -m host_tools routine check FILE
#     python -m sim run --routine FILE.json --quiet
#     python -m sim run --routine daily --script FILE --quiet
#     python -m host_tools journal --file FILE
#     python -m host_tools flash --board FILE.json --dry-run --port /dev/null-nonexistent
# Every run must exit 0 or 2, say at most one line on stderr, and never show
# a traceback. The commands' main() run in-process (stdout and stderr
# captured as real text streams, SystemExit caught) so a few hundred
# examples take seconds; a few subprocess runs check the same as a person
# sees it.
import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from host_tools import build, cli as host_cli
from sim import cli as sim_cli, paths

# The explicit examples hold 100 kB inputs; hypothesis warns about their repr.
pytestmark = [pytest.mark.filterwarnings("ignore:Generating overly large repr"),
              pytest.mark.slow]  # fuzzes the CLIs, in fresh interpreters too

ROOT = paths.ROOT
EXAMPLES = 100
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
NO_PORT = "/dev/null-nonexistent"


def _load(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return json.load(f)


ROUTINE = _load("firmware", "routines", "eyes.json")
BOARD = _load("boards", "pico.json")
DRV_BOARD = _load("boards", "xiao-rp2040.json")


# ---- running a command in-process ------------------------------------------

def _stream(errors):
    # What a terminal or pipe gives a program: UTF-8 text over bytes, with
    # a buffer underneath (journal --raw writes bytes there).
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, write_through=True)


def run_main(main, argv):
    out, err = _stream("strict"), _stream("backslashreplace")
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as e:
            status = e.code
    out.flush()
    err.flush()
    return (status, out.buffer.getvalue().decode("utf-8", "replace"),
            err.buffer.getvalue().decode("utf-8", "replace"))


def assert_behaves(status, out, err, argv, fuzzing=True):
    if fuzzing:
        event("exit %s" % status)      # pytest --hypothesis-show-statistics shows the mix
    what = " ".join(argv)
    assert status in (0, 2), (what, status, err)
    assert "Traceback" not in out and "Traceback" not in err, (what, err)
    assert len(err.splitlines()) <= 1, (what, err)


_DIR = tempfile.mkdtemp(prefix="facewand-fuzz-")
_count = [0]


def write_file(data, suffix=""):
    """A fresh file holding `data` (bytes); its path."""
    _count[0] += 1
    path = os.path.join(_DIR, "f%d%s" % (_count[0], suffix))
    with open(path, "wb") as f:
        f.write(data)
    return path


@pytest.fixture(autouse=True, scope="module")
def private_build_dir():
    # flash builds into build/flash/NAME: keep the fuzz's boards out of it.
    saved = build.BUILD
    build.BUILD = os.path.join(_DIR, "build")
    yield
    build.BUILD = saved
    shutil.rmtree(_DIR, ignore_errors=True)


# ---- what goes into the files ----------------------------------------------

ODD_TEXT = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\u2028", "\u2029", "\x85", "\n",
                            "\r", "\x00", "\x1b[2J", "", " ", "x" * 300, "\u00e9", "\U0001f600",
                            "\ufeff", "daily", "eyes", "rp2040", "esp32", "pwm", "drv2605"])
SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(-2 ** 70, 2 ** 70),
    st.sampled_from([0, 1, -1, 12, 255, 1000, 65535, 65536, 10 ** 300, -(10 ** 300)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), ODD_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | ODD_TEXT,
                                                                inner, max_size=4),
    max_leaves=12)


def dump(value, ascii_only=True):
    # ensure_ascii writes a lone surrogate as the escape "\ud800"; without
    # it the surrogate itself goes out, as bytes that are not UTF-8.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw, base):
    """`base` with one to three values replaced, removed or added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        slots = []

        def walk(v):
            if isinstance(v, dict):
                for k in v:
                    slots.append((v, k))
                    walk(v[k])
            elif isinstance(v, list):
                for i in range(len(v)):
                    slots.append((v, i))
                    walk(v[i])
        walk(doc)
        if not slots:
            break
        where, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            where[key] = draw(JSON_VALUES)
        elif action == "delete":
            del where[key]
        elif isinstance(where[key], dict):
            where[key][draw(st.text(max_size=6) | ODD_TEXT)] = draw(JSON_VALUES)
        elif isinstance(where[key], list):
            where[key].append(draw(JSON_VALUES))
        else:
            where[key] = draw(JSON_VALUES)
    return doc


@st.composite
def nudged(draw, base):
    """`base` with one leaf changed to another value of its own type: files
    that often pass, or fail only on a range or a clash deep inside."""
    doc = copy.deepcopy(base)
    leaves = []

    def walk(v):
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            if isinstance(x, (dict, list)):
                walk(x)
            else:
                leaves.append((v, k))
    walk(doc)
    where, key = draw(st.sampled_from(leaves))
    old = where[key]
    if isinstance(old, bool):
        where[key] = not old
    elif isinstance(old, int):
        where[key] = draw(st.one_of(st.integers(-2, 50), st.integers(0, 70000),
                                    st.sampled_from([old - 1, old + 1, 2 ** 31, 10 ** 30])))
    elif isinstance(old, float):
        where[key] = draw(st.one_of(st.floats(-0.5, 1.5), st.sampled_from([0.05, 0.1, 1.0])))
    else:
        where[key] = draw(st.text(max_size=40) | ODD_TEXT)
    return doc


@st.composite
def nasty_json_text(draw, base):
    """JSON text no serialiser writes: deep nesting, numbers of thousands
    of digits, a key twice, a value cut short."""
    kind = draw(st.sampled_from(["deep", "deep_obj", "huge", "twice", "cut", "bom", "escape"]))
    n = draw(st.sampled_from([10, 900, 1000, 5000, 8000, 100000]))
    text = json.dumps(base)
    if kind == "deep":
        return ("[" * n + "]" * draw(st.sampled_from([0, n]))).encode()
    if kind == "deep_obj":
        return ('{"a":' * n + "1" + "}" * draw(st.sampled_from([0, n]))).encode()
    if kind == "huge":
        digits = draw(st.sampled_from([20, 400, 4299, 4301, 5000]))
        key = draw(st.sampled_from(sorted(base)))
        number = draw(st.sampled_from(["1" * digits, "-" + "9" * digits, "1e" + "9" * 5,
                                       "0." + "1" * digits]))
        return ('{"%s": %s, ' % (key, number) + text[1:]).encode()
    if kind == "twice":
        key = draw(st.sampled_from(sorted(base)))
        return ('{"%s": 1, ' % key + text[1:]).encode()
    if kind == "cut":
        return text[:draw(st.integers(0, len(text)))].encode()
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    key = draw(st.sampled_from(sorted(base)))
    esc = draw(st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\u2028", "\\x41", "\\"]))
    return ('{"%s": "%s", ' % (key, esc) + text[1:]).encode()


# Run every time, whatever the fuzz draws: the inputs that broke the tools.
NASTY_BYTES = [
    b"",
    b"[" * 100000,
    b"[" * 8000 + b"]" * 8000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b'{"name": "\\ud800", "chip": "\\udfff", "t_ms": 0, "event": "step", "n": "x"}',
    b'{"name": "\xed\xa0\x80"}',
    b'{"rounds": 1' + b"0" * 5000 + b"}",
    b'{"rounds": 1' + b"0" * 4000 + b"}",
    b'{"t_ms": 0, "event": "step"}\n{"t_ms": 0, "event": "stroke", "n": "x", "of": 1}\n',
    b"\xff\xfe\x00",
    b"\xef\xbb\xbf{}",
    b"\xc2\xb2 press\n\xd9\xa3 press\n" + b"9" * 5000 + b" press\n5 press\n2 double\n",
]


def with_nasty(test):
    for data in NASTY_BYTES:
        test = example(data)(test)
    return test


def data_files(base):
    return st.one_of(
        st.binary(max_size=2000),
        JSON_VALUES.map(dump),
        st.builds(dump, JSON_VALUES, st.just(False)),
        mutated(base).map(dump),
        st.builds(dump, mutated(base), st.just(False)),
        nudged(base).map(dump),
        nudged(base).map(dump),
        st.builds(dump, nudged(base), st.just(False)),
        nasty_json_text(base),
    )


# ---- routine check ---------------------------------------------------------

@FUZZ
@given(data_files(ROUTINE))
@with_nasty
def test_fuzz_routine_check(data):
    argv = ["routine", "check", write_file(data, ".json")]
    status, out, err = run_main(host_cli.main, argv)
    assert_behaves(status, out, err, argv)
    if status == 0:
        assert err == "" and len(out.splitlines()) == 1 and ": ok (" in out
    else:
        assert out == "" and len(err.splitlines()) == 1


# ---- sim run --routine FILE.json ---------------------------------------------

@FUZZ
@given(data_files(ROUTINE))
@with_nasty
def test_fuzz_sim_routine(data):
    argv = ["run", "--routine", write_file(data, ".json"), "--quiet", "--script",
            write_file(b"0.5 press\n60 end\n")]
    assert_behaves(*run_main(sim_cli.main, argv), argv)


# Found by the fuzz: the firmware's checker named an unknown field by its
# key as it was, so a key holding a line break split the one-line error.
@pytest.mark.parametrize("key", ["\u2028", "\n", "\x85", "a\rb"])
def test_sim_routine_with_a_key_that_breaks_a_line(key):
    for doc in ({key: None}, dict(ROUTINE, pace=dict(ROUTINE["pace"], **{key: 1}))):
        argv = ["run", "--routine", write_file(dump(doc), ".json"), "--quiet"]
        status, out, err = run_main(sim_cli.main, argv)
        assert status == 2
        assert_behaves(status, out, err, argv, fuzzing=False)


def test_host_tools_keep_a_key_that_breaks_a_line_on_one_line():
    for key in ("\u2028", "\n", "\x85", "a\rb"):
        doc = dict(ROUTINE, pace=dict(ROUTINE["pace"], **{key: 1}))
        path = write_file(dump(doc), ".json")
        status, out, err = run_main(host_cli.main, ["routine", "check", path])
        assert status == 2 and len(err.splitlines()) == 1 and "pace." in err
        board = dict(BOARD, ring=dict(BOARD["ring"], **{key: 1}))
        path = write_file(dump(board), ".json")
        status, out, err = run_main(host_cli.main, ["flash", "--board", path, "--dry-run",
                                                    "--port", NO_PORT])
        assert status == 2 and len(err.splitlines()) == 1 and "ring." in err


# ---- sim run --script FILE ---------------------------------------------------

TIMES = st.one_of(
    st.sampled_from(["0", "0.5", "1", "2.25", "10", "60", "119.999", "14400", "14400.001",
                     "-1", "+1", "1.", ".5", "1e3", "nan", "inf", "\u00b2", "\u0663", "\uff11",
                     "0x10", "1_000", "9" * 5000, "0." + "0" * 5000 + "1", ""]),
    st.decimals(0, 20000, places=3).map(str),
    st.integers(0, 200).map(str),
    st.text(max_size=6),
)
WORDS = st.sampled_from(["press", "long", "double", "end", "pressure", "battery", "PRESS",
                         "press\u2028", "bounce", "#", ""])
VALUES = st.one_of(
    st.sampled_from(["0", "0.5", "1", "1.5", "-0.1", "3.0", "3.3", "4.2", "5.1", "2", "nan",
                     "inf", "1e400", "9" * 5000, "\u0663.3", ""]),
    st.decimals(-1, 6, places=3).map(str),
    st.text(max_size=5),
)


@st.composite
def script_lines(draw):
    parts = [draw(TIMES), draw(WORDS)]
    if draw(st.booleans()):
        parts.append(draw(VALUES))
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(st.text(max_size=5)))
    sep = draw(st.sampled_from([" ", " ", "\t", "  ", "\u00a0", "\u3000"]))
    line = sep.join(parts)
    if draw(st.integers(0, 5)) == 0:
        line += " # " + draw(st.text(max_size=8))
    return line


SCRIPTS = st.one_of(
    st.lists(script_lines(), max_size=12).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass")),
    st.lists(script_lines(), max_size=12).map(lambda ls: "\r\n".join(ls).encode("utf-8", "surrogatepass")),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=500),
)


@FUZZ
@given(SCRIPTS)
@with_nasty
@example("\u00b2 press\n".encode())
@example("\u0663 press\n".encode())
@example(b"9" * 5000 + b" press\n")
@example(b"5 press\n2 double\n")
@example(b"0.5 pressure 1e400\n0.6 battery nan\n")
def test_fuzz_sim_script(data):
    argv = ["run", "--routine", "daily", "--script", write_file(data), "--quiet"]
    assert_behaves(*run_main(sim_cli.main, argv), argv)


# ---- journal --file ----------------------------------------------------------

EVENT_LINES = [
    {"t_ms": 0, "event": "state", "state": "idle"},
    {"t_ms": 500, "event": "input", "input": "press"},
    {"t_ms": 520, "event": "state", "state": "running"},
    {"t_ms": 530, "event": "vibe", "pattern": "start", "ms": 580, "level": 560},
    {"t_ms": 530, "event": "led", "pattern": "start", "rgb": "00ff00" * 12},
    {"t_ms": 1720, "event": "step", "index": 1, "name": "Chin to ear", "round": 1,
     "zone": "jaw", "direction": "out_up"},
    {"t_ms": 3000, "event": "point", "action": "press", "n": 1, "of": 3},
    {"t_ms": 4000, "event": "stroke", "n": 1, "of": 6},
    {"t_ms": 4100, "event": "input", "input": "pressure", "permille": 900},
    {"t_ms": 4200, "event": "warn", "reason": "pressure_high"},
    {"t_ms": 4900, "event": "clear", "reason": "pressure_high"},
    {"t_ms": 5000, "event": "motor", "duty": 30000},
    {"t_ms": 5000, "event": "ring", "wire": "0a0b0c" * 12},
    {"t_ms": 9000, "event": "routine", "index": 2, "name": "full"},
    {"t_ms": 9999, "event": "state", "state": "off"},
]
JOURNAL_LINES = st.one_of(
    st.sampled_from(EVENT_LINES).map(dump),
    st.sampled_from(EVENT_LINES).flatmap(mutated).map(dump),
    st.builds(dump, st.sampled_from(EVENT_LINES).flatmap(mutated), st.just(False)),
    JSON_VALUES.map(dump),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from(EVENT_LINES).flatmap(nasty_json_text),
    st.sampled_from([b"", b"   ", b"\r", b"[" * 100000, b'{"a":' * 50000]),
)
JOURNALS = st.one_of(
    st.lists(JOURNAL_LINES, max_size=15).map(lambda ls: b"\n".join(ls)),
    st.binary(max_size=2000),
)


@FUZZ
@given(JOURNALS, st.booleans())
@example(b"[" * 100000, False)
@example(b"\n".join(NASTY_BYTES), False)
@example(b"\n".join(NASTY_BYTES), True)
def test_fuzz_journal(data, raw):
    argv = ["journal", "--file", write_file(data, ".jsonl")] + (["--raw"] if raw else [])
    status, out, err = run_main(host_cli.main, argv)
    assert_behaves(status, out, err, argv)
    # A journal that can be read is shown, whatever its lines hold.
    assert status == 0
    if raw:
        assert err == ""
    else:
        assert re.match(r"\d+ events? over \d\d+:\d\d\.\d\d\d: ", out.splitlines()[-1])


# ---- flash --board FILE.json --dry-run ------------------------------------------

@FUZZ
@given(st.one_of(data_files(BOARD), nudged(DRV_BOARD).map(dump)))
@with_nasty
def test_fuzz_flash_board(data):
    argv = ["flash", "--board", write_file(data, ".json"), "--dry-run", "--port", NO_PORT]
    status, out, err = run_main(host_cli.main, argv)
    assert_behaves(status, out, err, argv)
    if status == 0:
        # A board the checker took: the plan of an empty wand, said once.
        assert "showing a flash of an empty wand" in err
        assert out.splitlines()[-1].startswith("would flash ")


# ---- the same, as a person runs them --------------------------------------------

NASTY = [
    ("deep", b"[" * 100000 + b"]" * 100000),
    ("surrogate", b'{"name": "\\ud800", "chip": "\\udfff", "t_ms": 0, "event": "step"}\n'
                  b'{"t_ms": 1, "event": "state", "state": "\xed\xa0\x80"}\n'),
    ("binary", bytes(range(256)) * 4),
    ("huge", b'{"t_ms": ' + b"9" * 5000 + b', "event": "state"}\n1' + b"0" * 4400 + b" press\n"),
]


def commands(path):
    return [
        ["-m", "host_tools", "routine", "check", path],
        ["-m", "sim", "run", "--routine", path, "--quiet"],
        ["-m", "sim", "run", "--routine", "daily", "--script", path, "--quiet"],
        ["-m", "host_tools", "journal", "--file", path],
        ["-m", "host_tools", "flash", "--board", path, "--dry-run", "--port", NO_PORT],
    ]


@pytest.mark.parametrize("name, data", NASTY, ids=[n for n, _ in NASTY])
def test_nasty_files_in_subprocesses(tmp_path, name, data):
    path = tmp_path / (name + ".json")
    path.write_bytes(data)
    for argv in commands(str(path)):
        r = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True,
                           timeout=120)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        assert_behaves(r.returncode, out, err, argv, fuzzing=False)
        if "journal" in argv:
            assert r.returncode == 0
        else:
            assert r.returncode == 2 and len(err.splitlines()) == 1, (argv, err)
