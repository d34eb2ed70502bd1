# The ring's picture as the simulator shows it: the wand's own
# facewand.ring.Ring, painted as the wand paints it (its `wire`, through the
# ring driver's brightness table and colour order once the driver lends
# them), and beside it `frame`, the same picture in perceptual levels, RGB.
#
# The frame is a second Ring, painted by the same calls, that never borrows
# a driver's table: with levels as they are and R, G, B in order, a Ring's
# wire bytes are exactly the perceptual picture. So there is one painter,
# and the wand carries no code for a picture only the simulator looks at.
from facewand.ring import Ring


class FramedRing(Ring):
    def __init__(self, count):
        super().__init__(count)
        self.shadow = Ring(count)
        self.frame = self.shadow.wire    # RGB, perceptual levels 0..255

    def pixel(self, i, rgb, level):
        Ring.pixel(self, i, rgb, level)
        self.shadow.pixel(i, rgb, level)

    def fill(self, rgb, level):
        Ring.fill(self, rgb, level)
        self.shadow.fill(rgb, level)

    def arc(self, rgb, num, den, level, rest_level, mark=-1):
        Ring.arc(self, rgb, num, den, level, rest_level, mark)
        self.shadow.arc(rgb, num, den, level, rest_level, mark)

    def marks(self, rgb, number, level, earlier):
        Ring.marks(self, rgb, number, level, earlier)
        self.shadow.marks(rgb, number, level, earlier)
