# Simulated `esp32`: the deep-sleep wake source the wand sets.
WAKEUP_ALL_LOW = 0
WAKEUP_ANY_HIGH = 1
wake = None


def wake_on_ext0(pin, level):
    global wake
    wake = (pin, level)
