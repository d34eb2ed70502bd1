# The repository's root and firmware/ are on sys.path by pyproject.toml's
# pythonpath; the root itself is sim.paths.ROOT (as mprig.REPO_ROOT, a Path).
import pytest


@pytest.hookimpl(tryfirst=True)     # before -m "not slow" deselects
def pytest_collection_modifyitems(items):
    # Property tests (hypothesis) run a hundred or more random cases each:
    # slow by nature, wherever they are (see the slow marker in pyproject.toml).
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    try:
        from test_app import FAULTS
        if FAULTS["cpython"] or FAULTS["micropython"]:
            terminalreporter.write_line(
                "fault injection: the motor was off within one tick of every injected driver fault "
                "(PWM, I2C, ADC, NeoPixel, file): %d survived on CPython, %d on MicroPython"
                % (FAULTS["cpython"], FAULTS["micropython"]))
    except ImportError:
        pass
    try:
        from test_chip import STATS as CHIP
        if CHIP["skipped"]:
            terminalreporter.write_line("chip test SKIPPED: " + CHIP["skipped"])
        elif CHIP["journal"] or CHIP["motor"]:
            terminalreporter.write_line(
                "chip test: the firmware as flashed, booted on the emulated Pico (MicroPython 1.28, "
                "rp2 port): its journal equals the simulator's trace (%d lines), its motor pin "
                "follows the --wire motor lines (%d duty changes, each within one tick and 1%%)"
                % (CHIP["journal"], CHIP["motor"]))
    except ImportError:
        pass
    try:
        from test_timing import FIGURES as T
        if T["sessions"]:
            terminalreporter.write_line(
                "timing: ticks up to %d ms late, %d sessions: every step, point and stroke cue (%d) at the "
                "first tick at or after its plan, at most %d ms late; end drift %d ms"
                % (T["late_ms"], T["sessions"], T["cues"], T["worst_ms"], max(map(abs, T["drift_ms"]))))
        if T["latency"]:
            words = {"press": "press (release to cue)", "double": "double (2nd release to cue)",
                     "long": "long (press to cue)", "pressure": "pressure (reading over the limit to warning)"}
            terminalreporter.write_line(
                "latency in 20 ms ticks, from the tick that reads the input [from the input itself]: "
                + "; ".join("%s %s [%.1f-%.1f]" % (
                    words[k], "%d" % f[0] if f[0] == f[1] else "%d-%d" % (f[0], f[1]), f[2] / 20, f[3] / 20)
                    for k, f in sorted(T["latency"].items())))
    except ImportError:
        pass
    try:
        from test_sensing import FIGURES as S
        if S:
            terminalreporter.write_line(
                "sensing: %d generated people, %d steps: stroke count within +-1 in %.1f%% (exact in %d), "
                "pace error %.1f%% mean (95th percentile %.1f%%, %d estimates); strokes counted from "
                "noise alone %d in %d minutes of still contact, during %d cued press plateaus %d "
                "(felt as presses: %d), during %d holds where strokes were asked %d"
                % (S["people"], S["steps"], 100 * S["accuracy"], S["off_by"].get(0, 0),
                   100 * S["pace_error_mean"], 100 * S["pace_error_p95"], S["pace_estimates"],
                   S["noise_strokes"], S["noise_minutes"], S["presses"], S["strokes_in_presses"],
                   S["presses_felt"], S["holds"], S["strokes_in_holds"]))
    except ImportError:
        pass
    try:
        from test_power_cut import CUTS, totals
        parts = []
        for key, name in (("cpython", "CPython"), ("micropython", "MicroPython")):
            if CUTS[key]:
                t = totals(key)
                parts.append("%d on %s (littlefs %d, fat %d; %d flash states)"
                             % (t["littlefs"] + t["fat"], name, t["littlefs"], t["fat"], t["boots"]))
        if parts:
            terminalreporter.write_line(
                "power-loss: cuts at every operation and byte of every memory write, %s, every boot "
                "ok, no session recorded twice" % ", ".join(parts))
    except ImportError:
        pass
    try:
        from test_power_cut_chip import STATS as PICO
        if PICO["skipped"]:
            terminalreporter.write_line("power-loss on the emulated Pico SKIPPED: " + PICO["skipped"])
        elif PICO["cuts"]:
            terminalreporter.write_line(
                "power-loss on the emulated Pico (real littlefs, MicroPython 1.28 rp2): %d cuts at "
                "%s ms into the writes, %d boots on what they left, every boot ok, settings old or "
                "new, history whole but the record in flight, no session twice, journal.bin in whole "
                "rounds and written out at the next boot (%.0f s)"
                % (PICO["cuts"], ", ".join(str(m) for m in sorted(PICO["moments_ms"])), PICO["boots"],
                   PICO["wall_s"]))
    except ImportError:
        pass
    try:
        from test_differential import STATS
    except ImportError:
        return
    if STATS["traces"]:
        terminalreporter.write_line(
            "differential check: %d traces (%d lines, %d of them motor and ring lines at the wire, "
            "boards %s) identical on CPython and MicroPython, heap locked around every tick "
            "(shell, drivers, engine) on MicroPython"
            % (STATS["traces"], STATS["lines"], STATS["wire"], ", ".join(sorted(STATS["boards"]))))
