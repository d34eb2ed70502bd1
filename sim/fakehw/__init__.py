# Simulated hardware: stand-ins for MicroPython's machine, neopixel, esp32
# and time modules, driven by a World (virtual clock, scripted button and
# sensors, recorded outputs). Used by the simulator, the driver tests, and
# as the "ROM" of the virtual wand (python -m sim wand), where these files
# are importable as top-level modules. Everything here runs on CPython and
# MicroPython, and allocates nothing in what a tick calls.
