"""The runner every check on both interpreters goes through must be honest:
each call's own result or failure, in order, failures never hiding the
calls after them, and a run that dies failing every call it never reported."""
import importlib
import textwrap

import pytest

import checkrun

pytestmark = pytest.mark.slow    # real MicroPython (Node)

CHECKS = '''
import sys

def check_value(n):
    return {"n": n, "lines": ['{"t_ms":%d,"event":"x"}' % i for i in range(n)], "text": "é\\\\\\t\\"q\\""}

def check_assert(x):
    assert x == 1, "x was %d" % x

def check_locked_out():
    import micropython
    micropython.heap_lock()
    return [1, 2, 3]                 # allocates: MemoryError, the heap left locked

def check_allocates():
    return ["after"] * 3

def check_exits():
    sys.exit(3)

def check_prints():
    sys.stdout.write("no newline @check 0 ok 1")
    return None
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    def make(name, text):
        (tmp_path / (name + ".py")).write_text(textwrap.dedent(text), encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        return importlib.import_module(name)
    return make


def test_each_call_has_its_own_outcome_in_order(module):
    m = module("checkrun_sample", CHECKS)
    calls = [("check_value", (3,)), ("check_assert", (2,)), ("check_prints", ()),
             ("check_locked_out", ()), ("check_allocates", ()), ("check_exits", ()),
             ("check_value", (0,)), ("no_such_check", ())]
    got = checkrun.micropython(m, calls)
    assert len(got) == len(calls)
    assert got[0].ok and got[0].result() == checkrun.cpython(m, "check_value", 3)
    assert got[0].value["text"] == 'é\\\t"q"' and len(got[0].value["lines"]) == 3
    assert not got[1].ok and got[1].error.endswith("AssertionError: x was 2\n")
    with pytest.raises(AssertionError, match="on MicroPython:\nTraceback"):
        got[1].result()
    assert got[2].ok and got[2].value is None
    assert not got[3].ok and "MemoryError" in got[3].error
    # The heap was unlocked after the failure: the next check allocates.
    assert got[4].ok and got[4].value == ["after"] * 3
    assert not got[5].ok and "SystemExit: 3" in got[5].error
    assert got[6].ok and got[6].value == {"n": 0, "lines": [], "text": 'é\\\t"q"'}
    assert not got[7].ok and "no_such_check" in got[7].error


def test_a_run_that_dies_fails_every_call_it_did_not_report(module):
    # A module only CPython can import: MicroPython has no subprocess.
    m = module("checkrun_broken", "import subprocess\n\ndef check_ok():\n    return 1\n")
    assert checkrun.cpython(m, "check_ok") == 1
    got = checkrun.micropython(m, [("check_ok", ()), ("check_ok", ())])
    assert [o.ok for o in got] == [False, False]
    assert "the run ended with status 1" in got[0].error and "subprocess" in got[0].error
