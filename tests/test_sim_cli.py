# The simulator's command-line contract, as other tools rely on it.
import json
import os
import subprocess
import sys

import pytest

from mprig import REPO_ROOT


def sim(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def trace_of(tmp_path, *args):
    t = tmp_path / "t.jsonl"
    p = sim("run", "--quiet", "--trace", str(t), *args)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in t.read_text().splitlines()]


def script(tmp_path, text, name="s.txt"):
    f = tmp_path / name
    f.write_text(text)
    return str(f)


def states(tr):
    return [e["state"] for e in tr if e["event"] == "state"]


@pytest.mark.slow
def test_default_run_is_one_press_at_half_a_second_then_a_whole_session(tmp_path):
    tr = trace_of(tmp_path, "--routine", "daily")
    inputs = [e for e in tr if e["event"] == "input"]
    assert inputs == [{"t_ms": 500, "event": "input", "input": "press"}]
    assert states(tr) == ["idle", "running", "done"]
    steps = [e for e in tr if e["event"] == "step"]
    assert [s["index"] for s in steps] == list(range(1, 11))
    assert all(s["round"] == 1 for s in steps)


@pytest.mark.slow
def test_every_line_has_the_contract_fields(tmp_path):
    tr = trace_of(tmp_path, "--routine", "daily", "--script",
                  script(tmp_path, "0.5 press\n5 pressure 0.9\n7 pressure 0.1\n30 battery 3.1\n"))
    ts = [e["t_ms"] for e in tr]
    assert all(isinstance(t, int) for t in ts) and ts == sorted(ts)
    for e in tr:
        k = e["event"]
        if k == "state":
            assert e["state"] in ("idle", "running", "paused", "done", "off")
        elif k == "step":
            assert isinstance(e["index"], int) and isinstance(e["name"], str) and isinstance(e["round"], int)
        elif k == "vibe":
            assert isinstance(e["pattern"], str) and isinstance(e["ms"], int) and e["ms"] > 0
        elif k == "led":
            assert isinstance(e["pattern"], str)
        elif k in ("warn", "clear"):
            assert e["reason"] in ("pressure_high", "battery_low")
    assert {"warn", "clear"} <= {e["event"] for e in tr}


@pytest.mark.slow
def test_full_routine_repeats_the_ten_steps_for_six_rounds(tmp_path):
    tr = trace_of(tmp_path, "--routine", "full")
    steps = [(e["index"], e["round"]) for e in tr if e["event"] == "step"]
    assert steps == [(i, r) for r in range(1, 7) for i in range(1, 11)]
    assert states(tr)[-1] == "done"


@pytest.mark.slow
def test_script_only_its_events_happen_and_an_idle_wand_switches_off(tmp_path):
    tr = trace_of(tmp_path, "--routine", "daily", "--script", script(tmp_path, "# nothing\n"))
    assert states(tr) == ["idle", "off"]
    assert tr[-1]["t_ms"] >= 120000            # the default auto-off time


@pytest.mark.slow
def test_end_line_stops_the_run(tmp_path):
    tr = trace_of(tmp_path, "--routine", "daily", "--script", script(tmp_path, "0.5 press\n10 end\n"))
    assert tr[-1] == {"t_ms": 10000, "event": "input", "input": "end"}
    assert states(tr) == ["idle", "running"]


@pytest.mark.slow
def test_a_paused_wand_left_alone_switches_off(tmp_path):
    tr = trace_of(tmp_path, "--routine", "daily", "--script", script(tmp_path, "0.5 press\n5 press\n"))
    assert states(tr) == ["idle", "running", "paused", "off"]


@pytest.mark.slow
def test_routine_by_path(tmp_path):
    path = os.path.join(REPO_ROOT, "firmware", "routines", "eyes.json")
    tr = trace_of(tmp_path, "--routine", path)
    assert states(tr)[-1] == "done"


@pytest.mark.slow
def test_start_tick_near_the_wrap_gives_the_same_trace(tmp_path):
    a = trace_of(tmp_path, "--routine", "eyes")
    b = trace_of(tmp_path, "--routine", "eyes", "--start-tick", str((1 << 30) - 7000))
    assert a == b


@pytest.mark.slow
@pytest.mark.parametrize("text, where", [
    ("0.5 press\nsoon press\n", ":2:"),
    ("0.5 wiggle\n", ":1:"),
    ("1 pressure 1.5\n", ":1:"),
    ("1 pressure\n", ":1:"),
    ("1 battery 9\n", ":1:"),
    ("1 press now\n", ":1:"),
    ("-1 press\n", ":1:"),
    # ASCII digits only, the same grammar on both interpreters
    ("\u00b2 press\n", ":1:"),
    ("\u0663 press\n", ":1:"),
    ("1 pressure 0.\u0665\n", ":1:"),
    ("1" * 5000 + " press\n", ":1:"),           # a time too long for int() must not crash
    ("99999 press\n", ":1:"),                    # after the 4-hour end of every run
    ("5 press\n2 double\n", ":2:"),             # times go forward, never re-sorted
])
def test_bad_script_lines_exit_2_naming_file_and_line(tmp_path, text, where):
    f = script(tmp_path, text, "bad.txt")
    p = sim("run", "--quiet", "--routine", "daily", "--script", f)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert "bad.txt" + where in p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args, needle", [
    (["--routine", "nosuch"], "unknown routine 'nosuch'"),
    (["--routine", "/nonexistent/x.json"], "x.json"),
    (["--routine", "daily", "--script", "/nonexistent/s.txt"], "s.txt"),
    (["--routine", "daily", "--trace", "/nonexistent/dir/t.jsonl"], "t.jsonl"),
    (["--routine", "daily", "--trace", "/dev/full"], "/dev/full: cannot be written"),
    (["--routine", "daily", "--board", "nosuch"], "unknown board 'nosuch'"),
    (["--routine"], "--routine"),
    ([], "--routine"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle):
    p = sim("run", "--quiet", *args)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert needle in p.stderr


@pytest.mark.slow
def test_bad_routine_file_exits_2_with_the_checker_message(tmp_path):
    f = tmp_path / "mine.json"
    data = json.loads((REPO_ROOT / "firmware" / "routines" / "daily.json").read_text())
    data["steps"][3]["strokes"] = 99
    f.write_text(json.dumps(data))
    p = sim("run", "--quiet", "--routine", str(f))
    assert p.returncode == 2
    # named as it was given, like the script and trace files
    assert p.stderr.strip() == "sim: %s: steps[3].strokes: expected an integer 0..20, got 99" % f


@pytest.mark.slow
def test_script_that_is_not_utf8_exits_2(tmp_path):
    f = tmp_path / "bin.txt"
    f.write_bytes(b"\xff\xfe0.5 press\n")
    p = sim("run", "--quiet", "--routine", "daily", "--script", str(f))
    assert p.returncode == 2 and "not UTF-8" in p.stderr


@pytest.mark.slow
def test_terminal_view_draws_the_wand_unless_quiet(tmp_path):
    p = sim("run", "--routine", "eyes")
    assert p.returncode == 0
    # Not a terminal here: the view falls back to a line per state and step.
    assert "step 1/5 round 1: Inner corners" in p.stdout
    assert "done" in p.stdout
    q = sim("run", "--routine", "eyes", "--quiet")
    assert q.stdout == ""


@pytest.mark.slow
def test_sim_wand_serves_a_virtual_wand_on_a_pty():
    import select
    p = subprocess.Popen([sys.executable, "-m", "sim", "wand", "--board", "pico"], cwd=REPO_ROOT,
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        ready, _, _ = select.select([p.stdout], [], [], 60)
        port = p.stdout.readline().strip() if ready else ""
        assert port.startswith("/dev/pts/") and os.path.exists(port)
    finally:
        p.terminate()
        assert p.wait(timeout=30) == 0
        p.stdout.close()


def test_twenty_thousand_gestures_at_one_time_queue_their_edges_in_order():
    # Edges are kept in a heap (a sorted list re-sorted per line took 15 s
    # for this); equal times keep the order the script gave them.
    from facewand import board
    from sim.fakehw.world import World
    b = board.load(str(REPO_ROOT / "boards" / "pico.json"))
    w = World(b, [(1000, "press", 0)] * 20000 + [(1000, "double", 0)])
    seen = []
    real = w.set_button
    w.set_button = lambda pressed: (seen.append((w.t, pressed)), real(pressed))
    w.advance_to(1000)
    assert len(w.edges) == 20000 * 2 + 4 - len(seen)
    w.advance_to(2000)
    assert len(seen) == 20000 * 2 + 4 and not w.edges


@pytest.mark.slow
def test_output_into_a_pipe_closed_early_is_not_an_error():
    p = subprocess.run("%s -m sim run --routine full | head -1" % sys.executable, shell=True,
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert p.stdout.strip() and p.stderr == ""
    p = subprocess.run("set -o pipefail; %s -m sim run --routine full | head -1 >/dev/null" % sys.executable,
                       shell=True, executable="/bin/bash", cwd=REPO_ROOT, capture_output=True, timeout=120)
    assert p.returncode == 0


@pytest.mark.slow
def test_sim_wand_refuses_an_unknown_board():
    p = sim("wand", "--board", "nosuch")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "sim wand: unknown board 'nosuch' (known: esp32-devkitc, pico, xiao-rp2040)\n"


@pytest.mark.slow
def test_a_battery_latched_low_in_idle_starts_no_session(tmp_path):
    tr = trace_of(tmp_path, "--routine", "acupressure", "--script",
                  script(tmp_path, "0.5 battery 3.0\n3.1 press\n"))
    assert states(tr) == ["idle", "off"]
    assert [e["reason"] for e in tr if e["event"] == "warn"] == ["battery_low", "battery_low"]
    assert not [e for e in tr if e["event"] == "step"]
    assert tr[-1]["t_ms"] < 8000


def test_pressing_to_the_sensors_rail_keeps_the_warning_on():
    # Pressure builds to full scale, then the FSR's resistance falls so far
    # that the ADC reads its rail: the hardest press, not a broken sensor.
    from facewand import board
    from facewand.settings import Settings
    from sim.fakehw.script import parse_script
    from sim.session import Session
    from wire import ROUTINES
    lines = []
    b = board.load(str(REPO_ROOT / "boards" / "pico.json"))
    s = Session(ROUTINES, Settings(), parse_script("0.5 press\n4 pressure 0.6\n4.1 pressure 0.9\n", "s"),
                lines.append, b)

    def at_rail(t, engine):
        if t >= 4200:
            s.world.raw[b.pressure["pin"]] = 65535
        if t >= 9000:
            raise SystemExit
    s.on_step = at_rail
    try:
        s.run()
    except SystemExit:
        pass
    events = [json.loads(x) for x in lines]
    warn = [e["t_ms"] for e in events if e["event"] == "warn"]
    clear = [e["t_ms"] for e in events if e["event"] == "clear"]
    assert warn and warn[0] < 4300 and clear == []


@pytest.mark.parametrize("main, argv, line", [
    ("sim", ["run", "--routine", "daily", "--bogus"], "sim: unrecognized arguments: --bogus"),
    ("sim", ["cues", "--level", "x"], "sim: argument --level: invalid int value: 'x'"),
    ("wand", ["--heapsize", "lots"], "sim wand: argument --heapsize: invalid int value: 'lots'"),
    ("host_tools", ["routine", "check"], "host_tools: the following arguments are required: FILE"),
    ("host_tools", ["flash", "--port", "a\nb"], "host_tools: the following arguments are required: "
     "--board"),
    ("host_tools", ["journal", "--raw", "x\ny"], "host_tools: unrecognized arguments: x\\ny"),
])
def test_every_command_line_says_a_bad_argument_in_one_line_in_its_own_voice(capsys, main, argv, line):
    # One parser class for sim, sim wand and host_tools (sim/options.py),
    # subcommands included.
    from host_tools import cli as host_cli
    from sim import cli as sim_cli
    from sim.wand import server
    with pytest.raises(SystemExit) as e:
        {"sim": sim_cli.main, "wand": server.main, "host_tools": host_cli.main}[main](argv)
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", line + "\n")


@pytest.mark.slow
def test_board_is_one_option_everywhere(capsys):
    from host_tools import cli as host_cli
    from sim import cli as sim_cli
    from sim.options import BOARD_HELP
    helps = {}
    for main, argv in ((sim_cli.main, ["run", "--help"]), (sim_cli.main, ["cues", "--help"]),
                       (host_cli.main, ["flash", "--help"])):
        with pytest.raises(SystemExit):
            main(argv)
        helps[" ".join(argv)] = " ".join(capsys.readouterr().out.split())
    for text in helps.values():
        assert "--board NAME " + BOARD_HELP in text
    assert "--board NAME " + BOARD_HELP + " (default pico)" in helps["run --help"]
    assert "(default pico)" not in helps["flash --help"]
    # Both take a board by name or by path, resolved in one place (sim.paths).
    p = sim("cues", "--board", str(REPO_ROOT / "boards" / "pico.json"))
    assert p.returncode == 0 and p.stdout.startswith("pico: ERM on PWM"), p.stderr


def test_flash_keeps_what_a_run_saved_and_a_powercut_is_offered_back(tmp_path):
    flash = str(tmp_path / "wand")
    first = trace_of(tmp_path, "--routine", "daily", "--flash", flash, "--script",
                     script(tmp_path, "0.5 press\n40 powercut\n"))
    assert first[0] == {"t_ms": 0, "event": "note", "note": "settings_missing"}
    assert first[-1] == {"t_ms": 40000, "event": "input", "input": "powercut"}
    cut_at = [e for e in first if e["event"] == "step"][-1]
    second = trace_of(tmp_path, "--routine", "guasha", "--flash", flash, "--script",
                      script(tmp_path, "1 press\n20 end\n", "s2.txt"))
    offer = [e for e in second if e["event"] == "offer"]
    assert offer == [{"t_ms": 0, "event": "offer", "kind": "resume", "index": cut_at["index"],
                      "round": cut_at["round"], "routine": "daily"}]
    step = [e for e in second if e["event"] == "step"][0]
    assert (step["index"], step["round"], step["name"]) == (cut_at["index"], cut_at["round"],
                                                           cut_at["name"])
    assert sorted(os.listdir(flash)) == ["history.bin", "journal.jsonl", "progress.bin",
                                         "settings.json"]


@pytest.mark.parametrize("args, message", [
    (["--date", "2026-11-23T08:00"], "sim: --date: only with --flash (the clock matters only to what is saved)"),
    (["--flash", "{flash}", "--date", "23/11/2026"], "sim: --date: expected YYYY-MM-DDTHH:MM, got '23/11/2026'"),
    (["--flash", "{flash}", "--date", "2021-01-01T00:00"], "sim: --date: expected a year 2024..2099, got 2021"),
    (["--flash", "{file}"], "sim: --flash {file}: not a folder"),
])
def test_bad_flash_and_date_options_are_one_line_and_status_2(tmp_path, args, message):
    f = tmp_path / "a-file"
    f.write_text("x")
    fill = {"flash": str(tmp_path / "w"), "file": str(f)}
    p = sim("run", "--routine", "daily", "--quiet", *[a.format(**fill) for a in args])
    assert p.returncode == 2
    assert p.stderr.strip() == message.format(**fill)


def test_powercut_takes_no_value(tmp_path):
    p = sim("run", "--routine", "daily", "--quiet", "--script", script(tmp_path, "1 powercut now\n"))
    assert p.returncode == 2 and "'powercut' takes no value" in p.stderr
