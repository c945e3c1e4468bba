/**
 * Energy voice-activity detector with an adaptive noise floor. Pure (runs in the capture worklet).
 *
 * Frames of `frameMs` are compared with a noise floor that follows quiet frames down quickly and
 * creeps up slowly (more slowly still during speech), so steady background noise (fans, hum, hiss)
 * becomes the floor instead of speech. Onset needs `minSpeechMs` of consecutive loud frames; offset
 * comes after `hangoverMs` without speech, and is stamped at the end of the last speech frame (the
 * hangover is removed from the reported time). The floor is also never below the quietest frame of
 * the last `floorWindowMs`: speech always dips between words within that time, steady noise never
 * does, so a step up in background noise ends a false onset within that window.
 *
 * Digital silence (a muted track delivers exact zeros; nothing analogue is that quiet) says nothing
 * about the room: those frames are never speech and leave the floor and its window alone, so the
 * noise floor on unmute is the room's, not -120 dB (which made room noise "speech" for ~3 s).
 */

export interface VoiceActivityOptions {
  frameMs?: number;
  /** dB above the noise floor a frame needs to count as speech onset. */
  onsetDb?: number;
  /** dB above the noise floor that keeps speech going (hysteresis). */
  keepDb?: number;
  /** Frames quieter than this (dBFS) are never speech. */
  minLevelDb?: number;
  minSpeechMs?: number;
  hangoverMs?: number;
  /** How fast the floor rises towards louder frames, dB per second (outside speech). */
  floorRiseDbPerSecond?: number;
  /** Window of the minimum-statistics floor. */
  floorWindowMs?: number;
}

export interface VoiceActivityEvent {
  type: 'speech-started' | 'speech-stopped';
  /** Absolute sample index (samples pushed since construction or reset) of the onset / offset. */
  sample: number;
}

/** Below 16-bit dither (about -96 dBFS): only digital silence is this quiet. */
const DIGITAL_SILENCE_DB = -100;

const DEFAULTS: Required<VoiceActivityOptions> = {
  frameMs: 10,
  onsetDb: 12,
  keepDb: 7,
  minLevelDb: -55,
  minSpeechMs: 60,
  hangoverMs: 400,
  floorRiseDbPerSecond: 3,
  floorWindowMs: 3000,
};

export class VoiceActivityDetector {
  readonly sampleRate: number;
  readonly options: Required<VoiceActivityOptions>;
  private readonly frameSamples: number;
  private readonly minSpeechFrames: number;
  private readonly hangoverFrames: number;
  private readonly riseOutside: number;
  private readonly riseInside: number;

  /** Frame levels (dB) of the last floorWindowMs, a ring. */
  private readonly recent: Float32Array;
  private sum = 0;
  private count = 0;
  private frameIndex = 0;
  private floorDb = Number.NaN;
  private run = 0;
  private runStart = 0;
  private silentFrames = 0;
  private lastSpeechEnd = 0;
  private _speaking = false;

  constructor(sampleRate: number, options: VoiceActivityOptions = {}) {
    this.sampleRate = sampleRate;
    this.options = { ...DEFAULTS, ...options };
    const o = this.options;
    this.frameSamples = Math.max(1, Math.round((sampleRate * o.frameMs) / 1000));
    this.minSpeechFrames = Math.max(1, Math.round(o.minSpeechMs / o.frameMs));
    this.hangoverFrames = Math.max(1, Math.round(o.hangoverMs / o.frameMs));
    this.riseOutside = (o.floorRiseDbPerSecond * o.frameMs) / 1000;
    this.riseInside = this.riseOutside / 10;
    this.recent = new Float32Array(Math.max(1, Math.round(o.floorWindowMs / o.frameMs))).fill(Number.NEGATIVE_INFINITY);
  }

  get speaking(): boolean {
    return this._speaking;
  }

  get noiseFloorDb(): number {
    return this.floorDb;
  }

  push(samples: Float32Array, emit: (ev: VoiceActivityEvent) => void): void {
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      this.sum += v * v;
      if (++this.count === this.frameSamples) {
        this.onFrame(10 * Math.log10(this.sum / this.count + 1e-12), emit);
        this.sum = 0;
        this.count = 0;
      }
    }
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
    this.frameIndex = 0;
    this.floorDb = Number.NaN;
    this.recent.fill(Number.NEGATIVE_INFINITY);
    this.run = 0;
    this.silentFrames = 0;
    this._speaking = false;
  }

  private onFrame(db: number, emit: (ev: VoiceActivityEvent) => void): void {
    const o = this.options;
    const start = this.frameIndex * this.frameSamples;
    this.frameIndex++;
    if (db < DIGITAL_SILENCE_DB) {
      this.onDigitalSilence(emit);
      return;
    }
    if (Number.isNaN(this.floorDb)) this.floorDb = db;
    this.recent[this.frameIndex % this.recent.length] = db;
    let windowMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.recent.length; i++) if (this.recent[i] < windowMin) windowMin = this.recent[i];
    if (windowMin > this.floorDb) this.floorDb = windowMin;

    const onset = db > this.floorDb + o.onsetDb && db > o.minLevelDb;
    const keep = db > this.floorDb + o.keepDb && db > o.minLevelDb;

    if (!this._speaking) {
      if (onset) {
        if (this.run === 0) this.runStart = start;
        this.run++;
        if (this.run >= this.minSpeechFrames) {
          this._speaking = true;
          this.silentFrames = 0;
          this.lastSpeechEnd = start + this.frameSamples;
          emit({ type: 'speech-started', sample: this.runStart });
        }
      } else {
        this.run = 0;
      }
    } else if (keep) {
      this.silentFrames = 0;
      this.lastSpeechEnd = start + this.frameSamples;
    } else if (++this.silentFrames >= this.hangoverFrames) {
      this._speaking = false;
      this.run = 0;
      emit({ type: 'speech-stopped', sample: this.lastSpeechEnd });
    }

    this.updateFloor(db);
  }

  /** A muted stretch: speech (if any) runs out its hangover; the floor is untouched. */
  private onDigitalSilence(emit: (ev: VoiceActivityEvent) => void): void {
    if (!this._speaking) {
      this.run = 0;
      return;
    }
    if (++this.silentFrames >= this.hangoverFrames) {
      this._speaking = false;
      this.run = 0;
      emit({ type: 'speech-stopped', sample: this.lastSpeechEnd });
    }
  }

  private updateFloor(db: number): void {
    // Floor: follow quieter frames down fast, louder frames up slowly (barely while speech is on).
    if (db < this.floorDb) {
      this.floorDb += (db - this.floorDb) * 0.3;
    } else {
      const rise = this._speaking || this.run > 0 ? this.riseInside : this.riseOutside;
      this.floorDb = Math.min(db, this.floorDb + rise);
    }
  }
}
