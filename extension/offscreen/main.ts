import { adapters, requireAdapter } from '../../src/adapters/adapter-registry.ts';
import { AudioWorkletMediaManager } from '../../src/audio/audio-worklet-media-manager.ts';
import { readAudioOverrides } from './audio-overrides.ts';
import { SESSION_PORT_NAME } from '../shared/messages.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import { installGetUserMediaCounter } from './get-user-media-counter.ts';
import { MicTest } from './mic-test.ts';
import { runEchoCheck } from './echo-check.ts';
import { SessionHost, createPipecatSessionClient, redactUrlQuery, type HostPort } from './session-host.ts';
import { observeFetch } from './http-request-log.ts';
import { VoiceTestService } from './voice-test-service.ts';
import { decodeOpusAtChunkRate } from '../replay/opus-track-decoder.ts';
import { assembleTrack } from '../replay/mic-track.ts';
import { decodeRecordingFile } from '../recordings/export-file.ts';
import { JpegFrameGrabber } from '../../src/audio/camera-capture.ts';
import { IdbRecordingsBackend } from '../recordings/idb-backend.ts';
import { tapMediaManager } from '../recordings/media-tap.ts';
import { RecordingsService } from '../recordings/recordings-service.ts';
import { RecordingsStore } from '../recordings/recordings-store.ts';
import { base64ToBytes, bytesToBase64, fromWire } from '../recordings/wire.ts';
import { decodeChunk } from '../recordings/decode-chunk.ts';
import { opusEncodingSupported, webCodecsOpusEncoder } from '../recordings/webcodecs-opus.ts';

// Ports that arrive before the host is built are held here: the panel may connect the moment
// createDocument resolves, which can be before this module finished evaluating its imports.
const early: HostPort[] = [];
let host: SessionHost | null = null;

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== SESSION_PORT_NAME) return;
  if (host) host.attachPort(port as unknown as HostPort);
  else early.push(port as unknown as HostPort);
});

const getUserMediaCalls = installGetUserMediaCounter();
const history = new EventHistory();
const recordingsStore = new RecordingsStore(new IdbRecordingsBackend());
// Recordings hold hours of audio: ask Chrome not to evict them under storage pressure.
// Audio as Opus where this document's WebCodecs encodes it (asked once), else PCM16.
const opus = opusEncodingSupported();
const recordings = new RecordingsService({
  store: recordingsStore,
  persist: async () => (await navigator.storage?.persist?.()) ?? false,
  encoders: async () => ((await opus) ? { mic: webCodecsOpusEncoder, bot: webCodecsOpusEncoder } : undefined),
});

host = new SessionHost({
  queryMicPermission: async () => {
    try {
      return (await navigator.permissions.query({ name: 'microphone' as PermissionName })).state;
    } catch {
      return 'unsupported';
    }
  },
  // Each session gets its own manager, built with the benches' overrides when they set any.
  // The recorder hears the microphone as sent and the bot as played through a tap on the manager.
  createTransport: (adapterId, options, audio) => requireAdapter(adapterId).create(options, tapMediaManager(new AudioWorkletMediaManager({ ...(audio?.headphones ? { echoCancellation: false } : {}), ...readAudioOverrides() }), () => recordings.tap)),
  createClient: createPipecatSessionClient,
  micTest: new MicTest(),
  // The bench's override of the canceller mode applies to the echo check too (BENCHMARKS.md, echo table).
  runEchoCheck: (opts) => runEchoCheck({ ...opts, echoCancellation: readAudioOverrides().echoCancellation ?? (opts.headphones ? false : undefined) }),
  enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
  getUserMediaCalls,
  tabShare: {
    getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
    createFrameGrabber: (stream) => new JpegFrameGrabber(stream),
  },
  // The inspector's memory-budgeted history; pure, so it runs here as well as in the panel.
  history,
  recordings,
});
{
  const h = host;
  h.voiceTests = new VoiceTestService({
    host: h,
    adapters,
    publish: (u) => h.publish(u),
    decodeOpus: decodeOpusAtChunkRate,
    activeRecordingId: async () => (await recordings.handle({ op: 'list' })).activeId ?? undefined,
    loadRecording: async (ref, bytes) => {
      if (bytes) {
        const file = decodeRecordingFile(bytes);
        if (!file.ok) throw new Error(`${ref}: ${file.error}`);
        return file.recording;
      }
      const list = (await recordings.handle({ op: 'list' })).recordings;
      const meta = list.find((m) => m.id === ref) ?? list.find((m) => m.name === ref);
      if (!meta) throw new Error(`no recording with the id or name "${ref}"`);
      const wire = await recordings.handle({ op: 'get', id: meta.id });
      if (!wire) throw new Error(`recording "${ref}" could not be read`);
      return fromWire(wire);
    },
  });
}
for (const port of early.splice(0)) host.attachPort(port);
// The adapters' token / client-secret requests appear in the event log (URL, status, time; no secrets).
globalThis.fetch = observeFetch(globalThis.fetch.bind(globalThis), (r) => host?.recordHttpRequest(r), redactUrlQuery);
// Plugging or unplugging a device outside a session still updates every panel's pickers.
navigator.mediaDevices?.addEventListener('devicechange', () => void host?.enqueue({ type: 'refresh-devices' }));

// For diagnostics and the end-to-end tests (read through the DevTools protocol).
(globalThis as { __sessionHost?: unknown }).__sessionHost = {
  get status() {
    return host?.currentStatus;
  },
  get stats() {
    return host?.currentStats;
  },
  events() {
    return host?.historyEvents() ?? [];
  },
  get historySize() {
    return host?.historySize;
  },
  /** Estimated bytes the history holds, and its budget (the soak run reads and sets them). */
  get historyBytes() {
    return { held: history.bytes, budget: history.budgetBytes, dropped: history.dropped };
  },
  setHistoryBudget(bytes: number) {
    history.setBudget(bytes);
    return history.budgetBytes;
  },
  get portCount() {
    return host?.portCount;
  },
  /**
   * MEASUREMENT HOOK (benches only): appends `count` synthetic rows at `ratePerSecond` through the
   * real history + Port path; resolves with what it cost this document. See SessionHost.injectSynthetic.
   */
  injectSynthetic(options: { count: number; ratePerSecond: number }) {
    if (!host) return Promise.reject(new Error('The session host is not ready.'));
    return host.injectSynthetic(options);
  },
};
// For the end-to-end tests: the recordings store as the panel reaches it (same service).
(globalThis as { __recordings?: unknown }).__recordings = {
  list: () => recordings.handle({ op: 'list' }),
  get: (id: string) => recordings.handle({ op: 'get', id }),
  exportBase64: async (id: string) => bytesToBase64(await recordingsStore.export(id)),
  importBase64: (b64: string) => recordingsStore.import(base64ToBytes(b64)),
  delete: (id: string) => recordings.handle({ op: 'delete', id }),
  /** A track as one PCM16 buffer on the recording clock, Opus decoded here (WebCodecs), as replay reads it. */
  async assembledTrack(id: string, track: 'mic' | 'bot') {
    const w = await recordings.handle({ op: 'get', id });
    if (!w) return null;
    const a = await assembleTrack(fromWire(w), track, decodeOpusAtChunkRate);
    return a && { sampleRate: a.sampleRate, t0: a.t0, pcm: bytesToBase64(new Uint8Array(a.samples.buffer, a.samples.byteOffset, a.samples.byteLength)) };
  },
  /** Per track: codecs, stored duration (from `samples`) and what the decoder produced before trimming, ms. */
  async decodedDurations(id: string) {
    const w = await recordings.handle({ op: 'get', id });
    if (!w) return null;
    const rec = fromWire(w);
    const out: Record<string, { codecs: string[]; storedMs: number; decodedMs: number }> = {};
    for (const c of rec.audio) {
      const d = await decodeChunk(c);
      const t = (out[c.track] ??= { codecs: [], storedMs: 0, decodedMs: 0 });
      if (!t.codecs.includes(c.codec)) t.codecs.push(c.codec);
      t.storedMs += (c.samples / c.sampleRate) * 1000;
      t.decodedMs += (d.decodedFrames / d.sampleRate) * 1000;
    }
    return out;
  },
};
console.info('[session-host] ready');
