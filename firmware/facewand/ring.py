# The LED ring's picture: one preallocated RGB bytearray the engine draws
# into, sized by the board's ring.
#
# Levels are perceptual, 0..255, at full strength: brightness, gamma, the
# board's current cap and the wire colour order are the driver's business
# (drivers/neoring.py), applied in one place. Drawing compares before it
# writes, so `dirty` tells the driver whether a picture changed at all.
# Colours are packed 0xRRGGBB with their brightest channel at 255.
#
# Numbers (which step, which routine) are shown on a twelve-hour clock
# face, whatever the ring's size: number N lights the marks at 1 o'clock
# through N o'clock, the last one brightest, so a glance gives both the
# count and where the hand points. On 16 or 24 pixels the marks have dark
# pixels between them, on 12 they touch.
from facewand.compat import const

HOURS = const(12)


class Ring:
    def __init__(self, count):
        self.count = count
        self.frame = bytearray(count * 3)
        self.dirty = False

    def pixel(self, i, rgb, level):
        f = self.frame
        j = i * 3
        r = ((rgb >> 16) & 0xFF) * level // 255
        g = ((rgb >> 8) & 0xFF) * level // 255
        b = (rgb & 0xFF) * level // 255
        if f[j] != r or f[j + 1] != g or f[j + 2] != b:
            f[j] = r
            f[j + 1] = g
            f[j + 2] = b
            self.dirty = True

    def fill(self, rgb, level):
        for i in range(self.count):
            self.pixel(i, rgb, level)

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
        for i in range(n):
            edge = pos - i * 256
            if i == mark:
                self.pixel(i, 0xFFFFFF, 255)
            elif edge >= 256:
                self.pixel(i, rgb, level)
            elif edge <= 0:
                self.pixel(i, rgb, rest_level)
            else:
                self.pixel(i, rgb, rest_level + (level - rest_level) * edge // 256)

    def marks(self, rgb, number, level, earlier):
        """Number 1..12 on the clock face: the mark for each hour up to
        `number` lit, the last at `level`, the others at `earlier`; every
        other pixel dark."""
        n = self.count
        for i in range(n):
            # The hour whose mark is pixel i, if any (12 o'clock is pixel 0).
            hour = (i * HOURS + n - 1) // n
            if hour * n // HOURS != i:
                hour = -1
            elif hour == 0:
                hour = HOURS
            if hour < 1 or hour > number:
                self.pixel(i, rgb, 0)
            else:
                self.pixel(i, rgb, level if hour == number else earlier)


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
