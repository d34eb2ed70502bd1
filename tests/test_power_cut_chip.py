# Power cuts on the emulated Pico's real littlefs (MicroPython 1.28, rp2
# port; tests/chip/rig.py): the firmware as flashed, with a probe for its
# main.py that boots the wand as start-up does (facewand.start: the
# settings read, a journal.bin left by a cut written out, memory.recall),
# then writes settings, progress (numbered as the keeper numbers it), a
# history record and a journal chunk through facewand.memory, again and
# again, until the emulated chip is stopped at a pseudo-random moment. The flash as it was
# then (after.img) is read on the host and booted again on the chip, which
# writes and is cut again: a chain of cuts, each booted on.
#
# After every cut: the filesystem mounts; the wand boots (its notes say
# nothing is missing, bad or damaged); the settings are the old or the new
# ones, whole; every history record from before is there (but the oldest,
# overwritten once 64 are kept) and the probe's records run without a gap
# up to the one in flight, no session recorded twice; progress is the one
# before or after the write; journal.bin holds whole rounds' records, up to
# the one in flight, and the next boot writes them all out to
# journal.jsonl, with a cut line, and removes it.
#
# It skips, saying why, only when the emulated Pico cannot run here.
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "chip"))
import rig                                     # noqa: E402
import power_cut                               # noqa: E402
from facewand import board as board_file        # noqa: E402
from facewand import memory                     # noqa: E402
from facewand.memory import chunks             # noqa: E402
from facewand.names import NOTE_NAMES           # noqa: E402
from facewand.settings import Settings          # noqa: E402
from facewand.settings_limits import as_dict    # noqa: E402

pytestmark = pytest.mark.slow

END_CUT = power_cut.END_CUT
NOTE_SETTINGS_MISSING, NOTE_SETTINGS_BAD, NOTE_HISTORY_DAMAGED = (
    NOTE_NAMES.index(n) for n in ("settings_missing", "settings_bad", "history_damaged"))

# What the chip went through, for the test command's summary (tests/conftest.py).
STATS = {"skipped": None, "cuts": 0, "boots": 0, "moments_ms": [], "wall_s": 0.0}

BOARD = "pico"
WINDOW_S = 0.6        # each cut at a moment in this much of writing (a full history's
                      # rounds are slower: twice this)
CUTS = 2              # per chain (a run takes ~15-30 s of wall time)
MAX_EMU_S = 10        # a run that never reached its stop (it would fail)
ROUTINE_STEPS = 10    # the probe's progress: steps of "daily", as installed
JOURNAL_PER = 3       # journal records a round (state lines: commands.CMD_STATE)

# main.py: boot, say what start-up found, then write until the power goes.
# Each round n writes settings n (auto_off_ms, and the rest from it),
# progress n (`started`; the number its record will have, as the keeper
# fixes it when a session begins), history record n (`started`, routine
# "probe", that number) and JOURNAL_PER records at t = n to journal.bin,
# in that order, so the host can tell which write each file holds. A boot numbers its rounds on from the next thousand past the
# settings it found (State.base does the same on the host).
PROBE = b"""import machine, neopixel, time
from facewand import start, memory
from facewand.journal import Journal
from facewand.settings import Settings
built = start.start(machine, neopixel, time, "")
if not isinstance(built, tuple) or len(built) != 6:
    print("probe: no wand: %s" % (built,))
else:
    built[1].motor.stop()
    base = 1 + (built[2].settings.auto_off_ms - 10000) // 10 // 1000
    print("probe: booted at %d ms, notes %d" % (time.ticks_ms(), built[2].notes))
    built = None
    files = memory.Files()
    j = Journal(16)
    time.sleep_ms(100)
    print("probe: writing")
    n = base * 1000
    while True:
        n += 1
        memory.write_settings(files, "", Settings(
            intensity=100 + n % 900, brightness=20 + n % 81, auto_off_ms=10000 + 10 * n,
            battery_low_mv=2800 + n % 1400))
        seq = memory.next_seq(files, "")
        memory.write_progress(files, "", memory.Progress("daily", n % STEPS, STEPS, n % 65536,
                                                         0, 0, 0, n, 0, seq))
        memory.append_history(files, "", n, n % 65536, 10, 10, "probe", 0, 0, 1, 0, seq)
        for i in range(PER):
            j.take(n, [1, i, 0, 0], 1)
        memory.save_journal(files, "", j)
""".replace(b"STEPS", b"%d" % ROUTINE_STEPS).replace(b"PER", b"%d" % JOURNAL_PER)


def _probe_settings(n):
    return as_dict(Settings(intensity=100 + n % 900, brightness=20 + n % 81,
                            auto_off_ms=10000 + 10 * n, battery_low_mv=2800 + n % 1400))


def _start_full():
    """A wand that has kept 62 sessions (the probe's, 1..62), its settings
    (the probe's n = 0) and a session cut at its step 6: the chain's writes
    fill the history and go on over the oldest."""
    fs = power_cut.CutFiles({})
    s = Settings()
    for k, v in _probe_settings(0).items():
        setattr(s, k, v)
    memory.write_settings(fs, "", s)
    memory.write_progress(fs, "", memory.Progress("daily", 6, ROUTINE_STEPS, 62, 0, 0, 0, 62, 0,
                                                  62))
    for n in range(1, 63):
        memory.append_history(fs, "", n, n, 10, 10, "probe", 0, 0, 1, 0)
    return {p.lstrip("/"): d for p, d in fs.files.items()}


# name: (what is on the flash besides the firmware, seed of the cut moments,
# the window they fall in)
CHAINS = {"fresh": (dict, 10, WINDOW_S), "full": (_start_full, 64, 2 * WINDOW_S)}


def _boot_image(img, out, init, max_emu, stop_on, stop_after=None):
    """rig.run, but on a filesystem image as the chip left it (not one
    made afresh from files), stopped `stop_after` emulated seconds after
    a serial line matches `stop_on` (at once without)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "fs.img").write_bytes(img)
    cmd = ["node", str(rig.RUNNER_DIR / "run.mjs"), str(rig.FIRMWARE), "--fs", str(out / "fs.img"),
           "--save-fs", str(out / "after.img"), "--out", str(out), "--quiet", "--no-echo",
           "--init", init, "--max-emu", "%.6f" % max_emu]
    cmd += ["--stop-on", stop_on]
    if stop_after:
        cmd += ["--stop-after-emu", "%.6f" % stop_after]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not (out / "meta.json").exists():
        raise RuntimeError("the emulated Pico failed (status %d): %s"
                           % (proc.returncode, (proc.stderr or proc.stdout)[-500:]))
    return rig.Run(out, proc)


class State:
    """What a filesystem image holds, read on the host by facewand.memory."""

    def __init__(self, img):
        fs = rig._fs(img)                 # raises if the image will not mount
        files = {}
        for path in (memory.SETTINGS, memory.PROGRESS, memory.HISTORY, memory.JOURNAL,
                     power_cut.JSONL):
            try:
                with fs.open(path, "rb") as f:
                    files[path] = f.read()
            except Exception:
                pass                      # no such file
        self.had_settings = memory.SETTINGS in files
        cut = power_cut.CutFiles(files)
        s = Settings()
        self.note, self.message = memory.read_settings(cut, "", s)
        self.settings = as_dict(s)
        self.records, self.damaged = memory.read_history(cut, "")
        self.progress = memory.read_progress(cut, "")
        self.journal = chunks(files.get(memory.JOURNAL, b""))
        self.jsonl = power_cut._journal_lines(files)

    def settings_n(self):
        """The probe's write number n these settings are, "defaults", or
        a mixture (an AssertionError)."""
        if self.settings == as_dict(Settings()):
            return "defaults"
        n = (self.settings["auto_off_ms"] - 10000) // 10
        assert self.settings == _probe_settings(n), "settings no probe write made: %r" % self.settings
        return n

    def base(self):
        """The number the probe's next boot writes on from (as it does,
        from the settings start-up read: these, or the defaults)."""
        return 1000 * (1 + (self.settings["auto_off_ms"] - 10000) // 10 // 1000)


def _chain(name, tmp, init):
    """Boot, write and cut CUTS times, each on the image the last one left;
    then boot once more. Returns [(image before, its run, the cut's moment
    in s after the probe began to write, or None for the last boot)]."""
    extra, seed, window = CHAINS[name]
    img = rig.image(rig.wand_files(BOARD, dict(extra(), **{"main.py": PROBE})))
    rng = random.Random(seed)
    out = []
    for k in range(CUTS + 1):
        last = k == CUTS
        moment = None if last else round(rng.uniform(0.005, window), 6)
        # cut `moment` s after the probe said it begins to write; the
        # last run stopped as soon as the wand has booted
        run = _boot_image(img, tmp / ("%s-%d" % (name, k)), init, MAX_EMU_S,
                          "^probe: booted" if last else "^probe: writing", moment)
        assert "stop-on matched" in (run.out / "emu.log").read_text(), run.serial[-800:]
        out.append((img, run, moment))
        img = run.fs()
        assert img is not None, run.serial[-800:]
    return out


@pytest.fixture(scope="module")
def chains(tmp_path_factory):
    why = rig.missing()
    if why:
        STATS["skipped"] = why
        pytest.skip("the emulated Pico cannot run: " + why)
    rig._runner()                          # copied once, before the runs share it
    b = board_file.load(str(rig.ROOT / "boards" / (BOARD + ".json")))
    init = rig.at_rest(b)
    tmp = tmp_path_factory.mktemp("power-cut-chip")
    t = time.time()
    with ThreadPoolExecutor(len(CHAINS)) as pool:
        jobs = {name: pool.submit(_chain, name, tmp, init) for name in CHAINS}
        got = {name: job.result() for name, job in jobs.items()}
    STATS["wall_s"] = time.time() - t
    return got


def _booted(run):
    """(ms, notes) from the probe's line after start-up."""
    for line in run.serial.splitlines():
        if line.startswith("probe: booted"):
            words = line.replace(",", "").split()
            return int(words[3]), int(words[6])
        assert not line.startswith("probe: no wand"), line
    raise AssertionError("the wand did not boot; the chip said:\n" + run.serial[-800:])


def _check_boot(before, run, after_boot):
    """The boot on `before` (a State) in `run`: it started, said nothing is
    bad, and recorded the session found in progress, if unrecorded, as cut."""
    ms, notes = _booted(run)
    assert not notes & (1 << NOTE_SETTINGS_BAD | 1 << NOTE_HISTORY_DAMAGED), notes
    assert bool(notes & 1 << NOTE_SETTINGS_MISSING) == (not before.had_settings), notes
    p = before.progress
    # a session found in progress is recorded, as cut, unless a record of
    # the number its progress holds is there (written before the cut)
    cut = (p is not None and not p.flags & power_cut.FLAG_RECORDED
           and not [r for r in before.records if r[0] & 0xFFFF == p.seq])
    # on the flash after start-up: the record of the cut session
    added = [r for r in after_boot.records if r not in before.records]
    if cut:
        seq = before.records[-1][0] + 1 if before.records else 0
        assert [r for r in added if r[5] != "probe"] == [
            (max(seq, p.seq), p.started, p.active_s, p.inst, p.planned, p.name, p.pauses,
             p.warnings, END_CUT, p.flags & memory.FLAG_RESUMED)]
    else:
        assert [r for r in added if r[5] != "probe"] == []
    # the journal the cut wake left, written out with a cut line
    if before.journal:
        assert after_boot.jsonl == power_cut._lines(before.journal) + [
            (before.journal[-1][0], "cut")], after_boot.jsonl
    else:
        assert after_boot.jsonl == before.jsonl


def _check_history(before, after):
    """Every record from `before` is still there `after` (but the oldest,
    once 64 are kept), none damaged, numbered without a gap. Returns the
    new ones."""
    assert after.damaged == 0
    sessions = [(r[1], r[5]) for r in after.records]
    assert len(set(sessions)) == len(sessions), "a session recorded twice"
    new = [r for r in after.records if r not in before.records]
    kept = sorted(before.records + new)[-power_cut.SLOTS:]
    assert after.records == kept, "history records lost"
    seqs = [r[0] for r in after.records]
    assert seqs == list(range(seqs[0] if seqs else 0, (seqs[0] if seqs else 0) + len(seqs))), seqs
    return new


def _check_cut(before, after):
    """The flash `after` a cut of the probe's writes that began on `before`."""
    assert after.note == 0, after.message
    new = _check_history(before, after)
    # The probe's records up to the one in flight, none missing.
    base = before.base()
    mine = sorted(r[1] for r in new if r[5] == "probe")
    assert mine == list(range(base + 1, base + 1 + len(mine))), mine
    h = base + len(mine)            # the last record written whole
    # Each round writes settings n, progress n, record n: settings and
    # progress are the old or the new ones of the round in flight.
    s = after.settings_n()
    p = after.progress
    # journal.bin: this wake's rounds, each whole, up to record h or the
    # one before (its chunk comes after it)
    rounds = [t for t, kind, a, b, c in after.journal]
    assert [r[1] for r in after.journal] == [1] * len(rounds), after.journal
    got = sorted(set(rounds))
    assert rounds == [t for t in got for _ in range(JOURNAL_PER)], rounds
    assert got == list(range(base + 1, base + 1 + len(got))) and len(mine) - len(got) in (0, 1), (
        got, h)
    if mine:
        assert p is not None and p.name == "daily" and not p.flags & power_cut.FLAG_RECORDED
        assert (s, p.started) in ((h, h), (h + 1, h), (h + 1, h + 1)), (s, p.started, h)
        # numbered as its record is (or will be)
        assert [r[0] for r in after.records if r[1] == p.started] in ([], [p.seq]), p.seq
    else:
        old_s = before.settings_n() if before.had_settings else "defaults"
        assert s in (old_s, h + 1), (s, old_s, h)
        if p is not None and p.started == h + 1:
            assert s == h + 1 and not p.flags & power_cut.FLAG_RECORDED
        else:
            # what start-up left: the old progress (marked recorded) or none
            old = before.progress
            assert p is None or (old is not None and p.started == old.started
                                 and p.flags & power_cut.FLAG_RECORDED), p


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_a_cut_pico_boots_and_keeps_its_memory(chains, name):
    runs = chains[name]
    for k in range(len(runs)):
        img, run, moment = runs[k]
        before = State(img)
        after = State(run.fs())
        _check_boot(before, run, after)
        print("DBG", name, k, moment, "before: rec", len(before.records), "p", before.progress and (before.progress.started, before.progress.seq, before.progress.flags), "j", len(before.journal), "jsonl", len(before.jsonl), "| after: rec", len(after.records), after.records[-2:], "p", after.progress and (after.progress.started, after.progress.seq, after.progress.flags), "j", len(after.journal), after.journal[-1:], "jsonl", len(after.jsonl), after.jsonl[-1:], after.settings["auto_off_ms"])
        if moment is None:
            # the last boot, stopped once it had booted: nothing written since
            assert "probe: writing" not in run.serial
            assert after.settings == before.settings and after.note == 0
            assert after.journal == []
            assert [r for r in _check_history(before, after) if r[5] == "probe"] == []
        else:
            assert "probe: writing" in run.serial, run.serial[-800:]
            _check_cut(before, after)
            STATS["cuts"] += 1
            STATS["moments_ms"].append(round(moment * 1000))
        STATS["boots"] += 1
