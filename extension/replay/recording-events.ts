import type { Recording, RecordedEvent } from '../recordings/recording-format.ts';

/**
 * What replay and compare read out of a recording's events: the user's speech spans, the bot's
 * audible replies, typed messages and tool calls, each on the recording clock (ms since connect).
 */

export interface Span {
  start: number;
  end: number;
}

export interface TypedMessage {
  t: number;
  text: string;
}

export interface ToolCallRecord {
  t: number;
  id: string;
  name: string;
  /** Parsed arguments (an object when the call's JSON parsed, else the raw value). */
  args: unknown;
  /** The result sent back, when the recording has it. */
  result?: unknown;
  answered: boolean;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function sorted(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => a.t - b.t || a.seq - b.seq);
}

/** Pairs start/stop rows into spans; an unclosed span ends at `endOfRecording`. */
function pairSpans(events: readonly RecordedEvent[], startType: string, stopType: string, endOfRecording: number): Span[] {
  const spans: Span[] = [];
  let open: number | null = null;
  for (const e of sorted(events)) {
    if (e.source !== 'rtvi') continue;
    if (e.type === startType && open === null) open = e.t;
    else if (e.type === stopType && open !== null) {
      spans.push({ start: open, end: e.t });
      open = null;
    }
  }
  if (open !== null) spans.push({ start: open, end: Math.max(open, endOfRecording) });
  return spans;
}

/**
 * The user's speech spans. Where the local VAD spoke (`data.source === 'local-vad'`) only its
 * rows count: the provider's own speech events can duplicate them on another clock.
 */
export function userSpeechSpans(rec: Recording): Span[] {
  const rows = rec.events.filter((e) => e.source === 'rtvi' && (e.type === 'user-started-speaking' || e.type === 'user-stopped-speaking'));
  const local = rows.filter((e) => obj(e.data)?.source === 'local-vad');
  return pairSpans(local.length > 0 ? local : rows, 'user-started-speaking', 'user-stopped-speaking', rec.meta.durationMs);
}

/** When the bot was audible (bot-started-speaking → bot-stopped-speaking, from actual playback). */
export function botSpeechSpans(rec: Recording): Span[] {
  return pairSpans(rec.events, 'bot-started-speaking', 'bot-stopped-speaking', rec.meta.durationMs);
}

/** Messages the user typed, from the outgoing provider frames that carried them. */
export function typedMessages(rec: Recording): TypedMessage[] {
  const out: TypedMessage[] = [];
  for (const e of sorted(rec.events)) {
    if (e.source !== 'raw' || e.direction !== 'out') continue;
    const d = obj(e.data);
    if (!d) continue;
    let text: string | null = null;
    if (e.type === 'conversation.item.create') {
      // OpenAI: a user message item with input_text parts.
      const item = obj(d.item);
      if (item?.role === 'user' && item.type === 'message' && Array.isArray(item.content)) {
        const parts = item.content.map(obj).filter((c) => c?.type === 'input_text' && typeof c.text === 'string').map((c) => c!.text as string);
        if (parts.length) text = parts.join('');
      }
    } else if (e.type === 'realtimeInput') {
      // Gemini: realtimeInput.text (models that take text through the realtime channel).
      const ri = obj(d.realtimeInput);
      if (typeof ri?.text === 'string') text = ri.text;
    } else if (e.type === 'message') {
      // Pipecat bot: RTVI send-text carried in an outgoing protobuf MessageFrame (pipecat-server.md §3).
      const env = obj(obj(d.message)?.data);
      const content = obj(env?.data)?.content;
      if (env?.label === 'rtvi-ai' && env.type === 'send-text' && typeof content === 'string') text = content;
    } else if (e.type === 'clientContent') {
      // Gemini: a completed user turn sent as client content.
      const cc = obj(d.clientContent);
      if (cc?.turnComplete === true && Array.isArray(cc.turns)) {
        const parts = cc.turns
          .map(obj)
          .filter((t) => t?.role === 'user' && Array.isArray(t.parts))
          .flatMap((t) => (t!.parts as unknown[]).map(obj).filter((p) => typeof p?.text === 'string').map((p) => p!.text as string));
        if (parts.length) text = parts.join('');
      }
    }
    if (text !== null && text.trim()) out.push({ t: e.t, text });
  }
  return out;
}

function parseArgs(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? {};
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** Tool calls with their arguments and (when answered) results, from the RTVI function-call rows. */
export function toolCalls(rec: Recording): ToolCallRecord[] {
  const byId = new Map<string, ToolCallRecord>();
  const list: ToolCallRecord[] = [];
  for (const e of sorted(rec.events)) {
    if (e.source !== 'rtvi') continue;
    const d = obj(e.data);
    if (!d || typeof d.tool_call_id !== 'string') continue;
    if (e.type === 'llm-function-call-in-progress' && !byId.has(d.tool_call_id)) {
      const call: ToolCallRecord = { t: e.t, id: d.tool_call_id, name: String(d.function_name ?? ''), args: parseArgs(d.arguments), answered: false };
      byId.set(call.id, call);
      list.push(call);
    } else if (e.type === 'llm-function-call-stopped') {
      const call = byId.get(d.tool_call_id);
      if (call && d.cancelled !== true && 'result' in d) {
        call.result = d.result;
        call.answered = true;
      }
    }
  }
  return list;
}

/** The recording's final transcripts, in order: the user's and the bot's text per turn. */
export interface TranscriptEntry {
  t: number;
  role: 'user' | 'bot';
  text: string;
}

export function transcripts(rec: Recording): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  for (const e of sorted(rec.events)) {
    if (e.source !== 'rtvi') continue;
    const d = obj(e.data);
    if (e.type === 'user-transcription' && d && d.final === true && typeof d.text === 'string') out.push({ t: e.t, role: 'user', text: d.text });
    else if (e.type === 'bot-output' && d && typeof d.text === 'string') out.push({ t: e.t, role: 'bot', text: d.text });
  }
  return out;
}
