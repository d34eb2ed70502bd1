// Filesystem errors as MicroPython numbers them, for MicroPython's
// WebAssembly build under Node: the virtual wand (sim/wand/serve.mjs) and
// the test rig (tests/mp/run.mjs) both run the firmware, which tells a
// missing file (ENOENT, 2 on every port) from one that would not read.

// MicroPython's errno numbers (Linux's) for the errors the in-memory FS can
// raise. Emscripten numbers them its own way (ENOENT is 44, EEXIST 20, which
// is ENOTDIR here), and MicroPython passes them on untouched, so without this
// mpremote, and the firmware, would misread every filesystem error. EINTR
// and EAGAIN are left alone on purpose: C code compares errno with
// Emscripten's values for those two, and no number below equals either of
// them (27 and 6).
const MP_ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, ENAMETOOLONG: 36, ENOSYS: 38,
  ENOTEMPTY: 39, ELOOP: 40, EOPNOTSUPP: 95,
};

// Emscripten's syscalls return -error.errno of whatever FS.ErrnoError the FS
// threw. The FS also catches its own errors and checks their numbers (e.g.
// mkdirTree ignores EEXIST 20), so only errors leaving the outermost FS call
// are renumbered: every FS function is wrapped, and a depth count tells the
// outermost call from the FS calling itself.
export function translateFsErrors(FS) {
  const ErrnoError = FS.ErrnoError;
  const table = new Map();
  for (let n = 1; n < 256; n++) {
    const name = new ErrnoError(n).code; // the constructor looks the name up
    if (name in MP_ERRNO) table.set(n, MP_ERRNO[name]);
  }
  let depth = 0;
  for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(FS))) {
    const f = desc.value;
    if (typeof f !== "function" || /^class\b/.test(Function.prototype.toString.call(f))) continue;
    FS[name] = function (...args) {
      depth++;
      try {
        return f.apply(this, args);
      } catch (e) {
        if (depth === 1 && e instanceof ErrnoError && table.has(e.errno)) {
          throw new ErrnoError(table.get(e.errno));
        }
        throw e;
      } finally {
        depth--;
      }
    };
  }
}

