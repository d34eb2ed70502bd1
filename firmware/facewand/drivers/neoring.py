# The LED ring: the engine's RGB frame, gamma-corrected and capped, written
# to a WS2812 chain in its wire colour order, and only when it changed.

# For the type checker only (never true when the firmware runs).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from neopixel import NeoPixel
ORDERS = {"RGB": (0, 1, 2), "GRB": (1, 0, 2), "BRG": (1, 2, 0),
          "BGR": (2, 1, 0), "RBG": (0, 2, 1), "GBR": (2, 0, 1)}


def gamma_table(max_brightness):
    # Eyes see light roughly as a power 2.2 of the drive; the table maps the
    # engine's perceptual levels onto the LEDs' linear ones, and folds in the
    # board's brightness cap. Built once at start-up (floats are fine here).
    t = bytearray(256)
    for i in range(256):
        t[i] = int((i / 255) ** 2.2 * max_brightness + 0.5)
    return t


class NeoRing:
    def __init__(self, np: "NeoPixel", order, max_brightness):
        """np: a neopixel.NeoPixel of the ring's length (its buf is written
        directly, in wire order, to avoid a tuple per pixel)."""
        self.np = np
        # where R, G and B go within each pixel's 3 wire bytes
        self.slot = ORDERS[order]
        self.gamma = gamma_table(max_brightness)
        self.writes = 0

    def show(self, ring):
        """Send the engine's ring frame if it changed since the last call."""
        if not ring.dirty:
            return
        ring.dirty = False
        f = ring.frame
        buf = self.np.buf
        g = self.gamma
        r_at, g_at, b_at = self.slot[0], self.slot[1], self.slot[2]
        for j in range(0, len(f), 3):
            buf[j + r_at] = g[f[j]]
            buf[j + g_at] = g[f[j + 1]]
            buf[j + b_at] = g[f[j + 2]]
        self.np.write()
        self.writes += 1

    def off(self):
        buf = self.np.buf
        for j in range(len(buf)):
            buf[j] = 0
        self.np.write()
