import type { LogEvent } from '../shared/log-event.ts';

/**
 * A deterministic stream shaped like a real OpenAI Realtime session (audio appends out, audio and
 * transcript deltas in, RTVI rows citing their frames, transport events), for tests and the bench.
 */
export function makeSyntheticEvents(count: number, options: { session?: number; startSeq?: number; stepMs?: number } = {}): LogEvent[] {
  const session = options.session ?? 1;
  const step = options.stepMs ?? 0.5;
  let seq = options.startSeq ?? 1;
  let frameId = 0;
  const out: LogEvent[] = [];
  const words = ['hello', 'weather', 'Paris', 'tomorrow', 'sunny', 'rain', 'maybe', 'umbrella'];
  for (let i = 0; out.length < count; i++) {
    const t = out.length * step;
    const wall = 1_800_000_000_000 + t;
    const k = i % 10;
    if (k < 4) {
      out.push({ seq: seq++, session, t, wall, source: 'raw', direction: 'out', type: 'input_audio_buffer.append', data: { type: 'input_audio_buffer.append', audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } }, bytes: 1340, frameId: ++frameId, audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } });
    } else if (k < 6) {
      out.push({ seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'response.output_audio.delta', data: { type: 'response.output_audio.delta', response_id: `resp_${i >> 6}`, item_id: `item_${i >> 6}`, delta: { bytes: 4800, durationMs: 100, sampleRate: 24000 } }, bytes: 6500, frameId: ++frameId, audio: { bytes: 4800, durationMs: 100, sampleRate: 24000 } });
    } else if (k < 8) {
      const word = words[i % words.length];
      const id = ++frameId;
      out.push({ seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'response.output_audio_transcript.delta', data: { type: 'response.output_audio_transcript.delta', item_id: `item_${i >> 6}`, delta: ` ${word}` }, bytes: 120, frameId: id });
      if (out.length < count) out.push({ seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: ` ${word}` }, sourceFrameIds: [id] });
    } else if (k === 8) {
      out.push({ seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: i % 20 === 8 ? 'user-started-speaking' : 'user-stopped-speaking', data: {} });
    } else {
      out.push({ seq: seq++, session, t, wall, source: 'transport', direction: 'local', type: 'transport-state-changed', data: { state: i % 3 === 0 ? 'ready' : 'connected' } });
    }
  }
  return out;
}
