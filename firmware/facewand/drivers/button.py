# The button, polled once per tick. Debounce and gestures are the engine's
# (facewand.gestures), so the driver only reports the level.


class Button:
    def __init__(self, pin, active_low):
        self.pin = pin
        self.active = 0 if active_low else 1

    def pressed(self):
        return self.pin.value() == self.active
