# Type-check firmware/ as the wand sees it: pyright against the MicroPython
# stubs of each port, so machine.PWM(pin).duty() on the Pico (it only has
# duty_u16) is caught on the host, not on the wand.
#
#   python -m host_tools typecheck [--port rp2|esp32]
#
# The stubs are pinned and pip-installed into build/typings/PORT on first
# use. They replace both the standard library (typeshedPath: time has
# ticks_ms, json has no JSONDecodeError) and third-party stubs (stubPath:
# machine, neopixel, micropython); pyright is pointed at an empty venv so
# nothing installed on this host (CPython's site-packages) satisfies an
# import the wand could not. "basic" strictness: the firmware is small,
# dynamic-looking MicroPython code without annotations; "strict" would
# mostly ask for annotations, not find bugs.
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

from sim import paths

STUBS = {
    "rp2": ("micropython-rp2-stubs==1.29.0.post1", "micropython-stdlib-stubs==1.29.0.post2"),
    "esp32": ("micropython-esp32-stubs==1.29.0.post1", "micropython-stdlib-stubs==1.29.0.post2"),
}
TYPINGS = os.path.join(paths.ROOT, "build", "typings")
# Not for the wand: manifest.py runs inside MicroPython's own build, which
# provides package() and module().
SKIP = ("manifest.py",)
# A module named for a port (drivers/sleep_esp32.py imports esp32) is only
# imported on that port, so it is checked against that port's stubs only.


class SetupError(Exception):
    pass


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def stubs(port):
    """The folder holding the pinned stubs for port, installed if missing."""
    folder = os.path.join(TYPINGS, port)
    pins = "\n".join(STUBS[port]) + "\n"
    if _read(os.path.join(folder, ".pins")) == pins:
        return folder
    # Install next to it and rename, so two test runs at once never see a
    # half-installed folder; --no-deps: exactly the pinned stdlib stubs.
    os.makedirs(TYPINGS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=port + ".", dir=TYPINGS)
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--disable-pip-version-check", "--target", tmp, *STUBS[port]],
                       capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip() and "WARNING" not in ln]
        raise SetupError("pip could not install %s: %s" % (" ".join(STUBS[port]),
                                                            lines[-1] if lines else r.returncode))
    with open(os.path.join(tmp, ".pins"), "w") as f:
        f.write(pins)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.rename(tmp, folder)
    except OSError:          # another run installed it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _empty_venv():
    site = os.path.join(TYPINGS, "novenv", "lib", "python3.11", "site-packages")
    os.makedirs(site, exist_ok=True)
    return os.path.join(TYPINGS, "novenv")


def _other_port(name, port):
    stem = name[:-3]
    return any(stem.endswith("_" + other) for other in STUBS if other != port)


def python_files(firmware, port):
    found = []
    for d, dirs, files in os.walk(firmware):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            p = os.path.join(d, f)
            if (f.endswith(".py") and os.path.relpath(p, firmware) not in SKIP
                    and not _other_port(f, port)):
                found.append(p)
    return sorted(found)


def check(port, firmware=paths.FIRMWARE):
    """pyright's complaints about firmware on port, one line each."""
    folder = stubs(port)
    venv = _empty_venv()
    config = {
        "typeshedPath": folder,
        "stubPath": folder,
        "venvPath": os.path.dirname(venv),
        "venv": os.path.basename(venv),
        "extraPaths": [os.path.abspath(firmware)],
        "typeCheckingMode": "basic",
        # The stubs are stubs only; there is no source to find on the host.
        "reportMissingModuleSource": "none",
    }
    files = python_files(firmware, port)
    with tempfile.TemporaryDirectory(dir=TYPINGS) as d:
        path = os.path.join(d, "pyrightconfig.json")
        with open(path, "w") as f:
            json.dump(config, f)
        # Files on the command line, so the config can live outside the tree
        # it checks (pyright only takes "include" relative to the config).
        r = subprocess.run([sys.executable, "-m", "pyright", "--outputjson", "-p", path, *files],
                           capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1"))
    try:
        report = json.loads(r.stdout)
    except ValueError:
        raise SetupError("pyright did not run: %s" % (r.stderr.strip() or r.stdout.strip())[-300:])
    complaints = []
    for d in report.get("generalDiagnostics", ()):
        if d["severity"] == "information":
            continue
        start = d.get("range", {}).get("start", {"line": 0, "character": 0})
        # pyright explains a complaint over several lines, each one a step
        # deeper; the first and the deepest say enough for one line.
        lines = [ln.strip() for ln in d["message"].splitlines() if ln.strip()]
        message = "; ".join(lines[:1] + lines[1:][-1:])
        rule = " (%s)" % d["rule"] if d.get("rule") else ""
        complaints.append("%s: %s:%d:%d: %s: %s%s" % (
            port, os.path.relpath(d["file"], firmware).replace(os.sep, "/"),
            start["line"] + 1, start["character"] + 1, d["severity"], message, rule))
    return complaints


def check_all(ports=None, firmware=paths.FIRMWARE):
    """{port: complaints}; the ports are checked side by side (each is one
    pyright process), halving the wait."""
    ports = ports or sorted(STUBS)
    with concurrent.futures.ThreadPoolExecutor(len(ports)) as pool:
        jobs = {port: pool.submit(check, port, firmware) for port in ports}
        return {port: job.result() for port, job in jobs.items()}


def main(ports=None, firmware=paths.FIRMWARE):
    try:
        results = check_all(ports, firmware)
    except SetupError as e:
        sys.stderr.write("host_tools: typecheck: %s\n" % e)
        return 1
    bad = 0
    for port, complaints in results.items():
        for line in complaints:
            print(line)
        if not complaints:
            print("%s: ok (%d files)" % (port, len(python_files(firmware, port))))
        bad += len(complaints)
        sys.stdout.flush()
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or None))
