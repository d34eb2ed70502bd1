# The journal: what the engine told the hardware, kept in a preallocated
# ring so recording costs no allocation on the tick path. The simulator
# reads it as it fills to write its trace. On the wand the keeper appends
# what the ring holds to journal.bin at quiet moments (facewand.memory), so
# the ring need only hold what comes between two of those, and a whole
# session is kept however long; at power-off the wand writes it all out as
# JSON Lines (journal.jsonl) for `host_tools journal`.
#
# journal.bin is a run of chunks, each: n and lost (two 16-bit ints: n
# records follow; `lost` records the ring dropped before them, never
# written), then the n times, then the n packed words (32-bit ints, the
# chip's byte order: little-endian on the RP2040 and ESP32), read back by
# facewand.memory.chunks (here it would take the running wand's heap).
from array import array

from facewand.commands import CMD_STRIDE
from facewand.compat import const

# A record is its time (ms from power-on, a 32-bit int) and its command
# packed into one more, kind at the top: 8 bytes, where the four values as
# 16-bit ints took 12 (on the emulated Pico, 600 records held 7,296 bytes
# of heap; now 4,896). What the engine sends fits, the widest being a cue:
# pattern < 64, its length < 2048 ms, its level < 1024 permille; no value
# is negative. tests/test_journal.py holds every command kind's range
# against these fields, so a value that grows too wide fails a test rather
# than coming back cut. (Underscored consts take no room in the module's
# globals on the wand.)
_C_MASK = const(1023)         # c: 10 bits
_B_MASK = const(2047)         # b: 11 bits
_A_MASK = const(63)           # a: 6 bits
_B_SHIFT = const(10)
_A_SHIFT = const(21)
_KIND_SHIFT = const(27)       # kind: the 4 bits left
# The packed word must stay a small int on MicroPython (-2**30 .. 2**30-1),
# or making it would allocate: 31 bits, so the kind goes in offset by
# _KIND_BIAS, as a signed field (kinds 0..15 as -8..7).
_KIND_BIAS = const(8)


class Journal:
    def __init__(self, capacity):
        self.capacity = capacity
        # An array made from a bytearray takes its bytes as the items'
        # memory, on both interpreters: zeroed items, no list on the way.
        self.t = array("i", bytearray(4 * capacity))
        self.cmd = array("i", bytearray(4 * capacity))
        self.count = 0           # records ever written; the ring keeps the last `capacity`
        self.saved = 0           # records ever put on flash, or dropped unsaved (the keeper's)

    def take(self, t, cmds, n):
        """Record the n commands an engine call just returned, at t ms."""
        times = self.t
        rec = self.cmd
        cap = self.capacity
        stride = CMD_STRIDE
        r = self.count % cap      # the slot the next record goes in
        k = 0
        for _ in range(n):        # (a range with a variable step would allocate)
            times[r] = t
            rec[r] = (((cmds[k] - _KIND_BIAS) << _KIND_SHIFT) | (cmds[k + 1] << _A_SHIFT)
                      | (cmds[k + 2] << _B_SHIFT) | cmds[k + 3])
            k += stride
            r += 1
            if r == cap:
                r = 0
        self.count += n

    def get(self, index):
        """Record number `index` (0 = the first ever) as a tuple; it must
        still be in the ring. For readers, not for the tick path."""
        r = index % self.capacity
        return unpack(self.t[r], self.cmd[r])

    def first(self):
        """Index of the oldest record still held."""
        return max(0, self.count - self.capacity)


def unpack(t, w):
    """A record as (t, kind, a, b, c) from its time and packed word."""
    return (t, (w >> _KIND_SHIFT) + _KIND_BIAS, (w >> _A_SHIFT) & _A_MASK,
            (w >> _B_SHIFT) & _B_MASK, w & _C_MASK)
