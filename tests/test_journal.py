# The journal's ring, on both interpreters: it holds exactly `capacity`
# records (its arrays are sized from raw bytes, which the two interpreters
# must read alike), keeps the newest, and gives back what was taken,
# 16-bit command values and 32-bit times included.
import pytest

from mprig import firmware_copies, run_micropython_code

CHECK = """
from facewand.journal import Journal
j = Journal(5)
cmds = [0] * 8
for i in range(7):
    cmds[0] = 3; cmds[1] = i; cmds[2] = 2000; cmds[3] = -1000
    cmds[4] = 4; cmds[5] = 32767; cmds[6] = -32768; cmds[7] = i
    j.take(1000000000 + i, cmds, 2)
assert len(j.t) == 5 and len(j.cmd) == 20, (len(j.t), len(j.cmd))
assert j.count == 14 and j.first() == 9
got = [j.get(i) for i in range(j.first(), j.count)]
assert got[0] == (1000000004, 4, 32767, -32768, 4), got[0]
assert got[-1] == (1000000006, 4, 32767, -32768, 6), got[-1]
assert got[1] == (1000000005, 3, 5, 2000, -1000), got[1]
print("journal ok")
"""


def test_journal_ring_on_cpython():
    exec(CHECK, {})


@pytest.mark.slow
def test_journal_ring_on_micropython():
    p = run_micropython_code(CHECK, copies=firmware_copies())
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "journal ok"
