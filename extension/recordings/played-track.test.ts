import { describe, expect, it } from 'vitest';
import { PlayedTrack } from './played-track.ts';
import { MicTrack, TrackChunker, type PcmPiece } from './pcm-track.ts';

const ramp = (n: number, from = 0) => Int16Array.from({ length: n }, (_, i) => (from + i) % 30000);
const ev = (itemId: string, at: number, playedSamples: number) => ({ itemId, at, playedSamples });

describe('PlayedTrack: the bot as played, not as received', () => {
  it('emits only samples the player reported played, placed at the item start plus their offset', () => {
    const out: PcmPiece[] = [];
    const track = new PlayedTrack(() => 24000, (p) => out.push(p));
    track.queued('a', ramp(2400));
    track.queued('a', ramp(2400, 2400));
    expect(out).toHaveLength(0);
    track.started(ev('a', 1000, 0), 1000);
    track.progress({ a: 1200 }, 1060);
    track.progress({ a: 3600 }, 1160);
    expect(out.map((p) => p.pcm.length)).toEqual([1200, 2400]);
    expect(out[0]!.t).toBe(1000);
    expect(out[1]!.t).toBeCloseTo(1050, 6);
    expect([...out[1]!.pcm.slice(0, 3)]).toEqual([1200, 1201, 1202]);
  });

  it('a barge-in drops what was queued and never played; later audio of the same id continues the count', () => {
    const out: PcmPiece[] = [];
    const track = new PlayedTrack(() => 24000, (p) => out.push(p));
    track.queued('default', ramp(24000));
    track.started(ev('default', 0, 0), 0);
    track.progress({ default: 4800 }, 200);
    track.flushed({ default: 6000 }, 260);
    expect(out.reduce((n, p) => n + p.pcm.length, 0)).toBe(6000);
    expect(track.unplayedSamples).toBe(0);
    // The next reply under the same id: the player's count goes on from 6000.
    track.queued('default', ramp(2400, 50));
    track.started(ev('default', 3000, 6000), 3000);
    track.stopped(ev('default', 3100, 8400), 3100);
    const last = out.at(-1)!;
    expect(last.t).toBe(3000);
    expect(last.pcm.length).toBe(2400);
    expect(last.pcm[0]).toBe(50);
    expect(out.reduce((n, p) => n + p.pcm.length, 0)).toBe(8400);
  });

  it('never emits more than was queued (a count past the queue is clamped)', () => {
    const out: PcmPiece[] = [];
    const track = new PlayedTrack(() => 16000, (p) => out.push(p));
    track.queued('x', ramp(100));
    track.progress({ x: 500 }, 50);
    expect(out.map((p) => p.pcm.length)).toEqual([100]);
  });
});

describe('MicTrack and TrackChunker', () => {
  it('places even chunks on a running clock and merges contiguous ones into one chunk per flush', () => {
    const chunker = new TrackChunker('mic');
    const mic = new MicTrack((p) => chunker.add(p));
    // 20 ms chunks at 16 kHz arriving with jitter.
    [20, 41, 59, 80].forEach((at, i) => mic.add(ramp(320, i * 320), 16000, at));
    // Muted for a second: a new run.
    mic.add(ramp(320), 16000, 1100);
    const chunks = chunker.takePcmChunks();
    expect(chunks.map((c) => [c.seq, c.t, c.samples])).toEqual([
      [0, 0, 1280],
      [1, 1080, 320],
    ]);
    expect(chunks[0]!.data.byteLength).toBe(2560);
    expect(chunker.takePcmChunks()).toEqual([]);
  });
});
