import type { HostUpdate, RecordingsListing, RecordingsRequest, RecordingsResults, SessionRecordingOptions } from '../shared/messages.ts';
import { SecretScrubber } from '../../src/transport/secret-scrubber.ts';
import { recordingFileName } from './export-file.ts';
import type { MediaTapSink } from './media-tap.ts';
import { SessionRecorder, type TrackEncoder } from './recorder.ts';
import type { RecordedEvent, RecordingMeta } from './recording-format.ts';
import type { RecordingsStore } from './recordings-store.ts';
import { base64ToBytes, bytesToBase64, toWire } from './wire.ts';

export interface RecordingsServiceDeps {
  store: RecordingsStore;
  now?: () => number;
  wallNow?: () => number;
  /** navigator.storage.persist(), asked once. */
  persist?: () => Promise<boolean>;
  /** Encoders per track for new recordings (PCM16 when absent). */
  encoders?: () => Promise<{ mic: TrackEncoder; bot: TrackEncoder } | undefined>;
  intervalMs?: number;
}

export interface StartRecordingOptions extends SessionRecordingOptions {
  adapterId: string;
  model?: string;
  /** Settings at connect, keys already removed; scrubbed again here. */
  settings: Record<string, unknown>;
  /** Exact secrets of this session (the API key): redacted wherever they occur in what is stored. */
  secrets: Array<string | undefined>;
  /** performance.now() of the session's zero. */
  zero: number;
}

/** Settings fields that hold credentials: dropped, not merely redacted (as the event export does). */
const SECRET_SETTING = /^(api[-_]?key|key|token|access[-_]?token|secret|client[-_]?secret|authorization|password|bearer)$/i;

/**
 * The recordings side of the offscreen document: answers the panel's requests, starts and ends
 * the recorder of each session, enforces the storage budget after each write, and tells the
 * panels (list updates, notices).
 */
export class RecordingsService {
  private recorder: SessionRecorder | null = null;
  private scrubber = new SecretScrubber();
  private notify: (u: HostUpdate) => void = () => undefined;
  private persisted: boolean | null = null;
  private readonly now: () => number;
  private readonly wallNow: () => number;

  constructor(private readonly deps: RecordingsServiceDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.wallNow = deps.wallNow ?? (() => Date.now());
    if (deps.persist) {
      deps.persist().then(
        (p) => (this.persisted = p),
        () => (this.persisted = false),
      );
    }
  }

  setNotifier(notify: (u: HostUpdate) => void): void {
    this.notify = notify;
  }

  /** The recorder of the running session, for the media tap. */
  get tap(): MediaTapSink | null {
    return this.recorder;
  }

  get recording(): boolean {
    return this.recorder !== null;
  }

  /** Starts recording a session, unless recording is off (setting, or `record: false`). */
  async start(o: StartRecordingOptions): Promise<boolean> {
    await this.end();
    const config = await this.config();
    if (o.record === false || (o.record !== true && !config.enabled)) return false;
    const scrubber = new SecretScrubber();
    for (const s of o.secrets) scrubber.add(s);
    this.scrubber = scrubber;
    const settings = scrubber.scrub(Object.fromEntries(Object.entries(o.settings).filter(([k]) => !SECRET_SETTING.test(k))));
    const origin = o.origin ?? 'session';
    const encoders = await this.deps.encoders?.().catch(() => undefined);
    const recorder = new SessionRecorder({
      id: crypto.randomUUID(),
      createdAt: this.wallNow(),
      adapterId: o.adapterId,
      ...(o.model ? { model: o.model } : {}),
      ...(o.preset ? { preset: o.preset } : {}),
      origin,
      ...(o.sourceId ? { sourceId: o.sourceId } : {}),
      settings,
      zero: o.zero,
      now: this.now,
      write: (w) => this.deps.store.write(w),
      onWritten: (meta) => void this.afterWrite(meta),
      onError: (e) => this.notice(`A recording could not be written: ${e instanceof Error ? e.message : String(e)}.`),
      ...(encoders ? { encoders } : {}),
      ...(this.deps.intervalMs ? { intervalMs: this.deps.intervalMs } : {}),
    });
    this.recorder = recorder;
    // The first write makes the recording visible in the list at once (not awaited: Connect goes on).
    void recorder.flush();
    return true;
  }

  /** A session event (already redacted by the transport); scrubbed once more with this session's key. */
  addEvent(e: RecordedEvent): void {
    this.recorder?.addEvent(this.scrubber.scrub(e));
  }

  /** The session ended: the rest is written and the recording marked complete. */
  async end(): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    this.recorder = null;
    await r.finish();
    await this.pushListing();
  }

  async handle<K extends RecordingsRequest['op']>(req: Extract<RecordingsRequest, { op: K }>): Promise<RecordingsResults[K]>;
  async handle(req: RecordingsRequest): Promise<RecordingsResults[RecordingsRequest['op']]> {
    const store = this.deps.store;
    switch (req.op) {
      case 'list':
        // Every panel's list follows (the state store holds one listing).
        return this.pushListing();
      case 'get': {
        const rec = await store.get(req.id);
        return rec ? toWire(rec) : null;
      }
      case 'rename': {
        const meta = await store.rename(req.id, req.name);
        await this.pushListing();
        return meta;
      }
      case 'set-keep': {
        const meta = await store.setKeep(req.id, req.keep);
        await this.pushListing();
        return meta;
      }
      case 'delete': {
        if (this.recorder?.id === req.id) {
          this.recorder.abandon();
          this.recorder = null;
        }
        await store.delete(req.id);
        return this.pushListing();
      }
      case 'delete-all': {
        this.recorder?.abandon();
        this.recorder = null;
        await store.deleteAll();
        return this.pushListing();
      }
      case 'export': {
        const bytes = await store.export(req.id);
        const meta = (await store.list()).find((m) => m.id === req.id)!;
        return { fileName: recordingFileName(meta), fileBase64: bytesToBase64(bytes) };
      }
      case 'import': {
        let bytes: Uint8Array;
        try {
          bytes = base64ToBytes(req.fileBase64);
        } catch {
          return { ok: false, error: 'The file could not be read.' };
        }
        const result = await store.import(bytes);
        if (result.ok) await this.pushListing();
        return result;
      }
      case 'configure': {
        this.configCache = store.setConfig({ ...(req.enabled !== undefined ? { enabled: req.enabled } : {}), ...(req.budgetBytes !== undefined ? { budgetBytes: req.budgetBytes } : {}) });
        await this.configCache;
        await this.enforce(this.recorder?.origin);
        return this.pushListing();
      }
    }
  }

  async listing(): Promise<RecordingsListing> {
    const [recordings, config] = await Promise.all([this.deps.store.list(), this.config()]);
    return { recordings, config, usedBytes: recordings.reduce((n, m) => n + m.sizeBytes, 0), persisted: this.persisted, activeId: this.recorder?.id ?? null };
  }

  private async pushListing(): Promise<RecordingsListing> {
    const listing = await this.listing();
    this.notify({ kind: 'recordings', listing });
    return listing;
  }

  private async afterWrite(meta: RecordingMeta): Promise<void> {
    await this.enforce(meta.origin);
    await this.pushListing();
  }

  private async enforce(grower: RecordingMeta['origin'] | undefined): Promise<void> {
    const config = await this.config();
    const active = new Set(this.recorder ? [this.recorder.id] : []);
    const dropped = await this.deps.store.enforceBudget(config.budgetBytes, active, grower);
    if (dropped.length) {
      const names = dropped.map((m) => `"${m.name}"`).join(', ');
      this.notice(`Recordings storage is over its budget (${Math.round(config.budgetBytes / 1048576)} MB): deleted the oldest ${dropped.length === 1 ? 'recording' : `${dropped.length} recordings`} not marked Keep: ${names}.`);
    }
  }

  private configCache: ReturnType<RecordingsStore['config']> | null = null;

  /** Read once; `configure` replaces it (Connect should not wait on IndexedDB each time). */
  private config(): ReturnType<RecordingsStore['config']> {
    this.configCache ??= this.deps.store.config();
    this.configCache.catch(() => (this.configCache = null));
    return this.configCache;
  }

  private notice(notice: string): void {
    this.notify({ kind: 'recordings-notice', notice, at: this.wallNow() });
  }
}
