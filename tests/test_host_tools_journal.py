# Reading a journal: a simulator trace or a wand's journal.jsonl as a timeline.
import subprocess
import sys

from mprig import REPO_ROOT


def host_tools(*args):
    return subprocess.run([sys.executable, "-m", "host_tools", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_timeline_and_summary_of_a_session(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("0.5 press\n5 pressure 0.9\n6 pressure 0.1\n12 press\n14 press\n")
    trace = tmp_path / "t.jsonl"
    subprocess.run([sys.executable, "-m", "sim", "run", "--routine", "eyes", "--quiet",
                    "--script", str(script), "--trace", str(trace)], cwd=REPO_ROOT, check=True)
    p = host_tools("journal", "--file", str(trace))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "00:00.000  idle"
    assert "00:02.140  step 1, round 1: Inner corners (eyes, still)" in lines
    assert "00:03.940    press point 1 of 3" in lines
    assert any(line.endswith("WARNING pressure_high") for line in lines)
    assert any(line.endswith("  paused") for line in lines)
    assert lines[-1].endswith("10 steps started, ended done, warnings: pressure_high x1")


def test_raw_gives_the_lines_back(tmp_path):
    f = tmp_path / "j.jsonl"
    f.write_text('{"t_ms":0,"event":"state","state":"idle"}\n')
    p = host_tools("journal", "--file", str(f), "--raw")
    assert p.returncode == 0 and p.stdout == '{"t_ms": 0, "event": "state", "state": "idle"}\n'


def test_bad_journal_files_exit_2_with_one_line(tmp_path):
    for content, needle in ((b"nonsense\n", "j.jsonl:1: not a JSON line"),
                            (b'{"event":"state"}\n', "j.jsonl:1: expected an object with t_ms and event"),
                            (b"\xff\xfe", "cannot be read")):
        f = tmp_path / "j.jsonl"
        f.write_bytes(content)
        p = host_tools("journal", "--file", str(f))
        assert p.returncode == 2 and needle in p.stderr
        assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    p = host_tools("journal", "--file", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 2 and p.stderr.count("\n") == 1
