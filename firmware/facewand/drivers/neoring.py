# The LED ring: the engine's picture, gamma-corrected and capped, written to
# a WS2812 chain in its wire colour order, and only when it changed.
#
# Brightness is applied here and only here, in one table built at start-up:
# the engine paints perceptual levels 0..255 at full strength; the table
# maps them through the eye's gamma onto 0..cap, where cap is the board's
# max_brightness (current limit) times the wearer's brightness setting.
#
# The ring can be held back a few ticks behind the engine: an ERM motor is
# felt 50-100 ms after its drive starts, and light and touch feel
# simultaneous only within about 30-50 ms, so the ring waits for the motor
# (`delay` = the board's felt latency in ticks) and each cue's light and
# touch arrive together.

# For the type checker only (never true when the firmware runs).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from neopixel import NeoPixel
ORDERS = {"RGB": (0, 1, 2), "GRB": (1, 0, 2), "BRG": (1, 2, 0),
          "BGR": (2, 1, 0), "RBG": (0, 2, 1), "GBR": (2, 0, 1)}


def gamma_table(cap):
    # Eyes see light roughly as a power 2.2 of the drive; the table maps the
    # engine's perceptual levels onto the LEDs' linear ones, topping out at
    # `cap`. Built once at start-up (floats are fine here).
    t = bytearray(256)
    for i in range(256):
        t[i] = int((i / 255) ** 2.2 * cap + 0.5)
    return t


def cap_for(max_brightness, brightness_pct):
    """The brightest wire byte: the board's cap scaled by the setting."""
    return max_brightness * brightness_pct // 100


class NeoRing:
    def __init__(self, np: "NeoPixel", order, cap, delay=0):
        """np: a neopixel.NeoPixel of the ring's length (its buf is written
        directly, in wire order, to avoid a tuple per pixel). cap: the
        brightest wire byte. delay: ticks to hold each picture back."""
        self.np = np
        # where R, G and B go within each pixel's 3 wire bytes
        self.slot = ORDERS[order]
        self.gamma = gamma_table(cap)
        self.writes = 0
        n = len(np.buf)
        # A line of delay+1 pictures, each flagged when it differs from the
        # one before it; what leaves the line is written only if flagged.
        self.line = [bytearray(n) for _ in range(delay + 1)]
        self.changed = bytearray(delay + 1)
        self.head = 0

    def show(self, ring):
        """Take the engine's picture for this tick; send the one from
        `delay` ticks ago if it changed."""
        line = self.line
        h = self.head
        if ring.dirty:
            ring.dirty = False
            line[h][:] = ring.frame
            self.changed[h] = 1
        else:
            self.changed[h] = 0
        h += 1
        if h == len(line):
            h = 0
        self.head = h
        # The oldest picture is the one `delay` ticks back (with no delay,
        # the one just taken).
        out = h if len(line) > 1 else 0
        if not self.changed[out]:
            return
        self.changed[out] = 0
        f = line[out]
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
        for i in range(len(self.changed)):
            self.changed[i] = 0
        self.np.write()
