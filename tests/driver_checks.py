# Driver tests against the simulated machine, written to run unchanged on
# CPython and on MicroPython (tests/test_drivers.py runs each check on both
# through checkrun). Plain asserts, no pytest.
from facewand import cues, board as board_file
from facewand.drivers.haptic import PwmMotor, CAP_DUTY
from facewand.drivers.drv2605 import Drv2605, CAP_RTP
from facewand.drivers.neoring import NeoRing
from facewand.hardware import ORDERS, gamma_table
from facewand.drivers.inputs import Button, Fsr, Battery, FAULT_SAMPLES
from facewand.ring import Ring
from sim.fakehw import machine, neopixel
from sim.fakehw.world import World, fsr_raw

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


def duty(drive, stall=16000):
    """What the pin should carry for a drive in permille of full: the
    range 1..MAX_LEVEL spread over stall..80% duty."""
    return stall + (CAP_DUTY - stall) * drive // cues.MAX_LEVEL


def check_pwm_motor_plays_a_pattern_without_blocking():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(cues.V_PRESS, 800, 0)          # (160 ms at 600, 300 ms at 1000) of 800
    assert pwm.duty_u16() == duty(480)
    assert m.busy()
    m.update(159)
    assert pwm.duty_u16() == duty(480)
    m.update(160)
    assert pwm.duty_u16() == duty(800) == CAP_DUTY
    m.update(459)
    assert pwm.duty_u16() == CAP_DUTY
    m.update(460)
    assert pwm.duty_u16() == 0 and not m.busy()


def check_pwm_motor_gaps_between_pulses_are_silent():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(2, 500, 1000)                  # step2: 100 on, 140 off, 100 on
    seen = []
    for t in range(1000, 1400, 10):
        m.update(t)
        seen.append(1 if pwm.duty_u16() else 0)
    assert seen[:10] == [1] * 10 and seen[10:24] == [0] * 14 and seen[24:34] == [1] * 10
    assert seen[34:] == [0] * 6


def check_pwm_motor_new_cue_replaces_the_playing_one_and_stop_silences():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    m.play(cues.V_FINISH, 800, 0)
    m.update(100)
    m.play(cues.V_STROKE, 800, 100)
    m.update(100 + cues.VIBE_MS[cues.V_STROKE] * cues.UNIT)
    assert pwm.duty_u16() == 0 and not m.busy()
    m.play(cues.V_FINISH, 800, 200)
    m.stop()
    assert pwm.duty_u16() == 0 and not m.busy()


def check_motor_level_is_capped_even_if_asked_for_more():
    world()
    for stall in (0, 16000, 32767):
        pwm = machine.PWM(machine.Pin(16))
        m = PwmMotor(pwm, stall)
        m.play(cues.V_WAKE, 1000, 0)
        assert pwm.duty_u16() == CAP_DUTY == 65535 * cues.MAX_LEVEL // 1000
        m._drive(5000)                    # even a drive past the cap, asked directly
        assert pwm.duty_u16() == CAP_DUTY


def check_motor_timing_survives_the_tick_wraparound():
    world()
    pwm = machine.PWM(machine.Pin(16))
    m = PwmMotor(pwm, 16000)
    start = (1 << 30) - 50
    m.play(cues.V_START, 800, start)       # 100 on, 140 off, ...
    m.update(start + 99 - (1 << 30))
    assert pwm.duty_u16() > 0
    m.update(start + 100 - (1 << 30))
    assert pwm.duty_u16() == 0


def check_drv2605_is_set_up_for_real_time_playback_and_driven_by_register():
    w = world()
    i2c = machine.I2C(1, sda=machine.Pin(6), scl=machine.Pin(7))
    d = Drv2605(i2c, 0x5A, True)
    regs = w.i2c[1].regs
    assert w.i2c[1].addr == 0x5A
    assert regs[0x01] == 0x05 and regs[0x1A] & 0x80 and regs[0x03] == 6
    # Braking on (brake factor, unidirectional input), overdrive at start.
    assert regs[0x1A] & 0x70 != 0x70 and regs[0x1C] & 0x80 == 0 and regs[0x1B] & 0x80
    d.play(cues.V_PRESS, 800, 0)
    assert regs[0x02] == 255 * 480 // 1000
    d.update(160)
    assert regs[0x02] == CAP_RTP
    d.update(460)
    assert regs[0x02] == 0


def _pwm_motor_playing():
    """A PWM motor on GPIO16 playing the pause cue: (world, pwm, motor)."""
    w = world()
    pin = machine.Pin(16, machine.Pin.OUT, value=0)
    pwm = machine.PWM(pin)
    m = PwmMotor(pwm, 16000, 0, pin)
    m.play(cues.V_PAUSE, 800, 0)
    return w, pwm, m


def check_a_pwm_write_that_fails_still_ends_with_the_motor_off():
    # Drive on, then the write of 0 raises once: stop() must not trust the
    # player's belief that the drive is already 0; it writes again.
    w, pwm, m = _pwm_motor_playing()
    assert pwm.duty_u16() > 0
    w.inject("pwm", 1)                  # the next PWM call fails, once
    try:
        m.update(300)                   # the cue's end: the write of 0 raises
        raised = False
    except OSError:
        raised = True
    assert raised and pwm.duty_u16() > 0 and w.motor_output() > 0
    assert m.stop() and pwm.duty_u16() == 0 and w.motor_output() == 0


def check_a_pwm_that_keeps_failing_is_cut_off_at_its_pin():
    w, pwm, m = _pwm_motor_playing()
    w.inject("pwm", 1, persist=True)    # every write fails from now on
    assert not m.stop()                 # never raises; says it had to cut
    assert w.motor_output() == 0 and pwm.detached and w.outs[16] == 0


def _drv(w, en=True):
    i2c = machine.I2C(1, sda=machine.Pin(6), scl=machine.Pin(7))
    pin = machine.Pin(2, machine.Pin.OUT, value=0) if en else None
    return Drv2605(i2c, 0x5A, True, 0, pin)


def check_a_drv2605_whose_bus_fails_is_stopped_by_standby_or_its_enable_pin():
    w = world()
    w.board.motor.update({"kind": "drv2605", "i2c": 1, "sda": 6, "scl": 7, "addr": 90,
                          "actuator": "lra", "en": 2})
    d = _drv(w)
    assert w.outs[2] == 1               # enabled once set up
    d.play(cues.V_PAUSE, 800, 0)
    assert w.motor_output() > 0
    w.inject("i2c", 1)                  # one EIO: the retry gets through
    assert d.stop() and w.i2c[1].regs[0x02] == 0 and w.motor_output() == 0
    d.play(cues.V_PAUSE, 800, 0)
    w.inject("i2c", 1, persist=True)    # the bus is gone: EN low is the way off
    assert not d.stop()
    assert w.i2c[1].regs[0x02] > 0 and w.outs[2] == 0 and w.motor_output() == 0


def check_ring_writes_only_changed_frames_in_wire_order_with_gamma():
    world()
    np = neopixel.NeoPixel(machine.Pin(17), 12)
    drv = NeoRing(np, ORDERS["GRB"], gamma_table(255))
    ring = Ring(12)
    drv.lend(ring)                        # as the shell does
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
    drv = NeoRing(np, ORDERS["RGB"], gamma_table(100))
    ring = Ring(12)
    drv.lend(ring)                        # as the shell does
    ring.fill(0xFFFFFF, 255)
    drv.show(ring)
    assert max(np.buf) == 100
    assert gamma_table(255)[128] < 64     # mid-level looks mid-bright, not linear


def lvl(tick):
    return 50 + 12 * tick     # far enough apart to differ after gamma


def _shows(drv, ring, np, ticks, changes, still=None):
    """Run `ticks` ticks; on the ticks in `changes` the picture changes.
    `still` maps a tick to follow_motor's argument. Returns (tick, red) of
    every write."""
    sent = []
    for tick in range(ticks):
        if still and tick in still:
            drv.follow_motor(still[tick])
        if tick in changes:
            ring.pixel(0, 0xFF0000, lvl(tick))
        before = np.writes
        drv.show(ring)
        if np.writes != before:
            sent.append((tick, np.buf[0]))
    return sent


def check_ring_held_back_sends_each_picture_delay_ticks_later():
    world()
    np = neopixel.NeoPixel(machine.Pin(17), 12)
    drv = NeoRing(np, ORDERS["RGB"], gamma_table(255), slow=3, quick=1)
    ring = Ring(12)
    drv.lend(ring)                        # as the shell does
    g = gamma_table(255)
    # Three ticks late, one write per new picture, none for unchanged ticks.
    assert _shows(drv, ring, np, 10, (1, 2, 6)) == [(4, g[lvl(1)]), (5, g[lvl(2)]), (9, g[lvl(6)])]
    drv.off()
    assert not any(np.buf)
    assert _shows(drv, ring, np, 5, ()) == []     # a stopped ring forgets what was queued


def check_ring_hold_shrinks_at_once_and_grows_back_by_holding():
    world()
    np = neopixel.NeoPixel(machine.Pin(17), 12)
    drv = NeoRing(np, ORDERS["RGB"], gamma_table(255), slow=3, quick=1)
    ring = Ring(12)
    drv.lend(ring)                        # as the shell does
    g = gamma_table(255)
    # Tick 5: a cue on a turning motor: the pictures of ticks 2..4 are now
    # due at once (only the newest changed one is sent), tick 5's comes one
    # tick later. Tick 8: the motor rests: the ring holds still two ticks
    # (tick 7's picture waits until tick 10), then lags three behind again.
    sent = _shows(drv, ring, np, 16, (2, 3, 5, 7, 8, 9, 12), {5: False, 8: True})
    assert sent == [(5, g[lvl(3)]), (6, g[lvl(5)]), (10, g[lvl(7)]), (11, g[lvl(8)]), (12, g[lvl(9)]),
                    (15, g[lvl(12)])]


def check_fsr_maps_calibration_to_permille_and_smooths():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 3)
    for p in (0, 1, 250, 500, 999, 1000):
        w.raw[26] = fsr_raw(p, 700, 45000)
        f.filled = 0
        f.total = 0
        assert f.read() == p, p
    w.raw[26] = fsr_raw(0, 700, 45000)
    f.filled = 0
    f.total = 0
    f.read()
    w.raw[26] = fsr_raw(900, 700, 45000)
    assert [f.read(), f.read(), f.read(), f.read()] == [450, 600, 900, 900]


def check_fsr_inverted_wiring():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 60000, 10000, 1)
    for p in (0, 333, 1000):
        w.raw[26] = fsr_raw(p, 60000, 10000)
        assert f.read() == p


def check_fsr_reports_a_missing_or_shorted_sensor():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 2)
    w.raw[26] = 0                          # unplugged: only the pull-down
    got = [f.read() for _ in range(FAULT_SAMPLES)]
    assert got[-1] == -1 and f.fault and got[0] >= 0
    w.raw[26] = fsr_raw(300, 700, 45000)
    assert f.read() == 300 and not f.fault
    w.raw[26] = 65535                      # shorted
    for _ in range(FAULT_SAMPLES):
        v = f.read()
    assert v == -1


def check_fsr_pressed_to_the_rail_is_the_hardest_press_not_a_short():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 1)
    for p in (100, 300, 600, 900):       # a press that builds up
        w.raw[26] = fsr_raw(p, 700, 45000)
        f.read()
    w.raw[26] = 65535                    # then as hard as the sensor goes
    got = [f.read() for _ in range(FAULT_SAMPLES * 4)]
    assert got == [1000] * len(got) and not f.fault


def check_fsr_at_the_rail_from_power_on_or_a_light_touch_is_a_short():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 700, 45000, 1)
    w.raw[26] = 65535                    # at the rail from the first sample
    got = [f.read() for _ in range(FAULT_SAMPLES)]
    assert got[-1] == -1 and max(got) < 1000
    w.raw[26] = fsr_raw(100, 700, 45000)
    assert f.read() == 100
    w.raw[26] = 65535                    # a jump no finger makes in 20 ms
    got = [f.read() for _ in range(FAULT_SAMPLES)]
    assert got[-1] == -1 and max(got) < 1000


def check_fsr_inverted_wiring_pressed_to_its_rail():
    w = world()
    f = Fsr(machine.ADC(machine.Pin(26)), 60000, 10000, 1)
    for p in (200, 600, 900):
        w.raw[26] = fsr_raw(p, 60000, 10000)
        f.read()
    w.raw[26] = 0
    assert [f.read() for _ in range(8)] == [1000] * 8


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
    assert w.raw[26] == fsr_raw(800, 700, 45000)
    assert [i[1] for i in w.inputs] == ["press", "pressure"]


def check_every_name_is_written_as_one_line_of_ascii_json():
    # The same bytes from both interpreters, whatever a routine's names
    # hold: accents, emoji (a surrogate pair in JSON), tabs, quotes.
    from facewand.trace import json_str
    assert json_str("Caf\u00e9 \U0001F600\t\"x\"\\") == '"Caf\\u00e9 \\ud83d\\ude00\\u0009\\"x\\"\\\\"'
    assert json_str("\u2028\u0085") == '"\\u2028\\u0085"'


def all_checks():
    g = globals()
    return sorted(name for name in g if name.startswith("check_"))
