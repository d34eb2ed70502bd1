# Host-side tools for the wand: check routine files now; flashing and a
# health check ("doctor") join as more subcommands of `python -m host_tools`.
