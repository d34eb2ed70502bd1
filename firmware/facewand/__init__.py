# facewand: the guided-massage engine. Everything in this package is pure
# logic that runs unchanged on MicroPython and CPython; the device's main
# loop and the host simulator are the only places that touch a clock or a pin.
VERSION = "0.1.0"
