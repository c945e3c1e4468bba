import type { RecordingsBackend, RecordingWrite } from './recordings-backend.ts';
import type { AudioChunk, RecordedEvent, RecordingMeta } from './recording-format.ts';

/** A RecordingsBackend in memory (unit tests; a store that needs no persistence). */
export class MemoryRecordingsBackend implements RecordingsBackend {
  readonly metas = new Map<string, RecordingMeta>();
  readonly events = new Map<string, RecordedEvent[]>();
  readonly audio = new Map<string, AudioChunk[]>();
  readonly config = new Map<string, unknown>();
  writes = 0;
  /** Makes the next write fail (tests of a failing disk). */
  failNextWrite: Error | null = null;

  async listMeta(): Promise<RecordingMeta[]> {
    return [...this.metas.values()].map((m) => structuredClone(m));
  }
  async getMeta(id: string): Promise<RecordingMeta | undefined> {
    const m = this.metas.get(id);
    return m && structuredClone(m);
  }
  async putMeta(meta: RecordingMeta): Promise<void> {
    this.metas.set(meta.id, structuredClone(meta));
  }
  async write(w: RecordingWrite): Promise<void> {
    if (this.failNextWrite) {
      const e = this.failNextWrite;
      this.failNextWrite = null;
      throw e;
    }
    this.writes++;
    this.metas.set(w.meta.id, structuredClone(w.meta));
    const ev = this.events.get(w.meta.id) ?? [];
    w.events.forEach((e, i) => (ev[w.firstIndex + i] = structuredClone(e)));
    this.events.set(w.meta.id, ev);
    const au = this.audio.get(w.meta.id) ?? [];
    for (const c of w.audio) au.push({ ...c, data: c.data.slice() });
    this.audio.set(w.meta.id, au);
  }
  async readEvents(id: string): Promise<RecordedEvent[]> {
    return structuredClone(this.events.get(id) ?? []);
  }
  async readAudio(id: string): Promise<AudioChunk[]> {
    return (this.audio.get(id) ?? []).map((c) => ({ ...c, data: c.data.slice() })).sort((a, b) => (a.track === b.track ? a.seq - b.seq : a.track < b.track ? -1 : 1));
  }
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.metas.delete(id);
      this.events.delete(id);
      this.audio.delete(id);
    }
  }
  async deleteAll(): Promise<void> {
    this.metas.clear();
    this.events.clear();
    this.audio.clear();
  }
  async getConfig<T>(key: string): Promise<T | undefined> {
    return this.config.get(key) as T | undefined;
  }
  async putConfig(key: string, value: unknown): Promise<void> {
    this.config.set(key, structuredClone(value));
  }
}
