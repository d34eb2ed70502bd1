# Finding the wand's serial port: the one plugged-in USB device whose
# vendor is one that runs MicroPython, unless --port names it.
from host_tools.messages import BadInput, NoWand

# USB vendor ids of boards that run MicroPython: the Pico's own USB, the
# ESP32-S2/S3/C3 native USB, and the USB-serial bridges on ESP32 DevKits.
WAND_VIDS = {
    0x2E8A: "Raspberry Pi",
    0x303A: "Espressif",
    0x10C4: "CP210x",
    0x1A86: "CH340/CH9102",
    0x0403: "FTDI",
}


def _comports():
    # The listing `mpremote devs` prints; pyserial comes with mpremote.
    import serial.tools.list_ports
    return serial.tools.list_ports.comports()


def find_port(port=None):
    """port when given; else the one wand on USB. NoWand or BadInput (two
    or more) otherwise."""
    if port:
        return port
    wands = sorted(p.device for p in _comports() if p.vid in WAND_VIDS)
    if not wands:
        raise NoWand("no wand found (plug it in or give --port)")
    if len(wands) > 1:
        raise BadInput("%d wands found (%s): give --port" % (len(wands), ", ".join(wands)))
    return wands[0]
