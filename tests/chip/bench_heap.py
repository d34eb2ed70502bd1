# Runs ON the emulated Pico, imported first by tests/bench.py: the heap the
# wand holds once built, as facewand.app.main builds it (main.py is left
# out of the bench's filesystem), with its start-up modules dropped as app
# drops them. A module of its own, and small, so that the bench's own code
# is not counted. Prints "key value" lines; leaves nothing behind.
import gc
import machine
import neopixel
import time

from facewand import app, start

_built = start.start(machine, neopixel, time, "")
app._forget(app.START_ONLY)
gc.collect()
print("heap_alloc_bytes %d" % gc.mem_alloc())
print("heap_free_bytes %d" % gc.mem_free())
import micropython  # noqa: E402  (after the measure: its import is not the wand's)
micropython.qstr_info()
_built[1].motor.stop()
_built = None
