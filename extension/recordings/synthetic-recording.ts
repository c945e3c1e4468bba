import type { LogEvent } from '../shared/log-event.ts';
import { RECORDING_FORMAT_VERSION, type AudioChunk, type Recording, type TrackId } from './recording-format.ts';

/**
 * A synthetic recording for the timeline's bench and tests: two voices on one clock, turns with
 * a user-stop → bot-audio gap, barge-ins (the user speaks over the bot, which stops), tool calls
 * and the odd error. Shaped like a Gemini session: the microphone track runs the whole session at
 * 16 kHz (what is sent), the bot track holds only what was played, at 24 kHz; raw audio frames of
 * 20 ms out and ~40 ms in, as the event log holds them.
 */
export interface SyntheticRecordingOptions {
  durationMs: number;
  seed?: number;
  /** Every n-th bot turn is cut off by the user (0: never). */
  bargeInEvery?: number;
  /** Every n-th turn calls a tool (0: never). */
  toolEvery?: number;
  /** Every n-th turn ends in an error row (0: never). */
  errorEvery?: number;
  /** Audio chunk length (ms) as the recorder stores them. */
  chunkMs?: number;
  /** Include the raw 20 ms audio frames in the events (an hour: ~250,000 rows). */
  rawAudioFrames?: boolean;
}

export const SYNTH_MIC_RATE = 16_000;
export const SYNTH_BOT_RATE = 24_000;

export interface SyntheticTurn {
  userStart: number;
  userStop: number;
  botStart: number;
  botStop: number;
  bargeIn: boolean;
  tool: string | null;
}

export function syntheticRecording(opts: SyntheticRecordingOptions): { recording: Recording; turns: SyntheticTurn[] } {
  const { durationMs, seed = 7, bargeInEvery = 5, toolEvery = 7, errorEvery = 53, chunkMs = 1000, rawAudioFrames = true } = opts;
  const rnd = mulberry32(seed);
  const events: LogEvent[] = [];
  let seq = 1;
  const wall0 = Date.UTC(2026, 11, 7, 12, 0, 0);
  const push = (t: number, source: LogEvent['source'], direction: LogEvent['direction'], type: string, data: unknown, extra: Partial<LogEvent> = {}) => {
    events.push({ seq: seq++, session: 1, t: Math.round(t * 10) / 10, wall: wall0 + Math.round(t), source, direction, type, data, ...extra });
  };

  // Turns first, then rows in time order.
  const turns: SyntheticTurn[] = [];
  let t = 1500;
  let n = 0;
  let afterBargeIn = false;
  while (true) {
    n++;
    // After a barge-in the next turn is the user's speech that cut the bot off.
    const userStart = afterBargeIn ? t : t + 400 + rnd() * 1200;
    const userStop = userStart + 1200 + rnd() * 3500;
    const botStart = userStop + 500 + rnd() * 700;
    let botStop = botStart + 1500 + rnd() * 6000;
    const bargeIn = bargeInEvery > 0 && n % bargeInEvery === 0;
    if (bargeIn) botStop = botStart + (botStop - botStart) * 0.45;
    if (botStop + 2000 > durationMs) break;
    const r = (x: number) => Math.round(x * 10) / 10;
    turns.push({ userStart: r(userStart), userStop: r(userStop), botStart: r(botStart), botStop: r(botStop), bargeIn, tool: toolEvery > 0 && n % toolEvery === 0 ? 'get_weather' : null });
    t = r(bargeIn ? botStop - 250 : botStop);
    afterBargeIn = bargeIn;
  }

  push(0, 'transport', 'local', 'transport-state', { state: 'connecting' });
  push(180, 'rtvi', 'in', 'bot-ready', { version: '1.0.0' });
  const rows: Array<[number, () => void]> = [];
  turns.forEach((tu, i) => {
    const k = i + 1;
    rows.push([tu.userStart, () => push(tu.userStart, 'rtvi', 'local', 'user-started-speaking', {})]);
    rows.push([tu.userStop, () => push(tu.userStop, 'rtvi', 'local', 'user-stopped-speaking', {})]);
    rows.push([tu.userStop + 150, () => push(tu.userStop + 150, 'rtvi', 'in', 'user-transcription', { text: `turn ${k} question`, final: true })]);
    if (tu.tool) {
      const id = `call_${k}`;
      rows.push([tu.userStop + 200, () => push(tu.userStop + 200, 'rtvi', 'in', 'llm-function-call-in-progress', { function_name: tu.tool, tool_call_id: id, arguments: { city: 'Paris' } })]);
      rows.push([tu.userStop + 260, () => push(tu.userStop + 260, 'rtvi', 'local', 'llm-function-call-result', { function_name: tu.tool, tool_call_id: id, result: { sky: 'clear' } })]);
    }
    // First provider audio shortly before playback starts (the jitter buffer's lead).
    rows.push([tu.botStart - 60, () => push(tu.botStart - 60, 'raw', 'in', 'serverContent', { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: '[audio]' } }] } } }, { audio: { bytes: 1920, durationMs: 40, sampleRate: 24000 }, bytes: 2600 })]);
    rows.push([tu.botStart, () => push(tu.botStart, 'rtvi', 'local', 'bot-started-speaking', {})]);
    rows.push([tu.botStart + 300, () => push(tu.botStart + 300, 'rtvi', 'in', 'bot-output', { text: `answer ${k}`, spoken: true })]);
    if (tu.bargeIn) {
      // The user's next turn starts 250 ms before the bot stops; the provider says so 40 ms later.
      const at = tu.botStop - 210;
      rows.push([at, () => push(at, 'raw', 'in', 'serverContent', { serverContent: { interrupted: true } }, { bytes: 40 })]);
    }
    rows.push([tu.botStop, () => push(tu.botStop, 'rtvi', 'local', 'bot-stopped-speaking', {})]);
    rows.push([tu.botStop + 100, () => push(tu.botStop + 100, 'rtvi', 'in', 'metrics', { tokens: [{ prompt_tokens: 200 + k, completion_tokens: 40, total_tokens: 240 + k }] })]);
    if (errorEvery > 0 && k % errorEvery === 0) rows.push([tu.botStop + 150, () => push(tu.botStop + 150, 'rtvi', 'in', 'error', { message: 'synthetic provider error', fatal: false })]);
  });
  if (rawAudioFrames) {
    let frame = 1;
    for (let a = 200; a < durationMs; a += 20) {
      const at = a;
      const id = frame++;
      rows.push([at, () => push(at, 'raw', 'out', 'realtimeInput', { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', data: '[audio]' } } }, { audio: { bytes: 640, durationMs: 20, sampleRate: 16000 }, bytes: 900, frameId: id })]);
    }
    for (const tu of turns) {
      for (let a = tu.botStart - 60; a < tu.botStop - 60; a += 40) {
        const at = a;
        rows.push([at + 1, () => push(at + 1, 'raw', 'in', 'serverContent', { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: '[audio]' } }] } } }, { audio: { bytes: 1920, durationMs: 40, sampleRate: 24000 }, bytes: 2600 })]);
      }
    }
  }
  rows.sort((a, b) => a[0] - b[0]);
  for (const [, f] of rows) f();

  const audio: AudioChunk[] = [];
  const micSpans = turns.map((tu): [number, number] => [tu.userStart, tu.userStop]);
  const botSpans = turns.map((tu): [number, number] => [tu.botStart, tu.botStop]);
  // Microphone: the whole session, quiet room noise between the user's speech.
  const micSeq = { n: 0 };
  for (let a = 0; a < durationMs; a += chunkMs) audio.push(voiceChunk('mic', micSeq.n++, a, Math.min(chunkMs, durationMs - a), SYNTH_MIC_RATE, micSpans, rnd, 0.01, 180));
  // Bot: only what was played.
  let botSeq = 0;
  for (const [s, e] of botSpans) for (let a = s; a < e; a += chunkMs) audio.push(voiceChunk('bot', botSeq++, a, Math.min(chunkMs, e - a), SYNTH_BOT_RATE, botSpans, rnd, 0, 140));

  const endMs = Math.max(events.at(-1)?.t ?? 0, durationMs);
  const recording: Recording = {
    meta: {
      id: `synthetic-${seed}-${durationMs}`,
      name: `Synthetic session (${Math.round(durationMs / 60_000)} min)`,
      createdAt: wall0,
      adapterId: 'gemini',
      model: 'synthetic',
      durationMs: endMs,
      turns: turns.length,
      sizeBytes: audio.reduce((s, c) => s + c.data.byteLength, 0),
      keep: false,
      origin: 'test',
      complete: true,
      settings: {},
      formatVersion: RECORDING_FORMAT_VERSION,
    },
    events,
    audio,
  };
  return { recording, turns };
}

/** A chunk of "voice": a vowel-ish tone with a syllable envelope inside the spans, noise outside. */
function voiceChunk(track: TrackId, seq: number, t: number, ms: number, rate: number, spans: Array<[number, number]>, rnd: () => number, noise: number, f0: number): AudioChunk {
  const samples = Math.max(1, Math.round((ms * rate) / 1000));
  const pcm = new Int16Array(samples);
  let si = 0;
  for (let i = 0; i < samples; i++) {
    const tm = t + (i * 1000) / rate;
    while (si < spans.length && spans[si][1] <= tm) si++;
    const inSpeech = si < spans.length && spans[si][0] <= tm;
    let v = noise * (rnd() * 2 - 1);
    if (inSpeech) {
      const syl = 0.5 + 0.5 * Math.sin((2 * Math.PI * tm) / 220);
      v += 0.55 * syl * Math.sin((2 * Math.PI * f0 * tm) / 1000) + 0.08 * (rnd() * 2 - 1);
    }
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
  }
  return { track, seq, t, sampleRate: rate, samples, codec: 'pcm16', data: new Uint8Array(pcm.buffer) };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
