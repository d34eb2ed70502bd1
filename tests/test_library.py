# Loading the installed routines the way the wand does at power-on.
import json
import shutil

from facewand import library
from facewand.cues import MAX_ROUTINES

from mprig import REPO_ROOT

BUILTIN = REPO_ROOT / "firmware" / "routines"


def copy_builtins(tmp_path):
    d = tmp_path / "routines"
    shutil.copytree(BUILTIN, d)
    return d


def test_builtins_load_in_their_fixed_order():
    routines, errors = library.load(str(BUILTIN))
    assert errors == []
    assert [r.name for r in routines] == ["daily", "full", "guasha", "acupressure", "eyes"]


def test_a_bad_file_is_skipped_and_reported_and_the_rest_load(tmp_path):
    d = copy_builtins(tmp_path)
    (d / "broken.json").write_bytes(b"{not json")
    (d / "wrong.json").write_text(json.dumps({"name": "wrong"}))
    (d / "latin1.json").write_bytes("caf\xe9".encode("latin-1"))
    routines, errors = library.load(str(d))
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
    routines, errors = library.load(str(d))
    assert errors == []
    assert [r.name for r in routines] == ["daily", "full", "guasha", "acupressure", "eyes", "aaa-mine"]
    assert routines[0].colour == 0x55AAFF      # "#010203" at full strength


def test_more_routines_than_the_wand_holds_are_reported(tmp_path):
    d = copy_builtins(tmp_path)
    data = json.loads((BUILTIN / "eyes.json").read_text())
    for i in range(5):
        data["name"] = "extra%d" % i
        (d / ("extra%d.json" % i)).write_text(json.dumps(data))
    routines, errors = library.load(str(d))
    assert len(routines) == MAX_ROUTINES
    assert len(errors) == 10 - MAX_ROUTINES and "holds 8 routines" in errors[0]


def test_a_missing_folder_is_an_error_not_a_crash(tmp_path):
    routines, errors = library.load(str(tmp_path / "nope"))
    assert routines == () and len(errors) == 1
