"""Run Python scripts on real MicroPython (WebAssembly port under Node.js).

The differential tests run the same firmware code on CPython and through
these helpers on MicroPython, then compare outputs. See tests/mp/run.mjs for
the exit-status rules: 0 ok, the SystemExit code, 1 for an uncaught exception
(traceback on stderr), 3 when the rig itself failed.

A missing Node.js or npm install raises RuntimeError instead of skipping:
the test command must really have run MicroPython when it passes.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MP_DIR = REPO_ROOT / "tests" / "mp"
RUNNER = MP_DIR / "run.mjs"
PACKAGE_DIR = MP_DIR / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"

# run.mjs exit status when the rig itself failed (bad arguments, missing file).
RIG_FAILURE = 3


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
