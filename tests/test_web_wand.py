# The wand in a browser without the browser: python -m sim web's server
# (sim/web.py) over real HTTP in this process, and the page's MicroPython
# side (sim/web_wand.py) driven here on CPython, as the page drives it.
# tests/test_web.py runs the whole page in Chromium.
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from facewand import board as board_file, library
from facewand.names import VIBE_NAMES
from facewand.settings import Settings
from sim import cli, paths, web, web_wand
from sim.display import Display
from sim.session import Session, default_script
from sim.shown import wire_rgb

from host_cli import one_line

WEB = os.path.join(paths.ROOT, "web")


# --- the server ---------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    s = web.make_server(0, "127.0.0.1")
    t = threading.Thread(target=s.serve_forever, daemon=True)
    t.start()
    yield s
    s.shutdown()
    s.server_close()


def get(server, path, method="GET"):
    """The response to `path` sent as it is (no client-side tidying)."""
    c = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        c.endheaders()
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        c.close()


@pytest.mark.parametrize("path, kind, source", [
    ("/", "text/html; charset=utf-8", "web/index.html"),
    ("/main.js", "text/javascript; charset=utf-8", "web/main.js"),
    ("/files.json", "application/json", "web/files.json"),
    ("/style.css", "text/css; charset=utf-8", "web/style.css"),
    ("/mp/micropython.mjs", "text/javascript; charset=utf-8", None),
    ("/mp/micropython.wasm", "application/wasm", None),
    ("/firmware/facewand/engine.py", "text/x-python; charset=utf-8", "firmware/facewand/engine.py"),
    ("/firmware/package.json", "application/json", "firmware/package.json"),
    ("/firmware/routines/daily.json", "application/json", "firmware/routines/daily.json"),
    ("/sim/web_wand.py", "text/x-python; charset=utf-8", "sim/web_wand.py"),
    ("/boards/pico.json", "application/json", "boards/pico.json"),
    ("/boards/pico.json?x=1", "application/json", "boards/pico.json"),
])
def test_serves_each_root_with_its_type(server, path, kind, source):
    status, ctype, body = get(server, path)
    assert (status, ctype) == (200, kind)
    if source is None:
        source = os.path.join(paths.MICROPYTHON_WASM, path.rsplit("/", 1)[1])
    with open(os.path.join(paths.ROOT, source), "rb") as f:
        assert body == f.read()
    status, ctype, body = get(server, path, "HEAD")
    assert (status, ctype, body) == (200, kind, b"")


@pytest.mark.parametrize("path", [
    "/../README.md", "/%2e%2e/README.md", "/%2E%2E/Makefile", "/sim/../README.md",
    "/sim/%2e%2e/README.md", "/sim/..%2fREADME.md", "/sim/%2e%2e%2f%2e%2e%2fetc/passwd",
    "/..%5cREADME.md", "//etc/passwd", "/%2fetc/passwd", "/etc/passwd", "/boards/../Makefile",
    "/mp/../../package.json", "/.gitignore", "/sim/__init__.py/", "/sim/./session.py",
    "/firmware", "/sim/fakehw", "/nothing.html", "/%00", "/%ff", "http://127.0.0.1/README.md",
    "/mp/%2e%2e/%2e%2e/package.json",
])
def test_refuses_what_is_outside_the_roots(server, path):
    status, _, body = get(server, path)
    assert status == 404
    assert b"facewand" not in body.lower().replace(b"facewand-web", b"")


def test_resolve_follows_no_symlink_out_of_a_root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "in.js").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    os.symlink(tmp_path / "secret.txt", root / "out.txt")
    os.symlink(tmp_path, root / "up")
    where = {"": str(root)}
    assert web.resolve("/in.js", where) == str(root / "in.js")
    assert web.resolve("/out.txt", where) is None
    assert web.resolve("/up/secret.txt", where) is None


def test_missing_micropython_package_is_one_line_and_status_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(paths, "MICROPYTHON_WASM", str(tmp_path / "gone"))
    assert cli.main(["web", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith("sim: ") and line.endswith("run make setup"), line
    assert out == ""


def test_missing_package_from_the_command_line():
    # As a person meets it: a fresh `python -m sim web` with the package
    # moved out of the way is not possible without touching the install,
    # so the same check runs with sim.paths pointed elsewhere in a child.
    code = ("import sys; from sim import paths; paths.MICROPYTHON_WASM = '/nonexistent/mp'; "
            "from sim import cli; sys.exit(cli.main(['web', '--port', '0']))")
    r = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert "run make setup" in one_line(r.stderr)


@pytest.mark.parametrize("argv, words", [
    (["web", "--port", "70000"], "--port: expected 0..65535"),
    (["web", "--port", "-1"], "--port: expected 0..65535"),
    (["web", "--host", "no.such.host.invalid"], "cannot listen on"),
])
def test_bad_port_or_host_is_one_line_and_status_2(capsys, argv, words):
    assert cli.main(argv) == 2
    assert words in one_line(capsys.readouterr().err)


def test_port_not_a_number_is_one_line_and_status_2(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["web", "--port", "eighty"])
    assert e.value.code == 2
    assert "--port" in one_line(capsys.readouterr().err)


def test_port_taken_is_one_line_and_status_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert cli.main(["web", "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1:%d" % port in one_line(capsys.readouterr().err)


def test_listens_on_this_machine_only_by_default():
    args = cli._parser().parse_args(["web"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


# --- what the page copies into MicroPython ------------------------------------

def test_files_json_lists_the_boards_and_the_modules_web_wand_imports():
    with open(os.path.join(WEB, "files.json")) as f:
        files = json.load(f)
    assert files["boards"] == paths.board_names()
    # What importing and running it pulls in, in a fresh interpreter, on
    # every board (the DRV2605 board needs more of the firmware).
    code = """if 1:
        import sys
        from sim import web_wand, paths
        for b in paths.board_names():
            web_wand.start(paths.BOARDS + "/" + b + ".json", paths.ROUTINES, "daily")
            web_wand.legend(); web_wand.cue_drive("finish", 0)
            web_wand.button(True, 500); web_wand.button(False, 600); web_wand.advance(30000)
        print(" ".join(sorted(m for m in sys.modules if m.startswith("sim"))))
    """
    r = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, PYTHONPATH=paths.FIRMWARE))
    assert r.returncode == 0, r.stderr
    used = set(r.stdout.split()) - {"sim.paths"}      # (the check's own import)
    listed = {"sim." + n[:-3].replace("/", ".").replace(".__init__", "") for n in files["sim"]}
    listed = {"sim" if n == "sim.__init__" else n for n in listed}
    assert listed == used
    for name in files["sim"]:
        assert os.path.isfile(os.path.join(paths.ROOT, "sim", name)), name


# --- the wand, as the page drives it ------------------------------------------

def start(routine="daily", board="pico"):
    info = json.loads(web_wand.start(os.path.join(paths.BOARDS, board + ".json"), paths.ROUTINES, routine))
    return info, web_wand.wand


def run_until(w, test, t, stop_ms, every=100):
    """advance() in steps of `every` ms from t until test(state); the states."""
    seen = []
    while t < stop_ms:
        t += every
        s = json.loads(w.advance(t))
        seen.append(s)
        if test(s):
            return seen, t
    raise AssertionError("not reached by %d ms: %s" % (stop_ms, seen[-1]))


def click(w, t):
    w.button(True, t)
    w.button(False, t)       # as quick as a test's click: the wand still sees it


def test_a_click_starts_daily_and_the_steps_follow_in_order_to_done():
    info, w = start()
    routines, _, _ = library.load(paths.ROUTINES)
    daily = routines[[r.name for r in routines].index("daily")]
    assert info["count"] == 12 and info["pressure"] and info["routine"] == "daily"
    assert info["routines"] == [r.name for r in routines]
    s = json.loads(w.advance(500))
    assert s["state"] == "idle" and s["step"] is None and s["cue"] is None
    click(w, 500)
    states, t = run_until(w, lambda s: s["state"] == "done", 500, 200000)
    names = []
    for s in states:
        if s["step"] and (not names or names[-1] != (s["step"]["round"], s["step"]["name"])):
            names.append((s["step"]["round"], s["step"]["name"]))
    assert names == [(r + 1, st.name) for r in range(daily.rounds) for st in daily.steps]
    first = next(s for s in states if s["step"])
    assert first["step"]["index"] == 1 and first["step"]["of"] == len(daily.steps)
    assert first["hint"] == daily.steps[0].hint
    cues = [s["cue"]["name"] for s in states if s["cue"]]
    assert cues[0] == "start" and "step1" in cues and cues[-1] == "finish"
    lit = [s for s in states if s["state"] == "running" and s["ring"].strip("0")]
    assert len(lit) > len(states) // 2
    assert any(s["drives"] for s in states) and states[-1]["active_ms"] == states[-1]["total_ms"]


def test_ring_is_the_wire_bytes_as_light():
    _, w = start(board="esp32-devkitc")                # a GRB ring of 16
    s = json.loads(w.advance(400))
    px = w.world.pixels[w.board.ring["pin"]].buf
    assert s["ring"] == bytes(wire_rgb(px, w.board.ring["order"])).hex()
    assert len(s["ring"]) == 6 * 16 and s["ring"].strip("0")


def test_motor_drive_each_tick_it_changed():
    _, w = start()
    click(w, 300)
    states, _ = run_until(w, lambda s: s["state"] == "running" and s["drives"], 300, 5000, every=20)
    drives = [d for s in states for d in s["drives"]]
    assert drives and all(t % 20 == 0 for t, _ in drives)
    values = [0] + [d for _, d in drives]
    assert all(a != b for a, b in zip(values, values[1:]))       # changes only
    assert drives[-1][1] == states[-1]["drive"] == w.world.motor_output() > 0


def test_long_press_in_idle_switches_off_and_the_run_ends():
    _, w = start()
    w.button(True, 300)
    w.button(False, 1300)
    states, _ = run_until(w, lambda s: s["ended"], 300, 10000)
    assert states[-1]["state"] == "off"
    assert [s["cue"]["name"] for s in states if s["cue"]][-1] == "power_off"
    assert json.loads(w.advance(60000))["t"] == states[-1]["t"]      # nothing runs once off


def test_double_press_in_idle_chooses_the_next_routine():
    info, w = start()
    w.button(True, 300)
    w.button(False, 350)
    w.button(True, 420)
    w.button(False, 470)
    states, _ = run_until(w, lambda s: s["routine"] != "daily", 300, 3000, every=20)
    assert states[-1]["routine"] == info["routines"][1]
    assert states[-1]["state"] == "idle"


def test_pressure_over_the_band_warns_and_the_band_is_the_steps():
    _, w = start()
    click(w, 300)
    states, t = run_until(w, lambda s: s["band"] is not None, 300, 10000)
    band = states[-1]["band"]
    assert band == 600                                  # daily's first step: pressure_max 0.6
    w.pressure(950)
    states, _ = run_until(w, lambda s: "pressure_high" in s["warns"], t, t + 5000, every=20)
    assert states[-1]["cue"]["words"] == "pressing too hard"
    w.pressure(100)
    run_until(w, lambda s: not s["warns"], t, t + 10000, every=20)


def test_shown_follows_the_trace_as_sim_display_does(monkeypatch):
    # The page's step, counter, warnings and ring pattern are those the
    # terminal's Display keeps from the same lines, from power-on.
    lines = []
    keep = web_wand.Shown.on_line

    def on_line(self, line):
        lines.append(line)
        keep(self, line)
    monkeypatch.setattr(web_wand.Shown, "on_line", on_line)
    _, w = start()
    display = Display(w.session.engine, out=io.StringIO())
    fed = 0
    click(w, 300)
    t = 300
    while t < 60000:
        t += 250
        if t == 20050:
            w.pressure(990)
        if t == 25050:
            w.pressure(0)
        s = json.loads(w.advance(t))
        for line in lines[fed:]:
            display.on_line(line)
        fed = len(lines)
        assert s["state"] == display.state
        assert s["count"] == display.count
        assert sorted(s["warns"]) == sorted(display.warns)
        assert s["led"] == display.led
        if s["state"] in ("running", "paused"):
            assert (s["step"] is None) == (display.step is None)
        if s["step"] is not None:
            assert (s["step"]["name"], s["step"]["index"], s["step"]["round"]) == (
                display.step["name"], display.step["index"], display.step["round"])
        if display.vibe[0]:
            assert s["cue"]["name"] == display.vibe[0]
    assert fed > 50 and "pressure_high" in "".join(lines)


def test_vibrate_pattern_joins_segments_that_run_on():
    from sim import felt
    assert web_wand.vibrate_pattern("step1") == [100]
    assert web_wand.vibrate_pattern("step4") == [100, 140, 100, 400, 100, 140, 100]
    assert web_wand.vibrate_pattern("press") == [460]           # a swell: one pulse
    for i, name in enumerate(VIBE_NAMES[1:], 1):
        seg = felt.segments(i)
        pulses = web_wand.vibrate_pattern(name)
        assert sum(pulses) == sum(seg[j] + seg[j + 1] for j in range(0, len(seg), 3)), name
        assert len(pulses) % 2 == 1 and all(pulses), name


def test_legend_and_cue_drive_leave_the_running_wand_alone():
    _, w = start()
    legend = json.loads(w.legend())
    assert [c["name"] for c in legend] == list(VIBE_NAMES[1:])
    assert legend[VIBE_NAMES.index("finish") - 1]["words"] == "finished"
    world = w.world
    d = json.loads(w.cue_drive("finish", 0))
    from sim.fakehw import machine
    assert machine.world is world
    assert d["level"] == 300 and d["end"] == 1240 and d["drives"][-1] == [1240, 0]
    click(w, 300)
    run_until(w, lambda s: s["step"] is not None, 300, 10000)


def test_bad_board_or_routine_is_a_value_error_of_one_line():
    with pytest.raises(ValueError, match="unknown routine 'nope'"):
        start(routine="nope")
    with pytest.raises(ValueError):
        web_wand.start("/nonexistent/board.json", paths.ROUTINES, "daily")


# --- Session.step, which the page paces the wand with --------------------------

@pytest.mark.parametrize("every", [7, 20, 333, 4000])
def test_a_stepped_session_writes_the_trace_run_writes(every):
    routines, _, _ = library.load(paths.ROUTINES)
    b = board_file.load(os.path.join(paths.BOARDS, "pico.json"))
    events = default_script() + [(30000, "double", 0), (31000, "pressure", 900), (34000, "pressure", 0)]

    def session(lines):
        return Session(routines, Settings(), list(events), lines.append, b, skip=False)
    ran = []
    session(ran).run()
    stepped = []
    s = session(stepped)
    ended = s.power_on()
    t = 0
    while not ended:
        t += every
        ended = s.step(t)
    assert stepped == ran and len(ran) > 100
