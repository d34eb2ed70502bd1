# Runs on MicroPython (the WebAssembly build): engine cost per call during a
# running session, measured with the interpreter's own clock.
import time

from facewand import routine_file
from facewand.engine import Engine
from facewand.settings import Settings

r = routine_file.load("/lib/routines/full.json")
e = Engine((r,), Settings())
e.power_on(0)
e.button(True, 100)
e.button(False, 200)
t = 200
N = 20000
t0 = time.ticks_us()
for _ in range(N):
    t += 20
    e.tick(t)
dt = time.ticks_diff(time.ticks_us(), t0)
print("tick_us %d" % (dt // N))
