# The journal: what the engine told the hardware, kept in a preallocated
# ring so recording costs no allocation on the tick path. The simulator
# reads it as it fills to write its trace; the wand writes it out as JSON
# Lines (journal.jsonl) when it powers off, for `host_tools journal`.
from array import array

from facewand.commands import CMD_STRIDE


class Journal:
    # A record is its time (ms, a 32-bit int) and the command's four values
    # (each fits 16 bits: kinds, numbers, levels in permille, cue lengths
    # under MAX_CUE_MS): 12 bytes, where a list of ints would take 20.
    def __init__(self, capacity):
        self.capacity = capacity
        # An array made from a bytearray takes its bytes as the items'
        # memory, on both interpreters: zeroed items, no list on the way.
        self.t = array("i", bytearray(4 * capacity))
        self.cmd = array("h", bytearray(2 * CMD_STRIDE * capacity))
        self.count = 0           # records ever written; the ring keeps the last `capacity`

    def take(self, t, cmds, n):
        """Record the n commands an engine call just returned, at t ms."""
        times = self.t
        rec = self.cmd
        cap = self.capacity
        stride = CMD_STRIDE
        r = self.count % cap      # the slot the next record goes in
        j = r * stride
        k = 0
        for _ in range(n):        # (a range with a variable step would allocate)
            times[r] = t
            rec[j] = cmds[k]
            rec[j + 1] = cmds[k + 1]
            rec[j + 2] = cmds[k + 2]
            rec[j + 3] = cmds[k + 3]
            k += stride
            r += 1
            j += stride
            if r == cap:
                r = 0
                j = 0
        self.count += n

    def get(self, index):
        """Record number `index` (0 = the first ever) as a tuple; it must
        still be in the ring. For readers, not for the tick path."""
        r = index % self.capacity
        j = r * CMD_STRIDE
        c = self.cmd
        return self.t[r], c[j], c[j + 1], c[j + 2], c[j + 3]

    def first(self):
        """Index of the oldest record still held."""
        return max(0, self.count - self.capacity)
