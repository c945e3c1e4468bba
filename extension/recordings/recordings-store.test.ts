import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MemoryRecordingsBackend } from './memory-backend.ts';
import { RecordingsStore } from './recordings-store.ts';
import { SessionRecorder } from './recorder.ts';
import { RECORDING_FORMAT_VERSION, type RecordingMeta } from './recording-format.ts';
import type { RecordedEvent } from './recording-format.ts';

let ids = 0;
const store = () => {
  const backend = new MemoryRecordingsBackend();
  return { backend, store: new RecordingsStore(backend, () => `new-${++ids}`) };
};

const event = (seq: number, t: number, type = 'bot-output'): RecordedEvent => ({ seq, session: 1, t, wall: 1_700_000_000_000 + t, source: 'rtvi', direction: 'in', type, data: { text: `line ${seq}` } });

function meta(id: string, createdAt: number, sizeBytes: number, extra: Partial<RecordingMeta> = {}): RecordingMeta {
  return { id, name: id, createdAt, adapterId: 'loopback', durationMs: 1000, turns: 1, sizeBytes, keep: false, origin: 'session', complete: true, settings: {}, formatVersion: RECORDING_FORMAT_VERSION, ...extra };
}

/** A recording made by the recorder itself: events and both tracks, written in several flushes. */
async function record(s: RecordingsStore) {
  let now = 0;
  const rec = new SessionRecorder({ id: 'rec-1', createdAt: 1_700_000_000_000, adapterId: 'gemini-live', model: 'm', origin: 'session', settings: { voice: 'Puck' }, zero: 0, now: () => now, write: (w) => s.write(w), setInterval: () => 0, clearInterval: () => undefined });
  for (let i = 0; i < 50; i++) {
    now += 20;
    rec.micChunk(Int16Array.from({ length: 320 }, (_, k) => (i * 7 + k) % 1000), 16000);
    rec.addEvent(event(i + 1, now));
  }
  await rec.flush();
  rec.botQueued('a', Int16Array.from({ length: 4800 }, (_, k) => k), 24000);
  rec.botStarted({ itemId: 'a', at: 1000, playedSamples: 0 });
  rec.botFlushed({ a: 2400 });
  rec.addEvent(event(51, 1200, 'bot-llm-started'));
  await rec.finish();
  return rec;
}

describe('recorder → store', () => {
  it('writes incrementally, and the whole recording reads back in order, complete', async () => {
    const { store: s, backend } = store();
    await record(s);
    expect(backend.writes).toBe(2);
    const got = (await s.get('rec-1'))!;
    expect(got.meta.complete).toBe(true);
    expect(got.meta.turns).toBe(1);
    expect(got.events.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const bot = got.audio.filter((c) => c.track === 'bot');
    expect(bot.reduce((n, c) => n + c.samples, 0)).toBe(2400);
    expect(got.audio.filter((c) => c.track === 'mic').reduce((n, c) => n + c.samples, 0)).toBe(50 * 320);
    expect(got.meta.sizeBytes).toBeGreaterThan(50 * 640 + 4800);
  });

  it('a crash between writes keeps everything up to the last write (complete stays false)', async () => {
    const { store: s } = store();
    let now = 0;
    const rec = new SessionRecorder({ id: 'cut', createdAt: 1, adapterId: 'loopback', origin: 'session', settings: {}, zero: 0, now: () => now, write: (w) => s.write(w), setInterval: () => 0, clearInterval: () => undefined });
    rec.addEvent(event(1, 10));
    now = 900;
    rec.micChunk(new Int16Array(320), 16000);
    await rec.flush();
    rec.addEvent(event(2, 1500)); // never written: the process dies here
    const got = (await s.get('cut'))!;
    expect(got.meta.complete).toBe(false);
    expect(got.events).toHaveLength(1);
    expect(got.meta.durationMs).toBe(900);
  });

  it('a failed write is retried with its events and audio, so the sequence has no hole', async () => {
    const { store: s, backend } = store();
    let now = 0;
    const rec = new SessionRecorder({ id: 'r', createdAt: 1, adapterId: 'loopback', origin: 'session', settings: {}, zero: 0, now: () => now, write: (w) => s.write(w), setInterval: () => 0, clearInterval: () => undefined, onError: () => undefined });
    rec.addEvent(event(1, 10));
    now = 20;
    rec.micChunk(new Int16Array(320), 16000);
    backend.failNextWrite = new Error('QuotaExceededError');
    await rec.flush();
    expect(await s.get('r')).toBeNull();
    now = 2000;
    rec.micChunk(new Int16Array(320), 16000);
    rec.addEvent(event(2, 30));
    await rec.finish();
    const got = (await s.get('r'))!;
    expect(got.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(got.audio.map((c) => c.seq)).toEqual([0, 1]);
  });

  it('a rename made while recording survives the next write', async () => {
    const { store: s } = store();
    let now = 0;
    const rec = new SessionRecorder({ id: 'r', createdAt: 1, adapterId: 'loopback', origin: 'session', settings: {}, zero: 0, now: () => now, write: (w) => s.write(w), setInterval: () => 0, clearInterval: () => undefined });
    rec.addEvent(event(1, 10));
    await rec.flush();
    await s.rename('r', 'Demo for Ana');
    await s.setKeep('r', true);
    rec.addEvent(event(2, 20));
    await rec.finish();
    const m = (await s.get('r'))!.meta;
    expect([m.name, m.keep, m.complete]).toEqual(['Demo for Ana', true, true]);
  });
});

describe('export and import', () => {
  it('export → delete → import gives back the same events and byte-identical tracks', async () => {
    const { store: s } = store();
    await record(s);
    const before = (await s.get('rec-1'))!;
    const file = await s.export('rec-1');
    await s.delete('rec-1');
    expect(await s.list()).toEqual([]);
    const result = await s.import(file);
    expect(result.ok).toBe(true);
    const after = (await s.get('rec-1'))!;
    expect(after.events).toEqual(before.events);
    expect(after.audio.length).toBe(before.audio.length);
    after.audio.forEach((c, i) => {
      expect({ ...c, data: null }).toEqual({ ...before.audio[i]!, data: null });
      expect(Buffer.from(c.data).equals(Buffer.from(before.audio[i]!.data))).toBe(true);
    });
    expect(after.meta).toEqual(before.meta);
  });

  it('importing a recording that is already here keeps both (a new id, and a name told apart)', async () => {
    const { store: s } = store();
    await record(s);
    const result = await s.import(await s.export('rec-1'));
    expect(result.ok && result.meta.id).toMatch(/^new-/);
    const names = (await s.list()).map((m) => m.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    expect(result.ok && result.meta.name).toMatch(/ \(imported\)$/);
  });

  /** Rewrites one file inside an export. */
  const patched = (file: Uint8Array, name: string, edit: (text: string) => string) => {
    const files = unzipSync(file);
    files[name] = strToU8(edit(strFromU8(files[name]!)));
    return zipSync(files, { level: 0 });
  };

  it.each([
    ['one corrupt events line', (f: Uint8Array) => patched(f, 'events.jsonl', (t) => t.replace(/\n(.*)\n/, '\n{"seq": 2, "t": \n')), /events\.jsonl line 2 is not valid JSON/],
    ['an event without a type', (f: Uint8Array) => patched(f, 'events.jsonl', (t) => t.replace('"type":"bot-output"', '"kind":"x"')), /events\.jsonl line 1: "type" must be a text/],
    ['an unknown version', (f: Uint8Array) => patched(f, 'manifest.json', (t) => t.replace(`"version": ${RECORDING_FORMAT_VERSION}`, '"version": 99')), /format version 99/],
    ['a truncated track', (f: Uint8Array) => { const files = unzipSync(f); files['tracks/mic.bin'] = files['tracks/mic.bin']!.slice(0, 100); return zipSync(files); }, /mic track, chunk 0: its bytes run past the end/],
    ['a missing track file', (f: Uint8Array) => { const files = unzipSync(f); delete files['tracks/bot.bin']; return zipSync(files); }, /has no tracks\/bot\.bin/],
    ['not a zip', () => strToU8('{"type":"session"}\n'), /not a recording export/],
  ])('rejects %s with a clear message and changes nothing', async (_name, corrupt, message) => {
    const { store: s, backend } = store();
    await record(s);
    const good = await s.export('rec-1');
    await s.delete('rec-1');
    const writes = backend.writes;
    const result = await s.import(corrupt(good));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
    expect(await s.list()).toEqual([]);
    expect(backend.writes).toBe(writes);
  });
});

describe('storage budget', () => {
  it('drops the oldest recordings not marked Keep and not being recorded', async () => {
    const { store: s, backend } = store();
    await backend.putMeta(meta('old-kept', 1, 100, { keep: true }));
    await backend.putMeta(meta('old', 2, 100));
    await backend.putMeta(meta('mid', 3, 100));
    await backend.putMeta(meta('active', 4, 100));
    const dropped = await s.enforceBudget(250, new Set(['active']));
    expect(dropped.map((m) => m.id)).toEqual(['old', 'mid']);
    expect((await s.list()).map((m) => m.id)).toEqual(['active', 'old-kept']);
  });

  it('a test run never evicts the user’s own recordings, only other test runs', async () => {
    const { store: s, backend } = store();
    await backend.putMeta(meta('mine', 1, 100));
    await backend.putMeta(meta('test-old', 2, 100, { origin: 'test' }));
    await backend.putMeta(meta('test-now', 3, 100, { origin: 'test' }));
    const dropped = await s.enforceBudget(150, new Set(['test-now']), 'test');
    expect(dropped.map((m) => m.id)).toEqual(['test-old']);
    expect((await s.list()).map((m) => m.id)).toEqual(['test-now', 'mine']);
  });

  it('refuses a budget below the minimum', async () => {
    const { store: s } = store();
    await expect(s.setConfig({ budgetBytes: 1000 })).rejects.toThrow(/at least/);
    expect((await s.setConfig({ enabled: false })).enabled).toBe(false);
  });
});
