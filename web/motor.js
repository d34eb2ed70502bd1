// What a hand feels from the motor, ported from sim/motor_model.py (the
// same fit to the board's lag, rise and stop times, the same steady
// amplitude per drive value, stepped a millisecond at a time as its
// envelope() is): the page turns the drive at the motor pin into the felt
// amplitude that shapes the sound and the meter. tests/test_web.py checks
// envelope() here against the Python one, value for value.

export const REST = 0.02; // below this the motor counts as stopped: it must break away again

export function response(motor) {
  const { lag_ms: lag, rise_ms: rise, stop_ms: stop } = motor;
  let tauUp = (rise - lag) / Math.log(5); // t90 - t50 = tau * ln 5
  let dead = lag - tauUp * Math.log(2);
  if (dead < 0) {
    dead = 0;
    tauUp = lag / Math.log(2);
  }
  return { tauUp, dead, tauDown: stop / Math.log(10) };
}

// Steady vibration amplitude (0..1 of full) for a drive value: an ERM
// below its stall duty does not turn; an LRA is linear in its RTP value.
export function steady(motor, value) {
  if (motor.kind === "pwm") {
    const stall = motor.min_duty;
    return value <= stall ? 0 : (value - stall) / (65535 - stall);
  }
  return Math.max(0, Math.min(255, value)) / 255;
}

// The model's state, moved on one millisecond at a time; each ms's
// amplitude goes to sample(t, a) when one is given.
export class Felt {
  constructor(motor, sample = null) {
    this.motor = motor;
    this.sample = sample;
    const r = response(motor);
    this.dead = r.dead;
    this.up = 1 - Math.exp(-1 / r.tauUp);
    this.down = 1 - Math.exp(-1 / r.tauDown);
    this.a = 0;
    this.target = 0;
    this.movesAt = null; // when a motor breaking away from rest starts to move
    this.t = 0; // the next millisecond to step
  }

  // The drive changes to `value` at the start of millisecond t (>= this.t).
  drive(t, value) {
    this.stepTo(t);
    const next = steady(this.motor, value);
    if (next > 0 && this.target === 0 && this.a < REST) this.movesAt = t + this.dead;
    this.target = next;
  }

  // Steps every millisecond before t.
  stepTo(t) {
    const sample = this.sample;
    for (; this.t < t; this.t++) {
      if (this.target > this.a) {
        if (this.movesAt === null || this.t >= this.movesAt) this.a += (this.target - this.a) * this.up;
      } else {
        this.a += (this.target - this.a) * this.down;
        if (this.target === 0) this.movesAt = null;
      }
      if (sample) sample(this.t, this.a);
    }
  }
}

// Amplitude for each ms 0..end-1 of a timeline of [t, drive] (in time
// order, each holding until the next), as sim.motor_model.envelope.
export function envelope(motor, timeline, end) {
  const out = [];
  const f = new Felt(motor, (t, a) => out.push(a));
  for (const [t, v] of timeline) {
    if (t >= end) break;
    f.drive(t, v);
  }
  f.stepTo(end);
  return out;
}
