import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { RECORDING_FORMAT_VERSION, type AudioChunk, type RecordedEvent, type Recording, type RecordingMeta, type TrackId } from './recording-format.ts';

/** `format` of an export's manifest.json. */
export const RECORDING_FILE_FORMAT = 'voice-workbench-recording';
export const RECORDING_FILE_EXTENSION = '.vwrec.zip';

/** One chunk of a track file: where its bytes are and what they decode to. */
export interface ManifestChunk {
  seq: number;
  t: number;
  sampleRate: number;
  samples: number;
  codec: AudioChunk['codec'];
  /** Byte offset and length of the chunk's data in the track file. */
  offset: number;
  length: number;
}

export interface Manifest {
  format: typeof RECORDING_FILE_FORMAT;
  version: number;
  meta: RecordingMeta;
  events: { file: 'events.jsonl'; count: number };
  tracks: Array<{ track: TrackId; file: string; bytes: number; chunks: ManifestChunk[] }>;
}

const TRACKS: readonly TrackId[] = ['mic', 'bot'];
const CODECS: ReadonlySet<string> = new Set(['pcm16', 'opus']);
const ORIGINS: ReadonlySet<string> = new Set(['session', 'replay', 'test']);

/**
 * The export: a zip (stored, not deflated: the audio is already compact or incompressible noise,
 * and storing keeps export fast) holding manifest.json, events.jsonl and one file per track, the
 * chunks' bytes as stored, one after another. Keys were never recorded, so none can be exported.
 */
export function encodeRecordingFile(rec: Recording): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const tracks: Manifest['tracks'] = [];
  for (const track of TRACKS) {
    const chunks = rec.audio.filter((c) => c.track === track).sort((a, b) => a.seq - b.seq);
    const bytes = chunks.reduce((n, c) => n + c.data.byteLength, 0);
    const body = new Uint8Array(bytes);
    const index: ManifestChunk[] = [];
    let offset = 0;
    for (const c of chunks) {
      body.set(c.data, offset);
      index.push({ seq: c.seq, t: c.t, sampleRate: c.sampleRate, samples: c.samples, codec: c.codec, offset, length: c.data.byteLength });
      offset += c.data.byteLength;
    }
    const file = `tracks/${track}.bin`;
    files[file] = body;
    tracks.push({ track, file, bytes, chunks: index });
  }
  files['events.jsonl'] = strToU8(rec.events.map((e) => JSON.stringify(e)).join('\n') + (rec.events.length ? '\n' : ''));
  const manifest: Manifest = { format: RECORDING_FILE_FORMAT, version: RECORDING_FORMAT_VERSION, meta: rec.meta, events: { file: 'events.jsonl', count: rec.events.length }, tracks };
  files['manifest.json'] = strToU8(JSON.stringify(manifest, null, 2));
  return zipSync(files, { level: 0 });
}

export type DecodeResult = { ok: true; recording: Recording } | { ok: false; error: string };

/** Reads and checks a whole export before anything is written; the first problem found is named. */
export function decodeRecordingFile(bytes: Uint8Array): DecodeResult {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    return fail(`The file is not a recording export (not a readable zip: ${e instanceof Error ? e.message : String(e)}).`);
  }
  const manifestBytes = files['manifest.json'];
  if (!manifestBytes) return fail('The file is not a recording export: it has no manifest.json.');
  let manifest: unknown;
  try {
    manifest = JSON.parse(strFromU8(manifestBytes));
  } catch {
    return fail('manifest.json is not valid JSON.');
  }
  if (!isRecord(manifest) || manifest.format !== RECORDING_FILE_FORMAT) return fail(`manifest.json is not a recording manifest (expected "format": "${RECORDING_FILE_FORMAT}").`);
  if (manifest.version !== RECORDING_FORMAT_VERSION) return fail(`The recording is format version ${JSON.stringify(manifest.version)}; this extension reads version ${RECORDING_FORMAT_VERSION} only.`);
  const metaError = checkMeta(manifest.meta);
  if (metaError) return fail(`manifest.json: ${metaError}`);
  const meta = manifest.meta as RecordingMeta;

  const evInfo = manifest.events;
  if (!isRecord(evInfo) || evInfo.file !== 'events.jsonl' || !isCount(evInfo.count)) return fail('manifest.json: "events" must name events.jsonl and its event count.');
  const evBytes = files['events.jsonl'];
  if (!evBytes) return fail('The file has no events.jsonl.');
  const lines = strFromU8(evBytes).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const events: RecordedEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    let ev: unknown;
    try {
      ev = JSON.parse(lines[i]!);
    } catch {
      return fail(`events.jsonl line ${i + 1} is not valid JSON.`);
    }
    const err = checkEvent(ev);
    if (err) return fail(`events.jsonl line ${i + 1}: ${err}.`);
    events.push(ev as RecordedEvent);
  }
  if (events.length !== evInfo.count) return fail(`events.jsonl holds ${events.length} events; manifest.json says ${evInfo.count as number}.`);

  if (!Array.isArray(manifest.tracks)) return fail('manifest.json: "tracks" must be a list.');
  const audio: AudioChunk[] = [];
  const seen = new Set<string>();
  for (const tr of manifest.tracks as unknown[]) {
    if (!isRecord(tr) || !TRACKS.includes(tr.track as TrackId) || typeof tr.file !== 'string' || !Array.isArray(tr.chunks)) return fail('manifest.json: a track entry needs "track" (mic or bot), "file" and "chunks".');
    const track = tr.track as TrackId;
    if (seen.has(track)) return fail(`manifest.json lists the ${track} track twice.`);
    seen.add(track);
    const body = files[tr.file];
    if (!body) return fail(`The file has no ${tr.file} (the ${track} track).`);
    let end = 0;
    for (let i = 0; i < tr.chunks.length; i++) {
      const c = tr.chunks[i] as unknown;
      const err = checkChunk(c, i, end, body.byteLength);
      if (err) return fail(`${track} track, chunk ${i}: ${err}.`);
      const ch = c as ManifestChunk;
      end = ch.offset + ch.length;
      audio.push({ track, seq: ch.seq, t: ch.t, sampleRate: ch.sampleRate, samples: ch.samples, codec: ch.codec, data: body.slice(ch.offset, end) });
    }
    if (end !== body.byteLength) return fail(`${tr.file} holds ${body.byteLength} bytes; its chunks account for ${end}.`);
  }
  return { ok: true, recording: { meta, events, audio } };
}

function checkMeta(m: unknown): string | null {
  if (!isRecord(m)) return '"meta" is missing.';
  const str = ['id', 'name', 'adapterId'] as const;
  for (const k of str) if (typeof m[k] !== 'string' || (k !== 'name' && m[k] === '')) return `meta.${k} must be a text.`;
  for (const k of ['createdAt', 'durationMs', 'turns', 'sizeBytes'] as const) if (!isFiniteNumber(m[k]) || (m[k] as number) < 0) return `meta.${k} must be a number ≥ 0.`;
  for (const k of ['model', 'preset', 'sourceId'] as const) if (m[k] !== undefined && typeof m[k] !== 'string') return `meta.${k} must be a text when present.`;
  if (typeof m.keep !== 'boolean' || typeof m.complete !== 'boolean') return 'meta.keep and meta.complete must be true or false.';
  if (!ORIGINS.has(m.origin as string)) return 'meta.origin must be session, replay or test.';
  if (!isRecord(m.settings)) return 'meta.settings must be an object.';
  if (m.formatVersion !== RECORDING_FORMAT_VERSION) return `meta.formatVersion must be ${RECORDING_FORMAT_VERSION}.`;
  return null;
}

function checkEvent(e: unknown): string | null {
  if (!isRecord(e)) return 'not an event object';
  if (!isCount(e.seq)) return '"seq" must be a whole number';
  if (!isFiniteNumber(e.t)) return '"t" must be a number';
  if (typeof e.type !== 'string' || e.type === '') return '"type" must be a text';
  if (typeof e.source !== 'string') return '"source" must be a text';
  return null;
}

function checkChunk(c: unknown, i: number, offset: number, fileBytes: number): string | null {
  if (!isRecord(c)) return 'not a chunk entry';
  if (c.seq !== i) return `"seq" must be ${i}`;
  if (!isFiniteNumber(c.t) || (c.t as number) < 0) return '"t" must be a number ≥ 0';
  if (!isCount(c.sampleRate) || (c.sampleRate as number) < 1) return '"sampleRate" must be a positive whole number';
  if (!isCount(c.samples)) return '"samples" must be a whole number';
  if (!CODECS.has(c.codec as string)) return `unknown codec ${JSON.stringify(c.codec)}`;
  if (c.offset !== offset) return `"offset" must be ${offset} (chunks follow one another)`;
  if (!isCount(c.length) || offset + (c.length as number) > fileBytes) return 'its bytes run past the end of the track file';
  if (c.codec === 'pcm16' && c.length !== (c.samples as number) * 2) return `${c.samples as number} PCM16 samples need ${(c.samples as number) * 2} bytes, not ${c.length as number}`;
  return null;
}

const fail = (error: string): DecodeResult => ({ ok: false, error });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** `2026-12-07 14-05 gemini-live.vwrec.zip` */
export function recordingFileName(meta: RecordingMeta): string {
  const safe = meta.name.replace(/[^\w .-]+/g, '-').replace(/\s+/g, ' ').trim().slice(0, 80) || meta.id;
  return `${safe}${RECORDING_FILE_EXTENSION}`;
}
