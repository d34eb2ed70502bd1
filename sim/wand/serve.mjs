// The virtual wand's board: real MicroPython (the WebAssembly port) driven
// like a board on USB serial. Raw bytes in on stdin, raw bytes out on stdout;
// sim/wand/server.py connects both to a pseudo-terminal for mpremote.
//
//   node sim/wand/serve.mjs [--board NAME] [--rom HOSTDIR]... [--heapsize BYTES]
//
// Contract with the Python code that runs on it (the project's fakes):
//  (a) ROM: every --rom HOSTDIR tree is copied into /.vwand on the board (later
//      dirs win on a clash). /.vwand is rewritten from that start-up copy at
//      every reset, so like frozen modules it cannot be changed for good.
//      '/.vwand' is the LAST entry of sys.path: files on flash shadow it.
//  (b) After power-on and after every reset, soft or hard: a fresh Python
//      state (user modules gone, __main__ emptied, sys.path reset), then
//      `import vwand_boot` if /.vwand/vwand_boot.py exists (it may install
//      fakes, e.g. sys.modules["time"] = ...), then /boot.py, then /main.py
//      (main.py only after power-on, a hard reset or a soft reset from the
//      friendly REPL: not after mpremote's raw-REPL soft reset, as on a
//      board), then the REPL prompt. Tracebacks are printed like a board's.
//  (c) `import vwand_host; vwand_host.reset()` asks for a hard reset; the
//      caller should then raise SystemExit (machine.reset() does not return).
//      The reset happens as soon as the running code ends.
//  (d) `vwand_host.board` is the --board NAME (default "pico").
//  (e) `vwand_host.poll()` lets a waiting Ctrl-C through and sends pending
//      output; call it from sleeps (the fake time) and other long loops.
//      The WebAssembly call is synchronous, so input is only looked at when
//      Python prints, reads stdin or calls poll(): a loop that does none of
//      these cannot be interrupted (the server must be killed).
//
// Differences from a board, and why:
//  - The filesystem is in memory: it survives resets but not the process.
//  - Raw-paste mode is the server's own (see rawPaste): this build's spins.
//  - Resets clean up Python state in place instead of restarting the
//    interpreter (a second instance in one process would clash with the
//    first's JS globals): the heap and C-level state carry over. A hard reset
//    also drops pending input and brings the REPL back to friendly mode.
//  - Errno values from the filesystem are translated to MicroPython's
//    numbers (see translateFsErrors).
//  - `mpremote fs ls` shows every size as 0: the filesystem is MicroPython's
//    VfsPosix, whose listings carry no sizes. (A Python subclass of VfsPosix
//    adding them breaks every import from the filesystem, so no.)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { translateFsErrors } from "./fs_errors.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const MP_PACKAGE = path.join(
  REPO_ROOT, "tests", "mp", "node_modules", "@micropython", "micropython-webassembly-pyscript", "micropython.mjs");
const USAGE = "usage: node sim/wand/serve.mjs [--board NAME] [--rom HOSTDIR]... [--heapsize BYTES]";

// The Emscripten directory that MicroPython sees as "/" (so Emscripten's own
// /dev, /tmp, /proc stay out of `mpremote fs ls`), and the ROM inside it.
const FLASH = "/flash";
const ROM = FLASH + "/.vwand";

const CTRL_A = 0x01, CTRL_B = 0x02, CTRL_C = 0x03, CTRL_D = 0x04, CTRL_E = 0x05;

function parseArgs(argv) {
  const opts = { board: "pico", roms: [], heapsize: 8 * 1024 * 1024 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!["--board", "--rom", "--heapsize"].includes(a)) throw new Error(`unknown argument ${a}`);
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    const v = argv[++i];
    if (a === "--board") opts.board = v;
    else if (a === "--rom") opts.roms.push(v);
    else if (/^[1-9][0-9]*$/.test(v)) opts.heapsize = Number(v);
    else throw new Error(`bad --heapsize ${v}`);
  }
  return opts;
}

// The ROM's files as [path relative to /.vwand, bytes], read once at start-up.
function readRom(dirs) {
  const files = new Map();
  const walk = (host, rel) => {
    for (const name of fs.readdirSync(host).sort()) {
      if (name.startsWith(".") || name === "__pycache__" || name.endsWith(".pyc")) continue;
      const h = path.join(host, name), r = rel ? `${rel}/${name}` : name;
      if (fs.statSync(h).isDirectory()) walk(h, r);
      else files.set(r, fs.readFileSync(h));
    }
  };
  for (const dir of dirs) walk(dir, "");
  return [...files];
}

// ---- Serial input: bytes from stdin, queued until the REPL or Python takes them.

const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const input = {
  buf: Buffer.alloc(0),
  pos: 0,
  eof: false,
  // A second, non-blocking handle on the same pipe, to peek for Ctrl-C while
  // Python runs (fd 0 itself stays blocking, for waiting when idle). Linux:
  // opening /proc/self/fd/0 opens the pipe anew rather than sharing fd 0's flags.
  nbFd: (() => {
    try {
      return fs.openSync("/proc/self/fd/0", fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch {
      return null; // no Ctrl-C while Python runs
    }
  })(),
  get size() {
    return this.buf.length - this.pos;
  },
  // Reads what is there (blocking: waits for at least one byte). Returns the
  // number of bytes read; 0 at end of input or when nothing was waiting.
  read(blocking) {
    if (this.eof || (!blocking && this.nbFd === null)) return 0;
    const chunk = Buffer.alloc(65536);
    for (;;) {
      let n;
      try {
        n = fs.readSync(blocking ? 0 : this.nbFd, chunk, 0, chunk.length, null);
      } catch (e) {
        if (e.code === "EINTR") continue;
        if (e.code !== "EAGAIN") throw e;
        if (!blocking) return 0;
        sleepMs(2); // fd 0 was non-blocking after all
        continue;
      }
      if (n === 0) {
        this.eof = true;
      } else {
        this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, n)]);
        this.pos = 0;
      }
      return n;
    }
  },
  // Waits until `count` bytes are queued; false if input ends first.
  need(count) {
    while (this.size < count) {
      flushOutput();
      if (this.read(true) === 0) return false;
    }
    return true;
  },
  next() {
    return this.buf[this.pos++];
  },
  peek(i) {
    return this.buf[this.pos + i];
  },
  skip(count) {
    this.pos += count;
  },
  clear() {
    this.pos = this.buf.length;
  },
  // Removes the first `byte` still queued; true if there was one.
  take(byte) {
    const i = this.buf.indexOf(byte, this.pos);
    if (i < 0) return false;
    this.buf = Buffer.concat([this.buf.subarray(this.pos, i), this.buf.subarray(i + 1)]);
    this.pos = 0;
    return true;
  },
};

// ---- Serial output: MicroPython's bytes, sent on at each line and whenever
// the wand waits.

let out = Buffer.alloc(65536);
let outLen = 0;
let lastOut = 0;
let muted = false; // while the server pokes the REPL for its own ends
let capture = null; // an array collecting output, when the server watches it

function putByte(c) {
  if (muted) return;
  if (capture) capture.push(c);
  if (outLen === out.length) {
    const bigger = Buffer.alloc(out.length * 2);
    out.copy(bigger);
    out = bigger;
  }
  out[outLen++] = c;
}

function flushOutput() {
  let done = 0;
  while (done < outLen) {
    try {
      done += fs.writeSync(1, out, done, outLen - done);
    } catch (e) {
      if (e.code === "EPIPE") process.exit(0); // the server is gone
      if (e.code !== "EAGAIN") throw e;
      sleepMs(2);
    }
  }
  outLen = 0;
}

function writeOut(text) {
  for (const c of Buffer.from(text, "latin1")) putByte(c);
}

// ---- The board.

let mp; // the MicroPython instance
let mode = "friendly"; // the REPL's mode: "friendly" or "raw"
let rawLineEmpty = false; // raw mode: nothing typed since the last prompt
let resetRequested = false; // vwand_host.reset() was called
let lastPoll = 0;
let okToSkip = null; // bytes of the raw REPL's "OK" still to drop

const interruptChar = () => mp._module._mp_hal_get_interrupt_char();

// MicroPython's output, one byte per call. print() here writes a bare "\n"
// where a board's USB serial sends "\r\n"; add the "\r" while Python code
// runs (the interrupt char is set then). Left alone otherwise: the REPL
// already writes "\r\n", and mpremote's `mount` protocol sends binary data
// with the interrupt char off.
function onOutput(bytes) {
  for (const c of bytes) {
    if (okToSkip && c === okToSkip[0]) { // see rawPaste
      okToSkip = okToSkip.subarray(1);
      continue;
    }
    okToSkip = null;
    if (c === 10 && lastOut !== 13 && interruptChar() >= 0) putByte(13);
    putByte(c);
    lastOut = c;
    poll();
  }
}

// Sends output and lets a waiting Ctrl-C interrupt running Python, as a
// board's serial interrupt would. Called for every byte of output, but does
// its work at most every 5 ms: that costs syscalls.
function poll() {
  const now = performance.now();
  if (now - lastPoll < 5) return;
  lastPoll = now;
  flushOutput();
  input.read(false);
  const c = interruptChar();
  if (c >= 0 && input.take(c)) mp._module._mp_sched_keyboard_interrupt();
}

// sys.stdin: one byte per call, waiting for it (a board's input() waits too).
function stdinByte() {
  if (!input.need(1)) return null;
  const c = input.next();
  if (c === interruptChar()) mp._module._mp_sched_keyboard_interrupt();
  return c;
}

// Run by Python (see (b) at the top) with RUN_MAIN and FLASH set.
const BOOT_PY = `
import sys, os, vfs, gc, io, micropython
import __main__

def report(exc):
    # A board prints the traceback; drop this loader's own frames from it.
    buf = io.StringIO()
    sys.print_exception(exc, buf)
    for line in buf.getvalue().split("\\n"):
        if line and '"<vwand>"' not in line:
            sys.stdout.write(line + "\\r\\n")

def exists(name):
    try:
        os.stat(name)
        return True
    except OSError:
        return False

def run(name):
    if exists(name):
        try:
            execfile(name, __main__.__dict__)
        except SystemExit:
            pass
        except BaseException as e:
            report(e)

# Fresh Python state. Only vwand_host is kept: the server registered it.
for name in list(sys.modules):
    if name != "vwand_host":
        del sys.modules[name]
main_globals = __main__.__dict__
for name in list(main_globals):
    if name != "__name__":
        del main_globals[name]
for mount in vfs.mount():
    vfs.umount(mount[1])
vfs.mount(vfs.VfsPosix(FLASH), "/")
os.chdir("/")
sys.path.clear()
sys.path.extend(("", ".frozen", "/lib", "/.vwand"))
gc.collect()

micropython.kbd_intr(3)  # Ctrl-C works in boot.py and main.py
try:
    if exists("/.vwand/vwand_boot.py"):
        try:
            import vwand_boot
        except BaseException as e:
            report(e)
    run("boot.py")
    if RUN_MAIN:
        run("main.py")
finally:
    micropython.kbd_intr(-1)
`;

function rmTree(p) {
  if (!mp.FS.analyzePath(p).exists) return;
  if (mp.FS.isDir(mp.FS.stat(p).mode)) {
    for (const name of mp.FS.readdir(p)) if (name !== "." && name !== "..") rmTree(`${p}/${name}`);
    mp.FS.rmdir(p);
  } else {
    mp.FS.unlink(p);
  }
}

function writeRom(romFiles) {
  rmTree(ROM);
  mp.FS.mkdirTree(ROM);
  for (const [rel, data] of romFiles) {
    mp.FS.mkdirTree(path.posix.dirname(`${ROM}/${rel}`));
    mp.FS.writeFile(`${ROM}/${rel}`, data);
  }
}

// Runs the start-up sequence (see (b)) for a power-on or reset, until one
// goes by without a reset request from the code it ran.
function boot(kind, romFiles) {
  flushOutput();
  for (;;) {
    resetRequested = false;
    if (kind === "hard") {
      input.clear(); // the USB link drops what was in flight
      // A board wakes up in the friendly REPL: leave paste mode or the raw
      // REPL with Ctrl-C, Ctrl-B (neither runs code), silently.
      muted = true;
      mp.replProcessChar(CTRL_C);
      mp.replProcessChar(CTRL_B);
      muted = false;
      mode = "friendly";
    } else if (kind === "soft") {
      writeOut("MPY: soft reboot\r\n");
    }
    writeRom(romFiles);
    const runMain = mode === "friendly" ? "True" : "False";
    try {
      mp.runPython(
        `exec(compile(${JSON.stringify(BOOT_PY)}, "<vwand>", "exec"), ` +
          `{"__name__": "vwand", "RUN_MAIN": ${runMain}, "FLASH": "${FLASH}"})`);
    } catch (e) {
      process.stderr.write(`serve.mjs: start-up failed: ${e.message}\n`);
    }
    if (!resetRequested) break;
    kind = "hard";
  }
  mp.replInit(); // the banner, or the raw REPL's prompt if in raw mode
  rawLineEmpty = true;
}

// Watches the REPL switch modes: Ctrl-A and Ctrl-B are the only keys that do,
// and they run no user code, so their output tells the new mode reliably.
function noteMode(bytes) {
  const text = Buffer.from(bytes).toString("latin1");
  if (text.includes("raw REPL; CTRL-B to exit")) mode = "raw";
  else if (text.includes('Type "help()" for more information.')) mode = "friendly";
}

// mpremote's raw-paste mode, asked for with Ctrl-E 'A' Ctrl-A at the raw
// prompt. This build's own raw-paste reader spins forever (its stdin gives
// nothing), so the server plays the board's part of the protocol: it takes
// the code with flow control, acknowledges its end, then has the raw REPL
// run it, minus the "OK" a plain raw-REPL run starts with. (It is also much
// faster than the plain raw REPL, where mpremote pauses 10 ms per 256 bytes.)
// Returns replProcessChar's status for the run.
const PASTE_WINDOW = 4096;

function rawPaste() {
  writeOut("R\x01" + String.fromCharCode(PASTE_WINDOW & 0xff, PASTE_WINDOW >> 8));
  const code = [];
  let credit = PASTE_WINDOW;
  for (;;) {
    if (!input.need(1)) return 0; // input ended
    const c = input.next();
    if (c === CTRL_D || c === CTRL_C) {
      writeOut("\x04"); // end of data acknowledged
      if (c === CTRL_C) {
        writeOut("\x04\x04>"); // abandoned: nothing ran
        return 0;
      }
      break;
    }
    code.push(c);
    if (--credit === 0) {
      writeOut("\x01"); // room for another window
      credit = PASTE_WINDOW;
    }
  }
  // Bytes 1 to 4 in the code would act as keys here, as in the plain raw REPL.
  for (const c of code) mp.replProcessChar(c);
  okToSkip = Buffer.from("OK");
  return mp.replProcessChar(CTRL_D);
}

function feed(b, romFiles) {
  let status;
  if (b === CTRL_E && mode === "raw" && rawLineEmpty && input.need(2) &&
      input.peek(0) === 0x41 && input.peek(1) === CTRL_A) {
    input.skip(2);
    status = rawPaste();
  } else {
    const watch = b === CTRL_A || b === CTRL_B;
    if (watch) capture = [];
    status = mp.replProcessChar(b);
    if (watch) {
      noteMode(capture);
      capture = null;
    }
    if (mode === "raw") rawLineEmpty = b === CTRL_A || b === CTRL_C || b === CTRL_D || watch;
  }
  if (resetRequested) boot("hard", romFiles);
  else if (status !== 0) boot("soft", romFiles); // Ctrl-D on an empty line, or SystemExit
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`serve.mjs: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  let romFiles;
  try {
    romFiles = readRom(opts.roms);
  } catch (e) {
    process.stderr.write(`serve.mjs: cannot read ROM dir: ${e.message}\n`);
    return 2;
  }
  if (!fs.existsSync(MP_PACKAGE)) {
    process.stderr.write(`serve.mjs: ${MP_PACKAGE} missing: run make setup\n`);
    return 2;
  }
  const { loadMicroPython } = await import(pathToFileURL(MP_PACKAGE));
  mp = await loadMicroPython({
    heapsize: opts.heapsize,
    linebuffer: false,
    stdout: onOutput,
    stderr: onOutput, // a board has one serial port
    stdin: stdinByte,
  });
  translateFsErrors(mp.FS);
  mp.FS.mkdirTree(FLASH);
  mp.registerJsModule("vwand_host", {
    board: opts.board,
    reset() {
      resetRequested = true;
    },
    poll,
  });

  // Power-on, then serve: everything from here on is synchronous, so signals
  // get their default action (SIGTERM ends the process at once).
  boot("power-on", romFiles);
  for (;;) {
    if (input.size === 0) {
      flushOutput();
      if (input.read(true) === 0) break; // end of input: the server closed it
      continue;
    }
    feed(input.next(), romFiles);
  }
  flushOutput();
  return 0;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (e) => {
    process.stderr.write(`serve.mjs: ${e.stack || e}\n`);
    process.exitCode = 1;
  },
);
