import type { LogEvent } from '../extension/shared/log-event.ts';

/**
 * A realistic voice session as the event history sees it, second by second: 50 captured 20 ms
 * audio frames out per second and, while the bot talks (half the time), 50 audio frames in per
 * second (Gemini-style 20 ms parts), plus per 10 s turn the transcript deltas, RTVI rows citing
 * their frames, speaking events, bot-output, usage metrics and the provider's turn-end frame.
 * Audio is summarised exactly as the frame observer does (duration, bytes; no base64).
 */
export function* sessionEvents(seconds: number, options: { session?: number } = {}): Generator<LogEvent> {
  const session = options.session ?? 1;
  let seq = 1;
  let frameId = 0;
  const words = 'the weather in Paris tomorrow looks mostly sunny with a light breeze from the west and a small chance of rain in the evening'.split(' ');
  for (let s = 0; s < seconds; s++) {
    const turn = Math.floor(s / 10);
    const inTurn = s % 10;
    const botTalking = inTurn >= 5;
    for (let k = 0; k < 50; k++) {
      const t = s * 1000 + k * 20;
      const wall = 1_800_000_000_000 + t;
      const audioOut = { bytes: 640, durationMs: 20, sampleRate: 16000 };
      yield { seq: seq++, session, t, wall, source: 'raw', direction: 'out', type: 'realtimeInput', data: { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', data: audioOut } } }, bytes: 900, frameId: ++frameId, audio: audioOut };
      if (botTalking) {
        const audioIn = { bytes: 960, durationMs: 20, sampleRate: 24000 };
        yield { seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'serverContent', data: { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: audioIn } }] } } }, bytes: 1400, frameId: ++frameId, audio: audioIn };
      }
    }
    const t = s * 1000 + 500;
    const wall = 1_800_000_000_000 + t;
    if (inTurn === 0) yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'user-started-speaking', data: {} };
    if (inTurn >= 1 && inTurn <= 4) {
      const id = ++frameId;
      yield { seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'serverContent', data: { serverContent: { inputTranscription: { text: ` ${words[(turn + inTurn) % words.length]}` } } }, bytes: 90, frameId: id };
      yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'user-transcription', data: { text: words.slice(0, inTurn + 1).join(' '), final: false, user_id: '', timestamp: new Date(wall).toISOString() }, sourceFrameIds: [id] };
    }
    if (inTurn === 4) yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'user-stopped-speaking', data: {} };
    if (inTurn === 5) yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'bot-started-speaking', data: {} };
    if (botTalking) {
      for (let w = 0; w < 3; w++) {
        const id = ++frameId;
        const word = words[(turn * 7 + inTurn * 3 + w) % words.length];
        yield { seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'serverContent', data: { serverContent: { outputTranscription: { text: ` ${word}` } } }, bytes: 95, frameId: id };
        yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: ` ${word}` }, sourceFrameIds: [id] };
      }
    }
    if (inTurn === 9) {
      const id = ++frameId;
      yield { seq: seq++, session, t, wall, source: 'raw', direction: 'in', type: 'serverContent', data: { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 812 + turn, responseTokenCount: 96, totalTokenCount: 908 + turn, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 640 }, { modality: 'TEXT', tokenCount: 172 + turn }], responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 96 }] } }, bytes: 420, frameId: id };
      yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'bot-output', data: { text: `${words.slice(0, 12).join(' ')}.`, spoken: true, aggregated_by: 'sentence' }, sourceFrameIds: [id] };
      yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'metrics', data: { tokens: [{ processor: 'gemini-live', model: 'gemini-live', value: { prompt_tokens: 812 + turn, completion_tokens: 96, total_tokens: 908 + turn } }] }, sourceFrameIds: [id] };
      yield { seq: seq++, session, t, wall, source: 'rtvi', direction: 'local', type: 'bot-stopped-speaking', data: {} };
    }
  }
}
