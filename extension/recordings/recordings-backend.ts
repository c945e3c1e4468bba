import type { AudioChunk, RecordedEvent, RecordingMeta } from './recording-format.ts';

/** One incremental write: the meta as it now stands plus what was recorded since the last write. */
export interface RecordingWrite {
  meta: RecordingMeta;
  /** `index` of events[0] in the recording (events are stored in order, index from 0). */
  firstIndex: number;
  events: RecordedEvent[];
  audio: AudioChunk[];
}

/**
 * Where recordings live. Every method is one transaction: a write is all or nothing, so a crash
 * between flushes leaves the last complete write. IndexedDB in the extension (idb-backend.ts),
 * memory in unit tests (memory-backend.ts).
 */
export interface RecordingsBackend {
  listMeta(): Promise<RecordingMeta[]>;
  getMeta(id: string): Promise<RecordingMeta | undefined>;
  putMeta(meta: RecordingMeta): Promise<void>;
  write(w: RecordingWrite): Promise<void>;
  readEvents(id: string): Promise<RecordedEvent[]>;
  readAudio(id: string): Promise<AudioChunk[]>;
  delete(ids: string[]): Promise<void>;
  deleteAll(): Promise<void>;
  getConfig<T>(key: string): Promise<T | undefined>;
  putConfig(key: string, value: unknown): Promise<void>;
}
