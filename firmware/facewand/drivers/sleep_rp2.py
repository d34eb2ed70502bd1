# Off on an RP2040: MicroPython's rp2 lightsleep cannot yet be woken by a
# GPIO on every release, so the wand naps in short lightsleeps (about 1.5 mA
# on a Pico) and looks at the button between them. A press restarts the
# firmware from the top, as a wake from deep sleep does on an ESP32: by a
# soft reset, which keeps the chip's clock (a hard reset sets it back to
# 2021, and the history could date nothing). The watchdog keeps running
# through it (facewand.start arms it afresh at once), and a file says the
# start is a wake, not a cold boot: the button held at a cold boot asks for
# maintenance, a wake press never does.
NAP_MS = 100
WOKE_FILE = "/woke"


def until_button(machine, button, wdt, root=""):
    # First the press that switched it off must end (a long press held on
    # past power-off must not wake it straight back), then a new press.
    # The watchdog (it cannot be stopped) is fed before every nap, well
    # within its timeout: on MicroPython 1.28 and older an RP2040 whose
    # watchdog fires during lightsleep locks up.
    for wanted in (False, True):
        while button.pressed() != wanted:
            if wdt is not None:
                wdt.feed()
            machine.lightsleep(NAP_MS)
    try:
        open(root + WOKE_FILE, "w").close()
    except OSError:
        pass                    # (then the start takes it for a cold boot)
    machine.soft_reset()
