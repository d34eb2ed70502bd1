# python -m sim web [--port N] [--host H]: the wand in a browser (web/).
#
# A static file server and nothing more: the page runs the real firmware on
# MicroPython's WebAssembly build inside the browser (web/main.js), so all
# this serves is the files it loads, each from one root:
#   /                  web/ (the page; / is web/index.html)
#   /firmware/...      firmware/ (the package as flashed, its routines)
#   /sim/...           sim/ (the simulator's session and hardware)
#   /boards/...        boards/
#   /mp/...            the MicroPython WebAssembly package (make setup)
# A path that leaves its root (.., encoded or not, a symlink out, an
# absolute path), names a folder or a file that is not there is 404; no
# folder is listed. Bound to 127.0.0.1 unless --host says otherwise.
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from sim import paths

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".py": "text/x-python; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".md": "text/plain; charset=utf-8",
}
WEB = os.path.join(paths.ROOT, "web")


def roots():
    """URL prefix -> folder, the page's first ('' serves web/)."""
    return {
        "firmware": paths.FIRMWARE,
        "sim": os.path.join(paths.ROOT, "sim"),
        "boards": paths.BOARDS,
        "mp": paths.MICROPYTHON_WASM,
        "": WEB,
    }


def resolve(url, where=None):
    """The file a request's URL names, or None (404). Each segment of the
    decoded path must be a plain name (not empty, no leading dot, no
    backslash or NUL), and the file, symlinks followed, must lie inside its root."""
    where = where or roots()
    path = unquote(urlsplit(url).path, errors="strict") if url.startswith("/") else None
    if path is None:
        return None
    if path == "/":
        path = "/index.html"
    parts = path[1:].split("/")
    for p in parts:
        if p in ("", ".", "..") or p.startswith(".") or "\\" in p or "\0" in p:
            return None
    root = where.get(parts[0])
    if root is not None and len(parts) > 1:
        parts = parts[1:]
    else:
        root = where[""]
    base = os.path.realpath(root)
    full = os.path.realpath(os.path.join(base, *parts))
    if os.path.commonpath([base, full]) != base or not os.path.isfile(full):
        return None
    return full


class Handler(BaseHTTPRequestHandler):
    server_version = "facewand-web"

    def do_GET(self):
        self._send(body=True)

    def do_HEAD(self):
        self._send(body=False)

    def _send(self, body):
        try:
            full = resolve(self.path)
        except UnicodeError:
            full = None
        if full is None:
            self.send_error(404, "not here")
            return
        kind = TYPES.get(os.path.splitext(full)[1], "application/octet-stream")
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError:
            self.send_error(404, "not here")
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        # The files change as the firmware is worked on: always ask again.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format, *args):
        pass        # the page loads some eighty files: a line each is noise


def make_server(port, host):
    """The server, bound (not yet serving). BadInput for a missing
    MicroPython package, a port out of range or one that cannot be bound."""
    from sim.cli import BadInput
    if not 0 <= port <= 65535:
        raise BadInput("--port: expected 0..65535, got %d" % port)
    if not os.path.isfile(os.path.join(paths.MICROPYTHON_WASM, "micropython.mjs")):
        raise BadInput("the MicroPython WebAssembly package is missing (%s): run make setup"
                       % os.path.relpath(paths.MICROPYTHON_WASM, paths.ROOT))
    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except (OSError, OverflowError) as e:
        raise BadInput("cannot listen on %s:%d (%s)" % (host, port, getattr(e, "strerror", None) or e))
    server.daemon_threads = True
    return server


def url(server):
    host, port = server.server_address[:2]
    return "http://%s:%d/" % ("[%s]" % host if ":" in host else host, port)


def serve(args, out=sys.stdout):
    """Run `sim web` until Ctrl-C (status 0)."""
    server = make_server(args.port, args.host)
    out.write("facewand in a browser: %s   (Ctrl-C stops)\n" % url(server))
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
