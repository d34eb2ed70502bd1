# Simulated `neopixel`: the buffer the driver fills, and a count of writes.
try:
    from sim.fakehw import machine
except ImportError:
    import machine


class NeoPixel:
    ORDER = (1, 0, 2, 3)

    def __init__(self, pin, n, bpp=3, timing=1):
        self.pin = pin
        self.n = n
        self.bpp = bpp
        self.buf = bytearray(n * bpp)
        self.writes = 0
        machine.world.pixels[pin.id] = self
        machine.world.ring_made(n * bpp)

    def __len__(self):
        return self.n

    def write(self):
        machine.world.call("neopixel")
        self.writes += 1
        machine.world.record("pixels", self.pin.id, self.writes)
        machine.world.ring_write(self.buf)
