# Driver tests against the simulated machine, written to run unchanged on
# CPython (tests/test_drivers.py calls each check) and on MicroPython (the
# same file, run by the MicroPython rig). Plain asserts, no pytest.
from facewand import cues, board as board_file
from facewand.drivers.haptic import PwmMotor, Drv2605
from facewand.drivers.neoring import NeoRing, gamma_table
from facewand.drivers.fsr import Fsr, raw_for, FAULT_SAMPLES
from facewand.drivers.button import Button
from facewand.drivers.battery import Battery
from facewand.ring import Ring
from sim.fakehw import machine, neopixel
from sim.fakehw.world import World

PICO = {
    "name": "t", "chip": "rp2040",
    "button": {"pin": 15, "active_low": True},
    "motor": {"kind": "pwm", "pin": 16, "freq": 25000, "min_duty": 16000},
    "ring": {"pin": 17, "count": 12, "order": "GRB", "max_brightness": 255},
    "pressure": {"pin": 26, "zero": 700, "full": 45000, "smooth": 3},
    "battery": {"pin": 29, "ratio_milli": 3000, "vref_mv": 3300},
}


def world(events=()):
    w = World(board_file.parse(PICO, "t.json"), events)
    machine.world = w
    w.recording = True
    return w


def check_pwm_motor_plays_a_pattern_without_blocking():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(cues.V_PRESS, 800, 0)          # (150 ms at 550, 250 ms at 1000) of 800
    assert pwm.duty_u16() == 16000 + (65535 - 16000) * 440 // 1000
    assert m.busy()
    m.update(149)
    assert pwm.duty_u16() == 16000 + (65535 - 16000) * 440 // 1000
    m.update(150)
    assert pwm.duty_u16() == 16000 + (65535 - 16000) * 800 // 1000
    m.update(400)
    assert pwm.duty_u16() == 0 and not m.busy()


def check_pwm_motor_gaps_between_pulses_are_silent():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(2, 500, 1000)                  # step2: 100 on, 150 off, 100 on
    seen = []
    for t in range(1000, 1400, 10):
        m.update(t)
        seen.append(1 if pwm.duty_u16() else 0)
    assert seen[:10] == [1] * 10 and seen[10:25] == [0] * 15 and seen[25:35] == [1] * 10
    assert seen[35:] == [0] * 5


def check_pwm_motor_new_cue_replaces_the_playing_one_and_stop_silences():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(cues.V_FINISH, 800, 0)
    m.update(100)
    m.play(cues.V_STROKE, 800, 100)
    m.update(171)
    assert pwm.duty_u16() == 0 and not m.busy()
    m.play(cues.V_FINISH, 800, 200)
    m.stop()
    assert pwm.duty_u16() == 0 and not m.busy()


def check_motor_level_is_capped_even_if_asked_for_more():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 0)
    m.play(cues.V_WAKE, 1000, 0)
    assert pwm.duty_u16() <= 65535 * cues.MAX_LEVEL // 1000


def check_motor_timing_survives_the_tick_wraparound():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    start = (1 << 30) - 50
    m.play(cues.V_START, 800, start)       # 80 on, 80 off, ...
    m.update(start + 79 - (1 << 30))
    assert pwm.duty_u16() > 0
    m.update(start + 80 - (1 << 30))
    assert pwm.duty_u16() == 0


def check_drv2605_is_set_up_for_real_time_playback_and_driven_by_register():
    w = world()
    i2c = machine.I2C(1, sda=machine.Pin(6), scl=machine.Pin(7))
    d = Drv2605(i2c, 0x5A, True)
    regs = w.i2c[1].regs
    assert w.i2c[1].addr == 0x5A
    assert regs[0x01] == 0x05 and regs[0x1A] & 0x80 and regs[0x03] == 6
    d.play(cues.V_PRESS, 800, 0)
    assert regs[0x02] == 255 * 440 // 1000
    d.update(400)
    assert regs[0x02] == 0
    d.standby()
    assert regs[0x01] == 0x40


def check_ring_writes_only_changed_frames_in_wire_order_with_gamma():
    world()
    np = neopixel.NeoPixel(machine.Pin(17), 12)
    drv = NeoRing(np, "GRB", 255)
    ring = Ring(12, 255)
    ring.pixel(0, 0xFF8000, 255)
    drv.show(ring)
    g = gamma_table(255)
    assert np.buf[0] == g[0x80] and np.buf[1] == g[0xFF] and np.buf[2] == 0
    assert np.writes == 1
    drv.show(ring)                        # nothing changed: no write
    assert np.writes == 1
    ring.pixel(0, 0xFF8000, 255)          # same value again: still clean
    drv.show(ring)
    assert np.writes == 1
    drv.off()
    assert not any(np.buf)


def check_ring_brightness_cap_limits_current():
    world()
    np = neopixel.NeoPixel(machine.Pin(17), 12)
    drv = NeoRing(np, "RGB", 100)
    ring = Ring(12, 255)
    ring.fill(0xFFFFFF, 255)
    drv.show(ring)
    assert max(np.buf) == 100
    assert gamma_table(255)[128] < 64     # mid-level looks mid-bright, not linear


def check_fsr_maps_calibration_to_permille_and_smooths():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 3)
    for p in (0, 1, 250, 500, 999, 1000):
        w.raw[26] = raw_for(p, 700, 45000)
        f.filled = 0
        f.total = 0
        assert f.read() == p, p
    w.raw[26] = raw_for(0, 700, 45000)
    f.filled = 0
    f.total = 0
    f.read()
    w.raw[26] = raw_for(900, 700, 45000)
    assert [f.read(), f.read(), f.read(), f.read()] == [450, 600, 900, 900]


def check_fsr_inverted_wiring():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 60000, 10000, 1)
    for p in (0, 333, 1000):
        w.raw[26] = raw_for(p, 60000, 10000)
        assert f.read() == p


def check_fsr_reports_a_missing_or_shorted_sensor():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 2)
    w.raw[26] = 0                          # unplugged: only the pull-down
    got = [f.read() for _ in range(FAULT_SAMPLES)]
    assert got[-1] == -1 and f.fault and got[0] >= 0
    w.raw[26] = raw_for(300, 700, 45000)
    assert f.read() == 300 and not f.fault
    w.raw[26] = 65535                      # shorted
    for _ in range(FAULT_SAMPLES):
        v = f.read()
    assert v == -1


def check_button_reads_active_low_and_active_high():
    w = world()
    pin = machine.Pin(15, machine.Pin.IN, machine.Pin.PULL_UP)
    b = Button(pin, True)
    assert not b.pressed()
    w.set_button(True)
    assert b.pressed()
    w.active_low = False
    w.set_button(True)
    assert Button(pin, False).pressed()


def check_battery_reads_millivolts_through_the_divider():
    w = world()
    bat = Battery(machine.ADC(machine.Pin(29)), 3000, 3300)
    w.set_battery(3700)
    assert 3690 <= bat.read_mv() <= 3700
    w.set_battery(3300)
    assert 3290 <= bat.read_mv() <= 3300


def check_world_applies_script_inputs_at_their_times():
    w = world([(500, "press", 0), (1000, "pressure", 800), (2000, "battery", 3300)])
    b = Button(machine.Pin(15, machine.Pin.IN, machine.Pin.PULL_UP), True)
    w.advance_to(499)
    assert not b.pressed()
    w.advance_to(500)
    assert b.pressed()
    w.advance_to(620)
    assert not b.pressed()
    w.advance_to(1000)
    assert w.raw[26] == raw_for(800, 700, 45000)
    assert [i[1] for i in w.inputs] == ["press", "pressure"]


def all_checks():
    g = globals()
    return sorted(name for name in g if name.startswith("check_"))


if __name__ == "__main__":
    names = all_checks()
    for name in names:
        globals()[name]()
        print("ok " + name)
    print("%d passed, 0 failed" % len(names))
