# Runs at power-on. Everything lives in the facewand package; this file
# only hands it the real hardware modules.
import machine
import neopixel
import time

from facewand import app

app.main(machine, neopixel, time)
