# Loading the installed routines the way the wand does at power-on.
import json
import shutil

import pytest

from facewand import library
from facewand.cues import MAX_ROUTINES

from mprig import REPO_ROOT

BUILTIN = REPO_ROOT / "firmware" / "routines"


def copy_builtins(tmp_path):
    d = tmp_path / "routines"
    shutil.copytree(BUILTIN, d)
    return d


def test_builtins_load_in_their_fixed_order():
    routines, errors, notices = library.load(str(BUILTIN))
    assert errors == []
    assert [r.name for r in routines] == ["daily", "full", "guasha", "acupressure", "eyes"]


def test_a_bad_file_is_skipped_and_reported_and_the_rest_load(tmp_path):
    d = copy_builtins(tmp_path)
    (d / "broken.json").write_bytes(b"{not json")
    (d / "wrong.json").write_text(json.dumps({"name": "wrong"}))
    (d / "latin1.json").write_bytes("caf\xe9".encode("latin-1"))
    routines, errors, notices = library.load(str(d))
    assert [r.name for r in routines][:5] == ["daily", "full", "guasha", "acupressure", "eyes"]
    assert sorted(e.split(":")[0] for e in errors) == ["broken.json", "latin1.json", "wrong.json"]


def test_own_routines_follow_the_builtins_and_can_replace_one(tmp_path):
    d = copy_builtins(tmp_path)
    data = json.loads((BUILTIN / "eyes.json").read_text())
    data["name"] = "aaa-mine"
    (d / "mine.json").write_text(json.dumps(data))
    data["name"] = "daily"
    data["colour"] = "#010203"
    (d / "zz-my-daily.json").write_text(json.dumps(data))
    routines, errors, notices = library.load(str(d))
    assert errors == []
    assert [r.name for r in routines] == ["daily", "full", "guasha", "acupressure", "eyes", "aaa-mine"]
    assert routines[0].colour == 0x55AAFF      # "#010203" at full strength


def test_more_routines_than_the_wand_holds_are_reported(tmp_path):
    d = copy_builtins(tmp_path)
    data = json.loads((BUILTIN / "eyes.json").read_text())
    for i in range(5):
        data["name"] = "extra%d" % i
        (d / ("extra%d.json" % i)).write_text(json.dumps(data))
    routines, errors, notices = library.load(str(d))
    assert len(routines) == MAX_ROUTINES
    assert len(errors) == 10 - MAX_ROUTINES and "holds 8 routines" in errors[0]


def test_a_missing_folder_is_an_error_not_a_crash(tmp_path):
    routines, errors, notices = library.load(str(tmp_path / "nope"))
    assert routines == () and len(errors) == 1


def test_a_routine_of_ones_own_replaces_the_builtin_of_that_name_whatever_its_file_is_called(tmp_path):
    # a-my-daily.json sorts before daily.json: file order must not decide.
    d = copy_builtins(tmp_path)
    data = json.loads((BUILTIN / "eyes.json").read_text())
    data["name"] = "daily"
    (d / "a-my-daily.json").write_text(json.dumps(data))
    routines, errors, notices = library.load(str(d))
    assert errors == []
    assert routines[0].name == "daily" and len(routines[0].steps) == len(data["steps"])
    assert notices == ['a-my-daily.json replaces daily.json (both are routine "daily")']


@pytest.mark.slow
def test_the_simulator_loads_by_the_same_rule_and_says_so(tmp_path):
    import subprocess
    import sys
    data = json.loads((BUILTIN / "eyes.json").read_text())
    data["name"] = "daily"
    f = tmp_path / "a-my-daily.json"
    f.write_text(json.dumps(data))
    t = tmp_path / "t.jsonl"
    p = subprocess.run([sys.executable, "-m", "sim", "run", "--quiet", "--routine", str(f), "--trace", str(t)],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0
    assert p.stderr == 'sim: note: a-my-daily.json replaces daily.json (both are routine "daily")\n'
    steps = [json.loads(x)["name"] for x in t.read_text().splitlines() if '"event":"step"' in x]
    assert steps[0] == data["steps"][0]["name"]


def test_a_file_too_large_for_the_wands_memory_is_skipped_not_fatal(tmp_path):
    d = copy_builtins(tmp_path)
    (d / "huge.json").write_text('{"name": "huge", "description": "' + "x" * 200000 + '"}')
    routines, errors, notices = library.load(str(d))
    assert len(routines) == 5
    assert errors == ["huge.json: larger than the 16384 bytes a data file may have"]


def test_any_failure_loading_one_file_skips_only_that_file(tmp_path, monkeypatch):
    from facewand import routine_file
    d = copy_builtins(tmp_path)
    real = routine_file.load

    def failing(path, source=None, shared=None):
        if path.endswith("full.json"):
            raise MemoryError()
        return real(path, source, shared)
    monkeypatch.setattr(routine_file, "load", failing)
    routines, errors, notices = library.load(str(d))
    assert [r.name for r in routines] == ["daily", "guasha", "acupressure", "eyes"]
    assert errors == ["full.json: cannot be loaded (MemoryError)"]


def test_alike_steps_and_step_names_are_held_once_across_the_files():
    # The built-ins repeat steps ("Neck" in three of them): each is one
    # object, and so is each name, whichever files they come from, and
    # each keeps its own file's words.
    import json
    routines, errors, _ = library.load(str(REPO_ROOT / "firmware" / "routines"))
    assert not errors
    steps = [s for r in routines for s in r.steps]
    by_value = {}
    for s in steps:
        assert by_value.setdefault(s, s) is s
    names = {}
    for s in steps:
        assert names.setdefault(s.name, s.name) is s.name
    assert len(by_value) < len(steps) and len(names) < len(by_value)
    for r in routines:
        data = json.loads((REPO_ROOT / "firmware" / "routines" / (r.name + ".json")).read_text())
        assert [(s.name, s.zone, s.direction, s.hint) for s in r.steps] == [
            (d["name"], d["zone"], d["direction"], d.get("hint", "")) for d in data["steps"]]
