# The LED ring's picture: what the engine's view paints, sized by the
# board's ring, in two forms painted together:
# - `frame`, the picture: RGB, perceptual levels 0..255 at full strength
#   (colours are packed 0xRRGGBB with their brightest channel at 255); the
#   trace shows it;
# - `wire`, the same picture as the ring's driver sends it: each level
#   through the driver's one brightness stage (gamma, the board's current
#   cap, the wearer's brightness) and in the wire's colour order. The driver
#   lends its table and order (`encode_with`); until then it is the frame.
# A paint works out each colour once and stores it pixel by pixel with
# slice stores: on a 125 MHz Cortex-M0+ a byte-by-byte loop over 16 pixels,
# or a Python call per pixel, costs more than a whole tick. `dirty` tells
# the driver a new picture is there.
#
# Numbers (which step, which routine) are shown on a twelve-hour clock
# face, whatever the ring's size: number N lights the marks at 1 o'clock
# through N o'clock, the last one brightest, so a glance gives both the
# count and where the hand points. On 16 or 24 pixels the marks have dark
# pixels between them, on 12 they touch.
from facewand.compat import const

HOURS = const(12)
_IDENTITY = bytes(range(256))


class Ring:
    def __init__(self, count, keep_frame=True):
        """keep_frame: paint the perceptual `frame` as well as `wire`. The
        simulator and the tests show and compare it; the wand has no use for
        it and saves half of every paint."""
        self.count = count
        self.keep = keep_frame
        self.frame = bytearray(count * 3)
        self.wire = bytearray(count * 3)
        self.dirty = False
        self.gamma = _IDENTITY
        self.slot = (0, 1, 2)         # where R, G, B go in a pixel's wire bytes
        # one colour in both forms, worked out once per paint
        self.c = bytearray(3)
        self.cw = bytearray(3)
        self.c0 = bytearray(3)
        self.cw0 = bytearray(3)
        # The hour each pixel shows on the clock face (0: none).
        self.hour = bytearray(count)
        for h in range(1, HOURS + 1):
            self.hour[mark_pixel(h, count)] = h

    def encode_with(self, gamma, slot):
        """The driver's brightness table and wire colour order."""
        self.gamma = gamma
        self.slot = slot

    def _colour(self, c, cw, rgb, level):
        g = self.gamma
        s = self.slot
        c[0] = ((rgb >> 16) & 0xFF) * level // 255
        c[1] = ((rgb >> 8) & 0xFF) * level // 255
        c[2] = (rgb & 0xFF) * level // 255
        cw[s[0]] = g[c[0]]
        cw[s[1]] = g[c[1]]
        cw[s[2]] = g[c[2]]

    def pixel(self, i, rgb, level):
        self._colour(self.c, self.cw, rgb, level)
        j = i * 3
        if self.keep:
            self.frame[j:j + 3] = self.c
        self.wire[j:j + 3] = self.cw
        self.dirty = True

    def _span(self, a, b, c, cw):
        """Pixels a..b-1 in the colour c (wire: cw)."""
        w = self.wire
        for j in range(a * 3, b * 3, 3):
            w[j:j + 3] = cw
        if self.keep:
            f = self.frame
            for j in range(a * 3, b * 3, 3):
                f[j:j + 3] = c

    def fill(self, rgb, level):
        self._colour(self.c, self.cw, rgb, level)
        self._span(0, self.count, self.c, self.cw)
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
        self._colour(self.c, self.cw, rgb, level)
        self._colour(self.c0, self.cw0, rgb, rest_level)
        self._span(0, full, self.c, self.cw)
        self._span(full, n, self.c0, self.cw0)
        if full < n and pos & 255:
            self.pixel(full, rgb, rest_level + (level - rest_level) * (pos & 255) // 256)
        if 0 <= mark < n:
            self.pixel(mark, 0xFFFFFF, 255)
        self.dirty = True

    def marks(self, rgb, number, level, earlier):
        """Number 1..12 on the clock face: the mark for each hour up to
        `number` lit, the last at `level`, the others at `earlier`; every
        other pixel dark."""
        self._colour(self.c, self.cw, rgb, earlier)
        self._colour(self.c0, self.cw0, 0, 0)
        hour = self.hour
        w = self.wire
        # One name at a time: mpy-cross builds a tuple (a heap allocation)
        # to assign four at once.
        cw = self.cw
        cw0 = self.cw0
        for i in range(self.count):
            h = hour[i]
            j = i * 3
            w[j:j + 3] = cw0 if h == 0 or h >= number else cw
        if self.keep:
            f = self.frame
            c = self.c
            c0 = self.c0
            for i in range(self.count):
                h = hour[i]
                j = i * 3
                f[j:j + 3] = c0 if h == 0 or h >= number else c
        if 1 <= number <= HOURS:
            self.pixel(mark_pixel(number, self.count), rgb, level)
        self.dirty = True


def mark_pixel(hour, count):
    """The pixel that shows `hour` (1..12) on a ring of `count` pixels."""
    return (hour % HOURS) * count // HOURS


def triangle(t, period, low, high):
    """A slow rise and fall between low and high, for breathing light."""
    phase = t % period
    half = period // 2
    if phase >= half:
        phase = period - phase
    return low + (high - low) * phase // half


def decay(t, period, low, high):
    """A flash at `high` fading to `low` over the first half of the period,
    then held: light that beats with a stroke."""
    half = period // 2
    if t >= half:
        return low
    return high - (high - low) * t // half
