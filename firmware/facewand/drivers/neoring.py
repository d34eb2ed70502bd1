# The LED ring: the engine's picture written to a WS2812 chain, and only
# when its bytes change (a write blocks for about 30 us a pixel).
#
# Brightness is applied in one place, this driver's table (built at
# start-up by facewand.hardware.gamma_table): the engine paints perceptual levels 0..255 at full strength;
# the table maps them through the eye's gamma onto 0..cap, where cap is the
# board's max_brightness (current limit) times the wearer's brightness
# setting. The driver lends the table and its wire colour order to the
# engine's picture (lend()), which encodes each colour once as it paints;
# what arrives here is ready to send.
#
# The ring can be held back a few ticks behind the engine, so that each
# cue's light comes when its vibration is felt (light and touch feel
# simultaneous only within about 30-50 ms): `slow` ticks while the motor is
# at rest (an ERM is felt 50-100 ms after its drive starts, once it has
# broken away), `quick` ticks for a cue that starts on a motor already
# turning. The shell says which (follow_motor); the hold shrinks at once,
# skipping pictures no one would see for longer than a tick or two, and
# grows back while the motor rests, by holding one picture a little longer.

# For the type checker only (never true when the firmware runs).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from neopixel import NeoPixel


class NeoRing:
    def __init__(self, np: "NeoPixel", slot, gamma, slow=0, quick=0):
        """np: a neopixel.NeoPixel of the ring's length (its buf is written
        directly, in wire order, to avoid a tuple per pixel). slot: where
        R, G and B go within each pixel's 3 wire bytes; gamma: the
        brightness table (both made at start-up by facewand.hardware, from
        the board's order and caps). slow, quick: ticks to hold pictures
        back behind a motor at rest and a motor turning."""
        self.np = np
        self.slot = slot
        self.gamma = gamma
        self.writes = 0
        n = len(np.buf)
        self.slow = slow
        self.quick = quick
        self.hold = slow          # ticks the ring is to be behind the engine
        # The last slow+1 pictures, by tick; each flagged when it differs
        # from the one before it (unflagged slots hold nothing current).
        self.line = [bytearray(n) for _ in range(slow + 1)]
        self.changed = bytearray(slow + 1)
        self.pending = 0          # flagged pictures not yet due
        self.at = 0               # where the newest picture is
        self.behind = 0           # pictures taken and not yet due

    def lend(self, picture):
        """Give the engine's picture (ring.Ring) this ring's brightness
        table and colour order, so its `wire` form is what this sends."""
        picture.encode_with(self.gamma, self.slot)

    def follow_motor(self, still):
        """The motor is at rest (wait for its break-away), or a cue has just
        started on a turning motor (show its light almost at once)."""
        self.hold = self.slow if still else self.quick

    def show(self, ring):
        """Take the engine's picture for this tick; send the picture that
        is `hold` ticks old, if it changed since the last one sent."""
        line = self.line
        n = len(line)
        at = self.at + 1
        if at == n:
            at = 0
        self.at = at
        behind = self.behind + 1
        if not ring.dirty and self.pending == 0:
            # Nothing new and nothing waiting: only the hold moves (most ticks).
            self.behind = behind if behind <= self.hold else self.hold
            return
        if ring.dirty:
            ring.dirty = False
            line[at][:] = ring.wire
            self.changed[at] = 1
            self.pending += 1
        elif self.changed[at]:        # (never: a slot is due before it comes round)
            self.changed[at] = 0
            self.pending -= 1
        self.behind = behind
        if behind <= self.hold:
            return                # holding on while the hold grows back
        # The pictures now due, oldest first; the newest change among them
        # is what the ring shows.
        send = -1
        for i in range(behind - self.hold):
            j = (at - behind + 1 + i) % n
            if self.changed[j]:
                self.changed[j] = 0
                self.pending -= 1
                send = j
        self.behind = self.hold
        if send < 0:
            return
        # Nearby levels can share a wire byte after gamma: a picture that
        # changed for the engine may not change on the wire.
        buf = self.np.buf
        if buf != line[send]:
            buf[:] = line[send]
            self.np.write()
            self.writes += 1

    def off(self):
        buf = self.np.buf
        for j in range(len(buf)):
            buf[j] = 0
        for i in range(len(self.changed)):
            self.changed[i] = 0
        self.pending = 0
        self.behind = 0
        self.np.write()
