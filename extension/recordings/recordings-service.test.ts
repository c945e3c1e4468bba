import { describe, expect, it } from 'vitest';
import type { HostUpdate } from '../shared/messages.ts';
import { MemoryRecordingsBackend } from './memory-backend.ts';
import { RecordingsService } from './recordings-service.ts';
import { MIN_BUDGET_BYTES, RecordingsStore } from './recordings-store.ts';
import { RECORDING_FORMAT_VERSION, type RecordingMeta } from './recording-format.ts';

const meta = (id: string, createdAt: number, sizeBytes: number, extra: Partial<RecordingMeta> = {}): RecordingMeta => ({
  id, name: `rec ${id}`, createdAt, adapterId: 'loopback', durationMs: 1, turns: 0, sizeBytes, keep: false, origin: 'session', complete: true, settings: {}, formatVersion: RECORDING_FORMAT_VERSION, ...extra,
});

function service() {
  const backend = new MemoryRecordingsBackend();
  const updates: HostUpdate[] = [];
  const s = new RecordingsService({ store: new RecordingsStore(backend), intervalMs: 60_000 });
  s.setNotifier((u) => updates.push(u));
  return { backend, updates, s };
}

describe('RecordingsService', () => {
  it('over budget after a write: drops the oldest not kept and tells the user which', async () => {
    const { backend, updates, s } = service();
    await backend.putMeta(meta('a', 1, MIN_BUDGET_BYTES));
    await backend.putMeta(meta('b', 2, MIN_BUDGET_BYTES / 2, { keep: true }));
    await s.handle({ op: 'configure', budgetBytes: MIN_BUDGET_BYTES });
    const notice = updates.find((u) => u.kind === 'recordings-notice');
    expect(notice && notice.kind === 'recordings-notice' && notice.notice).toMatch(/deleted the oldest recording not marked Keep: "rec a"/);
    expect([...backend.metas.keys()]).toEqual(['b']);
  });

  it('turned off, a session records nothing; a session recording can be deleted while it records, and stops', async () => {
    const { backend, s } = service();
    await s.handle({ op: 'configure', enabled: false });
    expect(await s.start({ adapterId: 'loopback', settings: {}, secrets: [], zero: 0 })).toBe(false);
    expect(await s.start({ adapterId: 'loopback', settings: {}, secrets: [], zero: 0, record: true, origin: 'test' })).toBe(true);
    const id = (await s.handle({ op: 'list' })).activeId!;
    expect(id).toBeTruthy();
    await s.handle({ op: 'delete', id });
    expect(s.recording).toBe(false);
    s.addEvent({ seq: 1, session: 1, t: 1, wall: 1, source: 'transport', direction: 'local', type: 'x', data: {} });
    await s.end();
    expect(backend.metas.size).toBe(0);
  });

  it('drops settings fields that hold credentials and redacts the session key anywhere in events', async () => {
    const { backend, s } = service();
    await s.start({ adapterId: 'openai-realtime', settings: { api_key: 'sk-abcdefghijklmnop', voice: 'marin', note: 'my key is sk-abcdefghijklmnop' }, secrets: ['sk-abcdefghijklmnop'], zero: 0 });
    s.addEvent({ seq: 1, session: 1, t: 1, wall: 1, source: 'raw', direction: 'in', type: 'error', data: { message: 'Incorrect API key provided: sk-abcdefghijklmnop' } });
    await s.end();
    const stored = JSON.stringify([...backend.metas.values(), ...backend.events.values()]);
    expect(stored).toContain('marin');
    expect(stored).not.toContain('sk-abcdefghijklmnop');
    expect(stored).not.toContain('api_key');
  });
});
