# Freezes the firmware into a custom MicroPython build, for wands shipped
# without a flash step (not copied onto the wand: flash and typecheck skip
# this file). From a MicroPython checkout:
#
#     make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=/path/to/facewand/firmware/manifest.py
#     make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST=/path/to/facewand/firmware/manifest.py
#
# Relative paths below are resolved against this file by MicroPython's
# manifest tool, which also provides include(), package() and module().

# A custom manifest replaces the port's, so bring back what the port freezes
# by default; main.py imports neopixel, which comes from there.
include("$(PORT_DIR)/boards/manifest.py")

# facewand/**/*.py, compiled to bytecode and imported straight from flash.
# The filesystem comes first on sys.path ('' before '.frozen'), so a
# facewand/ folder copied onto the wand later shadows the frozen one.
package("facewand", base_path=".")

# A frozen main.py runs at boot in place of one on the filesystem.
module("main.py", base_path=".")

# The routines and board.json stay files: a frozen build holds Python
# modules only, not data files, and the wand reads them with open(). Copy
# just those onto a wand with a frozen build (host_tools flash would copy
# facewand/ too, which would then shadow the frozen package):
#     mpremote mkdir :routines + cp firmware/routines/*.json :routines/ + cp boards/NAME.json :board.json
