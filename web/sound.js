// Feeling the cues without a wand: the felt amplitude (web/motor.js) as the
// loudness of a buzz, through WebAudio, and each cue's pulses through
// navigator.vibrate where the device has a vibration motor.
//
// A browser starts audio only after a gesture on the page, so sound is off
// until the "sound" switch is turned on. The live voice follows the wand:
// amplitude samples come in wand time, a frame's worth at a time, and are
// scheduled a little ahead (LEAD_S) on the audio clock, wand time divided
// by the speed. A second voice plays a legend cue on its own.

const LEAD_S = 0.06; // scheduled this far ahead: a frame late never clicks
const STEP_S = 0.004; // audio time between two scheduled amplitude points
const VOLUME = 0.25;

class Voice {
  constructor(ctx, motor) {
    this.ctx = ctx;
    this.lra = motor.kind !== "pwm";
    this.osc = ctx.createOscillator();
    // An ERM buzzes with a rotating mass: a rough tone whose pitch rises
    // with speed; an LRA rings at its resonance.
    this.osc.type = this.lra ? "triangle" : "sawtooth";
    this.osc.frequency.value = this.lra ? 175 : 60;
    const filter = ctx.createBiquadFilter();
    filter.type = "lowpass";
    filter.frequency.value = 1200;
    this.gain = ctx.createGain();
    this.gain.gain.value = 0;
    this.osc.connect(filter).connect(this.gain).connect(ctx.destination);
    this.osc.start();
    this.anchor = null; // [audio s, wand ms] that map onto each other
    this.lastAt = 0;
  }

  pitch(a) {
    return this.lra ? 175 : 60 + 140 * a;
  }

  // Amplitudes [wand ms, a] in time order, at `speed` wand ms per real ms.
  play(samples, speed) {
    if (!samples.length) return;
    const ctx = this.ctx;
    const now = ctx.currentTime;
    const first = samples[0][0];
    if (!this.anchor || this.anchor[2] !== speed || this.at(first) < now ||
        this.at(first) > now + 4 * LEAD_S) {
      this.anchor = [now + LEAD_S, first, speed];
      this.gain.gain.cancelScheduledValues(now);
      this.osc.frequency.cancelScheduledValues(now);
      this.lastAt = 0;
    }
    for (const [t, a] of samples) {
      const at = this.at(t);
      if (at - this.lastAt < STEP_S) continue;
      this.lastAt = at;
      this.gain.gain.linearRampToValueAtTime(a * VOLUME, at);
      this.osc.frequency.linearRampToValueAtTime(this.pitch(a), at);
    }
  }

  at(t) {
    const [audio, wand, speed] = this.anchor;
    return audio + (t - wand) / 1000 / speed;
  }

  close() {
    this.osc.stop();
  }
}

export class Sound {
  constructor() {
    this.ctx = null;
    this.live = null;
    this.preview = null;
  }

  get on() {
    return this.ctx !== null;
  }

  // Must be called from a user gesture (the switch's change event).
  async start(motor) {
    if (this.ctx) return;
    this.ctx = new AudioContext();
    await this.ctx.resume();
    this.motor(motor);
  }

  // A wand of another board: voices for its motor.
  motor(motor) {
    if (!this.ctx) return;
    for (const v of [this.live, this.preview]) if (v) v.close();
    this.live = new Voice(this.ctx, motor);
    this.preview = new Voice(this.ctx, motor);
  }

  stop() {
    if (!this.ctx) return;
    this.ctx.close();
    this.ctx = this.live = this.preview = null;
  }

  // The wand's felt amplitude, a frame's worth.
  follow(samples, speed) {
    if (this.live) this.live.play(samples, speed);
  }

  // One cue on its own, now: its amplitude, a sample a ms.
  cue(amps) {
    if (!this.preview) return;
    this.preview.anchor = null;
    this.preview.play(amps.map((a, i) => [i, a]), 1);
  }

  // The cue's pulses on the device's own vibration motor, if it has one.
  vibrate(pulses, speed) {
    if (!this.ctx || !("vibrate" in navigator)) return;
    navigator.vibrate(pulses.map((ms) => Math.max(1, Math.round(ms / speed))));
  }
}
