// Run one Python script on real MicroPython (the WebAssembly port) under Node.
//
//   node tests/mp/run.mjs [--copy HOSTPATH:MPPATH]... [--heapsize BYTES] SCRIPT.py [ARGS...]
//
// Exit status: 0 when the script finishes; the SystemExit code for sys.exit()
// (None -> 0, int -> int & 0xFF, anything else is printed to stderr -> 1);
// 1 for any other uncaught exception (traceback on stderr); 3 when the rig
// itself fails (bad arguments, missing file, MicroPython crash).
//
// The package's own CLI exits 0 even when the script raises, which is why
// this exists.

import fs from "node:fs";
import path from "node:path";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import { translateFsErrors } from "../../sim/wand/fs_errors.mjs";

const USAGE =
  "usage: node tests/mp/run.mjs [--copy HOSTPATH:MPPATH]... [--heapsize BYTES] SCRIPT.py [ARGS...]";
const RIG_FAILURE = 3;

// Rig files live here inside MicroPython's (in-memory) filesystem.
const RIG_DIR = "/.mprig";

// Runs the script inside MicroPython. It is exec'd with its own globals dict
// (see main) so none of its names leak into the script's __main__. Catching
// SystemExit here, rather than parsing the JS error text, gives the exact
// exit code: the error text cannot tell sys.exit(2) from sys.exit("2").
const RIG_PY = `
import sys, json, micropython

def _heap_unlock_if_locked():
    # A script that dies (or ends) inside micropython.heap_lock() leaves the
    # heap locked, and then reporting its status fails. There is no heap_locked() in this
    # build, and unlocking an unlocked heap breaks it for good, so probe with
    # an allocation first: it can only fail here if the heap is locked (an
    # unlocked allocation collects garbage before giving up).
    try:
        bytearray(16)
        return
    except MemoryError:
        pass
    while micropython.heap_unlock() > 0:  # returns the remaining lock depth
        pass

def _run():
    with open(RIG_DIR + "/args.json") as f:
        argv = json.load(f)
    with open(RIG_DIR + "/script.py") as f:
        src = f.read()
    sys.argv.clear()
    sys.argv.extend(argv)
    main_globals["__file__"] = argv[0]
    try:
        # Compiling with the script's name makes tracebacks name the script.
        exec(compile(src, argv[0], "exec"), main_globals)
        _heap_unlock_if_locked()
        status = 0
    except SystemExit as e:
        _heap_unlock_if_locked()
        code = None if not e.args else e.args[0] if len(e.args) == 1 else e.args
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code & 0xFF  # what a POSIX exit status keeps
        else:
            print(code, file=sys.stderr)
            status = 1
    except BaseException as e:
        _heap_unlock_if_locked()
        sys.print_exception(e, sys.stderr)
        status = 1
    with open(RIG_DIR + "/status", "w") as f:
        f.write(str(status))

_run()
`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { copies: [], heapsize: 8 * 1024 * 1024, script: null, args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--copy" || a === "--heapsize") {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      const v = argv[++i];
      if (a === "--heapsize") {
        if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`bad --heapsize: ${v}`);
        opts.heapsize = Number(v);
      } else {
        // Split at the last colon: MicroPython paths are ours and colon-free,
        // host paths might not be.
        const at = v.lastIndexOf(":");
        const host = v.slice(0, at);
        const mpPath = v.slice(at + 1);
        if (at <= 0 || !mpPath.startsWith("/")) {
          throw new UsageError(`bad --copy ${v}: want HOSTPATH:/ABSOLUTE/MPPATH`);
        }
        opts.copies.push([host, mpPath]);
      }
    } else if (a === "--") {
      i++;
      break;
    } else if (a.startsWith("-") && a !== "-") {
      throw new UsageError(`unknown option ${a}`);
    } else {
      break;
    }
  }
  if (i >= argv.length) throw new UsageError("no script given");
  opts.script = argv[i];
  opts.args = argv.slice(i + 1);
  return opts;
}

// Copy a host file, or a directory's contents recursively, to mpPath.
function copyIn(FS, host, mpPath) {
  const st = fs.statSync(host); // follows symlinks; throws if missing
  if (st.isDirectory()) {
    FS.mkdirTree(mpPath);
    for (const name of fs.readdirSync(host).sort()) {
      if (name.startsWith(".") || name === "__pycache__" || name.endsWith(".pyc")) continue;
      copyIn(FS, path.join(host, name), path.posix.join(mpPath, name));
    }
  } else {
    FS.mkdirTree(path.posix.dirname(mpPath));
    FS.writeFile(mpPath, fs.readFileSync(host));
  }
}

// Collects the raw bytes MicroPython writes (one byte per call with
// linebuffer: false) and passes them on a line at a time, unchanged.
// (linebuffer: true would decode each line to a JS string, mangling invalid
// UTF-8, and silently drop a final line that lacks a newline.) Writing every
// line at once keeps stdout/stderr interleaving right when both go to one place.
function byteSink(stream) {
  let buf = Buffer.alloc(4096);
  let len = 0;
  const flush = () => {
    if (len) stream.write(Buffer.from(buf.subarray(0, len))); // copy: buf is reused
    len = 0;
  };
  const put = (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (len === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger);
        buf = bigger;
      }
      buf[len++] = b;
      if (b === 10) flush();
    }
  };
  return { put, flush };
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`run.mjs: ${e.message}\n${USAGE}\n`);
    return RIG_FAILURE;
  }

  let source;
  try {
    source = fs.readFileSync(opts.script);
  } catch (e) {
    process.stderr.write(`run.mjs: cannot read script: ${e.message}\n`);
    return RIG_FAILURE;
  }

  const out = byteSink(process.stdout);
  const err = byteSink(process.stderr);
  const mp = await loadMicroPython({
    heapsize: opts.heapsize,
    linebuffer: false,
    stdout: out.put,
    stderr: err.put,
  });
  // (errno as on a board: a missing file is ENOENT 2, not Emscripten's 44)
  translateFsErrors(mp.FS);

  try {
    for (const [host, mpPath] of opts.copies) copyIn(mp.FS, host, mpPath);
  } catch (e) {
    process.stderr.write(`run.mjs: --copy failed: ${e.message}\n`);
    return RIG_FAILURE;
  }
  mp.FS.mkdirTree(RIG_DIR);
  mp.FS.writeFile(`${RIG_DIR}/script.py`, source);
  mp.FS.writeFile(`${RIG_DIR}/args.json`, JSON.stringify([opts.script, ...opts.args]));
  mp.FS.writeFile(`${RIG_DIR}/rig.py`, RIG_PY);

  try {
    // A single expression, so the script's __main__ globals gain no names.
    mp.runPython(
      `exec(compile(open("${RIG_DIR}/rig.py").read(), "${RIG_DIR}/rig.py", "exec"), ` +
        `{"RIG_DIR": "${RIG_DIR}", "main_globals": globals(), "__name__": "_mprig"})`,
    );
  } catch (e) {
    // Script errors are handled inside rig.py, so anything here is the rig's
    // own failure (or a crash of the WebAssembly module itself).
    out.flush();
    err.flush();
    const what = e.name === "PythonError" ? e.message : e.stack || String(e);
    process.stderr.write(`run.mjs: MicroPython rig failed:\n${what}\n`);
    return RIG_FAILURE;
  }
  out.flush();
  err.flush();
  return Number(mp.FS.readFile(`${RIG_DIR}/status`, { encoding: "utf8" }));
}

// exitCode, not process.exit(): lets Node drain buffered stdout/stderr first.
main().then(
  (status) => {
    process.exitCode = status;
  },
  (e) => {
    process.stderr.write(`run.mjs: ${e.stack || e}\n`);
    process.exitCode = RIG_FAILURE;
  },
);
