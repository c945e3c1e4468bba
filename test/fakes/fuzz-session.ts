import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { FakeMediaManager } from './fake-media-manager.ts';
import { installNodeBrowserGlobals } from './node-browser-globals.ts';
import type { FuzzFrameServer } from './fuzz-frame-server.ts';
import { nativeFrame, type FuzzProviderName, type RenderedFrame, type SessionEnding } from './frame-mutations.ts';
import type { FrameRecord, RtviRecord } from '../../src/transport/frame-observer.ts';
import type { RealTimeWebsocketTransport } from '../../src/transport/realtime-websocket-transport.ts';
import { GeminiLiveWebsocketTransport } from '../../src/adapters/gemini-live/gemini-live-transport.ts';
import { OpenAIRealtimeWebsocketTransport } from '../../src/adapters/openai-realtime/openai-realtime-transport.ts';

/**
 * Drives one adapter session through a fuzzed inbound sequence and checks the guarantees every run
 * must keep. Throws an Error listing every violated guarantee (fast-check then shrinks the case).
 */

/** Errors that escaped to the process while a run was going (uncaught exceptions, unhandled rejections). */
export const escaped: string[] = [];
let listening = 0;
const onUncaught = (e: unknown) => escaped.push(`uncaughtException: ${e instanceof Error ? e.stack : String(e)}`);
const onUnhandled = (e: unknown) => escaped.push(`unhandledRejection: ${e instanceof Error ? e.stack : String(e)}`);

export function listenForEscapes(): () => void {
  if (listening++ === 0) {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUnhandled);
  }
  return () => {
    if (--listening === 0) {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUnhandled);
    }
  };
}

const KEYS: Record<FuzzProviderName, string> = {
  openai: 'sk-fuzz-0123456789abcdefghijklmnop',
  gemini: 'AIzaFuzzKey_0123456789abcdefghijklmnop',
};

interface Recorded<T> {
  record: T;
  snapshot: string;
}

function sentinelFrame(provider: FuzzProviderName, n: number): { frame: RenderedFrame; text: string } {
  if (provider === 'openai') {
    const text = `SENTINEL ${n}`;
    return { text, frame: nativeFrame(provider, { type: 'conversation.item.input_audio_transcription.completed', event_id: `event_sentinel_${n}`, item_id: `item_sentinel_${n}`, content_index: 0, transcript: text }) };
  }
  const text = `SENTINEL${n}`;
  return { text, frame: nativeFrame(provider, { serverContent: { inputTranscription: { text: ` ${text}`, finished: true } } }) };
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function isPlainObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const TEXT_TYPES = new Set(['user-transcription', 'bot-tts-text', 'bot-output', 'bot-llm-text']);

/** RTVI messages that reach app code carry the types the RTVI spec promises. */
function rtviShapeProblems(r: RtviRecord): string[] {
  const d = r.data as Record<string, unknown> | null;
  const out: string[] = [];
  if (TEXT_TYPES.has(r.type) && typeof d?.text !== 'string') out.push(`${r.type} with non-string text ${JSON.stringify(d?.text)?.slice(0, 60)}`);
  if (r.type === 'llm-function-call-in-progress') {
    if (typeof d?.function_name !== 'string' || !d.function_name) out.push(`function call with function_name ${JSON.stringify(d?.function_name)}`);
    if (typeof d?.tool_call_id !== 'string' || !d.tool_call_id) out.push(`function call with tool_call_id ${JSON.stringify(d?.tool_call_id)}`);
    if (!isPlainObject(d?.arguments)) out.push(`function call with arguments ${JSON.stringify(d?.arguments)?.slice(0, 60)}`);
  }
  if (r.type === 'metrics') {
    for (const t of (d?.tokens as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens']) if (typeof t[k] !== 'number' || !Number.isFinite(t[k])) out.push(`metrics with ${k} ${JSON.stringify(t[k])}`);
    }
  }
  if (r.type === 'error' && (typeof d?.error !== 'string' || !d.error || typeof d.fatal !== 'boolean')) out.push(`error message without text or fatal flag: ${JSON.stringify(d)?.slice(0, 100)}`);
  return out;
}

function describeFrame(f: RenderedFrame): string {
  return typeof f.spec === 'string' ? f.spec : `${f.spec.kind}#${f.spec.base}/${f.spec.pick}/${f.spec.pick2}`;
}

let sentinelSeq = 0;

export async function runFuzzedSession(provider: FuzzProviderName, server: FuzzFrameServer, frames: RenderedFrame[], ending: SessionEnding): Promise<void> {
  installNodeBrowserGlobals();
  const problems: string[] = [];
  const escapedBefore = escaped.length;
  const media = new FakeMediaManager({ playbackSpeed: 0 });
  const options = { api_key: KEYS[provider], endpoint: server.url, connect_timeout_ms: 5000 };
  const transport: RealTimeWebsocketTransport =
    provider === 'openai'
      ? new OpenAIRealtimeWebsocketTransport({ ...options, settings: { auth: 'api-key-in-subprotocol' } }, media)
      : new GeminiLiveWebsocketTransport({ ...options, settings: { auth: 'key-in-url' } }, media);
  const frameLog: Array<Recorded<FrameRecord>> = [];
  const rtviLog: Array<Recorded<RtviRecord>> = [];
  const snap = (what: string, v: unknown): string => {
    try {
      return JSON.stringify(v);
    } catch (e) {
      problems.push(`observer ${what} record cannot be serialised (${e instanceof Error ? e.message : String(e)}): the inspector could not forward it`);
      return '<unserialisable>';
    }
  };
  transport.setObserver({
    onFrame: (f) => frameLog.push({ record: f, snapshot: snap(`frame ${f.type}`, f) }),
    onRtvi: (r) => rtviLog.push({ record: r, snapshot: snap(`rtvi ${r.type}`, r) }),
  });
  const callbackErrors: unknown[] = [];
  const states: TransportState[] = [];
  const client = new PipecatClient({
    transport,
    enableMic: true,
    enableCam: false,
    callbacks: { onError: (m: RTVIMessage) => callbackErrors.push(m.data), onTransportStateChanged: (s) => states.push(s) },
  });
  client.setLogLevel(LogLevel.NONE);
  const rtvi = () => rtviLog.map((r) => r.record);
  // Read through a function: TypeScript would otherwise keep the state narrowed across awaits.
  const stateNow = (): TransportState => transport.state;
  const inbound = () => frameLog.map((f) => f.record).filter((f) => f.direction === 'in');
  try {
    const [conn] = await Promise.all([server.nextConnection(), client.connect()]);
    if (transport.state !== 'ready') throw new Error(`not ready after connect: ${transport.state}`);
    const before = inbound().length;
    const sentinel = sentinelFrame(provider, ++sentinelSeq);
    const all = [...frames, sentinel.frame];
    for (const f of all) await conn.send(f.data, f.binary);
    await until(`the sentinel frame (${all.length} frames sent, ${inbound().length - before} recorded)`, () => inbound().length >= before + all.length || transport.state !== 'ready');

    // Nothing lost, nothing reordered: one inbound record per frame, same sizes.
    const got = inbound().slice(before);
    if (got.length !== all.length) problems.push(`expected ${all.length} inbound frame records, got ${got.length}`);
    all.forEach((f, i) => {
      const rec = got[i];
      if (!rec) return;
      if (rec.bytes !== f.bytes) problems.push(`frame ${i} (${describeFrame(f)}) recorded with ${rec.bytes} bytes, sent ${f.bytes}`);
      if (f.expectType !== undefined && rec.type !== f.expectType) problems.push(`frame ${i} (${describeFrame(f)}) recorded as type "${rec.type}", expected "${f.expectType}"`);
      if (f.mustError) {
        const err = rtvi().find((r) => r.type === 'error' && r.sourceFrameIds.includes(rec.id));
        if (!err) problems.push(`frame ${i} (${describeFrame(f)}) was bad but produced no RTVI error linked to it`);
        else if ((err.data as { fatal?: unknown }).fatal !== false) problems.push(`frame ${i} (${describeFrame(f)}) produced a fatal error for a bad frame`);
      }
    });
    if (transport.state !== 'ready') problems.push(`state is ${transport.state} while the socket is open (expected ready)`);
    const fatal = rtvi().filter((r) => r.type === 'error' && (r.data as { fatal?: boolean }).fatal);
    if (fatal.length) problems.push(`fatal error while the socket is open: ${JSON.stringify(fatal[0].data).slice(0, 200)}`);

    // The valid frame after everything else was still processed.
    const sentinelRec = got[all.length - 1];
    const transcript = rtvi().find((r) => r.type === 'user-transcription' && (r.data as { final?: unknown }).final === true && !!sentinelRec && r.sourceFrameIds.includes(sentinelRec.id));
    const tdata = transcript?.data as { text?: unknown; final?: unknown } | undefined;
    if (!transcript || tdata?.final !== true || typeof tdata.text !== 'string' || !tdata.text.endsWith(sentinel.text)) {
      problems.push(`the valid transcript sent last did not arrive as a final user-transcription (got ${JSON.stringify(tdata)?.slice(0, 120)})`);
    }

    if (ending.kind !== 'none') {
      const recordsBeforeEnd = frameLog.length;
      if (ending.kind === 'close') conn.close(ending.code, ending.reason);
      else conn.drop();
      await until('the transport to disconnect after the provider closed', () => stateNow() === 'disconnected');
      const expectedCode = ending.kind === 'close' ? ending.code : 1006;
      const fatalErr = rtvi().find((r) => r.type === 'error' && (r.data as { fatal?: boolean }).fatal === true);
      const fd = fatalErr?.data as { error?: string; code?: number } | undefined;
      if (!fatalErr) problems.push(`no fatal RTVI error after the provider closed with ${expectedCode}`);
      else {
        if (fd?.code !== expectedCode) problems.push(`fatal error carries code ${fd?.code}, the socket closed with ${expectedCode}`);
        if (!fd?.error?.includes(String(expectedCode))) problems.push(`fatal error text does not name the close code ${expectedCode}: ${fd?.error}`);
        if (ending.kind === 'close' && ending.reason && !fd?.error?.includes(ending.reason)) problems.push(`fatal error text does not carry the close reason: ${fd?.error}`);
      }
      const closeRec = frameLog.slice(recordsBeforeEnd).find((f) => f.record.type === 'close');
      if (!closeRec) problems.push('the close was not recorded as an inbound frame');
      if (!states.includes('error') && !states.includes('disconnecting')) problems.push(`state never left ready on the way to disconnected: ${states.join(' → ')}`);
    } else {
      await client.disconnect();
      if (stateNow() !== 'disconnected') problems.push(`state after disconnect() is ${stateNow()}`);
    }

    // RTVI errors reach the app (onError) one for one.
    const rtviErrors = rtvi().filter((r) => r.type === 'error').length;
    if (callbackErrors.length !== rtviErrors) problems.push(`${rtviErrors} RTVI error messages but onError ran ${callbackErrors.length} times`);
    for (const r of rtvi()) problems.push(...rtviShapeProblems(r));
  } finally {
    await client.disconnect().catch(() => undefined);
  }
  // Let pending microtasks and timers of the torn-down session run before judging escapes.
  await new Promise((r) => setTimeout(r, 0));
  // Nothing already recorded was mutated afterwards.
  for (const [i, f] of frameLog.entries()) if (snap('frame', f.record) !== f.snapshot) problems.push(`frame record ${i} (${f.record.type}) changed after it was recorded`);
  for (const [i, r] of rtviLog.entries()) if (snap('rtvi', r.record) !== r.snapshot) problems.push(`RTVI record ${i} (${r.record.type}) changed after it was recorded`);
  if (escaped.length > escapedBefore) problems.push(...escaped.slice(escapedBefore));
  if (problems.length) throw new Error(`${provider} fuzz run broke ${problems.length} guarantee(s):\n- ${[...new Set(problems)].slice(0, 20).join('\n- ')}`);
}

/** A ready session on the fuzz server, for properties that drive the outbound side. */
export async function connectForFuzz(provider: FuzzProviderName, server: FuzzFrameServer) {
  installNodeBrowserGlobals();
  const media = new FakeMediaManager({ playbackSpeed: 0 });
  const options = { api_key: KEYS[provider], endpoint: server.url, connect_timeout_ms: 5000 };
  const transport: RealTimeWebsocketTransport =
    provider === 'openai'
      ? new OpenAIRealtimeWebsocketTransport({ ...options, settings: { auth: 'api-key-in-subprotocol' } }, media)
      : new GeminiLiveWebsocketTransport({ ...options, settings: { auth: 'key-in-url' } }, media);
  const rtvi: RtviRecord[] = [];
  transport.setObserver({ onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({ transport, enableMic: true, enableCam: false });
  client.setLogLevel(LogLevel.NONE);
  const [conn] = await Promise.all([server.nextConnection(), client.connect()]);
  return { transport, client, conn, media, rtvi };
}

/** Decoded PCM byte counts of the audio frames a client sent (OpenAI `input_audio_buffer.append`, Gemini `realtimeInput.audio`). */
export function sentAudioBytes(received: string[]): number[] {
  const out: number[] = [];
  for (const text of received) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const b64 = m.type === 'input_audio_buffer.append' ? m.audio : ((m.realtimeInput as { audio?: { data?: unknown } } | undefined)?.audio?.data);
    if (typeof b64 === 'string') out.push(Buffer.from(b64, 'base64').length);
  }
  return out;
}
