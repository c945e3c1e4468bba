import type { LogEvent } from '../shared/log-event.ts';
import { ConversationBuilder } from '../offscreen/conversation-builder.ts';
import { SessionMetricsAccumulator, tokensOf, type TokenUsage } from '../inspector-core/session-metrics.ts';

/** A tool call the bot made during a reply, with how it was answered. */
export interface ObservedToolCall {
  name: string;
  /** Parsed arguments (the provider's JSON string parsed; `{}` when absent or unparsable). */
  args: Record<string, unknown>;
  status: 'answered' | 'timed-out' | 'cancelled' | 'pending';
}

/**
 * What the bot did in answer to one step: the facts assertions are checked against. Everything
 * comes from the session's event rows (the same rows the inspector shows and a recording keeps),
 * so a result can be re-checked from a recording later.
 */
export interface ReplyObservation {
  /** The bot's words as heard: sentences of every bot turn in the window, joined. */
  transcript: string;
  toolCalls: ObservedToolCall[];
  /** Voice-to-voice of the first reply to speech: user stopped → first bot audio played. */
  latencyMs: number | null;
  /** Bot audio played in the window, from its speaking rows (stamped at actual playback). */
  audioMs: number;
  /** Error rows (RTVI `error`, transport errors) in the window, as their messages. */
  errors: string[];
  /** The bot was interrupted (barge-in) during the window. */
  interrupted: boolean;
  tokens: TokenUsage | null;
  /** Seq of the window's first and last rows, to point a failure at the event log and timeline. */
  fromSeq: number | null;
  toSeq: number | null;
  /** `t` (ms since connect) of the window's first row. */
  fromT: number | null;
}

/**
 * Reads one step's reply out of the rows between the step's start and its end. `before` are the
 * rows of the same session just before the window (the user's speech may have been detected a
 * moment before the step's own rows, and latency needs where the user stopped).
 */
export function observeReply(window: readonly LogEvent[], before: readonly LogEvent[] = []): ReplyObservation {
  const bot: string[] = [];
  const builder = new ConversationBuilder((turn) => {
    if (turn.role === 'bot' && turn.final && turn.text.trim()) bot.push(turn.text.trim());
  });
  const metrics = new SessionMetricsAccumulator();
  for (const ev of before) metrics.add(ev);
  const firstTurn = metrics.turns.length;

  const calls = new Map<string, ObservedToolCall>();
  const unnamed: ObservedToolCall[] = [];
  const errors: string[] = [];
  let audioMs = 0;
  let speakingSince: number | null = null;
  let interrupted = false;
  let tokens: TokenUsage | null = null;
  let lastT: number | null = null;

  for (const ev of window) {
    metrics.add(ev);
    lastT = ev.t;
    if (ev.source === 'rtvi') builder.onRtvi(ev.type, ev.data, { seq: ev.seq, t: ev.t, session: ev.session });
    const d = (ev.data && typeof ev.data === 'object' ? ev.data : {}) as Record<string, unknown>;
    if (ev.source === 'rtvi') {
      switch (ev.type) {
        case 'bot-started-speaking':
          speakingSince ??= ev.t;
          break;
        case 'bot-stopped-speaking':
          if (speakingSince !== null) audioMs += ev.t - speakingSince;
          speakingSince = null;
          break;
        case 'bot-interrupted':
        case 'user-started-speaking':
          if (speakingSince !== null) interrupted = true;
          break;
        case 'llm-function-call-in-progress':
        case 'llm-function-call-started': {
          const name = typeof d.function_name === 'string' ? d.function_name : undefined;
          if (!name) break;
          const id = typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined;
          // `llm-function-call-started` announces a call by name before its arguments (RTVI 1.x);
          // its `-in-progress` row follows with id and arguments, so without an id it is no new call.
          if (ev.type === 'llm-function-call-started' && id === undefined) break;
          const call: ObservedToolCall = { name, args: parseArgs(d.arguments ?? d.args), status: 'pending' };
          if (id === undefined) unnamed.push(call);
          else if (!calls.has(id) || ev.type === 'llm-function-call-in-progress') calls.set(id, { ...call, status: calls.get(id)?.status ?? 'pending' });
          break;
        }
        case 'llm-function-call-stopped': {
          const id = typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined;
          const call = id ? calls.get(id) : undefined;
          if (call) call.status = d.cancelled === true ? 'cancelled' : d.timed_out === true ? 'timed-out' : 'answered';
          break;
        }
        case 'metrics': {
          const tok = tokensOf(ev.data);
          if (tok) tokens = tokens ? { prompt: tokens.prompt + tok.prompt, completion: tokens.completion + tok.completion, total: tokens.total + tok.total } : tok;
          break;
        }
        case 'error':
        case 'error-response':
          errors.push(errorText(d));
          break;
      }
    } else if (ev.source === 'transport' && (ev.type === 'error' || ev.type === 'host-error')) {
      errors.push(errorText(d));
    }
  }
  // A reply still playing when the window closed counts up to the last row seen.
  if (speakingSince !== null && lastT !== null) audioMs += lastT - speakingSince;
  // Flush the turn still open at the window's end (the builder emits final turns only when closed).
  builder.onRtvi('bot-stopped-speaking', {});

  const replies = metrics.turns.slice(firstTurn);
  const latencyMs = replies.find((t) => t.voiceToVoiceMs !== null)?.voiceToVoiceMs ?? null;
  return {
    transcript: bot.join(' '),
    toolCalls: [...calls.values(), ...unnamed],
    latencyMs,
    audioMs: Math.max(0, Math.round(audioMs)),
    errors,
    interrupted: interrupted || replies.some((t) => t.interruptedAt !== null),
    tokens,
    fromSeq: window[0]?.seq ?? null,
    toSeq: window.at(-1)?.seq ?? null,
    fromT: window[0]?.t ?? null,
  };
}

function parseArgs(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw === 'string') {
    try {
      const v: unknown = JSON.parse(raw);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // The model produced arguments that are not JSON: assertions see no arguments.
    }
  }
  return {};
}

function errorText(d: Record<string, unknown>): string {
  for (const k of ['message', 'error', 'reason']) {
    const v = d[k];
    if (typeof v === 'string' && v) return v;
    if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return (v as { message: string }).message;
  }
  return JSON.stringify(d).slice(0, 200);
}
