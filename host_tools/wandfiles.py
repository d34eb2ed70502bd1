# What the firmware's memory functions (facewand.memory: read_settings,
# write_settings, read_history) take to reach files, for the host: the
# firmware's own readers and writers then read what the wand keeps and
# write what it will read, with no second copy of their formats here.
#
#   BytesFiles({path: bytes})  files held in memory: what was fetched from
#                              the wand, or read from disk. Writes stay there.
#   WandFiles(session)         the wand's own files, through a Session:
#                              reads fetch the file; with writable, a file
#                              opened "wb" is sent when it is closed, and
#                              rename and remove act on the wand.
import errno
import io

from host_tools.session import WandOSError


class _Upload(io.BytesIO):
    """A file opened for writing: its bytes go to `send` at close()."""

    def __init__(self, send):
        super().__init__()
        self._send = send

    def close(self):
        if not self.closed:
            data = self.getvalue()
            super().close()
            self._send(data)


class BytesFiles:
    """memory.Files over a dict {path: bytes}."""

    def __init__(self, files=None):
        self.files = dict(files or {})

    def _get(self, path):
        data = self.files.get(path)
        if data is None:
            raise OSError(errno.ENOENT, path)
        return data

    def open(self, path, mode):
        if "w" in mode:
            return _Upload(lambda data: self.files.__setitem__(path, data))
        return io.BytesIO(self._get(path))

    def rename(self, a, b):
        self.files[b] = self._get(a)
        del self.files[a]

    def remove(self, path):
        self._get(path)
        del self.files[path]

    def size(self, path):
        return len(self._get(path))


class WandFiles:
    """memory.Files on the wand, through a host_tools.session.Session.
    Read-only unless writable: opening a file to write raises OSError then
    (memory.read_settings tries to write the defaults when the wand has no
    settings.json; looking must not)."""

    def __init__(self, session, writable=False):
        self.session = session
        self.writable = writable
        self.last = None          # (path, bytes) of the file last opened to read

    def _writes(self, path):
        if not self.writable:
            raise OSError(errno.EROFS, path)
        self.last = None          # (what was read may change)

    def open(self, path, mode):
        if "w" in mode:
            self._writes(path)
            return _Upload(lambda data: self.session.write(path, data))
        if "+" in mode or "a" in mode:
            raise OSError(errno.EINVAL, "%s: mode %s is not supported here" % (path, mode))
        data = self.session.read(path)
        if data is None:
            raise OSError(errno.ENOENT, path)
        self.last = (path, data)
        return io.BytesIO(data)

    def rename(self, a, b):
        self._writes(b)
        try:
            self.session.rename(a, b)
        except WandOSError as e:
            # memory._replace tells FAT from littlefs by an OSError here.
            raise OSError(e.errno, str(e)) from None

    def remove(self, path):
        self._writes(path)
        try:
            self.session.rm(path)
        except WandOSError as e:
            raise OSError(e.errno, str(e)) from None

    def size(self, path):
        # (memory reads a file's size just after opening it: the bytes
        # already fetched over the serial line answer)
        if self.last is not None and self.last[0] == path:
            return len(self.last[1])
        data = self.session.read(path)
        if data is None:
            raise OSError(errno.ENOENT, path)
        return len(data)
