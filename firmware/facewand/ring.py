# The LED ring's picture: what the engine's view paints, sized by the
# board's ring, as the ring's driver sends it (`wire`): each perceptual
# level 0..255 (colours are packed 0xRRGGBB with their brightest channel at
# 255) through the driver's one brightness stage (gamma, the board's current
# cap, the wearer's brightness) and in the wire's colour order. The driver
# lends its table and order (`encode_with`); until then levels go as they
# are, in RGB order, which is the perceptual picture itself: the simulator
# paints a second Ring that way to show it (sim.picture).
# A paint works out each colour once and lays it down in a handful of
# slice stores, whatever the ring's size: the first pixel, then doubling
# (pixels 0..k copied onto k..2k) from memoryviews of each prefix, made
# once, so nothing allocates. On a 125 MHz Cortex-M0+ every Python step
# counts: a loop over 12 pixels costs ~0.5 ms, a byte-by-byte one or a call
# per pixel more than a tick. `dirty` tells the driver a new picture is
# there.
#
# Numbers (which step, which routine) are shown on a twelve-hour clock
# face, whatever the ring's size: number N lights the marks at 1 o'clock
# through N o'clock, the last one brightest, so a glance gives both the
# count and where the hand points. On 16 or 24 pixels the marks have dark
# pixels between them, on 12 they touch.
from facewand.compat import const

_HOURS = const(12)


class Ring:
    def __init__(self, count):
        self.count = count
        self.wire = bytearray(count * 3)
        self.dirty = False
        # Until the driver lends its table: levels as they are (each
        # picture's own, so it goes once the driver's replaces it).
        self.gamma = bytes(range(256))
        self.slot = (0, 1, 2)         # where R, G, B go in a pixel's wire bytes
        # a colour in wire bytes, worked out once per paint, and the unlit one
        self.c = bytearray(3)
        self.c0 = bytearray(3)
        self.c0_dark = False          # c0 holds black (the usual unlit part)
        # The pixel each hour is shown on (index 0 unused).
        self.at = bytearray(_HOURS + 1)
        for h in range(1, _HOURS + 1):
            self.at[h] = mark_pixel(h, count)
        self.white = bytearray(b"\xff\xff\xff")    # the session's mark, on the wire
        # Prefix views of the wire bytes: pre_w[j] is pixels 0..2**j - 1.
        self.pre_w = _prefixes(self.wire, count)

    def encode_with(self, gamma, slot):
        """The driver's brightness table and wire colour order."""
        self.gamma = gamma
        self.slot = slot
        self.white[0] = self.white[1] = self.white[2] = gamma[255]
        self.c0_dark = False

    def _colour(self, c, rgb, level):
        g = self.gamma
        s = self.slot
        c[s[0]] = g[((rgb >> 16) & 0xFF) * level // 255]
        c[s[1]] = g[((rgb >> 8) & 0xFF) * level // 255]
        c[s[2]] = g[(rgb & 0xFF) * level // 255]

    def pixel(self, i, rgb, level):
        self._colour(self.c, rgb, level)
        j = i * 3
        self.wire[j:j + 3] = self.c
        self.dirty = True

    def fill(self, rgb, level):
        self._colour(self.c, rgb, level)
        _lay(self.wire, self.pre_w, self.count, self.c)
        self.dirty = True

    def arc(self, rgb, num, den, level, rest_level, mark=-1):
        """Light the first num/den of the ring clockwise at `level`, the rest
        at `rest_level`, the boundary pixel in proportion. Pixel `mark`, if
        given, is white at full strength instead: where the session has got
        to (no fill colour is grey, so it always stands out)."""
        n = self.count
        if den <= 0:
            den = 1
        if num > den:
            num = den
        if num < 0:
            num = 0
        while den > 65536:      # keep num * n * 256 a small int on the device
            num >>= 1
            den >>= 1
        pos = num * n * 256 // den          # boundary in 1/256ths of a pixel
        full = pos >> 8
        c = self.c
        self._colour(c, rgb, level)
        if rest_level or not self.c0_dark:      # (black, the usual, stays worked out)
            self._colour(self.c0, rgb, rest_level)
            self.c0_dark = rest_level == 0
        wire = self.wire
        # The whole ring unlit, then the lit part laid over its start (each
        # lay copies what it has laid onto the rest, doubling: a second
        # ring's bytes to copy the unlit part from cost the heap more).
        if full < n:
            _lay(wire, self.pre_w, n, self.c0)
        if full:
            _lay(wire, self.pre_w, full, c)
        part = pos & 255
        if full < n and part:
            # the boundary pixel, in proportion (pixel(), without its call)
            self._colour(c, rgb, rest_level + (level - rest_level) * part // 256)
            j = full * 3
            wire[j:j + 3] = c
        if 0 <= mark < n:
            j = mark * 3
            wire[j:j + 3] = self.white
        self.dirty = True

    def marks(self, rgb, number, level, earlier):
        """Number 1..12 on the clock face: the mark for each hour up to
        `number` lit, the last at `level`, the others at `earlier`; every
        other pixel dark."""
        self._colour(self.c, rgb, earlier)
        if not self.c0_dark:
            self._colour(self.c0, 0, 0)
            self.c0_dark = True
        at = self.at
        last = number if number <= _HOURS else _HOURS + 1
        _hours(self.wire, self.pre_w, self.count, self.c0, self.c, at, last)
        if 1 <= number <= _HOURS:
            self.pixel(at[number], rgb, level)
        self.dirty = True


def _prefixes(buf, count):
    """Views of buf's first 1, 2, 4, ... pixels (as many as fit in
    count), made once: a slice of a view allocates, a view kept does not.
    Powers of two are all _lay needs (a view for every length took some
    300 bytes more of the wand's heap)."""
    mv = memoryview(buf)
    out = []
    k = 1
    while k <= count:
        out.append(mv[0:k * 3])
        k += k
    return out


def _lay(buf, pre, count, colour):
    """Pixels 0..count-1 of buf in `colour` (3 bytes): the first pixel,
    then the filled part copied onto the rest, doubling, and the last part
    in pieces of 2**j pixels (at most 2 log2 count stores)."""
    buf[0:3] = colour
    k = 1
    j = 0
    while k + k <= count:
        buf[k * 3:k * 6] = pre[j]
        k += k
        j += 1
    while k < count:
        while (1 << j) > count - k:
            j -= 1
        m = 1 << j
        buf[k * 3:(k + m) * 3] = pre[j]
        k += m


def _hours(buf, pre, count, dark, lit, at, last):
    """buf dark but for the marks of hours 1..last-1, in `lit`."""
    _lay(buf, pre, count, dark)
    for h in range(1, last):
        j = at[h] * 3
        buf[j:j + 3] = lit


def mark_pixel(hour, count):
    """The pixel that shows `hour` (1..12) on a ring of `count` pixels."""
    return (hour % _HOURS) * count // _HOURS


def triangle(t, period, low, high):
    """A slow rise and fall between low and high, for breathing light."""
    phase = t % period
    half = period // 2
    if phase >= half:
        phase = period - phase
    return low + (high - low) * phase // half
