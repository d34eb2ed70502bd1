# The LED ring's frame: one preallocated RGB bytearray the engine draws into.
#
# Drawing compares before it writes, so `dirty` tells the driver whether a
# frame needs sending at all (a WS2812 write blocks for ~30 us per pixel).
# Colours are packed 0xRRGGBB; levels are 0..255. Colour order, gamma and
# the wiring are the driver's business: this is the picture, in RGB.
from facewand.compat import const

_FULL = const(65025)  # 255 * 255: level times brightness


class Ring:
    def __init__(self, count, brightness):
        self.count = count
        self.brightness = brightness
        self.frame = bytearray(count * 3)
        self.dirty = False

    def pixel(self, i, rgb, level):
        scale = level * self.brightness
        f = self.frame
        j = i * 3
        r = ((rgb >> 16) & 0xFF) * scale // _FULL
        g = ((rgb >> 8) & 0xFF) * scale // _FULL
        b = (rgb & 0xFF) * scale // _FULL
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
        given, is white instead: where the session has got to."""
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
                self.pixel(i, 0xFFFFFF, 160)
            elif edge >= 256:
                self.pixel(i, rgb, level)
            elif edge <= 0:
                self.pixel(i, rgb, rest_level)
            else:
                self.pixel(i, rgb, rest_level + (level - rest_level) * edge // 256)

    def segments(self, rgb, lit, total, level):
        """Split the ring into `total` equal segments and light the first
        `lit` of them, with a dark pixel between segments where room allows,
        so a person can count them."""
        n = self.count
        gaps = n >= 2 * total
        for i in range(n):
            seg = i * total // n
            on = seg < lit
            if on and gaps and (i + 1) * total // n != seg:
                on = False      # last pixel of a segment: leave a gap
            self.pixel(i, rgb, level if on else 0)


def triangle(t, period, low, high):
    """A slow rise and fall between low and high, for breathing light."""
    phase = t % period
    half = period // 2
    if phase >= half:
        phase = period - phase
    return low + (high - low) * phase // half
