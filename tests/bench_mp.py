# Runs on MicroPython (the WebAssembly build): what one tick of the wand's
# shell (drivers on simulated hardware, engine) costs during a running
# session, and how much heap the whole wand holds once built.
import gc
import time

from facewand import board, hardware, library
from facewand.engine import Engine
from facewand.view import RingView
from facewand.journal import Journal
from facewand.settings import Settings
from facewand.shell import Shell
from sim.fakehw import machine, neopixel
from sim.fakehw.world import World

b = board.load("/boards/pico.json")
routines, errors, _ = library.load("/lib/routines")
machine.world = World(b)
gc.collect()
before = gc.mem_alloc()
hw = hardware.build(b, machine, neopixel)
e = Engine(routines, Settings(), RingView(b.ring["count"]), 0, 1)       # full
shell = Shell(e, hw, Journal(600))
gc.collect()
held = gc.mem_alloc() - before
shell.power_on(0)
t = 0
for edge in (True, False):                   # start the session
    machine.world.set_button(edge)
    for _ in range(10):
        shell.step(t)
        t += 20
for _ in range(100):
    shell.step(t)
    t += 20
N = 20000
t0 = time.ticks_us()
for _ in range(N):
    shell.step(t)
    t += 20
dt = time.ticks_diff(time.ticks_us(), t0)
print("tick_us %d" % (dt // N))
print("held_bytes %d" % held)
