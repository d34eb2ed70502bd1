# A wand for host_tools' tests of settings and journal: its files in a
# dict, reached through a stand-in for mpremote's SerialTransport (what
# host_tools/session.py uses of it, raising mpremote's exceptions). The code
# host_tools sends to run on the wand (setting the clock, a rename) is run
# here, on CPython, against a stand-in `machine` (an RTC, or none) and `os`
# (rename over a file, or refuse it as FAT does), so what is tested is that
# code, not a copy of what it should do.
import builtins
import errno
import io

from mpremote.transport import TransportError, TransportExecError


class Board:
    """files: {path: bytes}, paths as host_tools names them ("/settings.json");
    rtc: the 8-tuple machine.RTC().datetime was last set to, None while
    never set; has_rtc: False for a machine with no RTC (the virtual wand);
    fat: a filesystem whose rename will not replace a file. log: what each
    session did, in order; sessions: how many were opened."""

    def __init__(self, files=None, has_rtc=True, fat=False, opens=True, answers=True):
        self.files = dict(files or {})
        self.has_rtc = has_rtc
        self.rtc = None
        self.fat = fat
        self.opens = opens
        self.answers = answers
        self.log = []
        self.sessions = 0

    def open(self, port):
        """session.open_transport's stand-in."""
        if not self.opens:
            raise TransportError("failed to access %s" % port)
        self.sessions += 1
        return FakeTransport(self)

    def writes(self):
        """The operations of the log that changed a file."""
        return [e for e in self.log if e[0] in ("write", "rename", "rm")]

    # ---- what `import machine` and `import os` give code run on the board

    def _machine(self):
        board = self

        class RTC:
            def datetime(self, t=None):
                if t is None:
                    return board.rtc
                assert isinstance(t, tuple) and len(t) == 8, t
                board.rtc = t
                board.log.append(("rtc", t))

        class Machine:
            pass
        m = Machine()
        if self.has_rtc:
            m.RTC = RTC
        return m

    def _os(self):
        board = self

        class Os:
            @staticmethod
            def rename(a, b):
                if a not in board.files:
                    raise OSError(errno.ENOENT, a)
                if board.fat and b in board.files:
                    raise OSError(errno.EEXIST, b)
                board.files[b] = board.files.pop(a)
                board.log.append(("rename", a, b))

            @staticmethod
            def remove(p):
                if p not in board.files:
                    raise OSError(errno.ENOENT, p)
                del board.files[p]
                board.log.append(("rm", p))
        return Os()

    def run(self, code):
        """Run `code` as the wand would; its printed output, as bytes."""
        out = io.StringIO()
        modules = {"machine": self._machine, "os": self._os}

        def imp(name, *args, **kwargs):
            if name not in modules:
                raise ImportError("no module named '%s'" % name)
            return modules[name]()

        def prn(*args, **kwargs):
            kwargs["file"] = out
            builtins.print(*args, **kwargs)

        board = self

        class Upload(io.StringIO):
            def __init__(self, path):
                super().__init__()
                self.path = path

            def __exit__(self, *exc):
                board.files[self.path] = self.getvalue().encode()
                board.log.append(("clock file", self.path))

        def opn(path, mode="r"):
            assert mode == "w", mode
            return Upload(path)

        env = {"__builtins__": dict(vars(builtins), __import__=imp, print=prn, open=opn)}
        try:
            exec(code, env)
        except Exception as e:    # as mpremote reports an exception on the wand
            raise TransportExecError(1, "Traceback (most recent call last):\r\n%s: %s\r\n"
                                     % (type(e).__name__, e)) from None
        return out.getvalue().replace("\n", "\r\n").encode()


class FakeTransport:
    def __init__(self, board):
        self.board = board
        self.in_raw_repl = False

    def enter_raw_repl(self, soft_reset=True):
        if not self.board.answers:
            raise TransportError("could not enter raw repl")
        self.in_raw_repl = True

    def exit_raw_repl(self):
        self.in_raw_repl = False

    def close(self):
        self.in_raw_repl = False

    def exec(self, code):
        assert self.in_raw_repl
        return self.board.run(code)

    def fs_readfile(self, path, chunk_size=256):
        assert self.in_raw_repl
        self.board.log.append(("read", path))
        if path not in self.board.files:
            raise OSError(errno.ENOENT, path)     # as mpremote reports it
        return bytearray(self.board.files[path])

    def fs_writefile(self, path, data, chunk_size=256):
        assert self.in_raw_repl
        self.board.files[path] = bytes(data)
        self.board.log.append(("write", path))

    def fs_rmfile(self, path):
        assert self.in_raw_repl
        if path not in self.board.files:
            raise OSError(errno.ENOENT, path)
        del self.board.files[path]
        self.board.log.append(("rm", path))
