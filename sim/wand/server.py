"""A virtual wand on a pseudo-terminal, for mpremote and serial terminals.

    python -m sim wand [--board NAME] [--rom DIR]... [--heapsize BYTES]
    python -m sim.wand.server ...   (the same)

Prints the port (e.g. /dev/pts/5) as the first line on stdout once the wand
has booted, then serves until SIGTERM or SIGINT. Then, for example:

    mpremote connect /dev/pts/5 fs cp -r firmware/facewand :

The board is real MicroPython (WebAssembly) run by serve.mjs under Node,
which also documents what ROM dirs, vwand_boot, vwand_host.reset() and the
board name mean to code on the wand. Without --rom the ROM is sim/fakehw
when that exists (the project's fake machine/neopixel); with --rom, only
the dirs given.

Exit status: 0 when stopped by a signal, 1 when the board died, 2 for bad
arguments or missing Node.js/npm packages.
"""
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

from sim import paths
from sim.options import Parser, add_board

SERVE_MJS = Path(paths.ROOT, "sim", "wand", "serve.mjs")
MP_PACKAGE = Path(paths.MICROPYTHON_WASM)
DEFAULT_ROMS = (Path(paths.ROOT, "sim", "fakehw"),)


def _parser():
    p = Parser(prog="python -m sim wand", voice="sim wand",
               description="Serve a virtual wand (MicroPython) on a pseudo-terminal for mpremote.")
    add_board(p, help="the board the wand plays, by its name in boards/ (with --rom, any name "
              "the wand reports)")
    p.add_argument("--rom", action="append", default=[], metavar="DIR",
                   help="host dir whose files the wand holds in /.vwand, like frozen modules "
                        "(repeatable; default: sim/fakehw if it exists)")
    p.add_argument("--heapsize", type=int, default=8 * 1024 * 1024, metavar="BYTES",
                   help="MicroPython heap size (default: 8 MiB)")
    return p


class _Port:
    """Copies bytes between the pty master and Node's stdin/stdout.

    Whoever opens the pty's slave side (mpremote) is the host on USB. While
    nobody has it open, the wand's output is dropped, as a board's USB serial
    drops output with no host listening; otherwise the pty would keep it and
    hand stale bytes to the next client.
    """

    def __init__(self, master, node):
        self.master = master
        self.node = node
        self.stopping = threading.Event()

    def start(self):
        for target in (self._to_wand, self._from_wand):
            threading.Thread(target=target, daemon=True).start()

    def _client_present(self, events):
        return not events & (select.POLLHUP | select.POLLERR)

    def _to_wand(self):
        poller = select.poll()
        poller.register(self.master, select.POLLIN)
        to_node = self.node.stdin.fileno()
        while not self.stopping.is_set():
            events = sum(e for _, e in poller.poll(200))
            if not events & select.POLLIN:
                if events:  # hung up: no client; poll() would return at once
                    time.sleep(0.02)
                continue
            try:
                data = os.read(self.master, 65536)
            except (BlockingIOError, OSError):  # EIO: the client just closed
                time.sleep(0.02)
                continue
            try:
                _write_all(to_node, data)
            except OSError:  # Node exited
                return

    def _from_wand(self):
        from_node = self.node.stdout.fileno()
        poller = select.poll()
        poller.register(self.master, select.POLLOUT)
        while True:
            data = os.read(from_node, 65536)
            if not data:
                return  # Node exited
            view = memoryview(data)
            while view and not self.stopping.is_set():
                events = sum(e for _, e in poller.poll(200))
                if not self._client_present(events):
                    break  # nobody listening: drop it
                if not events & select.POLLOUT:
                    continue  # the client is slow to read: wait
                try:
                    view = view[os.write(self.master, view):]
                except BlockingIOError:
                    continue
                except OSError:
                    break


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _wait_for_boot(node, timeout=30):
    """Waits for the wand's first output (its banner): True once it booted."""
    ready, _, _ = select.select([node.stdout], [], [], timeout)
    return bool(ready) and bool(os.read(node.stdout.fileno(), 65536))


def main(argv=None):
    args = _parser().parse_args(argv)
    node_exe = shutil.which("node")
    if node_exe is None:
        sys.stderr.write("sim wand: node not found: install Node.js 20\n")
        return 2
    if not MP_PACKAGE.is_dir():
        sys.stderr.write("sim wand: run make setup: %s missing\n" % MP_PACKAGE)
        return 2
    if not args.rom:
        # The project's own hardware plays a board of boards/: it must exist
        # (with a ROM of one's own, the name is only what the wand reports).
        if args.board not in paths.board_names():
            sys.stderr.write("sim wand: unknown board %r (known: %s)\n"
                             % (args.board, ", ".join(paths.board_names())))
            return 2
    roms = args.rom or [d for d in DEFAULT_ROMS if d.is_dir()]
    for d in roms:
        if not os.path.isdir(d):
            sys.stderr.write("sim wand: --rom %s: not a directory\n" % d)
            return 2

    master, slave = os.openpty()
    tty.setraw(slave)  # no echo, no CR/LF translation: a byte pipe, as USB serial is
    port = os.ttyname(slave)
    # Closed so that poll() on the master tells whether a client has it open.
    os.close(slave)
    os.set_blocking(master, False)

    cmd = [node_exe, str(SERVE_MJS), "--board", args.board, "--heapsize", str(args.heapsize)]
    for d in roms:
        cmd += ["--rom", str(d)]
    # Own session: a Ctrl-C in the terminal reaches this process only, which
    # then stops Node itself.
    node = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                            start_new_session=True)
    stop = threading.Event()
    status = 0
    try:
        if not _wait_for_boot(node):
            sys.stderr.write("sim wand: the board did not start\n")
            return 1
        port_relay = _Port(master, node)
        port_relay.start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                signal.signal(sig, lambda *_: stop.set())
            except ValueError:  # not the main thread: the caller stops us
                pass
        print(port, flush=True)
        while not stop.wait(0.2):
            if node.poll() is not None:
                sys.stderr.write("sim wand: the board died (node exit status %s)\n" % node.returncode)
                status = 1
                break
        port_relay.stopping.set()
    finally:
        if node.poll() is None:
            node.terminate()
            try:
                node.wait(5)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
        os.close(master)
    return status


class Wand:
    """A running virtual wand (a server subprocess); see start_wand."""

    def __init__(self, proc, port):
        self.proc = proc
        self.port = port

    def stop(self, timeout=10):
        """Stops the server; returns its exit status (0: clean)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_wand(board="pico", roms=(), timeout=60):
    """Starts a virtual wand server; returns a Wand once its port is ready.

    roms: host dirs for /.vwand (empty: the server's default). Use as
    `with start_wand(roms=[d]) as wand: ... wand.port ...`.
    """
    cmd = [sys.executable, "-m", "sim.wand.server", "--board", board]
    for d in roms:
        cmd += ["--rom", os.fspath(d)]
    proc = subprocess.Popen(cmd, cwd=paths.ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            text=True)
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline().strip() if ready else ""
    if not line.startswith("/"):
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise RuntimeError("virtual wand did not start (exit status %s)" % proc.returncode)
    return Wand(proc, line)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
