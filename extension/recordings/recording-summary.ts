import { ConversationBuilder } from '../offscreen/conversation-builder.ts';
import type { ConversationTurn } from '../shared/messages.ts';
import type { AudioChunk, Recording, TrackId } from './recording-format.ts';

export interface TrackSummary {
  chunks: number;
  samples: number;
  /** Sum of the chunks' durations (the audio itself, without the gaps between runs). */
  audioMs: number;
  codecs: AudioChunk['codec'][];
  bytes: number;
}

export interface RecordingSummary {
  eventCount: number;
  rawFrames: number;
  rtviEvents: number;
  errors: number;
  toolCalls: number;
  interruptions: number;
  tracks: Record<TrackId, TrackSummary>;
  /** The conversation, rebuilt from the recorded RTVI events as the Conversation view builds it. */
  turns: ConversationTurn[];
}

/** What a recording's detail shows, computed from the recording alone. */
export function summarizeRecording(rec: Recording): RecordingSummary {
  const builder = new ConversationBuilder(() => undefined, 10_000);
  let rawFrames = 0;
  let rtviEvents = 0;
  let errors = 0;
  let toolCalls = 0;
  for (const e of rec.events) {
    if (e.source === 'raw') rawFrames++;
    if (e.source === 'rtvi') {
      rtviEvents++;
      builder.onRtvi(e.type, e.data, { seq: e.seq, t: e.t, session: e.session });
    }
    if (e.type === 'error' || e.type === 'host-error') errors++;
    if (e.type === 'llm-function-call-in-progress') toolCalls++;
  }
  const track = (id: TrackId): TrackSummary => {
    const cs = rec.audio.filter((c) => c.track === id);
    return {
      chunks: cs.length,
      samples: cs.reduce((n, c) => n + c.samples, 0),
      audioMs: cs.reduce((n, c) => n + (c.samples / c.sampleRate) * 1000, 0),
      codecs: [...new Set(cs.map((c) => c.codec))],
      bytes: cs.reduce((n, c) => n + c.data.byteLength, 0),
    };
  };
  const turns = builder.all;
  // A bot reply cut off before all of it was heard (barge-in, Interrupt).
  const interruptions = turns.filter((t) => t.role === 'bot' && t.cut).length;
  return { eventCount: rec.events.length, rawFrames, rtviEvents, errors, toolCalls, interruptions, tracks: { mic: track('mic'), bot: track('bot') }, turns };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}
