# Off on an ESP32: deep sleep (about 10 uA for the chip), woken by the
# button through the RTC domain (ext0), which resets the chip so main.py
# starts afresh. The motor pin is held low through the sleep, since a
# floating gate could switch the motor on.
import esp32

NAP_MS = 100


def until_button(machine, button, button_pin, active_low, motor_pin, wdt=None):
    # ext0 wakes on the level, so a button still held (the long press that
    # switched the wand off) would wake it at once: sleep only once it is
    # released, napping meanwhile with the watchdog fed.
    while button.pressed():
        if wdt is not None:
            wdt.feed()
        machine.lightsleep(NAP_MS)
    if motor_pin >= 0:
        machine.Pin(motor_pin, machine.Pin.OUT, value=0, hold=True)
    level = esp32.WAKEUP_ALL_LOW if active_low else esp32.WAKEUP_ANY_HIGH
    esp32.wake_on_ext0(button_pin, level)
    machine.deepsleep()
