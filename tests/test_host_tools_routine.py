# `python -m host_tools routine check` as a person runs it: a subprocess from
# the repo root, judged by its exit status and its lines. Also keeps
# docs/routines.md honest: its example must pass the check and run to the end
# in the simulator, and it must mention every field the checker knows.
import glob
import json
import os
import re
import subprocess
import sys

import pytest

from facewand import routine_file
from sim.paths import ROOT

BUILTIN = sorted(glob.glob(os.path.join(ROOT, "firmware", "routines", "*.json")))
DOC = os.path.join(ROOT, "docs", "routines.md")


def run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def check(*files):
    return run("-m", "host_tools", "routine", "check", *files)


def lines(text):
    return text.splitlines()


def good_routine():
    with open(os.path.join(ROOT, "firmware", "routines", "eyes.json"), encoding="utf-8") as f:
        return json.load(f)


def write(tmp_path, name, data):
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(json.dumps(data), encoding="utf-8")
    return str(p)


def assert_one_error(r, name):
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    err = lines(r.stderr)
    assert len(err) == 1, r.stderr
    assert name in err[0]
    return err[0]


@pytest.mark.slow
def test_builtin_routines_are_ok():
    assert len(BUILTIN) == 5
    r = check(*BUILTIN)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = lines(r.stdout)
    assert len(out) == len(BUILTIN)
    for path, line in zip(BUILTIN, out):
        assert re.fullmatch(re.escape(path) + r": ok \(\d+ steps? x \d+ rounds?, about \d+ min \d+ s\)",
                            line), line


@pytest.mark.slow
def test_ok_line_counts_and_duration():
    # eyes: 5 steps x 2 rounds, planned 124480 ms -> 2 min 4 s.
    path = os.path.join("firmware", "routines", "eyes.json")
    r = check(path)
    assert r.stdout == path + ": ok (5 steps x 2 rounds, about 2 min 4 s)\n"


@pytest.mark.slow
def test_bad_field_is_one_line_naming_file_and_path(tmp_path):
    data = good_routine()
    data["steps"][2]["strokes"] = 25
    r = check(write(tmp_path, "bad.json", data))
    line = assert_one_error(r, "bad.json")
    assert "steps[2].strokes" in line
    assert r.stdout == ""


@pytest.mark.slow
def test_good_and_bad_together_exit_2(tmp_path):
    data = good_routine()
    del data["colour"]
    good = BUILTIN[0]
    r = check(good, write(tmp_path, "nocolour.json", data))
    line = assert_one_error(r, "nocolour.json")
    assert "colour" in line
    assert lines(r.stdout) and lines(r.stdout)[0].startswith(good + ": ok")


@pytest.mark.slow
def test_errors_name_the_path_as_given_like_the_ok_line(tmp_path):
    # A relative path, from the repo root, as a person types it.
    data = good_routine()
    data["rounds"] = 0
    folder = tmp_path / "mine"
    folder.mkdir()
    bad = write(folder, "bad.json", data)
    good = os.path.join("firmware", "routines", "eyes.json")
    r = check(good, bad)
    assert lines(r.stdout)[0].startswith(good + ": ok")
    line = assert_one_error(r, bad)
    assert line == bad + ": rounds: expected an integer 1..20, got 0"
    r = check(str(tmp_path / "nosuch.json"))
    assert assert_one_error(r, "nosuch.json") == str(tmp_path / "nosuch.json") + ": cannot be read"


@pytest.mark.slow
def test_one_step_and_one_round_are_singular(tmp_path):
    data = good_routine()
    data["steps"] = data["steps"][:1]
    data["rounds"] = 1
    path = write(tmp_path, "one.json", data)
    r = check(path)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(re.escape(path) + r": ok \(1 step x 1 round, about 0 min \d+ s\)",
                        r.stdout.strip()), r.stdout
    data["rounds"] = 2
    r = check(write(tmp_path, "two.json", data))
    assert ": ok (1 step x 2 rounds, " in r.stdout


@pytest.mark.slow
def test_a_key_given_twice_is_refused(tmp_path):
    # JSON parsers keep the last of two values; the wand's MicroPython too,
    # so the host refuses the file rather than guess which was meant.
    text = json.dumps(good_routine())
    twice = text.replace('"rounds": 2', '"rounds": 2, "rounds": 3', 1)
    assert twice != text
    path = write(tmp_path, "twice.json", twice.encode())
    line = assert_one_error(check(path), path)
    assert line == path + ': "rounds": given twice in one object'
    nested = text.replace('"strokes":', '"strokes": 1, "strokes":', 1)
    path = write(tmp_path, "nested.json", nested.encode())
    assert assert_one_error(check(path), path) == path + ': "strokes": given twice in one object'


@pytest.mark.slow
def test_names_that_would_break_the_line_stay_on_it(tmp_path):
    for char in ("\u2028", "\x85", "\x0b", "\x1c"):
        folder = tmp_path / ("d%d" % ord(char))
        folder.mkdir()
        data = good_routine()
        path = write(folder, "a%sb.json" % char, data)
        r = check(path)
        assert r.returncode == 0 and r.stdout.count("\n") == 1, r
        assert len(r.stdout.splitlines()) == 1, r.stdout
        data["rounds"] = "x"
        write(folder, "a%sb.json" % char, data)
        r = check(path)
        assert r.returncode == 2 and r.stdout == ""
        assert len(r.stderr.splitlines()) == 1, r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name, content", [
    ("missing.json", None),
    ("adir", "dir"),
    ("latin1.json", b'{"name": "caf\xe9"}'),
    ("binary.json", bytes(range(256))),
    ("notjson.json", b"name: jawline\n"),
    ("deep.json", b"[" * 100000),
])
def test_unreadable_inputs_are_one_line(tmp_path, name, content):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert_one_error(check(str(path)), name)


@pytest.mark.slow
def test_string_with_newline_stays_one_line(tmp_path):
    data = good_routine()
    data["steps"][0]["zone"] = "eyes\nand more"
    assert_one_error(check(write(tmp_path, "newline.json", data)), "newline.json")


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    (),
    ("routine",),
    ("routine", "check"),
    ("routine", "nosuch"),
    ("nosuch",),
])
def test_usage_errors_are_one_line(args):
    r = run("-m", "host_tools", *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(lines(r.stderr)) == 1, r.stderr


def doc_example():
    """The one ```json block in the doc that is a whole routine."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    found = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        data = json.loads(block)
        if isinstance(data, dict) and "steps" in data:
            found.append(block)
    assert len(found) == 1
    return found[0]


@pytest.mark.slow
def test_doc_example_checks_and_runs_to_done(tmp_path):
    path = tmp_path / "example.json"
    path.write_text(doc_example(), encoding="utf-8")
    r = check(str(path))
    assert r.returncode == 0, r.stderr
    ok = lines(r.stdout)[0]
    assert ok.startswith(str(path) + ": ok")
    # The doc quotes the example's length; it must be the one the CLI gives.
    with open(DOC, encoding="utf-8") as f:
        assert re.search(r"about \d+ min \d+ s", ok).group(0) in f.read()

    trace = tmp_path / "trace.jsonl"
    r = run("-m", "sim", "run", "--routine", str(path), "--quiet", "--trace", str(trace))
    assert r.returncode == 0, r.stderr
    with open(trace, encoding="utf-8") as f:
        states = [e["state"] for e in map(json.loads, f) if e["event"] == "state"]
    assert states[-1] == "done"


def test_doc_names_every_field():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    fields = (list(routine_file.ROUTINE_FIELDS) + list(routine_file.PACE_FIELDS)
              + list(routine_file.STEP_FIELDS))
    missing = [name for name in fields if "`%s`" % name not in text]
    assert missing == []


def test_doc_names_every_zone_and_direction():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    words = routine_file.ZONES + routine_file.DIRECTIONS
    assert [w for w in words if "`%s`" % w not in text] == []


@pytest.mark.slow
def test_doc_says_how_the_simulator_finds_a_routine(tmp_path):
    # `--routine NAME` is a built-in; a file is given by its path (anything
    # with a "/" or ending in .json), even in the current folder.
    with open(DOC, encoding="utf-8") as f:
        text = " ".join(f.read().split())
    assert "finds it by name" not in text
    assert ("anything that contains a `/` or ends in `.json` is a path" in text)
    assert "`--routine my` names a built-in only and does not look for `my.json`" in text
    (tmp_path / "my.json").write_text(doc_example(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=ROOT)

    def sim(arg):
        return subprocess.run([sys.executable, "-m", "sim", "run", "--routine", arg, "--quiet",
                               "--script", os.devnull], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
    r = sim("my")
    assert r.returncode == 2 and "unknown routine 'my'" in r.stderr
    r = sim("my.json")
    assert r.returncode == 0, r.stderr
