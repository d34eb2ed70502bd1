# Every cue as a hand would feel it, and whether it can be felt and counted.
#
# Each cue is played by the wand's own motor driver on simulated hardware,
# ticked like the wand, so what is judged is what reaches the pin; the
# motor model (sim/motor_model.py) turns that into vibration amplitude.
# The rules, from published figures on vibrotactile cues:
# - FELT_MIN: a pulse must reach a tenth of the motor's full amplitude (a
#   coin motor gives about 1 G at full drive on its test mass; the hand's
#   threshold at 150-250 Hz is of the order of 0.1 G once the wand's own
#   mass is shaken);
# - MIN_PULSE_MS: on an ERM, pulses shorter than about 80-100 ms may not be
#   felt at all;
# - MIN_GAP_MS and MIN_DEPTH: a gap must last about 100 ms and the
#   vibration must really fall in it (to half the smaller of the pulses
#   around it) for two pulses to be felt as two;
# - MAX_RATE: no more than about 6 pulses per second can be counted;
# - MAX_RUN: more than 3 identical pulses in a row are miscounted unless
#   grouped, e.g. 2+2 (Plaisier et al. 2020), with a pause of GROUP_MS;
# - LONG_RATIO: a long pulse must be 2-3x a short one to be told apart
#   (Jones et al. 2009);
# - at most 3-4 strengths carry meaning (van Erp 2002): soft, medium, strong.
# Two cues feel the same when their signatures (pulse lengths, strengths,
# swells and fades, groupings) are equal.
import math

from facewand import cues, hardware, names
from facewand.drivers import haptic
from facewand.shell import TICK_MS
from sim.fakehw import machine, neopixel
from sim.fakehw.world import World
from sim.motor_model import envelope

FELT_MIN = 0.10
MIN_PULSE_MS = 80
MIN_GAP_MS = 100
MIN_DEPTH = 0.5
MAX_RATE = 6
MAX_RUN = 3
GROUP_MS = 300
LONG_RATIO = 2.0
LONG_MS = 200          # felt width from which a pulse is long
TAIL_MS = 400          # how long to watch the motor after the drive stops

LEVEL_NAMES = {"s": "soft", "m": "medium", "f": "strong"}


class Pulse:
    def __init__(self, start, end):
        self.start = start          # drive on, ms
        self.end = end              # drive off, ms
        self.peak = 0.0             # highest amplitude it reaches
        self.peak_t = start
        self.width = 0              # ms at or above half its peak
        self.length = "S"           # S or L, by felt width
        self.level = "f"            # s, m or f, by peak against a full-strength pulse
        self.shape = ""             # "", "swell" or "fade" (long pulses only)

    @property
    def on_ms(self):
        return self.end - self.start

    def key(self):
        return (self.length, self.level, self.shape)


class Felt:
    """One cue as felt: its pulses, the gaps between them and any rule it
    breaks."""

    def __init__(self, name, pulses, gaps, problems):
        self.name = name
        self.pulses = pulses
        self.gaps = gaps            # (off ms, depth) between consecutive pulses
        self.problems = problems

    def signature(self):
        out = []
        for i, p in enumerate(self.pulses):
            if i:
                out.append("G" if self.gaps[i - 1][0] >= GROUP_MS else "g")
            out.append(p.key())
        return tuple(out)

    def describe(self):
        """The cue in words, as README's cue table puts it."""
        out = ""
        for i, p in enumerate(self.pulses):
            if i:
                out += ", pause, " if self.gaps[i - 1][0] >= GROUP_MS else ", "
            out += _words(p)
        return out

    def rate(self):
        if len(self.pulses) < 2:
            return 0.0
        span = self.pulses[-1].start - self.pulses[0].start
        return 1000 * (len(self.pulses) - 1) / span


def _words(p):
    size = "short" if p.length == "S" else "long"
    if p.shape == "swell":
        return "%s swell to %s" % (size, LEVEL_NAMES[p.level])
    if p.shape == "fade":
        return "%s %s fading" % (size, LEVEL_NAMES[p.level])
    return "%s %s" % (size, LEVEL_NAMES[p.level])


def count():
    """How many patterns the wand has (pattern 0, none, included)."""
    return len(cues.VIBE_AT) - 1


def segments(i):
    """Pattern i as the driver plays it, in ms and permille: its (on_ms,
    off_ms, level) triples, flat, as cues.py writes them."""
    return tuple(v * cues.UNIT for v in cues.VIBE[cues.VIBE_AT[i] * 3:cues.VIBE_AT[i + 1] * 3])


def pack(patterns, unit=cues.UNIT):
    """Patterns (flat triples, ms and permille) in the wand's form, packed
    by the code the wand packs its own with: (VIBE, VIBE_AT, VIBE_MS)."""
    from facewand.cue_pack import pack as wand_pack
    return wand_pack(patterns, unit)


def _player(board):
    """The board's own motor driver on fresh simulated hardware, logging
    what reaches the pin."""
    w = World(board, wire=True)
    machine.world = w
    hw = hardware.build(board, machine, neopixel)
    w.nmotor = 0
    w.motor_last = -1
    return w, hw.motor


def _drain(w):
    out = []
    for i in range(w.nmotor):
        j = i * 3
        out.append((w.motor_log[j], w.motor_log[j + 2]))
    w.nmotor = 0
    return out


def drive_timeline(board, pattern, level):
    """(t_ms, value) each time the pin's drive changed while the driver
    played `pattern` (a pattern number, or a tuple of segments) at session
    level `level`, ticked every TICK_MS like the wand; and the end."""
    if not isinstance(pattern, tuple):
        return _play(board, pattern, level)
    # Played as the driver plays a cue: as the only one it knows, kept in
    # the largest unit all its times and levels are multiples of (a pattern
    # from before the vocabulary kept to the tick grid, too).
    unit = 0
    for v in pattern:
        unit = math.gcd(unit, v)
    known = haptic.VIBE, haptic.VIBE_AT, haptic.UNIT
    haptic.VIBE, haptic.VIBE_AT, _ = pack([(), pattern], unit)
    haptic.UNIT = unit
    try:
        return _play(board, 1, level)
    finally:
        haptic.VIBE, haptic.VIBE_AT, haptic.UNIT = known


def _play(board, pattern, level):
    w, motor = _player(board)
    motor.play(pattern, level, 0)
    t = 0
    while motor.busy():
        t += TICK_MS
        w.t = t
        motor.update(t)
    return _drain(w), t


def _pulses(timeline):
    pulses = []
    on_at = None
    for t, v in timeline:
        if v > 0 and on_at is None:
            on_at = t
        elif v == 0 and on_at is not None:
            pulses.append(Pulse(on_at, t))
            on_at = None
    return pulses


def _measure(board, timeline, end):
    amp = envelope(board, timeline, end + TAIL_MS)
    pulses = _pulses(timeline)
    for i, p in enumerate(pulses):
        stop = pulses[i + 1].start if i + 1 < len(pulses) else len(amp)
        window = amp[p.start:stop]
        p.peak = max(window) if window else 0.0
        p.peak_t = p.start + window.index(p.peak) if window else p.start
        half = p.peak / 2
        p.width = sum(1 for a in window if a >= half)
    return amp, pulses


def _contour(amp, p):
    """How the amplitude moves from a quarter of the way through the drive
    to its end: above 1 it grows, below 1 it falls."""
    early = amp[p.start + p.on_ms // 4]
    return amp[p.end - 1] / early if early > 0 else 1.0


def _references(board, level, pulses):
    """For each pulse, the same length at full pattern strength: its peak
    (strength is felt against what that length gives at its strongest) and
    its contour (an ERM's slow start makes even a flat pulse grow)."""
    out = []
    for p in pulses:
        timeline, end = drive_timeline(board, (p.on_ms, 0, 1000), level)    # (permille)
        amp, ref = _measure(board, timeline, end)
        out.append((ref[0].peak, _contour(amp, ref[0])) if ref else (0.0, 1.0))
    return out


def feel(board, pattern, level, name=""):
    timeline, end = drive_timeline(board, pattern, level)
    amp, pulses = _measure(board, timeline, end)
    refs = _references(board, level, pulses)
    problems = []
    gaps = []
    for i, p in enumerate(pulses):
        ref_peak, ref_contour = refs[i]
        ratio = p.peak / ref_peak if ref_peak else 0.0
        p.level = "s" if ratio < 0.7 else "m" if ratio < 0.9 else "f"
        p.length = "L" if p.width >= LONG_MS else "S"
        if p.length == "L":
            change = _contour(amp, p) / ref_contour
            p.shape = "swell" if change > 1.25 else "fade" if change < 0.8 else ""
        if p.peak < FELT_MIN:
            problems.append("pulse %d peaks at %.2f of full, under the %.2f a hand feels"
                            % (i + 1, p.peak, FELT_MIN))
        if p.on_ms < MIN_PULSE_MS:
            problems.append("pulse %d is driven %d ms, under %d ms" % (i + 1, p.on_ms, MIN_PULSE_MS))
        if p.on_ms > cues.MAX_ON_MS:
            problems.append("pulse %d is driven %d ms, over the %d ms cap" % (i + 1, p.on_ms, cues.MAX_ON_MS))
        if i:
            q = pulses[i - 1]
            off = p.start - q.end
            trough = min(amp[q.peak_t:p.peak_t + 1])
            depth = 1 - trough / min(p.peak, q.peak) if min(p.peak, q.peak) > 0 else 0.0
            gaps.append((off, depth))
            if off < MIN_GAP_MS:
                problems.append("gap %d lasts %d ms, under %d ms" % (i, off, MIN_GAP_MS))
            if depth < MIN_DEPTH:
                problems.append("gap %d falls only %.0f%% (the pulses blur into one)" % (i, depth * 100))
            if 1000 / (p.start - q.start) > MAX_RATE:
                problems.append("pulses %d-%d come %.1f a second, over %d"
                                % (i, i + 1, 1000 / (p.start - q.start), MAX_RATE))
    felt = Felt(name, pulses, gaps, problems)
    run = 1
    sig = felt.signature()
    for i in range(2, len(sig), 2):
        run = run + 1 if sig[i - 1] == "g" and sig[i] == sig[i - 2] else 1
        if run > MAX_RUN:
            problems.append("%d identical pulses in a row, ungrouped" % run)
            break
    if end > cues.MAX_CUE_MS:
        problems.append("lasts %d ms, over the %d ms cap" % (end, cues.MAX_CUE_MS))
    return felt


def vocabulary(board, level):
    """Every cue in the vocabulary as felt, and the problems of the whole
    set: cues that feel the same, long pulses too close to short ones."""
    felt = [feel(board, i, level, names.VIBE_NAMES[i]) for i in range(1, count())]
    problems = []
    seen = {}
    for f in felt:
        sig = f.signature()
        if sig in seen:
            problems.append("%s feels the same as %s (%s)" % (f.name, seen[sig], f.describe()))
        else:
            seen[sig] = f.name
    shorts = [p.width for f in felt for p in f.pulses if p.length == "S"]
    longs = [p.width for f in felt for p in f.pulses if p.length == "L"]
    if shorts and longs and min(longs) < LONG_RATIO * max(shorts):
        problems.append("the shortest long pulse is felt %d ms, under %.0fx the longest short (%d ms)"
                        % (min(longs), LONG_RATIO, max(shorts)))
    levels = {p.level for f in felt for p in f.pulses}
    if len(levels) > 4:
        problems.append("%d strengths carry meaning, more than 4" % len(levels))
    return felt, problems


def softest_level():
    """The softest session level a person can set: the engine's floor."""
    return cues.MIN_LEVEL
