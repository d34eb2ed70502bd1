"""The MicroPython rig must be honest: real MicroPython, real exit statuses,
output intact. Everything else that runs on MicroPython relies on this."""

import json
import textwrap

import pytest

from mprig import REPO_ROOT, RIG_FAILURE, firmware_copies, run_micropython, run_micropython_code

pytestmark = pytest.mark.slow    # real MicroPython (Node), a run per test


def run(code, **kw):
    return run_micropython_code(textwrap.dedent(code), **kw)


def test_really_micropython():
    r = run("""
        import sys, micropython
        print(sys.implementation.name, __name__)
    """)
    assert (r.returncode, r.stdout, r.stderr) == (0, "micropython __main__\n", "")


def test_uncaught_exception_exits_1_with_traceback():
    r = run("""
        print("before")
        def fail():
            raise ValueError("boom")
        fail()
        print("after")
    """)
    assert r.returncode == 1
    assert r.stdout == "before\n"
    assert "Traceback (most recent call last):" in r.stderr
    assert 'main.py", line 5, in <module>' in r.stderr  # names the script
    assert r.stderr.endswith("ValueError: boom\n")


@pytest.mark.parametrize(
    "stmt, status, stderr",
    [
        ("sys.exit(2)", 2, ""),
        ("sys.exit()", 0, ""),
        ("sys.exit(0)", 0, ""),
        ("sys.exit(None)", 0, ""),
        ("raise SystemExit(7)", 7, ""),
        ("sys.exit(-1)", 255, ""),  # as a POSIX exit status
        ('sys.exit("2")', 1, "2\n"),  # a message, not a code, as in CPython
        ('sys.exit("bye é")', 1, "bye é\n"),
    ],
)
def test_system_exit_status(stmt, status, stderr):
    r = run(f"import sys\nprint('x')\n{stmt}\nprint('not reached')\n")
    assert (r.returncode, r.stdout, r.stderr) == (status, "x\n", stderr)


def test_output_lines_intact_and_in_order():
    lines = [f"{i} é ünïcödé ✓" for i in range(500)]
    r = run("""
        import sys
        for i in range(500):
            print(i, "é ünïcödé ✓")
        sys.stdout.write("no newline at end é")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "\n".join(lines) + "\nno newline at end é"


def test_stderr_is_separate():
    r = run("""
        import sys
        print("out")
        print("err é", file=sys.stderr)
    """)
    assert (r.returncode, r.stdout, r.stderr) == (0, "out\n", "err é\n")


def test_copied_tree_is_importable_from_lib(tmp_path):
    pkg = tmp_path / "src" / "rigpkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("NAME = 'rigpkg'\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "mod.py").write_text("def f(x):\n    return x * 2\n", encoding="utf-8")
    # Not copied: caches, bytecode and dot-files.
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"junk")
    (pkg / "stale.pyc").write_bytes(b"junk")
    (pkg / ".hidden").write_text("secret")
    data = tmp_path / "x.json"
    data.write_text('{"k": "é"}', encoding="utf-8")

    r = run(
        """
        import os, json
        import rigpkg
        from rigpkg.sub.mod import f
        print(rigpkg.NAME, f(21))
        print(sorted(os.listdir("/lib/rigpkg")))
        with open("/data/nested/x.json") as fh:
            print(json.load(fh)["k"])
        """,
        copies=[(tmp_path / "src", "/lib"), (data, "/data/nested/x.json")],
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "rigpkg 42\n['__init__.py', 'sub']\né\n"


def test_heap_lock_makes_allocation_raise_memoryerror():
    # How callers prove a code path allocates nothing: run it under heap_lock.
    r = run("""
        import micropython
        def adds(a, b):
            return a + b          # small ints: no allocation
        def allocates():
            return [1, 2, 3]
        results = [None, None]    # allocated before the lock
        micropython.heap_lock()
        try:
            results[0] = adds(1, 2)
            try:
                allocates()
                results[1] = "allocated"
            except MemoryError:
                results[1] = "MemoryError"
        finally:
            micropython.heap_unlock()
        print(results)
    """)
    assert (r.returncode, r.stdout, r.stderr) == (0, "[3, 'MemoryError']\n", "")


def test_dying_with_heap_locked_still_reports():
    r = run("""
        import micropython
        micropython.heap_lock()
        micropython.heap_lock()
        x = [1.5]
    """)
    assert r.returncode == 1
    assert "MemoryError" in r.stderr


@pytest.mark.parametrize(
    "end, status, stderr_tail",
    [
        ("pass", 0, ""),
        ("raise stop", 5, ""),
        ("raise boom", 1, "ValueError: boom\n"),
    ],
)
def test_ending_with_heap_locked_still_reports(end, status, stderr_tail):
    # The exceptions are made before locking: under the lock MicroPython
    # cannot even store SystemExit's argument (sys.exit(5) then exits 0).
    r = run(f"""
        import micropython
        stop, boom = SystemExit(5), ValueError("boom")
        micropython.heap_lock()
        micropython.heap_lock()
        {end}
    """)
    assert r.returncode == status
    assert r.stderr.endswith(stderr_tail)


def test_args_reach_sys_argv(tmp_path):
    script = tmp_path / "argv.py"
    script.write_text("import sys, json\nprint(json.dumps(sys.argv))\n")
    args = ["a", "b c", "--flag", "-", "é", ""]
    r = run_micropython(script, args=args)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [str(script), *args]


def test_rig_failure_is_not_a_script_status(tmp_path):
    r = run_micropython(tmp_path / "missing.py")
    assert r.returncode == RIG_FAILURE
    assert "missing.py" in r.stderr


def test_firmware_runs_from_the_bytecode_a_wand_is_flashed_with():
    # As on the wand: the facewand package as .mpy (no source beside it),
    # the routines, the simulated hardware and the board files.
    r = run("""
        import os
        import facewand.engine
        print(facewand.engine.__file__)
        print(sorted(n for n in os.listdir("/lib/facewand") if not n.endswith(".mpy")))
        print(sorted(os.listdir("/lib/routines")))
        print(sorted(os.listdir("/boards")))
        import sim.fakehw.machine
        print(sim.fakehw.machine.__file__)
    """, copies=firmware_copies())
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "/lib/facewand/engine.mpy"
    assert lines[1] == "['drivers']"
    assert lines[2] == str(sorted(p.name for p in (REPO_ROOT / "firmware" / "routines").glob("*.json")))
    assert lines[3] == str(sorted(p.name for p in (REPO_ROOT / "boards").glob("*.json")))
    assert lines[4] == "/lib/sim/fakehw/machine.py"


def test_filesystem_errors_carry_micropythons_numbers():
    # As on a board (ENOENT 2, EISDIR 21, EEXIST 17), not Emscripten's own
    # (44, 31, 20): the firmware tells a missing file from one that would
    # not read (facewand.memory).
    p = run_micropython_code(textwrap.dedent("""
        import os
        def err(f):
            try:
                f()
            except OSError as e:
                return e.args[0]
        os.mkdir("/d")
        print(err(lambda: open("/nope")), err(lambda: open("/d", "w")), err(lambda: os.mkdir("/d")))
    """))
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["2", "21", "17"]
