# Issue 10's power-loss proof: every write the wand makes to its memory cut
# at every operation and every byte, on a littlefs and a FAT model, each
# followed by a boot on what is left (tests/power_cut.py), on CPython and
# on MicroPython. The emulated Pico's real littlefs: test_power_cut_chip.py.
import pytest

import checkrun
import power_cut

# What the cuts came to, for the test command's summary (tests/conftest.py).
CUTS = {"cpython": {}, "micropython": {}}

# Fewer would mean a write went missing from the sweep.
LEAST = {"littlefs": 2500, "fat": 2500}


def count(interpreter, name, got):
    assert got["littlefs"] > 0 and got["fat"] > 0 and got["boots"] > 0
    CUTS[interpreter][name] = got


def totals(interpreter):
    """{"littlefs", "fat", "boots"} over the checks that ran."""
    out = {"littlefs": 0, "fat": 0, "boots": 0}
    for got in CUTS[interpreter].values():
        for k in out:
            out[k] += got[k]
    return out


@pytest.mark.parametrize("name", power_cut.CHECKS)
def test_power_cut_on_cpython(name):
    count("cpython", name, checkrun.cpython(power_cut, "check_cuts", name))


def test_the_sweep_covers_every_write():
    # Run after the ones above (file order): they are all there, and cut
    # often enough.
    got = CUTS["cpython"]
    if len(got) < len(power_cut.CHECKS):
        pytest.skip("run with every test_power_cut_on_cpython")
    t = totals("cpython")
    assert t["littlefs"] >= LEAST["littlefs"] and t["fat"] >= LEAST["fat"], t


def test_the_sweep_reads_memory_by_its_codes():
    # power_cut.py names the codes it needs (the firmware's are private
    # consts, no module attributes on MicroPython): held to memory's here.
    from facewand import memory
    assert power_cut.FLAG_RECORDED == memory._FLAG_RECORDED
    assert power_cut.SLOTS == memory._SLOTS
    assert power_cut.END_CUT == memory._END_CUT
    assert power_cut.END_FINISHED == memory._END_FINISHED


def test_the_model_is_littlefs_and_fat():
    # The filesystem the sweep cuts holds a write apart until close on
    # littlefs, and lets it through as it goes on FAT; renames over a file
    # on littlefs only.
    start = {"/a": b"old"}
    for fat in (False, True):
        fs = power_cut.CutFiles(start, fat, at=2, after=1)
        f = fs.open("/a", "wb")
        f.write(b"ne")
        with pytest.raises(power_cut.PowerCut):
            f.write(b"w!!")
        with pytest.raises(power_cut.PowerCut):
            f.close()
        assert fs.files == ({"/a": b"new"} if fat else start)
        fs = power_cut.CutFiles({"/a": b"1", "/b": b"2"}, fat)
        if fat:
            with pytest.raises(OSError):
                fs.rename("/a", "/b")
        else:
            fs.rename("/a", "/b")
            assert fs.files == {"/b": b"1"}
    # littlefs: a new file exists, empty, from its open; an old one keeps
    # its bytes until close.
    fs = power_cut.CutFiles({"/old": b"x"}, at=2)
    fs.open("/new", "wb")
    fs.open("/old", "wb")
    with pytest.raises(power_cut.PowerCut):
        fs.open("/other", "wb")
    assert fs.files == {"/old": b"x", "/new": b""}
    # An append (journal.bin): held until close on littlefs, through as it
    # goes on FAT; a file it creates exists at once on both.
    for fat in (False, True):
        fs = power_cut.CutFiles({"/j": b"ab"}, fat, at=2, after=1)
        f = fs.open("/j", "ab")
        f.write(b"cd")
        with pytest.raises(power_cut.PowerCut):
            f.write(b"ef")
        assert fs.files == {"/j": b"abcde" if fat else b"ab"}
        fs = power_cut.CutFiles({}, fat)
        fs.open("/k", "ab")
        assert fs.files == {"/k": b""}


@pytest.fixture(scope="module")
def micropython():
    outcomes = checkrun.micropython(power_cut, [("check_cuts", (name,)) for name in power_cut.CHECKS])
    return dict(zip(power_cut.CHECKS, outcomes))


@pytest.mark.slow
@pytest.mark.parametrize("name", power_cut.CHECKS)
def test_power_cut_on_micropython(micropython, name):
    got = micropython[name].result()
    # The same sweep as on CPython, to the cut.
    assert got == checkrun.cpython(power_cut, "check_cuts", name)
    count("micropython", name, got)
