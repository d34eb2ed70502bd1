# The one loop that drives the wand over virtual time. The simulator's
# session (sim/session.py), the tests' engine double (tests/wand.py) and the
# property tests all move time through a Clock, so they all see it the way
# the wand's own loop makes it: a tick every TICK_MS, on a grid from
# power-on (t = 0), as the deadline loop in facewand/app.py keeps it.
#
# A Clock knows nothing of what a tick does: `tick(t)` is given by whoever
# drives it. It may also be told how long nothing can change (`quiet(t)`,
# asked after each tick); it then leaves out the whole ticks in between, so
# a tick still falls only where one would have, on the same grid.
#
# This module also runs on MicroPython (the differential tests run
# sim.session there): small ints only, nothing allocated per tick.
from facewand.shell import TICK_MS

FOREVER = 1 << 29          # "no end": later than any run (a small int on MicroPython)


class Clock:
    def __init__(self, tick, t=0, every=TICK_MS, quiet=None):
        """tick(t): one tick at t ms since power-on; a true return stops
        the run there. quiet(t), if given: asked after the tick at t, the
        ms before any tick could change something (0 or less: the next one
        may); the ticks before then are left out."""
        self.tick = tick
        self.t = t
        self.every = every
        self.quiet = quiet
        self.ticks = 0            # ticks made (a bench or test: how many were left out)

    def here(self):
        """One tick at t itself (the first of a run, or an input's); True
        to stop."""
        self.ticks += 1
        return self.tick(self.t)

    def run(self, until=FOREVER, land=True, stop=None):
        """Tick at every point of the grid after t up to `until`. With
        `land`, a tick also falls on `until` itself when it lies between
        two of the grid, as a shell's would on an input that comes then.
        After each tick, the tick's own return or `stop()` being true ends
        the run there (True; t is that tick's); otherwise t ends at `until`
        (False)."""
        every = self.every
        quiet = self.quiet
        t = self.t
        gap = 0
        while True:
            nxt = t - t % every + every
            if quiet is not None:
                gap = quiet(t)
                if t + gap > nxt:
                    # the first tick of the grid at or after t + gap
                    nxt = (t + gap + every - 1) // every * every
            if nxt > until:
                # A landing tick comes only where a tick could do something.
                if not land or t >= until or t + gap > until:
                    self.t = until
                    return False
                nxt = until
            t = nxt
            self.t = t
            self.ticks += 1
            if self.tick(t) or (stop is not None and stop()):
                return True
