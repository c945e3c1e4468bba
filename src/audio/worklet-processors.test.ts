import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaptureToMain, PlayerToMain } from './worklet-messages.ts';

/** Loads a processor module into a fake AudioWorkletGlobalScope and returns its instance factory. */
interface ProcessorInstance {
  port: { postMessage: ReturnType<typeof vi.fn>; onmessage: ((ev: { data: unknown }) => void) | null };
  process(inputs: Float32Array[][], outputs: Float32Array[][], params: Record<string, Float32Array>): boolean;
}
type ProcessorCtor = new (options: { processorOptions?: unknown }) => ProcessorInstance;

const scope = { currentTime: 0 };
let registered = new Map<string, ProcessorCtor>();

beforeEach(() => {
  registered = new Map();
  scope.currentTime = 0;
  class FakeProcessorBase {
    port = { postMessage: vi.fn(), onmessage: null };
  }
  vi.stubGlobal('AudioWorkletProcessor', FakeProcessorBase);
  vi.stubGlobal('registerProcessor', (name: string, ctor: ProcessorCtor) => registered.set(name, ctor));
  Object.defineProperty(globalThis, 'currentTime', { configurable: true, get: () => scope.currentTime });
  vi.resetModules();
});

afterEach(() => {
  vi.unstubAllGlobals();
  delete (globalThis as { currentTime?: number }).currentTime;
});

async function load(file: string, name: string, rate: number): Promise<ProcessorCtor> {
  vi.stubGlobal('sampleRate', rate);
  await import(/* @vite-ignore */ file);
  const ctor = registered.get(name);
  if (!ctor) throw new Error(`${name} was not registered by ${file}`);
  return ctor;
}

function messages<T>(p: ProcessorInstance): Array<{ msg: T; transfer?: Transferable[] }> {
  return p.port.postMessage.mock.calls.map(([msg, transfer]) => ({ msg: msg as T, transfer: transfer as Transferable[] | undefined }));
}

describe('pcm-capture-processor', () => {
  it('turns 48 kHz stereo render quanta into exact 20 ms 16 kHz mono PCM16 chunks, transferred', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 48000);
    const p = new Ctor({ processorOptions: { targetRate: 16000, chunkMs: 20, resample: true } });
    const quanta = 375; // 1 s
    for (let q = 0; q < quanta; q++) {
      const left = new Float32Array(128).map((_, i) => 0.4 * Math.sin((2 * Math.PI * 1000 * (q * 128 + i)) / 48000));
      const right = left.map((v) => -v * 0.5); // downmix = 0.25 × left
      expect(p.process([[left, right]], [[new Float32Array(128)]], {})).toBe(true);
    }
    const chunks = messages<CaptureToMain>(p).filter((m) => m.msg.type === 'chunk');
    expect(chunks.length).toBe(50);
    for (const c of chunks) {
      const msg = c.msg as CaptureToMain & { type: 'chunk' };
      expect(msg.pcm.byteLength).toBe(640);
      expect(c.transfer).toEqual([msg.pcm]);
    }
    // Amplitude survives resampling: 0.25 × 0.4 peak → about 3277 in PCM16.
    const last = new Int16Array((chunks.at(-1)!.msg as CaptureToMain & { type: 'chunk' }).pcm);
    const peak = Math.max(...Array.from(last, Math.abs));
    expect(peak).toBeGreaterThan(3150);
    expect(peak).toBeLessThan(3350);
    const levels = messages<CaptureToMain>(p).filter((m) => m.msg.type === 'level');
    expect(levels.length).toBe(20);
  });

  it('sends injected audio in place of the input, paced one render quantum per process(), even while muted', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 48000);
    const p = new Ctor({ processorOptions: { targetRate: 24000, chunkMs: 20, resample: true } });
    p.port.onmessage?.({ data: { type: 'set-sending', sending: false } });
    const mic = new Float32Array(128).fill(0.5);
    // 1000 frames of a 1 kHz tone: 7 full quanta and 104 frames of an eighth.
    const clip = new Float32Array(1000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    p.port.onmessage?.({ data: { type: 'inject', id: 7, samples: clip } });
    for (let q = 0; q < 7; q++) p.process([[mic]], [], {});
    expect(messages<CaptureToMain>(p).some((m) => m.msg.type === 'inject-done'), 'not done after 896 of 1000 frames').toBe(false);
    p.process([[mic]], [], {});
    const all = messages<CaptureToMain>(p).map((m) => m.msg);
    const chunks = all.filter((m): m is CaptureToMain & { type: 'chunk' } => m.type === 'chunk');
    // 1000 frames at 48 kHz = 500 samples at 24 kHz: one full 480-sample chunk, and the rest completed with silence.
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.injected === true)).toBe(true);
    const samples = chunks.flatMap((c) => Array.from(new Int16Array(c.pcm)));
    // The microphone's constant 0.5 never got in: the tone stays under 0.3 · 32768.
    expect(Math.max(...samples.map(Math.abs))).toBeLessThan(0.31 * 32768);
    expect(Math.max(...samples.slice(100, 400).map(Math.abs))).toBeGreaterThan(0.25 * 32768);
    expect(samples.slice(-20).every((v) => v === 0)).toBe(true);
    expect(all.at(-1)).toEqual({ type: 'inject-done', id: 7, frames: 1000, chunks: 2, cancelled: false });
    // Afterwards, muted again: the microphone is not sent.
    const before = p.port.postMessage.mock.calls.length;
    for (let q = 0; q < 10; q++) p.process([[mic]], [], {});
    expect(messages<CaptureToMain>(p).slice(before).some((m) => m.msg.type === 'chunk')).toBe(false);
  });

  it('runs injections back to back with no input connected, and a cancel reports what went through', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 16000);
    const p = new Ctor({ processorOptions: { targetRate: 16000, chunkMs: 20, resample: true } });
    p.port.onmessage?.({ data: { type: 'inject', id: 1, samples: new Float32Array(200).fill(0.1) } });
    p.port.onmessage?.({ data: { type: 'inject', id: 2, samples: new Float32Array(1000).fill(0.2) } });
    for (let q = 0; q < 3; q++) p.process([[]], [], {}); // no source: inputs carry no channels
    const done = messages<CaptureToMain>(p).map((m) => m.msg).filter((m) => m.type === 'inject-done');
    expect(done).toEqual([{ type: 'inject-done', id: 1, frames: 200, chunks: 1, cancelled: false }]);
    p.port.onmessage?.({ data: { type: 'inject-cancel', id: 2 } });
    expect(messages<CaptureToMain>(p).at(-1)!.msg).toEqual({ type: 'inject-done', id: 2, frames: 184, chunks: 0, cancelled: true });
    const chunks = messages<CaptureToMain>(p).filter((m) => m.msg.type === 'chunk');
    expect(chunks).toHaveLength(1); // 200 samples + 120 of silence; the cancelled 184 are dropped
  });

  it('stops sending while muted and drops the partial chunk', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 16000);
    const p = new Ctor({ processorOptions: { targetRate: 16000, chunkMs: 20, resample: true } });
    const block = new Float32Array(128).fill(0.1);
    p.process([[block]], [], {});
    p.port.onmessage?.({ data: { type: 'set-sending', sending: false } });
    for (let i = 0; i < 10; i++) p.process([[block]], [], {});
    expect(messages<CaptureToMain>(p).some((m) => m.msg.type === 'chunk')).toBe(false);
    p.port.onmessage?.({ data: { type: 'set-sending', sending: true } });
    for (let i = 0; i < 3; i++) p.process([[block]], [], {});
    const chunks = messages<CaptureToMain>(p).filter((m) => m.msg.type === 'chunk');
    expect(chunks).toHaveLength(1); // 384 samples since unmute → one 320-sample chunk
  });

  it('chunks microphone frames posted from the main thread as they arrive, drops them while an injection plays, and dates their speech from the frame\'s start', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 48000);
    const p = new Ctor({ processorOptions: { targetRate: 24000, chunkMs: 20, resample: true, vad: { minSpeechMs: 10 } } });
    scope.currentTime = 2;
    // The VAD learns a quiet floor first (silence is not sent while sending is off).
    p.port.onmessage?.({ data: { type: 'set-sending', sending: false } });
    for (let k = 0; k < 50; k++) p.port.onmessage?.({ data: { type: 'mic-frame', samples: new Float32Array(480).map(() => 0.0005 * (Math.random() - 0.5)) } });
    p.port.onmessage?.({ data: { type: 'set-sending', sending: true } });
    // Two 10 ms frames of a loud tone at 48 kHz: 960 samples → one 480-sample chunk at 24 kHz, with no process() call.
    const frame = () => new Float32Array(480).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    p.port.onmessage?.({ data: { type: 'mic-frame', samples: frame(), capturedAt: 7000 } });
    p.port.onmessage?.({ data: { type: 'mic-frame', samples: frame(), capturedAt: 7010 } });
    let chunks = messages<CaptureToMain>(p).filter((m) => m.msg.type === 'chunk');
    expect(chunks).toHaveLength(1);
    expect(new Int16Array((chunks[0].msg as CaptureToMain & { type: 'chunk' }).pcm).length).toBe(480);
    expect((chunks[0].msg as CaptureToMain & { type: 'chunk' }).injected).toBeUndefined();
    const speech = messages<CaptureToMain>(p).map((m) => m.msg).find((m): m is CaptureToMain & { type: 'speech' } => m.type === 'speech');
    // The frame just captured ends at about currentTime, so its speech starts before it, not after it.
    expect(speech?.started).toBe(true);
    expect(speech!.contextTime).toBeLessThan(2);
    expect(speech!.contextTime).toBeGreaterThan(1.9);
    // And on the performance clock, from the frame's capture time: within the loud frames (7000–7020 ms), however late they got here.
    expect(speech!.performanceTime).toBeGreaterThanOrEqual(7000);
    expect(speech!.performanceTime).toBeLessThan(7020);

    // An injection replaces the microphone: frames that arrive meanwhile are not sent.
    p.port.onmessage?.({ data: { type: 'inject', id: 3, samples: new Float32Array(4800).fill(0.01) } });
    const before = messages<CaptureToMain>(p).length;
    for (let k = 0; k < 4; k++) p.port.onmessage?.({ data: { type: 'mic-frame', samples: new Float32Array(480).fill(0.9) } });
    chunks = messages<CaptureToMain>(p).slice(before).filter((m) => m.msg.type === 'chunk');
    expect(chunks).toHaveLength(0);
  });

  it('survives a quantum with no input channels', async () => {
    const Ctor = await load('./worklets/pcm-capture-processor.ts', 'pcm-capture-processor', 48000);
    const p = new Ctor({ processorOptions: { targetRate: 16000, chunkMs: 20, resample: true } });
    expect(p.process([[]], [], {})).toBe(true);
  });
});

describe('pcm-player-processor', () => {
  it('plays pushed audio, stamps start/stop on the audio clock, answers clear with played samples', async () => {
    const Ctor = await load('./worklets/pcm-player-processor.ts', 'pcm-player-processor', 24000);
    const p = new Ctor({ processorOptions: { startThresholdMs: 20, stopHoldMs: 40 } });
    const out = new Float32Array(128);
    const render = (n: number): void => {
      for (let i = 0; i < n; i++) {
        expect(p.process([], [[out]], {})).toBe(true);
        scope.currentTime += 128 / 24000;
      }
    };
    render(4); // idle: silence, no reports
    expect(out.every((v) => v === 0)).toBe(true);
    expect(messages<PlayerToMain>(p)).toEqual([]);

    p.port.onmessage?.({ data: { type: 'push', pcm: new Int16Array(2400).fill(8192).buffer, itemId: 'a', seq: 1 } });
    const startedAt = scope.currentTime;
    render(1);
    expect(out[0]).toBeCloseTo(0.25);
    const started = messages<PlayerToMain>(p).find((m) => m.msg.type === 'transition')!.msg as PlayerToMain & { type: 'transition' };
    expect(started).toMatchObject({ started: true, itemId: 'a', lastSeq: 1 });
    expect(started.contextTime).toBeCloseTo(startedAt, 9);

    render(5); // 6 quanta = 768 samples played
    p.port.onmessage?.({ data: { type: 'clear', requestId: 7 } });
    const cleared = messages<PlayerToMain>(p).find((m) => m.msg.type === 'cleared')!.msg;
    expect(cleared).toMatchObject({ type: 'cleared', requestId: 7, played: { a: 768 } });
    render(1);
    expect(out.every((v) => v === 0)).toBe(true);
    const stops = messages<PlayerToMain>(p).filter((m) => m.msg.type === 'transition' && !(m.msg as { started: boolean }).started);
    expect(stops).toHaveLength(1);
  });

  it('reports progress about 10 times a second while active, then goes quiet', async () => {
    const Ctor = await load('./worklets/pcm-player-processor.ts', 'pcm-player-processor', 24000);
    const p = new Ctor({ processorOptions: { startThresholdMs: 20 } });
    p.port.onmessage?.({ data: { type: 'push', pcm: new Int16Array(24000).buffer, itemId: 'x', seq: 1 } });
    const out = new Float32Array(128);
    for (let i = 0; i < 375; i++) p.process([], [[out]], {}); // 2 s of rendering, 1 s of audio
    const progress = messages<PlayerToMain>(p).filter((m) => m.msg.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.length).toBeLessThanOrEqual(12);
    expect(progress.at(-1)!.msg).toMatchObject({ active: false, played: { x: 24000 }, bufferedSamples: 0 });
  });
});
