import { describe, expect, it } from 'vitest';
import { JitterBuffer, type PlaybackTransition } from './jitter-buffer.ts';

const RATE = 24000;
const QUANTUM = 128;
const ms = (n: number): number => Math.round((n * RATE) / 1000);

function pcm(samples: number, value = 0.5): Float32Array {
  return new Float32Array(samples).fill(value);
}

/** Renders `frames` (rounded up to whole quanta) and returns what came out plus the transitions. */
function renderFor(jb: JitterBuffer, frames: number): { out: Float32Array; transitions: PlaybackTransition[] } {
  const quanta = Math.ceil(frames / QUANTUM);
  const out = new Float32Array(quanta * QUANTUM);
  const block = new Float32Array(QUANTUM);
  for (let q = 0; q < quanta; q++) {
    jb.render(block);
    out.set(block, q * QUANTUM);
  }
  return { out, transitions: jb.takeTransitions() };
}

describe('JitterBuffer', () => {
  it('waits for the start threshold, then plays every sample in order', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 30 });
    const ramp = new Float32Array(ms(100)).map((_, i) => (i + 1) / 10000);
    jb.push(ramp.subarray(0, ms(10)), 'a');
    const first = renderFor(jb, QUANTUM);
    expect(first.out.every((v) => v === 0)).toBe(true);
    expect(first.transitions).toEqual([]);
    jb.push(ramp.subarray(ms(10)), 'a');
    const { out, transitions } = renderFor(jb, ms(100) + QUANTUM * 2);
    expect(Array.from(out.subarray(0, ramp.length))).toEqual(Array.from(ramp));
    expect(transitions[0]).toEqual({ type: 'started', itemId: 'a', frame: QUANTUM, playedSamples: 0 });
    expect(jb.playedSamples('a')).toBe(ramp.length);
  });

  it('starts a reply shorter than the threshold once it has waited the threshold', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 30 });
    jb.push(pcm(ms(5)), 'short');
    const { out, transitions } = renderFor(jb, ms(30) + ms(5) + ms(60));
    expect(out.filter((v) => v !== 0).length).toBe(ms(5));
    expect(transitions.map((t) => t.type)).toEqual(['started', 'stopped']);
    expect(transitions[0].frame).toBeGreaterThanOrEqual(ms(30));
    expect(transitions[0].frame).toBeLessThanOrEqual(ms(30) + QUANTUM);
  });

  it('stamps stopped at the frame after the last sample, once the hold has passed', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 20, stopHoldMs: 40 });
    jb.push(pcm(ms(1000)), 'reply');
    const { transitions } = renderFor(jb, ms(1000) + ms(100));
    expect(transitions).toHaveLength(2);
    const [started, stopped] = transitions;
    expect(stopped.type).toBe('stopped');
    expect(stopped.frame - started.frame).toBe(ms(1000));
    expect(stopped.playedSamples).toBe(ms(1000));
    expect(jb.isActive).toBe(false);
    expect(jb.underruns).toBe(0);
  });

  it('counts an underrun when the playing item runs dry and then continues, not between items', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 20, stopHoldMs: 40 });
    jb.push(pcm(ms(50)), 'x');
    renderFor(jb, ms(80));
    jb.push(pcm(ms(50)), 'x'); // more of the same item after it ran dry
    renderFor(jb, ms(200));
    expect(jb.underruns).toBe(1);
    jb.push(pcm(ms(50)), 'y'); // a new item after the previous one ended
    renderFor(jb, ms(200));
    expect(jb.underruns).toBe(1);
  });

  it('after an underrun, playback re-buffers to its start threshold before it resumes', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 30, stopHoldMs: 500 });
    jb.push(pcm(ms(40)), 'x');
    renderFor(jb, ms(80)); // played all 40 ms, then ran dry
    expect(jb.playedSamples('x')).toBe(ms(40));
    // A trickle below the threshold does not play at once...
    jb.push(pcm(ms(10)), 'x');
    renderFor(jb, QUANTUM);
    expect(jb.playedSamples('x'), 'a 10 ms trickle waits for the 30 ms threshold').toBe(ms(40));
    // ...but once the threshold is queued it resumes in the next render quantum.
    jb.push(pcm(ms(25)), 'x');
    renderFor(jb, QUANTUM);
    expect(jb.playedSamples('x')).toBeGreaterThan(ms(40));
    expect(jb.underruns).toBe(1);
  });

  it('does not report a stop/start pair for a gap shorter than the hold', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 0, stopHoldMs: 60 });
    jb.push(pcm(ms(40)), 'x');
    const a = renderFor(jb, ms(50));
    jb.push(pcm(ms(40)), 'x');
    const b = renderFor(jb, ms(200));
    expect([...a.transitions, ...b.transitions].map((t) => t.type)).toEqual(['started', 'stopped']);
    expect(jb.underruns).toBe(1);
  });

  it('plays consecutive items seamlessly and counts samples per item', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 20 });
    jb.push(pcm(1000, 0.1), 'one');
    jb.push(pcm(777, 0.2), 'two');
    jb.push(new Int16Array(333).fill(16384), 'two');
    const { out, transitions } = renderFor(jb, 3000);
    expect(jb.playedSamples('one')).toBe(1000);
    expect(jb.playedSamples('two')).toBe(1110);
    expect(out[999]).toBeCloseTo(0.1);
    expect(out[1000]).toBeCloseTo(0.2);
    expect(out[1777]).toBeCloseTo(0.5);
    expect(transitions.map((t) => `${t.type}:${t.itemId}`)).toEqual(['started:one', 'stopped:two']);
  });

  it('clear() silences at once and returns the samples played per item', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 20 });
    jb.push(pcm(ms(500)), 'a');
    jb.push(pcm(ms(500)), 'b');
    renderFor(jb, QUANTUM * 10);
    jb.takeTransitions();
    const played = jb.clear();
    expect(played).toEqual({ a: QUANTUM * 10, b: 0 });
    expect(jb.bufferedSamples).toBe(0);
    expect(jb.takeTransitions().map((t) => `${t.type}:${t.itemId}`)).toEqual(['stopped:a']);
    const { out, transitions } = renderFor(jb, QUANTUM * 4);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(transitions).toEqual([]);
    expect(jb.isActive).toBe(false);
    expect(jb.underruns).toBe(0);
  });

  it('clear() emits stopped for the item that was playing', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 0 });
    jb.push(pcm(ms(100)), 'a');
    const before = renderFor(jb, QUANTUM).transitions;
    jb.clear();
    const t = [...before, ...jb.takeTransitions()];
    expect(t.map((x) => x.type)).toEqual(['started', 'stopped']);
    expect(t[1].playedSamples).toBe(QUANTUM);
  });

  it('is bounded: audio beyond the capacity is dropped and counted, and the ring wraps correctly', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 0, maxBufferedMs: 100 });
    const cap = ms(100);
    expect(jb.push(pcm(cap - 10), 'a')).toBe(0);
    expect(jb.push(pcm(50), 'a')).toBe(40);
    expect(jb.droppedSamples).toBe(40);
    expect(jb.bufferedSamples).toBe(cap);
    // Wrap-around: play some, push a recognisable ramp, and read it back intact.
    renderFor(jb, QUANTUM * 4);
    const ramp = new Float32Array(QUANTUM * 4).map((_, i) => i / 1000);
    jb.push(ramp, 'b');
    const { out } = renderFor(jb, cap + QUANTUM * 4);
    const start = cap - QUANTUM * 4;
    expect(Array.from(out.subarray(start, start + ramp.length))).toEqual(Array.from(ramp));
  });

  it('keeps played counters for a bounded number of items', () => {
    const jb = new JitterBuffer({ sampleRate: RATE, startThresholdMs: 0, rememberedItems: 4 });
    for (let i = 0; i < 50; i++) {
      jb.push(pcm(64), `item-${i}`);
      renderFor(jb, QUANTUM);
    }
    expect(Object.keys(jb.playedSnapshot()).length).toBeLessThanOrEqual(4);
    expect(jb.playedSamples('item-49')).toBe(64);
  });
});
