"""Checks on both interpreters, one way.

A check module (driver_checks, app_checks, difftrace) is plain functions
that run unchanged on CPython and on MicroPython: plain asserts, and a
result, if any, that JSON can carry. A call is (function name, args).

    cpython(module, name, *args)    the call in this process; a failure is
                                    an ordinary traceback in pytest
    micropython(module, calls)      every call in one MicroPython run
                                    (tests/checkrun_mp.py through mprig),
                                    one Outcome per call, in order

On MicroPython each call passes or fails on its own: a failing check does
not stop the ones after it. Results come back through JSON on both sides,
so what a test compares is the same kind of value from each interpreter.
"""
import json
import tempfile
from collections import namedtuple
from pathlib import Path

from mprig import REPO_ROOT, firmware_copies, run_micropython

TESTS = REPO_ROOT / "tests"
MARK = "@check "         # starts each result line of checkrun_mp.py
PLAN = "/checkrun/calls.json"


class Outcome(namedtuple("Outcome", "ok value error")):
    """One call's result on MicroPython: ok and its value, or the error
    (MicroPython's traceback, or why the run never reported the call)."""

    def result(self):
        """The value; an AssertionError carrying MicroPython's traceback if
        the call failed there."""
        if not self.ok:
            raise AssertionError("on MicroPython:\n" + self.error)
        return self.value


def cpython(module, name, *args):
    """module.name(*args) here, its result as MicroPython would report it."""
    return json.loads(json.dumps(getattr(module, name)(*args)))


def micropython(module, calls, *, copies=(), timeout=600):
    """Runs calls [(name, args), ...] of `module` (a one-file module) on
    MicroPython, in order, in one run that holds the firmware
    (mprig.firmware_copies), the module's file and `copies`. Returns
    [Outcome], one per call."""
    name, source = module.__name__, Path(module.__file__)
    assert "." not in name and source.suffix == ".py", (name, source)
    calls = [(call, list(args)) for call, args in calls]
    with tempfile.TemporaryDirectory(prefix="checkrun-") as tmp:
        plan = Path(tmp) / "calls.json"
        plan.write_text(json.dumps({"module": name, "calls": calls}), encoding="utf-8")
        p = run_micropython(TESTS / "checkrun_mp.py", args=[PLAN], timeout=timeout,
                            copies=[*firmware_copies(), (source, "/lib/%s.py" % name),
                                    (plan, PLAN), *copies])
    got = {}
    for line in p.stdout.splitlines():
        if line.startswith(MARK):
            index, status, text = line[len(MARK):].split(" ", 2)
            value = json.loads(text)
            got[int(index)] = Outcome(True, value, None) if status == "ok" else Outcome(False, None, value)
    if p.returncode == 0 and len(got) == len(calls):
        return [got[i] for i in range(len(calls))]
    # The run itself failed: every call it did not report fails with why.
    why = "the run ended with status %d before reporting this check\n%s%s" % (
        p.returncode, _tail(p.stdout), _tail(p.stderr))
    if len(got) == len(calls):
        raise RuntimeError("MicroPython: " + why)
    return [got.get(i, Outcome(False, None, why)) for i in range(len(calls))]


def _tail(text, n=3000):
    return text if len(text) <= n else "...\n" + text[-n:]
