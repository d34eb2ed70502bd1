# python -m host_tools settings get [KEY] [--port PORT]
# python -m host_tools settings set KEY VALUE [--port PORT]
#
# The wearer's settings the wand keeps in /settings.json (facewand.memory),
# read and written by the firmware's own code: memory.read_settings (each
# value checked by facewand.settings_limits, a bad one keeping its
# default), settings_limits.check_one for the value given, and
# memory.write_settings, which writes settings.json.new and renames it over
# settings.json (atomic on littlefs), here through host_tools.wandfiles.
#
# get prints `KEY VALUE` lines, the value spelled as JSON, in the order of
# settings_limits.FIELDS; a settings.json that is missing or bad prints
# what the wand uses (the defaults, for what is bad) and says so on stderr.
# set checks the value before it connects (a bad one: `settings: NAME:
# expected ..., got ...`, status 2, nothing written), then writes every
# setting, the others as the wand has them, and prints the new line.
# VALUE is JSON (850, true, "daily"); what is not JSON is taken as text,
# so a bare word (daily) is a string.
import json
import sys

from sim import paths
paths.add_firmware()

from facewand import memory    # noqa: E402
from facewand.settings import Settings    # noqa: E402
from facewand.settings_limits import FIELDS, as_dict, check_one    # noqa: E402
from host_tools import ports    # noqa: E402
from host_tools.messages import one_line    # noqa: E402
from host_tools.session import Session    # noqa: E402
from host_tools.wandfiles import WandFiles    # noqa: E402

ROOT = ""          # the wand's files are at its root: memory.SETTINGS is /settings.json
KEYS = tuple(f[0] for f in FIELDS)


def parse_value(text):
    """VALUE from the command line: JSON, or else the text itself."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _refuse(err, message):
    err.write("settings: %s\n" % one_line(message))
    return 2


def _unknown(key):
    return "%s: unknown setting (known: %s)" % (key, ", ".join(KEYS))


def _line(key, value):
    return "%s %s" % (key, json.dumps(value))


def read(session, err):
    """The wand's settings as it would start with them (a Settings), its
    settings.json read by memory.read_settings; what is wrong with the file
    goes to err, one line."""
    settings = Settings()
    note, message = memory.read_settings(WandFiles(session), ROOT, settings)
    if message:
        err.write("%s\n" % one_line(message))
        err.flush()
    return settings


def get(key=None, port=None, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    if key is not None and key not in KEYS:
        return _refuse(err, _unknown(key))
    port = ports.find_port(port)
    with Session(port, set_clock=True) as wand:
        settings = read(wand, err)
    values = as_dict(settings)
    for k in ([key] if key is not None else KEYS):
        out.write(_line(k, values[k]) + "\n")
    return 0


def set_(key, text, port=None, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    value = parse_value(text)
    try:
        # Checked before the wand is reached: a bad value needs no wand.
        check_one(Settings(), key, value)
    except ValueError as e:
        return _refuse(err, str(e))
    port = ports.find_port(port)
    with Session(port, set_clock=True) as wand:
        settings = read(wand, err)
        check_one(settings, key, value)
        if memory.write_settings(WandFiles(wand, writable=True), ROOT, settings) is False:
            err.write("settings: the wand's filesystem would not rename over a file (FAT?): "
                      "settings.json was removed, then replaced\n")
    out.write(_line(key, getattr(settings, key)) + "\n")
    return 0
