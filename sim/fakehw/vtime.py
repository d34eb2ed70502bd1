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
    return 1700000000 + machine.world.t // 1000
