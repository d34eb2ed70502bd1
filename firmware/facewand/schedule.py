# A session's timeline: which step instance is on, and the next item in
# it (the step's announcement, a press, its release, a stroke, the end).
#
# Every instant is an exact offset from its step's start (step_t), and a
# step starts exactly where the one before it was planned to end, so a long
# session cannot drift however late its ticks come. A pause shifts step_t.
#
# Following the person (`follow`: a calibrated pressure sensor and the
# setting on; facewand.sense): a step's strokes are the person's own, which
# the detector counts into k, and the step ends with its last, or at twice
# its planned length if they do not come (a distracted person is never
# stuck). The stroke items go on as the pace cue, at `period`, which the
# detector moves toward the person's (within a fifth of the routine's, so
# the routine's slowing through the session still shows through it).
from facewand.routines import INTRO_MS, PRESS_GAP_MS, step_length
from facewand.compat import add
from facewand.view import A_LEAD, A_INTRO, A_HOLD, A_GAP, A_STROKE

from facewand.compat import const

INTRO = const(0)
PRESS = const(1)
RELEASE = const(2)
STROKE = const(3)
END = const(4)


class Schedule:
    def __init__(self, routine):
        self.inst = 0             # step instance over the whole session
        self.step_t = 0           # absolute tick at which this instance began
        self.next = INTRO         # next item
        self.next_at = 0          # its offset from step_t
        self.k = 0                # strokes given in this step
        self.presses = 0          # presses given in this step
        self.doing = A_LEAD       # what the person is doing (picks the ring pattern)
        self.mark_t = 0           # offset of the current hold or stroke
        self.last = False         # the item just fired was the step's last stroke
        self.follow = False       # the person's sensed strokes count (see above)
        # Worked out once per step instance, not per item: on the wand a
        # call costs ~40 us and a step's start fires two items in one tick.
        self.cur = routine.step_of(0)     # this instance's Step
        self.period = routine.period(0)   # its stroke period, ms
        self.step_len = 0                 # its planned length, ms
        self.count = routine.instances()  # step instances in the session
        # The same for the next instance (the one after this, or the next
        # session's first), worked out ahead by prepare(): the engine asks
        # on a tick with nothing else to do, as the tick a step begins in
        # also ends the one before it, or starts the session.
        self.n_cur = self.cur
        self.n_period = 0
        self.n_len = 0
        self.choose(routine)

    def choose(self, routine):
        """The routine the next session runs: its first step instance is
        the next to work out."""
        self.routine = routine
        self.first = True         # the next instance is a session's first
        self.ready = False        # n_cur, n_period, n_len hold it (or there is none)

    def start(self, routine, at, inst=0):
        """A session of `routine` whose first step begins at tick `at`; with
        `inst`, one that goes on from that step instance (a session a power
        cut stopped)."""
        if routine is not self.routine or not self.first or inst:
            self.choose(routine)
        if inst:
            self.count = routine.instances()
            self.first = False        # prepare() works out instance inst, not the first
        self.inst = inst - 1
        self.next_step(at)
        self.first = False
        self.doing = A_LEAD

    def prepare(self):
        """Work out the next step instance's Step, period and length."""
        r = self.routine
        if self.first:
            self.count = r.instances()
            i = 0
        else:
            i = self.inst + 1
        s = r.step_of(i)
        p = r.period(i)
        self.n_cur = s
        self.n_period = p
        self.n_len = step_length(s, p)
        self.ready = True

    def fire(self):
        """Book the due item as done and plan the next. For PRESS and
        RELEASE, `presses` is then the press's number (1-based); for STROKE,
        `k` is the stroke's, and `last` says if it ends the step."""
        s = self.cur
        at = self.next_at
        item = self.next
        if item == INTRO:
            self.doing = A_INTRO
            self.next_at = at + INTRO_MS
            self.next = PRESS if s.presses else STROKE if s.strokes else END
        elif item == PRESS:
            self.doing = A_HOLD
            self.mark_t = at
            self.next_at = at + s.hold_ms
            self.next = RELEASE
            self.presses += 1
        elif item == RELEASE:
            self.doing = A_GAP
            self.next_at = at + PRESS_GAP_MS
            if self.presses < s.presses:
                self.next = PRESS
            else:
                self.next = STROKE if s.strokes else END
        elif item == STROKE:
            self.doing = A_STROKE
            self.mark_t = at
            self.next_at = at + self.period
            if self.follow:
                # The pace cue for the stroke to come; facewand.sense counts it.
                self.last = self.k + 1 >= s.strokes
                end = self.step_len * 2
                if self.next_at >= end:
                    self.next = END
                    self.next_at = end
            else:
                self.k += 1
                self.last = self.k == s.strokes
                if self.last:
                    self.next = END
        return item

    def next_step(self, at):
        """Move on to the following step instance, beginning at tick `at`."""
        if not self.ready:
            self.prepare()
        i = self.inst + 1
        self.inst = i
        self.step_t = at
        self.cur = self.n_cur
        self.period = self.n_period
        self.step_len = self.n_len
        self.ready = i + 1 >= self.count      # (nothing to work out after the last)
        self.next = INTRO
        self.next_at = 0
        self.k = 0
        self.presses = 0

    def shift(self, ms):
        """A pause of `ms`: every later item moves by it."""
        self.step_t = add(self.step_t, ms)
