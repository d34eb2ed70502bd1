# Host-side tools for the wand, as `python -m host_tools COMMAND`:
#   cli.py        the one argument parser: routine check, and the commands below
#   flash.py      flash: plan what differs and copy it, in maintenance mode
#   doctor.py     doctor: what a wand runs and holds, against a fresh build
#   journal.py    journal: the history of sessions, or the last power-on as a timeline
#   history.py    the history (history.bin) as a table, CSV or JSON; streak and week
#   settings.py   settings get/set: settings.json, by the firmware's own code
#   wandfiles.py  the wand's files (or fetched ones) as facewand.memory takes them
#   typecheck.py  typecheck: pyright on firmware/ against MicroPython's stubs
#   build.py      what goes onto the wand: board file checked, .mpy compiled
#   ports.py      finding the wand's serial port
#   session.py    talking to the wand through mpremote's transport, in-process
#   messages.py   one-line messages and the two kinds of error (status 2, 1)
