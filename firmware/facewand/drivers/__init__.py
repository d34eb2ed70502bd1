# Device drivers: thin, each given its pins and buses by the caller, none
# allocating once built. They turn the engine's commands into hardware
# actions and hardware readings into the engine's units.
