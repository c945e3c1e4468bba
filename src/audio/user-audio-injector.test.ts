import { describe, expect, it } from 'vitest';
import { UserAudioInjector, resampleClip, toMonoFloat } from './user-audio-injector.ts';
import type { MainToCapture } from './worklet-messages.ts';

function tone(n: number, rate: number, hz: number): Float32Array {
  return new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
}

describe('resampleClip', () => {
  it('returns a whole, aligned clip: round(n·to/from) samples matching the ideal tone', () => {
    for (const [from, to] of [
      [16000, 48000],
      [24000, 48000],
      [48000, 24000],
      [44100, 48000],
    ]) {
      const input = tone(from / 2, from, 440);
      const out = resampleClip(input, from, to);
      expect(out.length, `${from}→${to}`).toBe(to / 2);
      const ideal = tone(to / 2, to, 440);
      // Away from the clip's abrupt edges (the filter rings there), aligned to within half an output
      // sample (the filter's group delay can be a half-integer): a whole-sample shift errs twice that.
      const halfSample = 0.5 * 2 * Math.PI * 440 * (0.5 / to);
      let err = 0;
      for (let i = 200; i < out.length - 200; i++) err = Math.max(err, Math.abs(out[i] - ideal[i]));
      expect(err, `${from}→${to} max error`).toBeLessThan(halfSample * 1.05 + 0.002);
    }
  });

  it('is the identity at equal rates, and PCM16 converts to float', () => {
    const f = tone(100, 16000, 440);
    expect(resampleClip(f, 16000, 16000)).toBe(f);
    expect(Array.from(toMonoFloat(new Int16Array([-32768, 0, 16384])))).toEqual([-1, 0, 0.5]);
  });
});

describe('UserAudioInjector', () => {
  it('posts the clip at the context rate, transferred, and resolves when the processor reports it done', async () => {
    const posted: Array<{ msg: MainToCapture; transfer?: Transferable[] }> = [];
    const inj = new UserAudioInjector((msg, transfer) => posted.push({ msg, transfer }));
    const caller = tone(480, 48000, 440);
    const p = inj.inject(caller, 48000, 48000);
    expect(inj.active).toBe(true);
    const msg = posted[0].msg as Extract<MainToCapture, { type: 'inject' }>;
    expect(msg.samples).not.toBe(caller); // the caller's array is not detached by the transfer
    expect(posted[0].transfer).toEqual([msg.samples.buffer]);
    inj.onDone({ type: 'inject-done', id: msg.id + 1, frames: 1, chunks: 1, cancelled: false });
    expect(inj.active).toBe(true);
    inj.onDone({ type: 'inject-done', id: msg.id, frames: 480, chunks: 1, cancelled: false });
    await expect(p).resolves.toEqual({ durationMs: 10, chunks: 1 });
    expect(inj.active).toBe(false);
  });

  it('rejects bad rates and pre-aborted signals, and rejectAll settles everything pending', async () => {
    const inj = new UserAudioInjector(() => undefined);
    await expect(inj.inject(new Int16Array(10), 0, 48000)).rejects.toThrow(/sampleRate/);
    const ac = new AbortController();
    ac.abort();
    await expect(inj.inject(new Int16Array(10), 16000, 48000, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const a = inj.inject(new Int16Array(10), 16000, 48000);
    const b = inj.inject(new Int16Array(10), 16000, 48000);
    inj.rejectAll(new Error('closed'));
    await expect(a).rejects.toThrow('closed');
    await expect(b).rejects.toThrow('closed');
  });
});
