import { decodeRecordingFile, encodeRecordingFile } from './export-file.ts';
import type { RecordingsBackend, RecordingWrite } from './recordings-backend.ts';
import type { Recording, RecordingMeta } from './recording-format.ts';

export const DEFAULT_BUDGET_BYTES = 300 * 1024 * 1024;
export const MIN_BUDGET_BYTES = 10 * 1024 * 1024;

export interface RecordingsConfig {
  /** Record every session (on by default). */
  enabled: boolean;
  /** Total stored bytes above which the oldest recordings not marked Keep are dropped. */
  budgetBytes: number;
}

export const DEFAULT_RECORDINGS_CONFIG: RecordingsConfig = { enabled: true, budgetBytes: DEFAULT_BUDGET_BYTES };

export type ImportResult = { ok: true; meta: RecordingMeta } | { ok: false; error: string };

/**
 * The recordings store: list, get, rename, Keep, delete, export and import over a backend, plus
 * the storage budget. Pure over the backend interface, so it runs against memory in unit tests and
 * IndexedDB in the offscreen document.
 */
export class RecordingsStore {
  constructor(
    private readonly backend: RecordingsBackend,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** Newest first. */
  async list(): Promise<RecordingMeta[]> {
    return (await this.backend.listMeta()).sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<Recording | null> {
    const meta = await this.backend.getMeta(id);
    if (!meta) return null;
    const [events, audio] = await Promise.all([this.backend.readEvents(id), this.backend.readAudio(id)]);
    return { meta, events, audio: audio.sort((a, b) => (a.track === b.track ? a.seq - b.seq : a.track === 'mic' ? -1 : 1)) };
  }

  async rename(id: string, name: string): Promise<RecordingMeta> {
    const clean = name.trim();
    if (!clean) throw new Error('A recording needs a name.');
    return this.patch(id, { name: clean.slice(0, 200) });
  }

  async setKeep(id: string, keep: boolean): Promise<RecordingMeta> {
    return this.patch(id, { keep });
  }

  async delete(id: string): Promise<void> {
    await this.backend.delete([id]);
  }

  async deleteAll(): Promise<void> {
    await this.backend.deleteAll();
  }

  /** One recording as the export file's bytes (export-file.ts). */
  async export(id: string): Promise<Uint8Array> {
    const rec = await this.get(id);
    if (!rec) throw new Error('That recording no longer exists.');
    return encodeRecordingFile(rec);
  }

  /**
   * Validates the whole file, then writes it in one transaction; a bad file changes nothing. A
   * recording whose id is already here gets a new id (importing twice keeps both).
   */
  async import(bytes: Uint8Array): Promise<ImportResult> {
    const decoded = decodeRecordingFile(bytes);
    if (!decoded.ok) return decoded;
    const { recording } = decoded;
    const exists = await this.backend.getMeta(recording.meta.id);
    // An imported recording is whole by definition: what the file holds is all there is. A second
    // copy is named apart, so the list never shows two identical `Open recording: <name>` buttons.
    const meta: RecordingMeta = { ...recording.meta, id: exists ? this.newId() : recording.meta.id, ...(exists ? { name: `${recording.meta.name} (imported)` } : {}), complete: true };
    await this.backend.write({ meta, firstIndex: 0, events: recording.events, audio: recording.audio });
    return { ok: true, meta };
  }

  /** An incremental write from a recorder. */
  async write(w: RecordingWrite): Promise<void> {
    // Rename and Keep may happen while recording: the user's edits win over the recorder's copy.
    const cur = w.firstIndex > 0 || w.audio.some((c) => c.seq > 0) ? await this.backend.getMeta(w.meta.id) : undefined;
    await this.backend.write(cur ? { ...w, meta: { ...w.meta, name: cur.name, keep: cur.keep } } : w);
  }

  async config(): Promise<RecordingsConfig> {
    const stored = await this.backend.getConfig<Partial<RecordingsConfig>>('recordings');
    return { ...DEFAULT_RECORDINGS_CONFIG, ...(stored ?? {}) };
  }

  async setConfig(patch: Partial<RecordingsConfig>): Promise<RecordingsConfig> {
    const next = { ...(await this.config()), ...patch };
    if (!(Number.isFinite(next.budgetBytes) && next.budgetBytes >= MIN_BUDGET_BYTES)) throw new Error(`The storage budget must be at least ${MIN_BUDGET_BYTES / 1024 / 1024} MB.`);
    await this.backend.putConfig('recordings', next);
    return next;
  }

  /**
   * Drops the oldest recordings until the total fits the budget. Never drops one marked Keep, one
   * being recorded (`active`), and when the recording that grew is a test run, only other test runs
   * (a test never evicts the user's own recordings). Returns what was dropped.
   */
  async enforceBudget(budgetBytes: number, active: ReadonlySet<string>, grower?: RecordingMeta['origin']): Promise<RecordingMeta[]> {
    const all = await this.backend.listMeta();
    let total = all.reduce((n, m) => n + m.sizeBytes, 0);
    if (total <= budgetBytes) return [];
    const candidates = all
      .filter((m) => !m.keep && !active.has(m.id) && (grower !== 'test' || m.origin === 'test'))
      .sort((a, b) => a.createdAt - b.createdAt);
    const dropped: RecordingMeta[] = [];
    for (const m of candidates) {
      if (total <= budgetBytes) break;
      dropped.push(m);
      total -= m.sizeBytes;
    }
    if (dropped.length) await this.backend.delete(dropped.map((m) => m.id));
    return dropped;
  }

  private async patch(id: string, patch: Partial<RecordingMeta>): Promise<RecordingMeta> {
    const meta = await this.backend.getMeta(id);
    if (!meta) throw new Error('That recording no longer exists.');
    const next = { ...meta, ...patch };
    await this.backend.putMeta(next);
    return next;
  }
}
