# What a hand feels from the motor: the drive that left the driver (PWM
# duty, or the DRV2605's RTP value) turned into vibration amplitude, as a
# fraction of what full drive gives once the motor is up to speed.
#
# The model is the step response vibration-motor datasheets publish
# (Precision Microdrives' lag, rise and stop times; the board file gives
# them, or board.py's defaults): a dead time while a motor at rest breaks
# away, then a first-order rise towards the drive's steady amplitude, and a
# first-order fall when the drive drops. Fitted so that, from rest at full
# drive, the amplitude is at 50% after lag_ms and 90% after rise_ms, and a
# running motor cut off falls to 10% after stop_ms.
#
# Steady amplitude: an ERM below its stall duty does not turn; above it,
# amplitude grows linearly with the drive up to full (a simplification of
# the datasheets' amplitude-versus-voltage curves, which are near linear in
# the operating range). An LRA on the DRV2605 is linear in its RTP value.
# Host-only (floats), used by `python -m sim cues`, its tests and plots.
import math

REST = 0.02          # below this the motor counts as stopped: it must break away again


class Response:
    def __init__(self, lag_ms, rise_ms, stop_ms):
        # From rest: a(t) = 1 - exp(-(t - dead) / tau_up) after `dead` ms.
        self.tau_up = (rise_ms - lag_ms) / math.log(5)        # t90 - t50 = tau * ln 5
        self.dead = lag_ms - self.tau_up * math.log(2)
        if self.dead < 0:          # a lag that short: no dead time, fit the lag alone
            self.dead = 0.0
            self.tau_up = lag_ms / math.log(2)
        self.tau_down = stop_ms / math.log(10)

    @classmethod
    def of(cls, board):
        m = board.motor
        return cls(m["lag_ms"], m["rise_ms"], m["stop_ms"])


def steady(board, value):
    """Steady vibration amplitude (0..1 of full) for a drive value."""
    m = board.motor
    if m["kind"] == "pwm":
        stall = m["min_duty"]
        if value <= stall:
            return 0.0
        return (value - stall) / (65535 - stall)
    return max(0, min(255, value)) / 255


def envelope(board, timeline, end_ms):
    """Amplitude for each ms 0..end_ms-1. timeline: (t_ms, drive value)
    in time order, each holding until the next; the drive is 0 before the
    first."""
    r = Response.of(board)
    up = 1 - math.exp(-1 / r.tau_up)
    down = 1 - math.exp(-1 / r.tau_down)
    out = []
    a = 0.0
    target = 0.0
    moves_at = None            # when a motor breaking away from rest starts to move
    i = 0
    for t in range(end_ms):
        while i < len(timeline) and timeline[i][0] <= t:
            new = steady(board, timeline[i][1])
            if new > 0 and target == 0 and a < REST:
                moves_at = t + r.dead
            target = new
            i += 1
        if target > a:
            if moves_at is None or t >= moves_at:
                a += (target - a) * up
        else:
            a += (target - a) * down
            if target == 0:
                moves_at = None
        out.append(a)
    return out
