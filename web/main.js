// The wand in a browser: MicroPython's WebAssembly build runs the firmware
// (firmware/facewand) with the simulator's session and hardware
// (sim/web_wand.py) inside the page; this paces it and draws it.
//
// Every animation frame the wand is given the wall time that passed, times
// the speed, and runs its 20 ms ticks up to there (one synchronous call);
// what comes back (the ring from its wire bytes, the drive at the motor pin,
// the step and the last cue) is drawn. The button's pointer and key events
// feed its level as edges; the wand's own gesture code judges them. While
// the button is down, and for a moment after it is let go, the wand runs
// in real time whatever the speed, so a click stays a click and a hold of
// 0.8 s a long press.
import { loadMicroPython } from "/mp/micropython.mjs";
import { Felt, envelope } from "./motor.js";
import { layRing, paintRing } from "./ring.js";
import { Sound } from "./sound.js";

const HEAP = 8 * 1024 * 1024;
const GESTURE_MS = 700; // real time kept after a release: the double-press gap (300 ms) and more
const MAX_FRAME_MS = 250; // a slow or hidden frame moves the wand this much at most
const HOLD_S = 0.4; // the felt meter's peak stays this long (as sim play)

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let ww = null; // sim.web_wand inside MicroPython
let info = null; // the wand's info(): board, ring size, motor, routines
let pixels = [];
let felt = null;
const sound = new Sound();
let speed = 1;
let wandT = 0; // ms since power-on, as far as the page has moved the wand
let lastWall = 0;
let realUntil = 0; // wand ms until which the wand runs in real time (a gesture)
let held = false;
let last = null; // the last state drawn
let peaks = []; // [wall s, felt amplitude]
const cuesSeen = [];

function clock(ms) {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

// A Python exception's message is its traceback: its last line says it.
function lastLine(e) {
  const lines = String(e.message || e).trim().split("\n");
  return lines[lines.length - 1];
}

function status(text, error = false) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", error);
  el.setAttribute("role", error ? "alert" : "status");
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchJson(url) {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(url)));
}

// What the wand's MicroPython holds: in /lib the facewand package and the
// routines (firmware/package.json, the list mip installs) and the
// simulator's modules; in /boards the board files.
async function install(mp, files) {
  const pkg = await fetchJson("/firmware/package.json");
  const copies = [];
  for (const [dest, url] of pkg.urls) {
    if (dest !== "main.py") copies.push([`/firmware/${url}`, `/lib/${dest}`]);
  }
  for (const name of files.sim) copies.push([`/sim/${name}`, `/lib/sim/${name}`]);
  for (const b of files.boards) copies.push([`/boards/${b}.json`, `/boards/${b}.json`]);
  const datas = await Promise.all(copies.map(([url]) => fetchBytes(url)));
  copies.forEach(([, path], i) => {
    mp.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    mp.FS.writeFile(path, datas[i]);
  });
  return copies.length;
}

// Powers on a wand: the board and routine as the pickers say (the first
// time, ?routine= or daily).
function powerOn() {
  const board = $("board").value;
  const pick = $("routine");
  const routine = pick.value || params.get("routine") || "daily";
  info = JSON.parse(ww.start(`/boards/${board}.json`, "/lib/routines", routine));
  pixels = layRing($("ring"), info.count);
  felt = new Felt(info.motor);
  sound.motor(info.motor);
  pick.replaceChildren(...info.routines.map((name) => new Option(name, name)));
  pick.value = info.routine;
  $("pressure").disabled = !info.pressure;
  $("pressure").value = 0;
  $("pressure-out").textContent = info.pressure ? "0.00" : "no sensor";
  wandT = 0;
  realUntil = 0;
  last = null;
  peaks = [];
  cuesSeen.length = 0;
  $("seen").replaceChildren();
  $("cue-words").textContent = "none yet";
  $("cue-before").textContent = "";
  legend();
  step(JSON.parse(ww.advance(0)));
}

function legend() {
  const list = $("legend");
  list.replaceChildren();
  for (const cue of JSON.parse(ww.legend())) {
    const li = document.createElement("li");
    const bar = document.createElement("span");
    bar.className = "pulses";
    bar.setAttribute("aria-hidden", "true");
    // Each segment to scale, 1 px for 10 ms, as tall as its strength.
    for (const [on, off, level] of cue.segments) {
      const seg = document.createElement("span");
      seg.className = "on";
      seg.style.width = `${on / 10}px`;
      seg.style.height = `${level / 10}%`;
      bar.append(seg);
      if (off) {
        const gap = document.createElement("span");
        gap.style.width = `${off / 10}px`;
        bar.append(gap);
      }
    }
    const play = document.createElement("button");
    play.type = "button";
    play.textContent = "play";
    play.setAttribute("aria-label", `play ${cue.words}`);
    play.addEventListener("click", () => feelCue(cue));
    const words = document.createElement("span");
    words.className = "words";
    words.textContent = cue.words;
    li.dataset.cue = cue.name;
    li.append(play, words, bar);
    list.append(li);
  }
}

// One cue on its own, as this board's driver plays it at the session's level.
async function feelCue(cue) {
  if (!sound.on) {
    $("sound").checked = true;
    await sound.start(info.motor);
  }
  const d = JSON.parse(ww.cue_drive(cue.name, 0));
  sound.cue(envelope(info.motor, d.drives, d.end + 400));
  sound.vibrate(cue.pulses, 1);
}

function announce(text) {
  $("announce").textContent = text;
}

// Draws a state from sim.web_wand's state(); feeds the motor model.
function step(s) {
  const samples = [];
  felt.sample = (t, a) => samples.push([t, a]);
  for (const [t, d] of s.drives) felt.drive(t, d);
  felt.stepTo(s.t + 1);
  felt.sample = null;
  sound.follow(samples, speed);

  const lit = paintRing(pixels, s.ring);
  $("ring").dataset.lit = lit;
  const now = performance.now() / 1000;
  const top = samples.reduce((m, [, a]) => Math.max(m, a), felt.a);
  peaks = peaks.filter(([w]) => now - w < HOLD_S);
  peaks.push([now, top]);
  const amp = Math.max(...peaks.map(([, a]) => a));
  $("motor-fill").style.width = `${Math.round(amp * 100)}%`;
  $("motor").setAttribute("aria-valuenow", Math.round(amp * 100));

  if (!last || last.state !== s.state) {
    $("state").textContent = s.state;
    document.body.dataset.state = s.state;
    if (last) announce(s.state === "running" ? "running" : s.state);
  }
  const stepKey = s.step ? `${s.step.round}/${s.step.index}` : "";
  const lastKey = last && last.step ? `${last.step.round}/${last.step.index}` : "";
  if (stepKey !== lastKey || !last) {
    if (s.step) {
      const st = s.step;
      $("step-name").textContent = st.name;
      $("step-where").textContent =
        `step ${st.index} of ${st.of} · ${st.zone}, ${st.direction} · round ${st.round} of ${st.rounds}`;
      $("hint").textContent = s.hint;
      const li = document.createElement("li");
      li.textContent = st.name;
      li.dataset.round = st.round;
      li.dataset.index = st.index;
      $("seen").append(li);
      announce(`Step ${st.index} of ${st.of}: ${st.name}. ${s.hint}`);
    } else {
      $("step-name").textContent = s.state === "off" ? "Switched off" : "Press the button to start";
      $("step-where").textContent = s.state === "idle" ? `routine ${s.routine}` : "";
      $("hint").textContent = "";
    }
  }
  $("count").textContent = s.count;
  $("warns").textContent = s.warns.length ? `⚠ ${s.warns.map(warnWords).join(", ")}` : "";
  const bar = $("session-bar");
  bar.max = s.total_ms;
  bar.value = s.active_ms;
  $("times").textContent = `${clock(s.active_ms)} / ${clock(s.total_ms)}`;
  if (s.cue && (!last || !last.cue || last.cue.n !== s.cue.n)) {
    $("cue-words").textContent = s.cue.words;
    $("cue-words").dataset.cue = s.cue.name;
    cuesSeen.push(s.cue.words);
    $("cue-before").textContent = cuesSeen.length > 1 ? `(before: ${cuesSeen.slice(-4, -1).reverse().join(", ")})` : "";
    sound.vibrate(s.cue.pulses, speed);
  }
  const p = $("pressure");
  $("band").textContent = s.band === null ? "" : `this step's band: 0 to ${(s.band / 1000).toFixed(2)}`;
  p.classList.toggle("over", s.band !== null && Number(p.value) > s.band);
  if ($("routine").value !== s.routine) $("routine").value = s.routine; // a double press in idle
  $("power").disabled = false;
  last = s;
}

function warnWords(reason) {
  return { pressure_high: "pressing too hard", battery_low: "battery low" }[reason] || reason;
}

function frame(wall) {
  const dt = Math.min(wall - lastWall, MAX_FRAME_MS);
  lastWall = wall;
  if (last && !last.ended) {
    const real = held || wandT < realUntil;
    wandT += dt * (real ? 1 : speed);
    try {
      step(JSON.parse(ww.advance(Math.floor(wandT))));
    } catch (e) {
      status(`The wand stopped: ${lastLine(e)}`, true);
      console.error(e);
      return;
    }
    if (last.ended) {
      status("The wand switched itself off. Press its button to power it on again.");
    }
  }
  requestAnimationFrame(frame);
}

// The button's level, from pointer and keys; an edge at the wand's now.
function press(down) {
  if (down === held) return;
  if (last && last.ended) {
    if (down) {
      powerOn(); // a press wakes a wand that switched itself off
      status("Ready.");
    }
    return;
  }
  held = down;
  $("button").classList.toggle("down", down);
  ww.button(down, Math.floor(wandT));
  if (!down) realUntil = wandT + GESTURE_MS;
}

function wire() {
  const b = $("button");
  b.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    b.setPointerCapture(e.pointerId);
    press(true);
  });
  for (const ev of ["pointerup", "pointercancel", "lostpointercapture"]) {
    b.addEventListener(ev, () => press(false));
  }
  b.addEventListener("contextmenu", (e) => e.preventDefault()); // a long touch is a hold
  b.addEventListener("keydown", (e) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (!e.repeat) press(true);
    }
  });
  b.addEventListener("keyup", (e) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      press(false);
    }
  });
  b.addEventListener("blur", () => press(false));
  $("pressure").addEventListener("input", (e) => {
    const v = Number(e.target.value);
    $("pressure-out").textContent = (v / 1000).toFixed(2);
    ww.pressure(v);
  });
  $("speed").addEventListener("change", (e) => {
    speed = Number(e.target.value);
  });
  for (const [id, ev] of [["routine", "change"], ["board", "change"], ["power", "click"]]) {
    $(id).addEventListener(ev, () => {
      try {
        powerOn();
        status("Ready.");
      } catch (e) {
        status(`The wand could not start: ${lastLine(e)}`, true);
      }
    });
  }
  $("sound").addEventListener("change", async (e) => {
    if (e.target.checked) await sound.start(info.motor);
    else sound.stop();
    document.body.dataset.sound = sound.on ? sound.ctx.state : "off"; // (for a test to see)
  });
}

async function main() {
  try {
    const asked = Number(params.get("speed") || 1);
    if (asked > 0 && asked <= 1000) {
      speed = asked;
      const sel = $("speed");
      if (![...sel.options].some((o) => Number(o.value) === asked)) sel.add(new Option(`${asked}x`, asked));
      sel.value = String(asked);
    }
    const files = await fetchJson("/files.json");
    const boards = $("board");
    for (const b of files.boards) boards.add(new Option(b, b));
    boards.value = files.boards.includes(params.get("board")) ? params.get("board") : "pico";
    const mp = await loadMicroPython({
      heapsize: HEAP,
      stdout: (line) => console.log(line),
      stderr: (line) => console.error(line),
    });
    status("Loading the firmware…");
    const n = await install(mp, files);
    ww = mp.pyimport("sim.web_wand");
    powerOn();
    wire();
    for (const id of ["button", "routine", "board"]) $(id).disabled = false;
    status(`Ready: ${n} files of firmware and simulator on MicroPython.`);
    document.body.dataset.ready = "1";
    lastWall = performance.now();
    requestAnimationFrame(frame);
  } catch (e) {
    status(`The wand could not start: ${lastLine(e)}`, true);
    console.error(e);
  }
}

main();
