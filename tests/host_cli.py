# Running `python -m host_tools` in the test's own process, for the host
# tools' tests: its status and what it printed, and the one-line errors
# every command promises.
from host_tools import cli


def main(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(text):
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]
