import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JitterBuffer } from './jitter-buffer.ts';
import type { PlayerToMain } from './worklet-messages.ts';

/**
 * After an underrun (the playing item ran dry, then more of it arrived) playback must wait again
 * for its start threshold before resuming: resuming on the first late chunk would play it and run
 * dry again at once, turning one network hiccup into a stutter of tiny bursts.
 */
const RATE = 24000;
const QUANTUM = 128;
const ms = (n: number): number => Math.round((n * RATE) / 1000);

/** Renders whole quanta and returns the output. */
function render(jb: { render(out: Float32Array): void }, quanta: number): Float32Array {
  const out = new Float32Array(quanta * QUANTUM);
  const block = new Float32Array(QUANTUM);
  for (let q = 0; q < quanta; q++) {
    jb.render(block);
    out.set(block, q * QUANTUM);
  }
  return out;
}

const nonZero = (a: Float32Array): number => a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);

describe('JitterBuffer re-buffers after an underrun', () => {
  it('holds a late chunk smaller than the start threshold until the threshold is queued again', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 40, stopHoldMs: 200 });
    jb.push(new Float32Array(ms(60)).fill(0.5), 'x');
    render(jb, Math.ceil(ms(80) / QUANTUM)); // plays 60 ms, then runs dry (still within the stop hold)
    expect(jb.playedSamples('x')).toBe(ms(60));

    jb.push(new Float32Array(ms(10)).fill(0.25), 'x'); // more of the same item: an underrun
    expect(jb.underruns).toBe(1);
    // 10 ms queued < 40 ms threshold: silence, nothing consumed.
    expect(nonZero(render(jb, 2))).toBe(0);
    expect(jb.bufferedSamples).toBe(ms(10));

    jb.push(new Float32Array(ms(35)).fill(0.25), 'x'); // 45 ms queued ≥ threshold: resumes, all of it, in one run
    const out = render(jb, Math.ceil(ms(60) / QUANTUM));
    const first = out.findIndex((v) => v !== 0);
    expect(first).toBe(0);
    expect(nonZero(out)).toBe(ms(45));
    expect(nonZero(out.subarray(0, ms(45)))).toBe(ms(45)); // contiguous: no second gap
    expect(jb.playedSamples('x')).toBe(ms(105));
  });

  it('a late chunk that never reaches the threshold still plays once it has waited the threshold', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 40, stopHoldMs: 200 });
    jb.push(new Float32Array(ms(60)).fill(0.5), 'x');
    render(jb, Math.ceil(ms(80) / QUANTUM));
    jb.push(new Float32Array(ms(5)).fill(0.25), 'x');
    const waitQuanta = Math.floor(ms(40) / QUANTUM); // just under the threshold's wait
    expect(nonZero(render(jb, waitQuanta))).toBe(0);
    const out = render(jb, 4);
    expect(nonZero(out)).toBe(ms(5));
  });
});

// ---- the same through the player worklet, as the browser runs it
interface ProcessorInstance {
  port: { postMessage: ReturnType<typeof vi.fn>; onmessage: ((ev: { data: unknown }) => void) | null };
  process(inputs: Float32Array[][], outputs: Float32Array[][], params: Record<string, Float32Array>): boolean;
}
type ProcessorCtor = new (options: { processorOptions?: unknown }) => ProcessorInstance;
let registered = new Map<string, ProcessorCtor>();

beforeEach(() => {
  registered = new Map();
  class FakeProcessorBase {
    port = { postMessage: vi.fn(), onmessage: null };
  }
  vi.stubGlobal('AudioWorkletProcessor', FakeProcessorBase);
  vi.stubGlobal('registerProcessor', (name: string, ctor: ProcessorCtor) => registered.set(name, ctor));
  vi.stubGlobal('currentTime', 0);
  vi.stubGlobal('sampleRate', RATE);
  vi.resetModules();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('pcm-player-processor re-buffers after an underrun', () => {
  it('goes silent after the underrun until the start threshold is queued, then plays the rest and reports the underrun', async () => {
    // Through a variable: the worklet is type-checked by its own tsconfig (AudioWorkletGlobalScope).
    const file = './worklets/pcm-player-processor.ts';
    await import(/* @vite-ignore */ file);
    const Ctor = registered.get('pcm-player-processor')!;
    const p = new Ctor({ processorOptions: { startThresholdMs: 40, stopHoldMs: 200 } });
    const push = (samples: number, seq: number): void =>
      p.port.onmessage?.({ data: { type: 'push', pcm: new Int16Array(samples).fill(8192).buffer, itemId: 'x', seq } });
    const player = { render: (out: Float32Array) => void p.process([], [[out]], {}) };

    push(ms(60), 1);
    expect(nonZero(render(player, Math.ceil(ms(80) / QUANTUM)))).toBe(ms(60));
    push(ms(10), 2);
    expect(nonZero(render(player, 2))).toBe(0);
    push(ms(35), 3);
    const out = render(player, Math.ceil(ms(60) / QUANTUM));
    expect(out.findIndex((v) => v !== 0)).toBe(0);
    expect(nonZero(out)).toBe(ms(45));
    render(player, Math.ceil(ms(1000) / QUANTUM)); // past the stop hold and a progress report
    const msgs = p.port.postMessage.mock.calls.map(([m]) => m as PlayerToMain);
    const progress = msgs.filter((m): m is PlayerToMain & { type: 'progress' } => m.type === 'progress').at(-1)!;
    expect(progress).toMatchObject({ underruns: 1, played: { x: ms(105) }, active: false });
    // One started/stopped pair: the re-buffering gap was shorter than the stop hold.
    const transitions = msgs.filter((m) => m.type === 'transition').map((m) => (m as { started: boolean }).started);
    expect(transitions).toEqual([true, false]);
  });
});
