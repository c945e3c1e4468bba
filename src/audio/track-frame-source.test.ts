import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaptureClock, downmixFrame, MAX_BUFFERED_FRAMES, TrackFrameSource, type AudioDataLike } from './track-frame-source.ts';

/** A WebCodecs AudioData stand-in: planar channels, and what a closed one reads as (empty, rate 0). */
class FakeAudioData implements AudioDataLike {
  closed = false;
  constructor(private readonly planes: Float32Array[], private readonly rate: number, private readonly ts = NaN) {}
  get timestamp(): number {
    return this.closed ? 0 : this.ts;
  }
  get numberOfFrames(): number {
    return this.closed ? 0 : this.planes[0].length;
  }
  get numberOfChannels(): number {
    return this.closed ? 0 : this.planes.length;
  }
  get sampleRate(): number {
    return this.closed ? 0 : this.rate;
  }
  copyTo(destination: Float32Array, options: { planeIndex: number; format: 'f32-planar' }): void {
    if (this.closed) throw new Error('InvalidStateError: closed');
    destination.set(this.planes[options.planeIndex]);
  }
  close(): void {
    this.closed = true;
  }
}

/** Installs a MediaStreamTrackProcessor whose readable the test feeds. */
function installProcessor() {
  const made: Array<{ init: { track: unknown; maxBufferSize?: number }; push(f: FakeAudioData): void; end(): void; fail(e: Error): void; cancelled: () => boolean }> = [];
  class FakeProcessor {
    readable: ReadableStream<FakeAudioData>;
    constructor(init: { track: unknown; maxBufferSize?: number }) {
      let ctl!: ReadableStreamDefaultController<FakeAudioData>;
      let cancelled = false;
      this.readable = new ReadableStream<FakeAudioData>({
        start: (c) => void (ctl = c),
        cancel: () => void (cancelled = true),
      });
      made.push({ init, push: (f) => ctl.enqueue(f), end: () => { try { ctl.close(); } catch { /* cancelled: already closed */ } }, fail: (e) => ctl.error(e), cancelled: () => cancelled });
    }
  }
  vi.stubGlobal('MediaStreamTrackProcessor', FakeProcessor);
  return made;
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const track = {} as MediaStreamTrack;

afterEach(() => vi.unstubAllGlobals());

describe('downmixFrame', () => {
  it('averages the channels of a planar frame and copies a mono one as it is', () => {
    const stereo = new FakeAudioData([new Float32Array([1, 0.5, -1]), new Float32Array([0, 0.5, 1])], 48000);
    expect(Array.from(downmixFrame(stereo))).toEqual([0.5, 0.5, 0]);
    const mono = new FakeAudioData([new Float32Array([0.25, -0.25])], 48000);
    expect(Array.from(downmixFrame(mono))).toEqual([0.25, -0.25]);
  });
});

describe('CaptureClock', () => {
  it("dates each frame by its capture timestamp, so a frame read late (a busy main thread) keeps its true time", () => {
    const clock = new CaptureClock();
    // The capture's clock runs 5,000 ms behind performance.now(); frames of 10 ms, each ready 10 ms after its first sample.
    expect(clock.capturedAt(0, 10, 5010)).toBe(5000);
    expect(clock.capturedAt(10_000, 10, 5020)).toBe(5010);
    // Read 200 ms late: still dated where it was captured.
    expect(clock.capturedAt(20_000, 10, 5230)).toBe(5020);
    // A quicker read than any before tightens the offset (the first reads were late too).
    expect(clock.capturedAt(30_000, 10, 5038)).toBe(5028);
    expect(clock.capturedAt(40_000, 10, 5100)).toBe(5038);
  });

  it('timestamps that stop advancing do not date frames in the past: the clock relearns from the read', () => {
    const clock = new CaptureClock();
    expect(clock.capturedAt(0, 10, 5010)).toBe(5000);
    // The stamp stays at 0 while reads go on: after 2 s the frames are dated by their read again.
    expect(clock.capturedAt(0, 10, 9010)).toBe(9000);
    expect(clock.capturedAt(10_000, 10, 9020)).toBe(9010);
  });

  it('without a timestamp, a frame is taken to end as it is read', () => {
    expect(new CaptureClock().capturedAt(NaN, 10, 700)).toBe(690);
  });
});

describe('TrackFrameSource', () => {
  it('is unsupported where the browser has no MediaStreamTrackProcessor, and says so when built', () => {
    vi.stubGlobal('MediaStreamTrackProcessor', undefined);
    expect(TrackFrameSource.supported()).toBe(false);
    expect(() => new TrackFrameSource(track, { onFrame: () => undefined })).toThrow(/not available/);
  });

  it('hands each frame on as mono at its rate (taken before the frame is closed), closes every frame, and asks for a deep buffer', async () => {
    const made = installProcessor();
    const frames: Array<[number[], number]> = [];
    const times: number[] = [];
    const source = new TrackFrameSource(track, {
      onFrame: (s, rate, capturedAt) => {
        frames.push([Array.from(s), rate]);
        times.push(capturedAt);
      },
    });
    expect(made[0].init).toEqual({ track, maxBufferSize: MAX_BUFFERED_FRAMES });
    const a = new FakeAudioData([new Float32Array([0.5, 0.5]), new Float32Array([0.5, -0.5])], 48000, 1_000_000);
    const b = new FakeAudioData([new Float32Array([0.1])], 44100);
    made[0].push(a);
    made[0].push(b);
    await flush();
    expect(frames).toEqual([
      [[0.5, 0], 48000],
      [[0.10000000149011612], 44100],
    ]);
    expect(a.closed && b.closed).toBe(true);
    // Both dated on the performance clock (the stamped one by its timestamp, read before it was closed).
    expect(times.every((t) => Number.isFinite(t) && t <= performance.now())).toBe(true);
    source.stop();
    await flush();
    expect(made[0].cancelled()).toBe(true);
    expect(source.running).toBe(false);
  });

  it('reports the end of the track or a read error once, and nothing after stop()', async () => {
    const made = installProcessor();
    const ends: string[] = [];
    new TrackFrameSource(track, { onFrame: () => undefined, onEnd: (r) => ends.push(r) });
    made[0].end();
    await flush();
    expect(ends).toEqual(['the microphone track ended']);

    const failing = new TrackFrameSource(track, { onFrame: () => undefined, onEnd: (r) => ends.push(r) });
    made[1].fail(new Error('device lost'));
    await flush();
    expect(ends.at(-1)).toBe('reading the microphone failed: device lost');
    expect(failing.running).toBe(false);

    const stopped = new TrackFrameSource(track, { onFrame: () => undefined, onEnd: (r) => ends.push(r) });
    stopped.stop();
    made[2].end();
    await flush();
    expect(ends).toHaveLength(2);
  });

  it('closes a frame that arrives after stop() without handing it on', async () => {
    const made = installProcessor();
    const got: number[] = [];
    const source = new TrackFrameSource(track, { onFrame: (s) => got.push(s.length) });
    const late = new FakeAudioData([new Float32Array(480)], 48000);
    made[0].push(late);
    source.stop();
    await flush();
    expect(got).toEqual([]);
    expect(late.closed).toBe(true);
  });
});
