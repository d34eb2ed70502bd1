# Talking to the wand. A Session is one connection through mpremote's own
# Python transport (mpremote.transport_serial.SerialTransport), held in the
# raw REPL as `mpremote connect PORT ...` holds it, but in this process: a
# query, the copies and the removals of a flash share one connection
# instead of starting an mpremote process each.
#
# Errors are told apart by mpremote's exceptions and where they arise, never
# by reading text:
#   the port cannot be opened (SerialTransport raises TransportError):
#       BadInput, "cannot open PORT";
#   the raw REPL cannot be entered (TransportError, or pyserial's OSError):
#       Failure, "the wand on PORT does not answer", with a hint;
#   then, an exception on the wand (TransportExecError, or the OSError
#       mpremote makes of one): Failure naming the operation and the error;
#       an OSError of the wand's filesystem is WandOSError, a Failure that
#       keeps its errno, and a file the wand does not have is Missing, one
#       of those;
#   the link breaking (TransportError, serial.SerialException, an answer
#       cut short): Failure, "the wand on PORT stopped answering".
# A read or write on the port that waits over READ_S, or an answer that
# pauses for 10 s (mpremote's own limit), is a wand that stopped answering.
#
# Session(port, set_clock=True), as the commands that read or change what
# the wand keeps (settings, journal, flash) open it, first sets the wand's
# clock to the host's local time, as `mpremote rtc --set` does: the wand
# dates its history by its clock, and a Pico's clock starts again at
# 2021-01-01 on every boot. doctor only looks, and leaves it.
import contextlib
import datetime
import errno
import io
import json
import os
import struct
import time

import serial
from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport

from host_tools.messages import BadInput, Failure, last_line

READ_S = 5          # s a read or write on the port may wait
REBOOT_S = 15       # s a wand may take to be back on USB after a reset
RESET_S = 0.5       # s to leave the wand to reset before looking for it again
WRITE_CHUNK = 1024  # bytes a write sends per raw-REPL command (mpremote's cp: 256)
READ_CHUNK = 1024   # bytes a read fetches per raw-REPL command

# mpremote's `reset` command: the 100 ms let the command's end reach the host
# before the wand drops off USB.
RESET = "import time, machine; time.sleep_ms(100); machine.reset()"

# The top 6 bits of sys.implementation._mpy, as mpy-cross -march names them.
# Only native code (@micropython.native/viper, -march=armv6m for the RP2040,
# xtensawin for the ESP32) depends on it; we compile plain bytecode, which
# any arch loads, so the arch is only shown by doctor.
ARCHS = ("none", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp",
         "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc")

# Runs on the wand: one JSON line about the MicroPython; with FILES after
# it, one more per directory and file (with its sha256, '' when the port has
# no sha256), paths relative to the working directory, which is the
# filesystem root at boot. One command for every hash, where mpremote's own
# fs_hashfile takes three per file.
INFO = """
import sys, gc, json
b = None
try:
    with open('board.json') as f:
        b = json.load(f).get('name')
except Exception:
    pass
gc.collect()
i = sys.implementation
print(json.dumps({'version': '.'.join(str(n) for n in i.version[:3]),
    'mpy': getattr(i, '_mpy', 0), 'platform': sys.platform,
    'machine': getattr(i, '_machine', ''), 'free': gc.mem_free(), 'board': b}))
"""
FILES = """
import os, binascii
try:
    from hashlib import sha256
except ImportError:
    sha256 = None
buf = bytearray(512)
mv = memoryview(buf)
def walk(d):
    for e in (os.ilistdir(d) if d else os.ilistdir()):
        p = d + '/' + e[0] if d else e[0]
        if e[1] & 0x4000:
            print(json.dumps(['d', p]))
            walk(p)
            continue
        h = ''
        if sha256:
            s = sha256()
            with open(p, 'rb') as f:
                while True:
                    n = f.readinto(buf)
                    if not n:
                        break
                    s.update(mv[:n])
            h = binascii.hexlify(s.digest()).decode()
        print(json.dumps(['f', p, h]))
walk('')
"""

# Runs on the wand: `mpremote rtc --set` in one command, for a wand with a
# machine.RTC (the virtual wand's simulated machine has none: nothing to
# set there). Prints 1 when the clock was set, 0 when there is none. The
# time also goes in /clock: the wand's watchdog resets an RP2040 a few
# seconds after a host stops its loop, which sets its clock back to 2021,
# and the firmware's start puts the time back from there (facewand/start.py).
SET_CLOCK = """
try:
    from machine import RTC
except ImportError:
    RTC = None
if RTC:
    _t = %r
    RTC().datetime(_t)
    try:
        with open('/clock', 'w') as _f:
            _f.write('%%d %%d %%d %%d %%d %%d' %% (_t[0], _t[1], _t[2], _t[4], _t[5], _t[6]))
    except OSError:
        pass
print(1 if RTC else 0)
"""

# Runs on the wand: os.rename, printing 0, or the errno of the OSError it
# raised (mpremote's transport has no rename of its own).
RENAME = """
import os
try:
    os.rename(%r, %r)
    print(0)
except OSError as e:
    print(e.args[0])
"""


def local_now():
    """The host's local time, as mpremote's rtc --set takes it (tests put
    a fixed time in its place)."""
    return datetime.datetime.now()


def rtc_tuple(now):
    """machine.RTC().datetime's 8-tuple for `now`, as mpremote makes it:
    weekday 0 for Monday, microseconds last."""
    return (now.year, now.month, now.day, now.weekday(), now.hour, now.minute, now.second,
            now.microsecond)


class WandOSError(Failure):
    """An OSError on the wand's filesystem; errno is the wand's."""

    def __init__(self, message, errno_=0):
        super().__init__(message)
        self.errno = errno_


class Missing(WandOSError):
    """The wand has no such file or directory."""


class Wand:
    """What a query found: info (MicroPython, board.json's name, free heap),
    files {path: sha256, or None when the wand cannot hash}, dirs."""

    def __init__(self, info, files, dirs):
        self.info, self.files, self.dirs = info, files, dirs

    @property
    def bytecode(self):
        return self.info["mpy"] & 0xFF

    @property
    def arch(self):
        a = self.info["mpy"] >> 10
        return ARCHS[a] if a < len(ARCHS) else "arch %d" % a


def open_transport(port):
    """mpremote's serial transport on port, opened, as `mpremote connect`
    opens it, with a limit on how long a read or write may wait."""
    t = SerialTransport(port, baudrate=115200, timeout=READ_S)
    t.serial.write_timeout = READ_S
    return t


def _quiet(fn, *args):
    """fn(*args), with what mpremote prints when it gives up (the bytes it
    got) kept out of this command's output."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


class Session:
    """One connection to the wand on port, in the raw REPL. Entering it
    stops whatever the wand runs and soft-resets it, as mpremote does. With
    set_clock, the wand's clock is then set to the host's (see the top);
    has_clock says whether the wand had one to set.

        with Session(port) as wand:
            wand.query()
    """

    def __init__(self, port, set_clock=False):
        self.port = port
        self.has_clock = None
        try:
            self.transport = _quiet(open_transport, port)
        except (TransportError, ValueError):
            # Nothing there, not a serial device, held by another program,
            # or (ValueError) a pyserial URL of no protocol it knows.
            raise BadInput("cannot open %s: is the wand plugged in there?" % port) from None
        try:
            _quiet(self.transport.enter_raw_repl)
        except (TransportError, OSError):     # OSError: pyserial's, the port gone
            self.close()
            raise Failure("the wand on %s does not answer: if it is off, press its button, "
                          "or hold the button while plugging it in" % port) from None
        if set_clock:
            try:
                self.set_clock()
            except BaseException:
                self.close()
                raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        t, self.transport = self.transport, None
        if t is None:
            return
        # The port may be gone already (a reset): nothing left to tidy then.
        with contextlib.suppress(OSError, TransportError):
            if t.in_raw_repl:
                t.exit_raw_repl()
        with contextlib.suppress(OSError, TransportError):
            t.close()

    def _call(self, what, fn, *args):
        """fn(*args) on the transport, its errors as above."""
        try:
            return _quiet(fn, *args)
        except TransportExecError as e:
            raise Failure("%s on the wand on %s failed: %s"
                          % (what, self.port, last_line(e.error_output))) from None
        except (TransportError, serial.SerialException, struct.error) as e:
            # struct.error: mpremote could not unpack an answer cut short.
            detail = "no answer" if isinstance(e, struct.error) else str(e) or type(e).__name__
            raise Failure("the wand on %s stopped answering (%s: %s)"
                          % (self.port, what, last_line(detail))) from None
        except OSError as e:
            # mpremote turns an OSError on the wand into one on the host.
            reason = os.strerror(e.errno) if e.errno else str(e)
            kind = Missing if e.errno == errno.ENOENT else WandOSError
            raise kind("%s on the wand on %s failed: %s" % (what, self.port, reason),
                       e.errno or 0) from None

    def set_clock(self, now=None):
        """Set the wand's clock to `now` (the host's local time), as
        `mpremote rtc --set`; has_clock: whether the wand has one."""
        t = rtc_tuple(now or local_now())
        out = self._call("rtc --set", self.transport.exec, SET_CLOCK % (t,))
        self.has_clock = out.strip() == b"1"
        return self.has_clock

    def query(self, files=True):
        """The wand's MicroPython and board, and with files its files and
        their sha256: one command, read-only."""
        out = self._call("query", self.transport.exec, INFO + (FILES if files else ""))
        return _parse_query(self.port, out.decode("utf-8", "replace"))

    def read(self, path):
        """The file's bytes, or None when the wand has no such file."""
        try:
            return bytes(self._call("read :" + path, self.transport.fs_readfile, path, READ_CHUNK))
        except Missing:
            return None

    def write(self, path, data):
        self._call("cp :" + path, self.transport.fs_writefile, path, data, WRITE_CHUNK)

    def touch(self, path):
        self._call("touch :" + path, self.transport.fs_touchfile, path)

    def mkdir(self, path):
        self._call("mkdir :" + path, self.transport.fs_mkdir, path)

    def rm(self, path):
        self._call("rm :" + path, self.transport.fs_rmfile, path)

    def rmdir(self, path):
        self._call("rmdir :" + path, self.transport.fs_rmdir, path)

    def rename(self, old, new):
        """os.rename on the wand: over an existing file on littlefs, an
        OSError (WandOSError here) where the filesystem will not (FAT)."""
        self._call("rename :%s :%s" % (old, new), self._rename, old, new)

    def _rename(self, old, new):
        out = self.transport.exec(RENAME % (old, new)).strip()
        try:
            code = int(out)
        except ValueError:
            raise Failure("the wand on %s answered something unexpected to a rename: %s"
                          % (self.port, out[:80].decode("utf-8", "replace"))) from None
        if code:
            raise OSError(code, "%s -> %s" % (old, new))

    def reset(self):
        """Hard-reset the wand, as mpremote's `reset`, and close the session:
        the wand drops off USB. after_reset() finds it again."""
        self._call("reset", self.transport.exec_raw_no_follow, RESET)
        self.close()


def after_reset(port, set_clock=False):
    """A session with the wand once it is back from a reset. The port goes
    away while it reboots (the Pico's USB is the chip's own), so try again
    until it answers, for up to REBOOT_S."""
    time.sleep(RESET_S)
    deadline = time.monotonic() + REBOOT_S
    while True:
        try:
            return Session(port, set_clock)
        except (BadInput, Failure) as e:
            if time.monotonic() > deadline:
                raise Failure("the wand on %s did not come back after its reset: %s" % (port, e))
            time.sleep(0.5)


def _parse_query(port, out):
    info, found, dirs = None, {}, set()
    for line in (ln for ln in out.splitlines() if ln.strip()):
        try:
            item = json.loads(line)
            if info is None:
                info = item
                if not (isinstance(info["version"], str) and isinstance(info["mpy"], int)
                        and isinstance(info["platform"], str)
                        and isinstance(info.get("free", 0), int)
                        and isinstance(info.setdefault("machine", ""), str)):
                    raise TypeError
            elif item[0] == "d":
                dirs.add(item[1])
            else:
                found[item[1]] = item[2] or None     # None: hash unknown, copy anyway
        except (ValueError, TypeError, KeyError, IndexError):
            raise Failure("the wand on %s answered something unexpected: %s" % (port, line[:80]))
    if info is None:
        raise Failure("the wand on %s did not answer the query" % port)
    return Wand(info, found, dirs)
