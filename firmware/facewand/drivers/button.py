# The button, polled once per tick. Debounce and gestures are the engine's
# (facewand.gestures), so the driver only reports the level.

# For the type checker only (never true when the firmware runs): lets
# pyright check every hardware call here against each port's stubs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from machine import Pin


class Button:
    def __init__(self, pin: "Pin", active_low):
        self.pin = pin
        self.active = 0 if active_low else 1

    def pressed(self):
        return self.pin.value() == self.active
