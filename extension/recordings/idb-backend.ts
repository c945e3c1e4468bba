import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RecordingsBackend, RecordingWrite } from './recordings-backend.ts';
import type { AudioChunk, RecordedEvent, RecordingMeta } from './recording-format.ts';

export const RECORDINGS_DB_NAME = 'recordings';
const DB_VERSION = 1;

interface StoredAudio extends AudioChunk {
  rid: string;
}

interface RecordingsDb extends DBSchema {
  meta: { key: string; value: RecordingMeta };
  /** Key [recording id, index]: one row per event, in order. */
  events: { key: [string, number]; value: RecordedEvent };
  /** Key [recording id, track, seq]. */
  audio: { key: [string, string, number]; value: StoredAudio };
  config: { key: string; value: unknown };
}

/** Every key of one recording: arrays sort after numbers and strings in IndexedDB's key order. */
const ofRecording = (id: string) => IDBKeyRange.bound([id], [id, []]);

/** Recordings in IndexedDB (the offscreen document's origin: the extension's). */
export class IdbRecordingsBackend implements RecordingsBackend {
  private db: Promise<IDBPDatabase<RecordingsDb>>;

  constructor(name = RECORDINGS_DB_NAME) {
    this.db = openDB<RecordingsDb>(name, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('meta', { keyPath: 'id' });
        db.createObjectStore('events');
        db.createObjectStore('audio');
        db.createObjectStore('config');
      },
    });
  }

  async listMeta(): Promise<RecordingMeta[]> {
    return (await this.db).getAll('meta');
  }
  async getMeta(id: string): Promise<RecordingMeta | undefined> {
    return (await this.db).get('meta', id);
  }
  async putMeta(meta: RecordingMeta): Promise<void> {
    await (await this.db).put('meta', meta);
  }
  async write(w: RecordingWrite): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['meta', 'events', 'audio'], 'readwrite');
    const id = w.meta.id;
    const puts: Promise<unknown>[] = [tx.objectStore('meta').put(w.meta)];
    const events = tx.objectStore('events');
    w.events.forEach((e, i) => puts.push(events.put(e, [id, w.firstIndex + i])));
    const audio = tx.objectStore('audio');
    for (const c of w.audio) puts.push(audio.put({ ...c, rid: id }, [id, c.track, c.seq]));
    await Promise.all([...puts, tx.done]);
  }
  async readEvents(id: string): Promise<RecordedEvent[]> {
    return (await this.db).getAll('events', ofRecording(id));
  }
  async readAudio(id: string): Promise<AudioChunk[]> {
    const rows = await (await this.db).getAll('audio', ofRecording(id));
    return rows.map(({ rid: _rid, ...c }) => c);
  }
  async delete(ids: string[]): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['meta', 'events', 'audio'], 'readwrite');
    const ops: Promise<unknown>[] = [];
    for (const id of ids) {
      ops.push(tx.objectStore('meta').delete(id), tx.objectStore('events').delete(ofRecording(id)), tx.objectStore('audio').delete(ofRecording(id)));
    }
    await Promise.all([...ops, tx.done]);
  }
  async deleteAll(): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['meta', 'events', 'audio'], 'readwrite');
    await Promise.all([tx.objectStore('meta').clear(), tx.objectStore('events').clear(), tx.objectStore('audio').clear(), tx.done]);
  }
  async getConfig<T>(key: string): Promise<T | undefined> {
    return (await (await this.db).get('config', key)) as T | undefined;
  }
  async putConfig(key: string, value: unknown): Promise<void> {
    await (await this.db).put('config', value, key);
  }
}
