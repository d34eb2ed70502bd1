# What the engine says: its states, the commands it sends the shell, and
# the outbox they wait in until the shell has read them.
#
# A command is CMD_STRIDE small ints in one preallocated list: kind, a, b,
# c. The engine fills the outbox during a tick; the shell reads it (motor,
# journal) before the next. Nothing here allocates once built.
from facewand.compat import const

# States
IDLE = const(0)
RUNNING = const(1)
PAUSED = const(2)
DONE = const(3)
OFF = const(4)
OFFER = const(5)        # power-on after a power cut: resume the session cut off?

# Commands: CMD_STRIDE slots each: kind, a, b, c.
CMD_STRIDE = const(4)
CMD_MAX = const(24)
CMD_STATE = const(1)    # a = state
CMD_STEP = const(2)     # a = step number in the round (1-based), b = round (1-based), c = routine index
CMD_VIBE = const(3)     # a = pattern, b = ms it lasts, c = level permille (capped)
CMD_LED = const(4)      # a = ring pattern
CMD_WARN = const(5)     # a = reason
CMD_CLEAR = const(6)    # a = reason
CMD_STROKE = const(7)   # a = stroke number (1-based), b = strokes in the step
CMD_POINT = const(8)    # a = POINT_PRESS or POINT_RELEASE, b = press number, c = presses
CMD_ROUTINE = const(9)  # a = index of the routine now chosen
CMD_NOTE = const(10)    # a = a note's number (names.NOTE_NAMES): said at power-on about the wand's memory
CMD_OFFER = const(11)   # a = step number in the round (1-based), b = round (1-based), c = routine index
CMD_SET = const(12)     # a = the setting's number (names.SET_NAMES), b = the new value
# (13: what the stroke detector sensed, names.CMD_SENSED: defined there, as
# only facewand.sense sends it and the journal's writer names it)


POINT_PRESS = const(1)
POINT_RELEASE = const(2)

REASON_PRESSURE = const(1)
REASON_BATTERY = const(2)


class Outbox:
    def __init__(self):
        self.cmds = [0] * (CMD_MAX * CMD_STRIDE)
        self.n = 0
        # Where the CMD_VIBE's a, b, c start in cmds, 0 for none: the shell
        # plays it without a search, drop() need not look. There is only
        # ever one (the engine's each replaces the last).
        self.vibe = 0
        self.dropped = 0          # commands lost to a full outbox (tests: always 0)

    def clear(self):
        self.n = 0
        self.vibe = 0

    def emit(self, kind, a, b, c):
        n = self.n
        if n >= CMD_MAX:
            self.dropped += 1
            return
        j = n * CMD_STRIDE
        cm = self.cmds
        cm[j] = kind
        cm[j + 1] = a
        cm[j + 2] = b
        cm[j + 3] = c
        self.n = n + 1
        if kind == CMD_VIBE:
            self.vibe = j + 1

    def drop(self, kind):
        """Take back the first command of `kind` sent this tick (a cue that a
        later one replaced before the motor could play it)."""
        cm = self.cmds
        for i in range(self.n):
            j = i * CMD_STRIDE
            if cm[j] == kind:
                for k in range(j, (self.n - 1) * CMD_STRIDE):
                    cm[k] = cm[k + CMD_STRIDE]
                self.n -= 1
                if kind == CMD_VIBE:
                    self.vibe = 0
                elif self.vibe > j:
                    self.vibe -= CMD_STRIDE
                return
