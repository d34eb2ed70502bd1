# The firmware on the chip: boot it on an emulated Raspberry Pi Pico running
# MicroPython's real rp2 port, with the files `host_tools flash` puts on a
# wand, play a short session through its pins (the button, the pressure
# sensor's ADC), and hold what it did against the simulator: the journal it
# wrote at power-off equals the simulator's trace, and the duty its motor
# pin carried follows the simulator's --wire motor lines, change for change.
#
# It skips, saying why, only when the emulated Pico cannot run here (the
# MicroPython firmware file is absent; tests/chip/rig.py says how to get it).
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "chip"))
import rig                                    # noqa: E402
from facewand import board as board_file       # noqa: E402
from sim.fakehw.script import GESTURE_EDGES, parse_script   # noqa: E402

pytestmark = pytest.mark.slow

# What the chip did, for the test command's summary (tests/conftest.py).
STATS = {"skipped": None, "journal": 0, "motor": 0}

BOARD = "pico"
ROUTINE = "daily"
# Start, press too hard and let go, skip a step, pause and resume, end the
# session, switch off: every kind of cue in 12 s of emulated time.
SCRIPT = """\
0.5 press
2.5 pressure 0.9
3.5 pressure 0.2
5 double
7 press
8 press
9.5 long
11 long
"""
# The loop reads its inputs at the tick: an edge set a few ms before the
# script's time is seen on the tick the simulator sees it on.
EARLY_MS = 5
TICK_MS = 20
END_EMU_S = 18      # emulated seconds: boot, the session, the journal


def _sim(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    trace = tmp_path / "sim.jsonl"
    # On a wand's flash as fresh as the chip's (no settings saved yet).
    p = subprocess.run([sys.executable, "-m", "sim", "run", "--routine", ROUTINE, "--board", BOARD,
                        "--script", str(script), "--quiet", "--wire", "--trace", str(trace),
                        "--flash", str(tmp_path / "flash")],
                       cwd=rig.ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    journal, motor = [], []
    for line in trace.read_text().splitlines():
        ev = json.loads(line)
        if ev["event"] == "motor":
            motor.append((ev["t_ms"], ev["duty"]))
        elif ev["event"] not in ("input", "ring"):
            ev.pop("rgb", None)        # the wand keeps no copy of the ring's picture
            journal.append(ev)
    return journal, motor


def _pin_events(board):
    """The script as pin and ADC events for the emulated Pico, timed from
    the watchdog's start (the wand's power-on)."""
    b = board_file.load(str(rig.ROOT / "boards" / (board + ".json")))
    events = []
    for t, kind, value in parse_script(SCRIPT, "chip script"):
        if kind == "pressure":
            events.append(rig.pressure_event(b, t - EARLY_MS, value))
            continue
        for dt, pressed in GESTURE_EDGES[kind]:
            events.append(rig.button_event(b, t + dt - EARLY_MS, pressed))
    return b, events, rig.at_rest(b)


def duty_changes(edges, anchor_ms, period_ns):
    """(ms from power-on, duty_u16) each time the PWM's duty changed, read
    from the pin's edges: high time over period for each cycle; a pin that
    stays low for two periods has duty 0."""
    out = []
    last = 0
    rise = None
    prev_rise = None
    for ns, level in edges:
        if level:
            if prev_rise is not None and ns - prev_rise > 2 * period_ns and last:
                # it stopped after the previous cycle's fall
                out.append(((fall + period_ns) / 1e6 - anchor_ms, 0))
                last = 0
            prev_rise = rise = ns
        elif rise is not None:
            fall = ns
            duty = round((fall - rise) / period_ns * 65536)
            if abs(duty - last) > 65536 // 100:
                out.append((rise / 1e6 - anchor_ms, duty))
                last = duty
    if last:
        out.append(((fall + period_ns) / 1e6 - anchor_ms, 0))
    return out


@pytest.fixture(scope="module")
def chip_run(tmp_path_factory):
    why = rig.missing()
    if why:
        STATS["skipped"] = why
        pytest.skip("the emulated Pico cannot run: " + why)
    out = tmp_path_factory.mktemp("chip")
    b, events, init = _pin_events(BOARD)
    files = rig.wand_files(BOARD)
    run = rig.run(files, out, events=events, init=init, watch=(b.motor["pin"],),
                  max_emu=END_EMU_S)
    CACHE["flashed"] = files.get("checked.cache")
    CACHE["after"] = rig.read(run.fs(), "/checked.cache")
    return b, run, _sim(out)


CACHE = {}      # checked.cache as flashed, and as the chip left it


def test_the_chip_writes_the_journal_the_simulator_traces(chip_run):
    b, run, (expected, _) = chip_run
    journal = rig.read(run.fs(), "/journal.jsonl")
    assert journal is not None, "no journal on the chip's flash; serial said: " + run.serial[-800:]
    got = [json.loads(line) for line in journal.decode().splitlines() if line.strip()]
    kinds = {e["event"] for e in expected}
    assert {"warn", "clear", "step", "stroke", "vibe", "state"} <= kinds
    assert [e["state"] for e in expected if e["event"] == "state"][-1] == "off"
    assert got == expected
    STATS["journal"] = len(got)


def test_the_motor_pin_carries_the_simulators_duty(chip_run):
    b, run, (_, motor) = chip_run
    period_ns = 1e9 / b.motor["freq"]
    got = duty_changes(run.edges(b.motor["pin"]), run.meta["anchor_ms"], period_ns)
    # the pin drops to 0 only once the pattern has ended: the sim's trailing
    # "stop" writes of an already-still motor carry no change
    squashed = []
    for t, d in motor:
        if not squashed or abs(squashed[-1][1] - d) > 65536 // 100:
            squashed.append((t, d))
    if squashed and squashed[0][1] == 0:
        squashed = squashed[1:]
    assert len(squashed) > 20
    assert len(got) == len(squashed), (got[:10], squashed[:10])
    for (tg, dg), (ts, ds) in zip(got, squashed):
        assert abs(dg - ds) <= 65536 // 100, ((tg, dg), (ts, ds))
        assert -1 <= tg - ts <= TICK_MS, ((tg, dg), (ts, ds))
    STATS["motor"] = len(got)


def test_the_chip_boots_from_the_checked_cache_the_flash_put_there(chip_run):
    # Its key on the chip is the host's: it neither ran the checkers nor
    # wrote a cache of its own (facewand/checked.py), and ran the session
    # above from it.
    assert CACHE["flashed"] is not None
    assert CACHE["after"] == CACHE["flashed"]


def test_the_chip_checks_its_files_as_the_host_did(chip_run, tmp_path):
    # With no cache, the chip runs the checkers (single-precision floats,
    # MicroPython's json) and writes its own: it holds what the host's does.
    from facewand import checked
    files = rig.wand_files(BOARD, {"main.py": START_ONLY_MAIN})
    host = files.pop("checked.cache")
    b, _, init = _pin_events(BOARD)
    run = rig.run(files, tmp_path / "chip", init=init, max_emu=30, stop_on="started: ")
    assert "started: 5 routines" in run.serial, run.serial[-800:]
    chip = rig.read(run.fs(), "/checked.cache")
    assert chip is not None, run.serial[-800:]
    kept = {}
    for name, data in (("host", host), ("chip", chip)):
        d = tmp_path / name
        for path, content in dict(files, **{"checked.cache": data}).items():
            (d / path).parent.mkdir(parents=True, exist_ok=True)
            (d / path).write_bytes(content)
        kept[name] = checked.read(str(d), checked.key(str(d), str(d / "facewand")))
        assert kept[name] is not None, name
    host_b, host_r, host_e, host_n = kept["host"]
    chip_b, chip_r, chip_e, chip_n = kept["chip"]
    assert vars(chip_b) == vars(host_b)
    assert [vars(r) for r in chip_r] == [vars(r) for r in host_r]
    assert (chip_e, chip_n) == (host_e, host_n) == ([], [])


# main.py for a start and no more: the checked cache written, the outputs off.
START_ONLY_MAIN = b"""import machine, neopixel, time
from facewand import start
built = start.start(machine, neopixel, time, "")
built[1].motor.stop()
print("started: %d routines" % len(built[2].routines))
"""
