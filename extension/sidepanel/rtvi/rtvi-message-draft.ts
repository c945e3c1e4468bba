/**
 * A hand-written RTVI message for a Pipecat bot (the `Send RTVI message` form): the client → server
 * messages of the RTVI standard (https://docs.pipecat.ai/client/rtvi-standard, pipecat-server.md §3)
 * with a starting payload each, and the checks the form makes before anything is sent.
 */

export interface RtviMessageTemplate {
  type: string;
  /** What the bot does with it, shown beside the form. */
  help: string;
  /** A starting payload, as JSON text. */
  data: string;
}

export const RTVI_MESSAGE_TEMPLATES: readonly RtviMessageTemplate[] = [
  {
    type: 'client-message',
    help: "Your app's own message: the bot's on_client_message handler gets `t` and `d`; it answers with a server-response only if your code sends one.",
    data: '{\n  "t": "my-event",\n  "d": {}\n}',
  },
  {
    type: 'send-text',
    help: 'Text into the conversation as the user. run_immediately interrupts and answers now; audio_response false asks for text only.',
    data: '{\n  "content": "Hello from the workbench",\n  "options": { "run_immediately": true, "audio_response": true }\n}',
  },
  {
    type: 'append-to-context',
    help: 'Older bots: adds a message to the LLM context (role user or assistant); run_immediately runs the LLM on it.',
    data: '{\n  "role": "user",\n  "content": "Remember that I prefer Celsius.",\n  "run_immediately": false\n}',
  },
  {
    type: 'disconnect-bot',
    help: 'Asks the bot to end its pipeline.',
    data: '{}',
  },
];

export type RtviDraftResult = { ok: true; type: string; data: unknown } | { ok: false; field: 'type' | 'data'; error: string };

/** RTVI message types are kebab-case words (the standard's own and an app's custom ones). */
const TYPE_PATTERN = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;

/** Checks a draft: a type the bot could route, and data that is JSON (empty data means none). */
export function parseRtviDraft(type: string, dataText: string): RtviDraftResult {
  const t = type.trim();
  if (!t) return { ok: false, field: 'type', error: 'Give the RTVI message a type, such as client-message.' };
  if (!TYPE_PATTERN.test(t)) return { ok: false, field: 'type', error: `"${t.slice(0, 60)}" is not an RTVI message type: lower-case words joined by "-", such as client-message.` };
  const text = dataText.trim();
  if (!text) return { ok: true, type: t, data: undefined };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, field: 'data', error: `The message data is not valid JSON: ${(e as Error).message}` };
  }
  if (t === 'client-message') {
    const d = data as { t?: unknown } | null;
    if (!d || typeof d !== 'object' || Array.isArray(d) || typeof d.t !== 'string' || !d.t) return { ok: false, field: 'data', error: 'A client-message needs data {"t": "<your message type>", "d": <anything>}: Pipecat routes it by "t".' };
  }
  if (t === 'send-text') {
    const d = data as { content?: unknown } | null;
    if (!d || typeof d !== 'object' || typeof d.content !== 'string' || !d.content.trim()) return { ok: false, field: 'data', error: 'A send-text needs data {"content": "<text>"}.' };
  }
  return { ok: true, type: t, data };
}

/** The template for a type, if it is one of the standard's. */
export function templateFor(type: string): RtviMessageTemplate | undefined {
  return RTVI_MESSAGE_TEMPLATES.find((x) => x.type === type.trim());
}
