# Wearer's settings: values in device units (ms, permille, %, mV) so the
# engine never touches a float. The defaults are the class attributes. A
# value given is checked against the hard limits no setting can pass
# (facewand/settings_limits.py, imported only then: at start-up, by the
# simulator and the host tools, never by the running loop); the safety caps
# themselves live in the engine and cues modules. The wand keeps them in
# settings.json (facewand.memory).


class Settings:
    intensity = 700          # permille of the motor's range, within the engine's floor and cap
    brightness = 100         # ring, % of the board's max_brightness
    routine = ""             # the routine a press starts (the last chosen); "": the first
    auto_off_ms = 120000
    battery_low_mv = 3400
    pressure_zero = 0        # the pressure sensor's ADC reading at rest; 0: the board file's
    pressure_full = 0        # ... and at a full press
    haptic_only = False      # the ring stays dark: for eyes closed, or for a person who cannot see it
    long_press_ms = 800      # how long a press is held to count as long
    strong_cues = False      # every cue stronger (skin feels vibration less well with age)
    resume_window_s = 1800   # a session cut off is offered back this long; 0: never
    follow = True            # with a calibrated pressure sensor: count the person's own strokes, follow their pace

    def __init__(self, **values):
        if values:
            from facewand.settings_limits import check
            check(self, values)
