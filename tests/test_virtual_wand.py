"""The virtual wand (sim/wand) against the real mpremote, as on a board on USB.

One wand serves the whole module, so these also show that many mpremote
runs in a row work against the same wand. Its ROM is a small stand-in made
here (not sim/fakehw), so the tests pin the server's contract only.
"""
import errno
import hashlib
import os
import select
import subprocess
import sys
import time

import pytest

from sim.wand.server import start_wand

pytestmark = pytest.mark.slow    # the virtual wand (Node)

BOARD = "testboard"

# A minimal stand-in for the project's fake machine module.
MACHINE_PY = """\
import vwand_host

def reset():
    vwand_host.reset()
    raise SystemExit

def deepsleep(ms=0):
    reset()
"""

# A stand-in for a fake time, installed by the boot module as the project's is.
FAKE_TIME_PY = """\
import vwand_host
VIRTUAL = True

def sleep_ms(ms):
    vwand_host.poll()
"""

VWAND_BOOT_PY = """\
import sys, vwand_host
import fake_time
sys.modules["time"] = fake_time
BOARD = vwand_host.board
"""


@pytest.fixture(scope="module")
def wand(tmp_path_factory):
    rom = tmp_path_factory.mktemp("rom")
    (rom / "machine.py").write_text(MACHINE_PY)
    (rom / "fake_time.py").write_text(FAKE_TIME_PY)
    (rom / "vwand_boot.py").write_text(VWAND_BOOT_PY)
    with start_wand(board=BOARD, roms=[rom]) as w:
        yield w


def mpremote(wand, *args, timeout=60):
    """Runs mpremote against the wand; a hang fails the test instead."""
    return subprocess.run([sys.executable, "-m", "mpremote", "connect", wand.port, *args],
                          capture_output=True, text=True, timeout=timeout)


def ok(wand, *args):
    p = mpremote(wand, *args)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p.stdout


def terminal(wand, data, until, timeout=30):
    """Writes to the port as a serial terminal would; returns what the wand
    sent back up to and including `until`."""
    fd = os.open(wand.port, os.O_RDWR | os.O_NOCTTY)
    try:
        os.write(fd, data)
        seen = b""
        deadline = time.monotonic() + timeout
        while until not in seen:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([fd], [], [], left)[0], seen
            seen += os.read(fd, 4096)
        return seen
    finally:
        os.close(fd)


def test_exec_prints(wand):
    assert ok(wand, "exec", "print(1+1)") == "2\n"


def test_many_runs_in_a_row(wand):
    for i in range(5):
        assert ok(wand, "exec", "print(%d * 3)" % i) == "%d\n" % (i * 3)


def test_file_commands(wand, tmp_path):
    local = tmp_path / "hello.txt"
    local.write_bytes(b"hello\nwand\n")
    tree = tmp_path / "pkg"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.py").write_text("A = 1\n")
    (tree / "sub" / "b.py").write_text("B = 2\n")

    ok(wand, "fs", "mkdir", ":files")
    ok(wand, "fs", "cp", str(local), ":files/")
    ok(wand, "fs", "cp", "-r", str(tree), ":")
    listing = ok(wand, "fs", "ls", ":files")
    assert "hello.txt" in listing
    top = ok(wand, "fs", "ls", ":").split()
    assert "files/" in top and "pkg/" in top
    assert "b.py" in ok(wand, "fs", "ls", ":pkg/sub")
    assert ok(wand, "exec", "from pkg.sub import b; print(b.B)") == "2\n"

    assert ok(wand, "fs", "cat", ":files/hello.txt") == "hello\nwand\n"
    digest = ok(wand, "fs", "sha256sum", ":files/hello.txt").split()[-1]
    assert digest == hashlib.sha256(local.read_bytes()).hexdigest()

    ok(wand, "fs", "rm", ":files/hello.txt")
    assert "hello.txt" not in ok(wand, "fs", "ls", ":files")
    ok(wand, "fs", "rm", "-r", ":pkg")
    ok(wand, "fs", "rmdir", ":files")
    assert "pkg/" not in ok(wand, "fs", "ls", ":")


def test_mkdir_of_existing_dir_is_a_normal_error(wand):
    ok(wand, "fs", "mkdir", ":twice")
    p = mpremote(wand, "fs", "mkdir", ":twice")
    assert p.returncode == 1
    assert "mkdir: twice: File exists." in p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    ok(wand, "fs", "rmdir", ":twice")


def test_ls_of_missing_path_is_a_normal_error(wand):
    p = mpremote(wand, "fs", "ls", ":no_such_dir")
    assert p.returncode == 1
    assert "ls: no_such_dir: No such file or directory." in p.stderr
    assert "Traceback" not in p.stdout + p.stderr


def test_filesystem_errors_carry_micropython_errno_values(wand):
    code = """
import errno, os
os.mkdir('/e'); os.mkdir('/e/sub'); open('/e/f', 'w').close()
for call in (lambda: os.stat('/nope'), lambda: os.mkdir('/e'), lambda: os.listdir('/e/f'),
             lambda: open('/e', 'w'), lambda: os.rmdir('/e')):
    try:
        call()
    except OSError as e:
        print(e.errno, end=' ')
os.remove('/e/f'); os.rmdir('/e/sub'); os.rmdir('/e')
"""
    got = ok(wand, "exec", code).split()
    assert got == [str(n) for n in (errno.ENOENT, errno.EEXIST, errno.ENOTDIR, errno.EISDIR,
                                    errno.ENOTEMPTY)]


def test_run_local_script(wand, tmp_path):
    script = tmp_path / "local.py"
    script.write_text("import sys\nprint('ran on', sys.implementation.name, 6 * 7)\n")
    assert ok(wand, "run", str(script)) == "ran on micropython 42\n"


def test_big_script_goes_through_in_several_paste_windows(wand, tmp_path):
    # The server's raw-paste window is 4096 bytes: this takes a dozen.
    script = tmp_path / "big.py"
    script.write_text("".join("v%d = %d  # %s\n" % (i, i, "p" * 40) for i in range(800))
                      + "print(v799 + v1)\n")
    assert ok(wand, "run", str(script)) == "800\n"


def test_plain_raw_repl_for_other_tools(wand):
    seen = terminal(wand, b"\r\x01print(3 * 3)\x04\x02", b"\x04\x04>")
    assert b"raw REPL; CTRL-B to exit\r\n>OK9\r\n\x04\x04>" in seen


def test_boot_module_board_name_and_rom_path(wand):
    code = "import sys, time, vwand_boot; print(time.VIRTUAL, vwand_boot.BOARD, sys.path[-1])"
    assert ok(wand, "exec", code) == "True %s /.vwand\n" % BOARD


def test_soft_reset_gives_a_fresh_interpreter_and_keeps_files(wand):
    ok(wand, "exec", "kept = 7\nopen('soft.txt', 'w').write('flash')")
    assert ok(wand, "resume", "exec", "print(kept)") == "7\n"
    ok(wand, "soft-reset")
    assert ok(wand, "resume", "exec", "print('kept' in globals())") == "False\n"
    assert ok(wand, "resume", "exec", "print(open('soft.txt').read())") == "flash\n"
    ok(wand, "fs", "rm", ":soft.txt")


def test_hard_reset_gives_a_fresh_interpreter_and_keeps_files(wand):
    ok(wand, "exec", "kept = 8\nimport sys; sys.modules['junk'] = sys\nopen('hard.txt', 'w').write('flash')")
    ok(wand, "reset")
    code = "import sys; print('kept' in globals(), 'junk' in sys.modules, open('hard.txt').read())"
    assert ok(wand, "resume", "exec", code) == "False False flash\n"
    ok(wand, "fs", "rm", ":hard.txt")


def test_main_py_runs_at_reset_but_not_at_mpremotes_soft_reset(wand, tmp_path):
    main = tmp_path / "main.py"
    main.write_text("MAIN_RAN = True\n"
                    "n = open('count.txt').read() if 'count.txt' in __import__('os').listdir() else ''\n"
                    "open('count.txt', 'w').write(n + 'x')\n")
    ok(wand, "fs", "cp", str(main), ":main.py")
    try:
        ok(wand, "reset")
        assert ok(wand, "resume", "exec", "print(MAIN_RAN, open('count.txt').read())") == "True x\n"
        # mpremote soft-resets in the raw REPL, where a board skips main.py.
        assert ok(wand, "exec", "print(open('count.txt').read())") == "x\n"
    finally:
        ok(wand, "fs", "rm", ":main.py")
        ok(wand, "fs", "rm", ":count.txt")


def test_friendly_ctrl_d_runs_main_py_and_prints_its_traceback(wand, tmp_path):
    main = tmp_path / "main.py"
    main.write_text("print('starting')\n1/0\n")
    ok(wand, "fs", "cp", str(main), ":main.py")
    try:
        # mpremote leaves the wand in the friendly REPL; Ctrl-D there is a
        # soft reset that runs main.py, as typed in a serial terminal.
        seen = terminal(wand, b"\r\x04", b"divide by zero\r\n")
        assert b"MPY: soft reboot\r\nstarting\r\nTraceback (most recent call last):\r\n" \
               b'  File "main.py", line 2, in <module>\r\nZeroDivisionError: divide by zero\r\n' in seen
    finally:
        ok(wand, "fs", "rm", ":main.py")


def test_ctrl_c_stops_a_printing_loop(wand):
    ok(wand, "exec", "--no-follow", "while True:\n print('busy')")
    # mpremote starts with Ctrl-C, which must get through to the running loop.
    assert ok(wand, "exec", "print('back')") == "back\n"


def test_ctrl_c_stops_a_loop_that_sleeps_on_the_fake_clock(wand):
    ok(wand, "exec", "--no-follow", "import time\nwhile True:\n time.sleep_ms(10)")
    assert ok(wand, "exec", "print('back')") == "back\n"


def test_mount(wand, tmp_path):
    (tmp_path / "hostmod.py").write_text("WHERE = 'host'\n")
    out = ok(wand, "mount", str(tmp_path), "exec", "import hostmod; print(hostmod.WHERE)")
    assert out.splitlines()[-1] == "host"


def test_stops_cleanly(tmp_path):
    w = start_wand(roms=[tmp_path])
    assert ok(w, "exec", "print('up')") == "up\n"
    assert w.stop() == 0
    assert w.proc.poll() == 0
