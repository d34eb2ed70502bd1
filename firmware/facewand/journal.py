# The journal: what the engine told the hardware, kept in a preallocated
# ring so recording costs no allocation on the tick path. The simulator
# reads it as it fills to write its trace; the wand writes it out as JSON
# Lines (journal.jsonl) when it powers off, for `host_tools journal`.
from facewand.commands import CMD_STRIDE

_WIDTH = 5       # t_ms, kind, a, b, c


class Journal:
    def __init__(self, capacity):
        self.capacity = capacity
        self.rec = [0] * (capacity * _WIDTH)
        self.count = 0           # records ever written; the ring keeps the last `capacity`

    def take(self, t, cmds, n):
        """Record the n commands an engine call just returned, at t ms."""
        rec = self.rec
        for i in range(n):
            j = (self.count % self.capacity) * _WIDTH
            k = i * CMD_STRIDE
            rec[j] = t
            rec[j + 1] = cmds[k]
            rec[j + 2] = cmds[k + 1]
            rec[j + 3] = cmds[k + 2]
            rec[j + 4] = cmds[k + 3]
            self.count += 1

    def get(self, index):
        """Record number `index` (0 = the first ever) as a tuple; it must
        still be in the ring. For readers, not for the tick path."""
        j = (index % self.capacity) * _WIDTH
        r = self.rec
        return r[j], r[j + 1], r[j + 2], r[j + 3], r[j + 4]

    def first(self):
        """Index of the oldest record still held."""
        return max(0, self.count - self.capacity)
