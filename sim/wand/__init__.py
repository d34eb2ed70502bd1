"""The virtual wand: MicroPython behind a pseudo-terminal, for mpremote.

See server.py (the port and process) and serve.mjs (the board itself).
"""
