"""The firmware on an emulated Raspberry Pi Pico running MicroPython's real
rp2 port: for measuring speed, heap and flash stalls on the chip's own
instruction set, and for end-to-end tests through its pins.

What it needs, and where it looks (each may be moved with an environment
variable):
- RP2_DIR (default: ../shared/rp2 beside the repository, or beside the
  local checkout a clone was made from): the runner
  run.mjs and the boot ROM bootrom.mjs, copied at first use into
  tests/chip/.runner/ so Node finds rp2040js in tests/chip/node_modules
  (installed by `make setup`);
- RP2_FIRMWARE (default: RP2_DIR/RPI_PICO-v1.28.0.uf2): MicroPython's
  official RPI_PICO v1.28.0 build, from
  https://micropython.org/download/RPI_PICO/ .
When one is missing, `missing()` says which and how to get it; callers skip
(tests) or leave that part out (make bench), saying why.

The filesystem image is LittleFS, as MicroPython's rp2 port formats the
RPI_PICO's flash (352 blocks of 4 KB at 0xA0000), made with littlefs-python.
"""
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

from sim.paths import ROOT as _ROOT

ROOT = Path(_ROOT)
HERE = ROOT / "tests" / "chip"


def _shared_rp2():
    """../shared/rp2 beside the repository; for a clone of a local checkout
    (CI clones main afresh), beside the checkout it was cloned from."""
    here = ROOT.parent / "shared" / "rp2"
    if here.is_dir():
        return here
    try:
        url = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return here
    if url and os.path.isdir(url):
        there = Path(url).resolve().parent / "shared" / "rp2"
        if there.is_dir():
            return there
    return here


RP2_DIR = Path(os.environ.get("RP2_DIR") or _shared_rp2())
FIRMWARE = Path(os.environ.get("RP2_FIRMWARE", RP2_DIR / "RPI_PICO-v1.28.0.uf2"))
RUNNER_DIR = HERE / ".runner"
GET_FIRMWARE = ("download MicroPython's official RPI_PICO v1.28.0 build (a .uf2) from "
                "https://micropython.org/download/RPI_PICO/ and set RP2_FIRMWARE to its path")

FS_BLOCK = 4096
FS_BLOCKS = 352


def missing():
    """None when the emulated Pico can run here, else why not (one line)."""
    if not FIRMWARE.is_file():
        return "no MicroPython firmware at %s: %s" % (FIRMWARE, GET_FIRMWARE)
    for name in ("run.mjs", "bootrom.mjs"):
        if not (RP2_DIR / name).is_file():
            return "no %s in %s (the emulated Pico's runner): set RP2_DIR" % (name, RP2_DIR)
    if not (HERE / "node_modules" / "rp2040js").is_dir():
        return "tests/chip/node_modules is missing: run make setup"
    if shutil.which("node") is None:
        return "node not found: install Node.js 20"
    try:
        import littlefs  # noqa: F401
    except ImportError:
        return "littlefs-python is not installed: run make setup"
    return None


def _runner():
    RUNNER_DIR.mkdir(exist_ok=True)
    for name in ("run.mjs", "bootrom.mjs"):
        src, dst = RP2_DIR / name, RUNNER_DIR / name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    return RUNNER_DIR / "run.mjs"


def _fs(data=None):
    import littlefs
    fs = littlefs.LittleFS(block_size=FS_BLOCK, block_count=FS_BLOCKS, read_size=32,
                           prog_size=32, lookahead_size=32, mount=data is None)
    if data is not None:
        fs.context.buffer = bytearray(data)
        fs.mount()
    return fs


def image(files):
    """A filesystem image holding `files`: {path on the wand: bytes}."""
    fs = _fs()
    for path in sorted(files):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/" + "/".join(parts[:i])
            try:
                fs.mkdir(d)
            except Exception:
                pass                      # already there
        with fs.open("/" + "/".join(parts), "wb") as f:
            f.write(files[path])
    return bytes(fs.context.buffer)


def wand_files(board, extra=None):
    """What `host_tools flash` puts on a wand for `board` (the .mpy build,
    main.py, the routines and board.json), plus `extra` {path: bytes}."""
    import tempfile
    from host_tools import build
    with tempfile.TemporaryDirectory() as d:
        built = build.build(str(ROOT / "boards" / (board + ".json")), d)
        files = {p: (Path(d) / p).read_bytes() for p in built}
    files.update(extra or {})
    return files


def read(image_bytes, path):
    """A file's bytes from an image, or None."""
    fs = _fs(image_bytes)
    try:
        with fs.open(path, "rb") as f:
            return f.read()
    except Exception:
        return None


class Run:
    """One run of the emulated Pico and what came out of it."""

    def __init__(self, out, proc):
        self.out = Path(out)
        self.proc = proc
        self.meta = json.loads((self.out / "meta.json").read_text())
        self.serial = (self.out / "serial.log").read_bytes().decode("utf-8", "replace")

    def fs(self):
        p = self.out / "after.img"
        return p.read_bytes() if p.exists() else None

    def edges(self, pin):
        """(ns, level) for every edge the pin made, in emulated time."""
        raw = (self.out / ("gpio%d.bin" % pin)).read_bytes()
        return [(struct.unpack_from("<d", raw, i)[0], raw[i + 8]) for i in range(0, len(raw), 9)]


def run(files, out, events=(), init="", watch=(), cmds=None, max_emu=None, stop_on=None,
        timeout=900, env=None):
    """Boot the Pico with a filesystem holding `files` and run it. events:
    [{"t_ms", "kind": "pin"|"adc", ...}] timed from the first watchdog
    start (or "rel": "boot"); init: levels at boot ("15=1;adc0=44");
    watch: pins whose edges to keep; cmds: REPL lines to type in turn;
    max_emu: emulated seconds; stop_on: a regex on the serial output."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    img = out / "fs.img"
    img.write_bytes(image(files))
    cmd = ["node", str(_runner()), str(FIRMWARE), "--fs", str(img), "--save-fs", str(out / "after.img"),
           "--out", str(out), "--quiet", "--no-echo"]
    if events:
        (out / "events.json").write_text(json.dumps(list(events)))
        cmd += ["--events", str(out / "events.json")]
    if init:
        cmd += ["--init", init]
    if watch:
        cmd += ["--watch", ",".join(str(p) for p in watch)]
    if cmds:
        (out / "cmds.txt").write_text("\n".join(cmds) + "\n")
        cmd += ["--cmds", str(out / "cmds.txt")]
    if max_emu:
        cmd += ["--max-emu", str(max_emu)]
    if stop_on:
        cmd += ["--stop-on", stop_on]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))
    if proc.returncode != 0 or not (out / "meta.json").exists():
        raise RuntimeError("the emulated Pico failed (status %d): %s"
                           % (proc.returncode, (proc.stderr or proc.stdout)[-500:]))
    return Run(out, proc)


def _adc_channel(pin):
    return pin - 26                   # the RP2040's ADC inputs are GPIO26..29


def pressure_event(board, t_ms, permille):
    """An event setting the board's pressure sensor to `permille`, as the
    simulator's sensor model (sim.fakehw.world.fsr_raw) reads it."""
    from sim.fakehw.world import fsr_raw
    p = board.pressure
    return {"t_ms": t_ms, "kind": "adc", "ch": _adc_channel(p["pin"]),
            "value": adc_counts(fsr_raw(permille, p["zero"], p["full"]))}


def button_event(board, t_ms, pressed):
    b = board.button
    return {"t_ms": t_ms, "kind": "pin", "pin": b["pin"], "value": int(pressed != b["active_low"])}


def at_rest(board):
    """--init levels: the button up, no pressure, the battery as full as
    the simulator's (sim.fakehw.world.FULL_BATTERY_MV)."""
    from sim.fakehw.world import FULL_BATTERY_MV, battery_raw
    b = board.button
    levels = ["%d=%d" % (b["pin"], 1 if b["active_low"] else 0)]
    if board.pressure is not None:
        levels.append("adc%d=%d" % (_adc_channel(board.pressure["pin"]),
                                    pressure_event(board, 0, 0)["value"]))
    if board.battery is not None:
        bt = board.battery
        levels.append("adc%d=%d" % (_adc_channel(bt["pin"]), adc_counts(
            battery_raw(FULL_BATTERY_MV, bt["ratio_milli"], bt["vref_mv"]))))
    return ";".join(levels)


def adc_counts(u16):
    """The 12-bit value the emulated ADC must hold for read_u16() to give
    about `u16` (the rp2 port scales 12 bits up to 16)."""
    return max(0, min(4095, (u16 + 8) >> 4))
