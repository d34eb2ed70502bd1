# The wand in a browser, end to end: `python -m sim web` serving on
# 127.0.0.1, the page in headless Chromium (Debian's, which make setup
# installs) driven by Playwright. The firmware runs on MicroPython's
# WebAssembly build in the page; the test presses the on-screen button and
# follows a whole daily session to its end, then holds the button to switch
# the wand off. A screenshot taken mid-session is kept in
# build/test-artifacts/web-wand.png.
import json
import os
import re
import subprocess
import sys
import time

import pytest

from facewand import board as board_file, library
from sim import paths
from sim.felt import drive_timeline
from sim.motor_model import envelope

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
# Playwright's own browser download is never used: Debian's, as it is.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTEFACTS = os.path.join(paths.ROOT, "build", "test-artifacts")
SPEED = 64


@pytest.fixture(scope="module")
def url():
    proc = subprocess.Popen([sys.executable, "-m", "sim", "web", "--port", "0"], cwd=paths.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line + proc.stderr.read()
        yield found.group(0)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("%s missing: run make setup (it installs Debian's chromium)" % CHROMIUM)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def ready(page, url, query=""):
    page.goto(url + query)
    page.wait_for_selector("body[data-ready='1']", timeout=60000)
    assert page.text_content("#status").startswith("Ready")


def text(page, selector):
    return page.text_content(selector).strip()


def test_a_whole_daily_session_in_the_browser(url, page):
    routines, _, _ = library.load(paths.ROUTINES)
    daily = routines[[r.name for r in routines].index("daily")]
    expected = [s.name for _ in range(daily.rounds) for s in daily.steps]

    ready(page, url, "?speed=1")
    assert text(page, "#step-name") == "Press the button to start"
    assert page.locator("#ring circle.px").count() == 12          # the pico's ring
    assert page.locator("#legend li").count() > 30
    assert page.get_attribute("#button", "type") == "button"

    # In real time: the click starts the routine, the first step and its cue appear.
    page.click("#button")
    page.wait_for_function("document.querySelector('#step-name').textContent === %s"
                           % json.dumps(expected[0]), timeout=15000, polling="raf")
    page.wait_for_function("document.querySelector('#cue-words').dataset.cue === 'step1'",
                           timeout=5000, polling="raf")
    assert text(page, "#cue-words") == "step 1 begins"
    assert text(page, "#state") == "running"
    assert "step 1 of 10" in text(page, "#step-where")
    assert text(page, "#hint") == daily.steps[0].hint
    assert expected[0] in text(page, "#announce")

    # The rest at SPEED times real time, to the end.
    page.select_option("#speed", str(SPEED))
    page.wait_for_function("document.querySelector('#seen').children.length >= 4",
                           timeout=30000, polling="raf")
    page.wait_for_function("Number(document.querySelector('#ring').dataset.lit) > 0",
                           timeout=10000, polling="raf")
    os.makedirs(ARTEFACTS, exist_ok=True)
    shot = os.path.join(ARTEFACTS, "web-wand.png")
    page.screenshot(path=shot, full_page=True)
    lit = page.eval_on_selector_all(
        "#ring circle.px", "cs => cs.filter(c => c.getAttribute('fill') !== 'rgb(0, 0, 0)').length")
    assert lit > 0
    page.wait_for_function("document.body.dataset.state === 'done'",
                           timeout=daily.total_ms() / SPEED * 4 + 30000, polling="raf")
    seen = page.eval_on_selector_all("#seen li", "lis => lis.map(li => li.textContent)")
    assert seen == expected
    assert text(page, "#cue-words") == "finished"
    with open(shot, "rb") as f:
        data = f.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10000

    # Held 0.8 s and more (in real time, whatever the speed): a long press,
    # which switches a finished wand off.
    box = page.locator("#button").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    time.sleep(1.2)
    page.mouse.up()
    page.wait_for_function("document.body.dataset.state === 'off'", timeout=10000, polling="raf")
    assert "switched itself off" in text(page, "#status")


def test_the_pages_motor_model_is_sim_motor_model(url, page):
    # web/motor.js shapes the sound: value for value what the simulator's
    # model gives for each board's motor, on cues its own driver played.
    ready(page, url)
    for name in paths.board_names():
        board = board_file.load(paths.board_path(name))
        for pattern in (1, 16, 23):
            timeline, end = drive_timeline(board, pattern, 600)
            want = envelope(board, timeline, end + 300)
            got = page.evaluate(
                "async ([m, tl, end]) => (await import('/motor.js')).envelope(m, tl, end)",
                [board.motor, [list(x) for x in timeline], end + 300])
            assert len(got) == len(want)
            assert max(abs(a - b) for a, b in zip(got, want)) < 1e-12, (name, pattern)


def test_board_picker_lays_the_boards_ring_and_the_routine_picker_its_start(url, page):
    ready(page, url, "?speed=8&board=esp32-devkitc&routine=eyes")
    assert page.locator("#ring circle.px").count() == 16
    assert page.input_value("#routine") == "eyes"
    page.select_option("#board", "xiao-rp2040")
    assert page.locator("#ring circle.px").count() == board_file.load(
        paths.board_path("xiao-rp2040")).ring["count"]
    assert page.input_value("#routine") == "eyes"
    # Keyboard: space on the focused button is a press, as a click is.
    page.focus("#button")
    page.keyboard.down(" ")
    time.sleep(0.15)
    page.keyboard.up(" ")
    page.wait_for_function("document.body.dataset.state === 'running'", timeout=10000, polling="raf")


def test_sound_switch_and_a_legend_cue_play_through_webaudio(url, page):
    ready(page, url, "?speed=4")
    page.check("#sound")                       # a gesture: the AudioContext may start
    page.wait_for_function("document.body.dataset.sound === 'running'", timeout=5000)
    page.click("#legend li[data-cue='finish'] button")
    page.click("#button")
    page.wait_for_function("document.body.dataset.state === 'running'", timeout=10000, polling="raf")
    page.wait_for_function("Number(document.querySelector('#motor').getAttribute('aria-valuenow')) > 0",
                           timeout=10000, polling="raf")
    page.uncheck("#sound")
    page.wait_for_function("document.body.dataset.sound === 'off'", timeout=5000)
