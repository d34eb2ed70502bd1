# Simulated `time` for the virtual wand: ticks from the world's clock, and
# sleeping moves that clock on (instantly), applying the script's inputs.
# The pure-Python arithmetic, not facewand.ticks.diff: on MicroPython that
# is time.ticks_diff, which would be this module once it stands in for time.
from facewand.ticks_math import diff as _diff, add as _add

try:
    from sim.fakehw import machine
except ImportError:
    import machine

try:
    import vwand_host       # on the virtual wand: let Ctrl-C in while time passes
    _poll = vwand_host.poll
except ImportError:
    _poll = None


def ticks_ms():
    return machine.world.now


def ticks_us():
    return (machine.world.now * 1000) & 0x3FFFFFFF


def ticks_add(t, delta):
    return _add(t, delta)


def ticks_diff(a, b):
    return _diff(a, b)


def sleep_ms(ms):
    if _poll is not None:
        _poll()
    machine.world.sleep_ms(ms)


def sleep_us(us):
    machine.world.sleep_ms(us // 1000)


def sleep(s):
    machine.world.sleep_ms(int(s * 1000))


def time():
    """The wand's clock, seconds since 1970: what the world says it was at
    power-on (World.clock_s: by default a Pico's after a power cut, early
    2021, a clock nobody set), plus the time since."""
    return machine.world.clock_s + machine.world.t // 1000


def localtime(secs=None):
    from facewand.names import date_of
    s = time() if secs is None else secs
    y, mo, d, h, mi = date_of((s - _Y2000) // 60)
    return (y, mo, d, h, mi, s % 60, 0, 0)


_Y2000 = 946684800        # 2000-01-01 00:00, seconds since 1970
