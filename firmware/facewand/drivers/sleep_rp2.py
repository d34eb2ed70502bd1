# Off on an RP2040: MicroPython's rp2 lightsleep cannot yet be woken by a
# GPIO on every release, so the wand naps in short lightsleeps (about 1.5 mA
# on a Pico) and looks at the button between them. A press restarts the
# firmware from the top, exactly as a wake from deep sleep does on an ESP32.
NAP_MS = 100


def until_button(machine, button, wdt):
    while not button.pressed():
        if wdt is not None:
            wdt.feed()
        machine.lightsleep(NAP_MS)
    machine.reset()
