# Wearer's settings: values in device units (ms, permille, %, mV) so the
# engine never touches a float. The defaults are the class attributes. A
# value given is checked against the hard limits no setting can pass
# (facewand/settings_limits.py, imported only then: the wand, which runs
# on the defaults, never loads it); the safety caps themselves live in the
# engine and cues modules.


class Settings:
    auto_off_ms = 120000
    intensity = 700
    brightness = 100
    battery_low_mv = 3400

    def __init__(self, **values):
        if values:
            from facewand.settings_limits import check
            check(self, values)
