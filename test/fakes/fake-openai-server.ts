import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { FakeMcp, type FakeMcpApprovalRecord, type FakeMcpExecution, type FakeMcpCallPlan, type FakeMcpOptions } from './fake-openai-mcp.ts';
import { invalidValue, mergeSession, validateGaSession, type FakeOpenAIError } from './openai-session-validation.ts';

/**
 * A fake OpenAI Realtime server (GA interface) for adapter and end-to-end tests, following
 * `shared/reference/provider-protocols.md` part A and transcript C.1: `ek_` client secrets over
 * HTTP, the `realtime` subprotocol echoed, text frames only, `session.created` first, strict GA
 * session validation, server VAD on the appended audio's energy, scripted responses, and the live
 * error events and close codes. It records every client frame and handshake for assertions.
 */

export interface FakeFunctionCallPlan {
  name: string;
  /** The raw `arguments` string the model "produced" (may be invalid JSON on purpose). */
  arguments: string;
  callId?: string;
}

export interface FakeResponsePlan {
  /** The transcript (audio mode) or text (text mode) of the reply. */
  text?: string;
  /** Audio to stream in audio mode; default 60 ms per word, at least 300 ms. */
  audioMs?: number;
  /**
   * The reply's audio as 24 kHz mono PCM16 instead of the default 220 Hz tone: the live service
   * streams the model's speech in the same deltas (base64 PCM16 at 24 kHz, provider-protocols.md
   * A.7). Benches use it where the signal matters, as for echo cancellation, which a pure tone
   * does not exercise as speech does. Cut into `deltaMs` pieces; `audioMs` is its length.
   */
  audioPcm?: Int16Array;
  /** Audio per `response.output_audio.delta` (default 100 ms). */
  deltaMs?: number;
  /** Wall-clock gap between deltas (default 5 ms: the real service streams faster than real time). */
  intervalMs?: number;
  /** Function calls instead of speech; several calls make one response with several items. */
  functionCalls?: FakeFunctionCallPlan[];
  /** MCP tool calls instead of speech (fake-openai-mcp.ts): approval requests or calls run by the server. */
  mcpCalls?: FakeMcpCallPlan[];
  /** Gap between the last function-call item and `response.done` (default 30 ms). */
  doneDelayMs?: number;
  /** Destroy the TCP connection (no close frame) after this many audio deltas. */
  abortAfterDeltas?: number;
  /**
   * End the response early with this status after `endAfterDeltas` audio deltas (default 1), as
   * the live service does for a content filter or a failure (`status_details` shapes: SDK
   * `RealtimeResponseStatus`, provider-protocols.md A.7).
   */
  endStatus?: { status: 'incomplete'; reason: 'max_output_tokens' | 'content_filter' } | { status: 'failed'; error: { type: string; code: string; message: string } };
  endAfterDeltas?: number;
  usage?: { input_tokens: number; output_tokens: number };
}

export interface FakeResponseContext {
  /** What triggered the response. */
  trigger: 'server-vad' | 'response.create';
  /** Last user text item or transcript, if any. */
  lastUserText: string | null;
  /** Function outputs added since the previous response. */
  functionOutputs: Array<{ call_id: string; output: string }>;
  session: Record<string, unknown>;
  responseIndex: number;
}

/**
 * Which OpenAI-compatible service the fake plays. Each difference below cites its source; the
 * findings are collected, with their URLs, in docs/protocols-openai-compatible.md.
 */
export type FakeVendor = 'openai' | 'xai' | 'elevenlabs' | 'azure';

interface VendorRoutes {
  /** WebSocket path. */
  socketPath: string;
  /** Token (client secret) POST path. */
  secretPath: string;
  /** The token request's credential, from its headers. */
  secretCredential(req: http.IncomingMessage): string | null;
  /** Whether the token request body is acceptable (null) or the error to answer with. */
  checkSecretBody(body: { session?: unknown; expires_after?: { seconds?: number; anchor?: unknown } }): string | null;
  /** The credential of a WebSocket handshake. */
  socketCredential(req: http.IncomingMessage, protocols: string[], url: URL): string | null;
  /** The subprotocol the server echoes. */
  echoProtocol(protocols: Set<string>): string | false;
  /** The first server event after the upgrade. */
  greeting: 'session.created' | 'conversation.created';
  /** Minted token values. */
  secretPrefix: string;
  /** session.update takes xAI's flat fields (`voice`, `turn_detection`) rather than the GA nesting. */
  flatSession: boolean;
  /** Voice names the service takes; null: any voice id. */
  voices: ReadonlySet<string> | null;
}

const OPENAI_VOICES = new Set(['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar']);

const bearer = (req: http.IncomingMessage) => /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? null;
const fromSubprotocol = (protocols: string[], prefix: string) => protocols.find((p) => p.startsWith(prefix))?.slice(prefix.length) ?? null;
const headerValue = (req: http.IncomingMessage, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : null;
};

const VENDOR_ROUTES: Record<FakeVendor, VendorRoutes> = {
  // OpenAI: provider-protocols.md A.1/A.2 (`/v1/realtime`, `realtime` echoed, key or ek_ in
  // `openai-insecure-api-key.*`, Bearer server-side; client secrets at `/v1/realtime/client_secrets`).
  openai: {
    socketPath: '/v1/realtime',
    secretPath: '/v1/realtime/client_secrets',
    secretCredential: bearer,
    checkSecretBody: () => null,
    socketCredential: (req, protocols) => fromSubprotocol(protocols, 'openai-insecure-api-key.') ?? bearer(req),
    echoProtocol: (p) => (p.has('realtime') ? 'realtime' : false),
    greeting: 'session.created',
    secretPrefix: 'ek_',
    flatSession: false,
    voices: OPENAI_VOICES,
  },
  // xAI (docs.x.ai developers/model-capabilities/audio/ephemeral-tokens and .../voice-agent):
  // `wss://api.x.ai/v1/realtime?model=…`; tokens from `POST /v1/realtime/client_secrets` with
  // `Authorization: Bearer <key>` and body `{expires_after:{seconds}}` only ("Does not support
  // session or expires_after.anchor fields"); a browser offers `xai-client-secret.<token>` as its one
  // subprotocol (xAI SDK README; cookbook clients), so the server can only echo that one; the first
  // event is `conversation.created` (docs.litellm.ai providers/xai_realtime); session.update carries
  // flat `voice`, `instructions`, `turn_detection` (docs.x.ai voice-agent examples).
  xai: {
    socketPath: '/v1/realtime',
    secretPath: '/v1/realtime/client_secrets',
    secretCredential: bearer,
    checkSecretBody: (b) =>
      b.session !== undefined ? 'Unsupported field: session' : b.expires_after?.anchor !== undefined ? 'Unsupported field: expires_after.anchor' : null,
    socketCredential: (req, protocols) => fromSubprotocol(protocols, 'xai-client-secret.') ?? bearer(req),
    echoProtocol: (p) => [...p].find((x) => x.startsWith('xai-client-secret.')) ?? false,
    greeting: 'conversation.created',
    secretPrefix: 'xai-',
    flatSession: true,
    // The five voices of docs.x.ai's voice-agent guide (Ara is the default).
    voices: new Set(['Ara', 'Rex', 'Sal', 'Eve', 'Leo', 'ara', 'rex', 'sal', 'eve', 'leo']),
  },
  // ElevenLabs (Eleven Realtime; @elevenlabs/elevenlabs-js `conversationalAi.realtime.createClientSecret`,
  // elevenlabs/skills realtime/references/session-config.md): socket `/v1/convai/realtime?model=…`,
  // GA session shape; the mint `POST /v1/convai/realtime/client_secrets` takes the GA body and the
  // `xi-api-key` header (the only credential header ElevenLabs' SDKs send); the browser passes the
  // secret as the OpenAI SDK does (`realtime` + `openai-insecure-api-key.<secret>`).
  elevenlabs: {
    socketPath: '/v1/convai/realtime',
    secretPath: '/v1/convai/realtime/client_secrets',
    secretCredential: (req) => headerValue(req, 'xi-api-key'),
    checkSecretBody: () => null,
    socketCredential: (req, protocols) => fromSubprotocol(protocols, 'openai-insecure-api-key.') ?? headerValue(req, 'xi-api-key'),
    echoProtocol: (p) => (p.has('realtime') ? 'realtime' : false),
    greeting: 'session.created',
    secretPrefix: 'ek_',
    flatSession: false,
    // ElevenLabs voices are ids from the user's voice library: any id is taken.
    voices: null,
  },
  // Azure (learn.microsoft.com azure/foundry/openai/how-to/realtime-audio-websockets, GA tab):
  // `wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>`; the key as an
  // `api-key` header or `api-key` query parameter, or Entra `Authorization: Bearer`; client secrets
  // at `/openai/v1/realtime/client_secrets` with the `api-key` header (realtime-audio-webrtc). The
  // `openai-insecure-api-key.*` subprotocol is NOT documented by Azure: the fake accepts it as the
  // OpenAI-compatible v1 route would, and the adapter offers the documented query form as well.
  azure: {
    socketPath: '/openai/v1/realtime',
    secretPath: '/openai/v1/realtime/client_secrets',
    secretCredential: (req) => headerValue(req, 'api-key'),
    checkSecretBody: () => null,
    socketCredential: (req, protocols, url) => url.searchParams.get('api-key') ?? headerValue(req, 'api-key') ?? fromSubprotocol(protocols, 'openai-insecure-api-key.') ?? bearer(req),
    echoProtocol: (p) => (p.has('realtime') ? 'realtime' : false),
    greeting: 'session.created',
    secretPrefix: 'ek_',
    flatSession: false,
    // Azure serves OpenAI's models and their voices (realtime-audio-reference: "follows the OpenAI Realtime API specification").
    voices: OPENAI_VOICES,
  },
};

export interface FakeOpenAIServerOptions {
  /** The service the fake plays (default `openai`). */
  vendor?: FakeVendor;
  /** The one long-lived key the fake accepts (default `sk-test-fake-openai-key-0123456789`). */
  apiKey?: string;
  /** Models that close with 4004 model_not_found; default: the preview aliases retired in GA. */
  isUnknownModel?: (model: string) => boolean;
  /** Transcripts of successive committed user audio turns (cycled); default `Hello there.` */
  userTranscripts?: string[];
  /** Reply when nothing is queued and `planResponse` returns nothing. */
  replyText?: string;
  planResponse?: (ctx: FakeResponseContext) => FakeResponsePlan | undefined;
  /** RMS (0..1) above which appended audio counts as speech (default 0.02). */
  vadRmsThreshold?: number;
  /** Session lifetime reported in `session.created.session.expires_at` (default 3600 s). */
  sessionSeconds?: number;
  /** Send `session.created` this long after the upgrade (default 0). */
  sessionCreatedDelayMs?: number;
  /** Never answer `session.update` (for connect-timeout tests). */
  ignoreSessionUpdate?: boolean;
  /** Delay before transcription events after a commit (default 5 ms, so they interleave with the response). */
  transcriptionDelayMs?: number;
  /**
   * How long a response stays active after `response.cancel` (default 40 ms), still streaming
   * deltas, before its `response.done` with status `cancelled`. The live service cancels
   * asynchronously: provider-protocols.md §E (14 text deltas after the cancel in one capture), and
   * the SDK's `ResponseCancelEvent` doc ("The server will respond with a `response.done` event
   * with a status of `response.status=cancelled`"). May be a function so property tests can draw it.
   */
  cancelLagMs?: number | (() => number);
  /** MCP servers' tools and the orderings drawn (fake-openai-mcp.ts). */
  mcp?: FakeMcpOptions;
  /**
   * The judge's answer on `POST /v1/chat/completions` to the user message it is given (default:
   * yes). The fake does no language understanding: the test decides the verdict.
   */
  judgeAnswer?: (userMessage: string, model: string) => { answer: string; reasoning: string };
}

/** A `POST /v1/chat/completions` the fake received (a voice test's judged assertion). */
export interface FakeChatRequest {
  url: string;
  authorized: boolean;
  model: string | null;
  userMessage: string;
  status: number;
}

export interface FakeHandshake {
  url: string;
  model: string | null;
  protocols: string[];
  /** The credential from `openai-insecure-api-key.*` or `Authorization: Bearer`. */
  credential: string | null;
  at: number;
}

export interface FakeReceivedFrame {
  /** Order across received and sent frames of the whole server. */
  seq: number;
  connection: number;
  at: number;
  type: string;
  /** The event with base64 audio replaced by `<N bytes>`. */
  event: Record<string, unknown>;
  binary: boolean;
  bytes: number;
  /** Decoded PCM bytes for `input_audio_buffer.append`. */
  audioBytes?: number;
  /**
   * The decoded audio of `input_audio_buffer.append` (base64 PCM16 mono at the session's input
   * rate, 24 kHz for `audio/pcm`: the API reference's input_audio_buffer.append and
   * RealtimeAudioFormats in node_modules/openai). Kept so tests can compare what arrived.
   */
  pcm?: Buffer;
}

export interface FakeSentFrame {
  seq: number;
  connection: number;
  at: number;
  type: string;
  event: Record<string, unknown>;
}

export interface FakeSecretRequest {
  authorized: boolean;
  body: unknown;
  status: number;
  value?: string;
}

export interface FakeOpenAIServer {
  /** `ws://127.0.0.1:<port>/v1/realtime` (the adapter adds `?model=`). */
  url: string;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
  apiKey: string;
  handshakes: FakeHandshake[];
  received: FakeReceivedFrame[];
  sent: FakeSentFrame[];
  secretRequests: FakeSecretRequest[];
  chatRequests: FakeChatRequest[];
  /** Closes seen by the server: `{connection, code, reason, by}`. */
  closes: Array<{ connection: number; code: number; reason: string; by: 'server' | 'client' }>;
  /** The effective session of each connection (index = connection - 1). */
  sessions: Array<Record<string, unknown>>;
  /** MCP approval answers received, in order (all connections). */
  mcpApprovals: FakeMcpApprovalRecord[];
  /** MCP calls the fake's MCP server ran (all connections). */
  mcpExecuted: FakeMcpExecution[];
  /** Queue the plan for the next response (any connection). */
  queueResponse(plan: FakeResponsePlan): void;
  /** Client frames of one type, in order. */
  receivedOfType(type: string): FakeReceivedFrame[];
  sentOfType(type: string): FakeSentFrame[];
  /** Resolves when the predicate holds over the records; rejects after timeoutMs saying what was awaited. */
  waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  waitForReceived(type: string, count?: number, timeoutMs?: number): Promise<FakeReceivedFrame>;
  waitForSent(type: string, count?: number, timeoutMs?: number): Promise<FakeSentFrame>;
  /** Destroys every open TCP connection without a close frame (client sees 1006). */
  dropConnections(): void;
  /** Closes every open connection with this code and reason (a close frame, as the live service sends). */
  closeConnections(code: number, reason: string): void;
  /** Sends a server event on the latest connection (for malformed-frame and custom tests). */
  sendRaw(data: string | Buffer, opts?: { binary?: boolean }): void;
  openConnections(): number;
  close(): Promise<void>;
}

const DEFAULT_KEY = 'sk-test-fake-openai-key-0123456789';
const SAMPLE_RATE = 24_000;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.clear',
  'input_audio_buffer.commit',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
  'session.close',
  'session.input_audio_buffer.append',
  'transcription_session.update',
];

function rid(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 21; i++) s += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}

/**
 * xAI's flat session fields (docs.x.ai voice-agent: `voice`, `turn_detection` beside
 * `instructions`, `audio.{input,output}.format`, `tools`) moved where the GA session keeps them, so
 * the rest of the fake treats every vendor alike. The flat fields stay visible in `received`.
 */
function nestFlatSession(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const { voice, turn_detection, ...rest } = raw as Record<string, unknown>;
  const audio = (rest.audio ?? {}) as { input?: Record<string, unknown>; output?: Record<string, unknown> };
  const out: Record<string, unknown> = { type: 'realtime', ...rest, audio: { ...audio, input: { ...(audio.input ?? {}) }, output: { ...(audio.output ?? {}) } } };
  const a = out.audio as { input: Record<string, unknown>; output: Record<string, unknown> };
  if (voice !== undefined) a.output.voice = voice;
  if (turn_detection !== undefined) a.input.turn_detection = turn_detection;
  return out;
}

function defaultPreviewModel(model: string): boolean {
  return /realtime-preview/.test(model);
}

function defaultSession(model: string, expiresAt: number): Record<string, unknown> {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: rid('sess_'),
    model,
    output_modalities: ['audio'],
    instructions: 'Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI.',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: expiresAt,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, idle_timeout_ms: null, create_response: true, interrupt_response: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
    },
    include: null,
  };
}

/**
 * The tool choice that governs one response: the response-level `tool_choice` of
 * `response.create` overrides the session's (SDK `RealtimeResponseCreateParams.tool_choice`,
 * `RealtimeSessionCreateRequest.tool_choice`).
 */
function effectiveToolChoice(session: Record<string, unknown>, overrides: Record<string, unknown> | undefined): unknown {
  return overrides && 'tool_choice' in overrides ? overrides.tool_choice : (session.tool_choice ?? 'auto');
}

/**
 * `required` forces a call to some tool and `{type:'function', name}` to that one, on every
 * response it governs (SDK `ToolChoiceOptions`: "`required` means the model must call one or more
 * tools"); `none` forbids calls. Users see the forced call repeat after every tool result when the
 * follow-up does not override the choice: livekit/agents#1145 ("tool_choice=required results in
 * endless loop"), davidmigloz/langchain_dart#696, openai/openai-realtime-api-beta#31.
 */
function applyToolChoice(plan: FakeResponsePlan, choice: unknown, session: Record<string, unknown>): FakeResponsePlan {
  const tools = Array.isArray(session.tools) ? (session.tools as Array<{ name?: string }>) : [];
  if (choice === 'none' && plan.functionCalls?.length) return { text: plan.text ?? 'I will answer without tools.' };
  const forcedName = choice === 'required' ? tools[0]?.name : choice && typeof choice === 'object' ? (choice as { name?: string }).name : undefined;
  if (!forcedName) return plan;
  const calls = plan.functionCalls ?? [];
  if (choice === 'required' ? calls.length > 0 : calls.some((c) => c.name === forcedName)) return plan;
  return { functionCalls: [{ name: forcedName, arguments: '{}' }] };
}

function withTurnDefaults(session: Record<string, unknown>): Record<string, unknown> {
  const input = (session.audio as { input?: { turn_detection?: Record<string, unknown> | null } } | undefined)?.input;
  const td = input?.turn_detection;
  if (td && td.type === 'server_vad') input!.turn_detection = { threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: null, create_response: true, interrupt_response: true, ...td };
  if (td && td.type === 'semantic_vad') input!.turn_detection = { eagerness: 'auto', create_response: true, interrupt_response: true, ...td };
  return session;
}

function incorrectKeyMessage(key: string): string {
  return `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`;
}

function toneChunk(samples: number, phase: number): { b64: string; phase: number } {
  const buf = Buffer.alloc(samples * 2);
  let p = phase;
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(Math.sin(p) * 0.2 * 32767), i * 2);
    p += (2 * Math.PI * 220) / SAMPLE_RATE;
  }
  return { b64: buf.toString('base64'), phase: p % (2 * Math.PI) };
}

function pcmRms(pcm: Buffer): number {
  const n = pcm.length >> 1;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = pcm.readInt16LE(i * 2) / 32768;
    sum += v * v;
  }
  return Math.sqrt(sum / n);
}

interface ActiveResponse {
  id: string;
  output: Array<Record<string, unknown>>;
  /** The assistant message item being streamed (audio/text mode). */
  item: Record<string, unknown> | null;
  spoken: string;
  timer: ReturnType<typeof setTimeout> | undefined;
  modality: 'audio' | 'text';
  usage: { input_tokens: number; output_tokens: number };
  /** `response.cancel` arrived; the response ends as `cancelled` once the lag has passed. */
  cancelling: boolean;
  cancelTimer?: ReturnType<typeof setTimeout>;
}

export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey ?? DEFAULT_KEY;
  const routes = VENDOR_ROUTES[options.vendor ?? 'openai'];
  const isUnknownModel = options.isUnknownModel ?? defaultPreviewModel;
  const secrets = new Map<string, { expiresAt: number; session: Record<string, unknown> | null }>();
  const handshakes: FakeHandshake[] = [];
  const received: FakeReceivedFrame[] = [];
  const sent: FakeSentFrame[] = [];
  const secretRequests: FakeSecretRequest[] = [];
  const chatRequests: FakeChatRequest[] = [];
  const closes: FakeOpenAIServer['closes'] = [];
  const sessions: Array<Record<string, unknown>> = [];
  const queued: FakeResponsePlan[] = [];
  const mcpApprovals: FakeMcpApprovalRecord[] = [];
  const mcpExecuted: FakeMcpExecution[] = [];
  const sockets = new Set<Duplex>();
  const waiters = new Set<() => void>();
  let connectionCount = 0;
  let frameSeq = 0;
  let transcriptIndex = 0;
  let latest: { ws: WebSocket; connection: number } | null = null;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, OpenAI-Beta, xi-api-key, api-key',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
  };

  const httpServer = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      chatCompletion(req, res);
      return;
    }
    if (req.method !== 'POST' || path !== routes.secretPath) {
      res.writeHead(404, { 'Content-Type': 'application/json', ...cors }).end(JSON.stringify({ error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, record: FakeSecretRequest) => {
        secretRequests.push(record);
        res.writeHead(status, { 'Content-Type': 'application/json', ...cors }).end(JSON.stringify(body));
        notify();
      };
      const auth = routes.secretCredential(req);
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        reply(400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } }, { authorized: !!auth, body: raw, status: 400 });
        return;
      }
      if (!auth) {
        reply(401, { error: { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", type: 'invalid_request_error', param: null, code: null } }, { authorized: false, body, status: 401 });
        return;
      }
      if (auth !== apiKey) {
        reply(401, { error: { message: incorrectKeyMessage(auth), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, { authorized: false, body, status: 401 });
        return;
      }
      const b = (body ?? {}) as { session?: unknown; expires_after?: { seconds?: number; anchor?: unknown } };
      const refused = routes.checkSecretBody(b);
      if (refused) {
        // The wording of the vendor's refusal is not documented; only that these fields are unsupported.
        reply(400, { error: { message: refused, type: 'invalid_request_error', param: null, code: null } }, { authorized: true, body, status: 400 });
        return;
      }
      const problem = b.session === undefined ? null : validateGaSession(b.session, 'session', routes.voices);
      if (problem) {
        reply(400, { error: problem }, { authorized: true, body, status: 400 });
        return;
      }
      const seconds = b.expires_after?.seconds ?? 600;
      if (!(seconds >= 10 && seconds <= 7200)) {
        reply(400, { error: invalidValue('expires_after.seconds', 'Invalid value for expires_after.seconds: expected 10 to 7200.') }, { authorized: true, body, status: 400 });
        return;
      }
      const value = rid(routes.secretPrefix);
      const expiresAt = Math.floor(Date.now() / 1000) + seconds;
      const session = (b.session as Record<string, unknown> | undefined) ?? null;
      secrets.set(value, { expiresAt, session });
      reply(200, { value, expires_at: expiresAt, session: { ...(session ?? { type: 'realtime' }), object: 'realtime.session', id: rid('sess_') } }, { authorized: true, body, status: 200, value });
    });
  });

  /**
   * Chat Completions, as voice tests' judge uses it (https://platform.openai.com/docs/api-reference/chat/create;
   * node_modules/openai resources/chat/completions/completions.d.ts `ChatCompletion`,
   * `ChatCompletionMessage` with `content` and `refusal`, `CompletionUsage`). Bearer auth and the
   * 401 wording as the secret route above; with `response_format: json_schema` the content is the
   * JSON text the schema describes.
   */
  function chatCompletion(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const record: FakeChatRequest = { url: req.url ?? '', authorized: false, model: null, userMessage: '', status: 0 };
      const reply = (status: number, body: unknown) => {
        record.status = status;
        chatRequests.push(record);
        res.writeHead(status, { 'Content-Type': 'application/json', ...cors }).end(JSON.stringify(body));
        notify();
      };
      const auth = bearer(req);
      if (!auth) return reply(401, { error: { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", type: 'invalid_request_error', param: null, code: null } });
      if (auth !== apiKey) return reply(401, { error: { message: incorrectKeyMessage(auth), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      record.authorized = true;
      let body: { model?: unknown; messages?: Array<{ role?: unknown; content?: unknown }> };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        return reply(400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
      }
      if (typeof body.model !== 'string') return reply(400, { error: { message: "you must provide a model parameter", type: 'invalid_request_error', param: null, code: null } });
      record.model = body.model;
      const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
      record.userMessage = typeof user?.content === 'string' ? user.content : '';
      const verdict = options.judgeAnswer?.(record.userMessage, body.model) ?? { answer: 'yes', reasoning: 'The fake judge answers yes unless told otherwise.' };
      const content = JSON.stringify(verdict);
      const prompt = Math.ceil(raw.length / 4);
      const completion = Math.ceil(content.length / 4);
      reply(200, {
        id: rid('chatcmpl-'),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      });
    });
  }

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => routes.echoProtocol(protocols),
  });

  httpServer.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  httpServer.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const credential = routes.socketCredential(req, protocols, u);
    handshakes.push({ url: req.url ?? '', model: u.searchParams.get('model'), protocols, credential, at: Date.now() });
    notify();
    if (u.pathname !== routes.socketPath) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!credential) {
      const body = JSON.stringify({ error: { message: 'Missing bearer or basic authentication in header', type: 'invalid_request_error', param: null, code: null } });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = ++connectionCount;
      latest = { ws, connection };
      runSession(ws, connection, u.searchParams.get('model'), credential, protocols);
    });
  });

  function runSession(ws: WebSocket, connection: number, model: string | null, credential: string, protocols: string[]): void {
    let active: ActiveResponse | null = null;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const send = (event: Record<string, unknown>) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const full = { type: event.type, event_id: rid('event_'), ...event };
      sent.push({ seq: ++frameSeq, connection, at: Date.now(), type: String(full.type), event: summarise(full) });
      ws.send(JSON.stringify(full));
      notify();
    };
    const sendError = (err: FakeOpenAIError | { type: string; code: string; message: string; param: string | null }, clientEventId: string | null) => {
      send({ type: 'error', error: { ...err, event_id: clientEventId } });
    };
    const fatal = (err: { type: string; code: string; message: string }, code: number) => {
      sendError({ ...err, param: null }, null);
      closes.push({ connection, code, reason: `${err.type}.${err.code}`, by: 'server' });
      ws.close(code, `${err.type}.${err.code}`);
    };
    ws.on('close', (code, reason) => {
      if (!closes.some((c) => c.connection === connection)) closes.push({ connection, code, reason: reason.toString(), by: 'client' });
      clearTimeout(idleTimer);
      if (active?.timer) clearTimeout(active.timer);
      if (active?.cancelTimer) clearTimeout(active.cancelTimer);
      notify();
    });

    // ---- handshake checks, in the order the live service applies them
    if (protocols.includes('openai-beta.realtime-v1')) {
      fatal({ type: 'invalid_request_error', code: 'beta_api_shape_disabled', message: 'The beta Realtime API shape is disabled for this model. Use the GA interface.' }, 4000);
      return;
    }
    const secret = secrets.get(credential);
    const keyOk = credential === apiKey || (!!secret && secret.expiresAt * 1000 > Date.now());
    if (!keyOk) {
      fatal({ type: 'invalid_request_error', code: 'invalid_api_key', message: incorrectKeyMessage(credential) }, 3000);
      return;
    }
    if (!model) {
      fatal({ type: 'invalid_request_error', code: 'missing_model', message: 'You must provide a model parameter, for example wss://api.openai.com/v1/realtime?model=gpt-realtime-1.5' }, 4000);
      return;
    }
    if (isUnknownModel(model)) {
      fatal({ type: 'invalid_request_error', code: 'model_not_found', message: `The model \`${model}\` does not exist or you do not have access to it.` }, 4004);
      return;
    }

    const expiresAt = Math.floor(Date.now() / 1000) + (options.sessionSeconds ?? 3600);
    let session = defaultSession(model, expiresAt);
    if (secret?.session) session = withTurnDefaults(mergeSession(session, { ...secret.session, model }));
    sessions[connection - 1] = session;
    const conversation: Array<Record<string, unknown>> = [];
    const audioMsByItem = new Map<string, number>();
    let inputBufferMs = 0;
    let timelineMs = 0;
    let speaking = false;
    let speechItem: string | null = null;
    let silenceMs = 0;
    let lastUserText: string | null = null;
    let functionOutputs: Array<{ call_id: string; output: string }> = [];
    let assistantAudioSent = false;
    let responseIndex = 0;
    let phase = 0;
    const mcp = new FakeMcp(options.mcp ?? {}, rid, mcpApprovals, mcpExecuted);
    /**
     * Server VAD idle timeout (SDK `ServerVad.idle_timeout_ms` and `InputAudioBufferTimeoutTriggered`):
     * counted from `response.done` plus the reply's audio length; when it runs out without speech the
     * server sends `input_audio_buffer.timeout_triggered` (audio_start_ms/audio_end_ms spanning the
     * silence), commits the empty audio (`input_audio_buffer.committed`) and generates a response.
     */
    const armIdleTimeout = (replyAudioMs: number) => {
      clearTimeout(idleTimer);
      const td = turnDetection();
      const ms = td && td.type === 'server_vad' && typeof td.idle_timeout_ms === 'number' ? td.idle_timeout_ms : 0;
      if (ms <= 0) return;
      const startMs = Math.round(timelineMs);
      idleTimer = setTimeout(() => {
        if (active || speaking || ws.readyState !== WebSocket.OPEN) return;
        const itemId = rid('item_');
        send({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: startMs, audio_end_ms: Math.max(startMs, Math.round(timelineMs)), item_id: itemId });
        commitUserAudio(itemId);
        startResponse('server-vad', undefined);
      }, ms + replyAudioMs);
    };

    const turnDetection = () => ((session.audio as { input: { turn_detection: Record<string, unknown> | null } }).input.turn_detection);
    const transcription = () => ((session.audio as { input: { transcription: { model: string } | null } }).input.transcription);
    const lastItemId = () => (conversation.length ? String(conversation[conversation.length - 1].id) : null);
    const addItem = (item: Record<string, unknown>) => {
      const previous = lastItemId();
      conversation.push(item);
      send({ type: 'conversation.item.added', previous_item_id: previous, item });
      send({ type: 'conversation.item.done', previous_item_id: previous, item });
    };

    const commitUserAudio = (itemId: string) => {
      const previous = lastItemId();
      send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
      inputBufferMs = 0;
      addItem({ id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] });
      const transcripts = options.userTranscripts ?? ['Hello there.'];
      const text = transcripts[transcriptIndex++ % transcripts.length];
      lastUserText = text;
      if (transcription()) {
        setTimeout(() => {
          const words = text.split(/(?<=\s)/);
          const half = Math.max(1, Math.ceil(words.length / 2));
          send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: words.slice(0, half).join('') });
          if (words.length > half) send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: words.slice(half).join('') });
          send({ type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0, transcript: text, usage: { type: 'duration', seconds: 1 } });
        }, options.transcriptionDelayMs ?? 5);
      }
    };

    const responseObject = (r: ActiveResponse, status: string, statusDetails: unknown, usage: unknown) => ({
      object: 'realtime.response',
      id: r.id,
      status,
      status_details: statusDetails,
      output: r.output,
      conversation_id: 'conv_fake',
      output_modalities: [r.modality],
      max_output_tokens: session.max_output_tokens ?? 'inf',
      audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: (session.audio as { output: { voice: unknown } }).output.voice } },
      usage,
      metadata: null,
    });

    const finishResponse = (r: ActiveResponse, requested: 'completed' | 'cancelled' | 'incomplete' | 'failed', reason?: string, error?: unknown) => {
      if (r.timer) clearTimeout(r.timer);
      if (r.cancelTimer) clearTimeout(r.cancelTimer);
      if (active !== r) return;
      active = null;
      // A response whose content ran to its end after a cancel still reports `cancelled` (§E: one
      // capture has a `cancelled` response whose item is `completed`).
      const status = r.cancelling && requested === 'completed' ? 'cancelled' : requested;
      if (status === 'cancelled' && !reason) reason = 'client_cancelled';
      const item = r.item;
      if (item) {
        const ids = { response_id: r.id, item_id: item.id, output_index: 0, content_index: 0 };
        const incomplete = status !== 'completed';
        if (r.modality === 'audio') {
          send({ type: 'response.output_audio.done', ...ids });
          send({ type: 'response.output_audio_transcript.done', ...ids, transcript: r.spoken });
          send({ type: 'response.content_part.done', ...ids, part: { type: 'audio', transcript: r.spoken } });
          item.content = [{ type: 'output_audio', transcript: r.spoken }];
        } else {
          send({ type: 'response.output_text.done', ...ids, text: r.spoken });
          send({ type: 'response.content_part.done', ...ids, part: { type: 'text', text: r.spoken } });
          item.content = [{ type: 'output_text', text: r.spoken }];
        }
        item.status = incomplete ? 'incomplete' : 'completed';
        send({ type: 'conversation.item.done', previous_item_id: null, item });
        send({ type: 'response.output_item.done', response_id: r.id, output_index: 0, item });
      }
      const u = r.usage;
      const usage = {
        total_tokens: u.input_tokens + u.output_tokens,
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        input_token_details: { text_tokens: u.input_tokens, audio_tokens: 0, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
        output_token_details: { text_tokens: u.output_tokens, audio_tokens: 0 },
      };
      const details = status === 'completed' ? null : status === 'failed' ? { type: 'failed', error } : { type: status, reason };
      send({ type: 'response.done', response: responseObject(r, status, details, usage) });
      armIdleTimeout(item ? (audioMsByItem.get(String(item.id)) ?? 0) : 0);
      send({ type: 'rate_limits.updated', rate_limits: [{ name: 'tokens', limit: 15000000, remaining: 14999000, reset_seconds: 0.004 }] });
    };

    const startResponse = (trigger: FakeResponseContext['trigger'], overrides: Record<string, unknown> | undefined) => {
      responseIndex++;
      const ctx: FakeResponseContext = { trigger, lastUserText, functionOutputs, session, responseIndex };
      let plan: FakeResponsePlan = queued.shift() ?? options.planResponse?.(ctx) ?? defaultPlan(ctx);
      functionOutputs = [];
      plan = applyToolChoice(plan, effectiveToolChoice(session, overrides), session);
      const modalities = (overrides?.output_modalities as string[] | undefined) ?? (session.output_modalities as string[]);
      const r: ActiveResponse = {
        id: rid('resp_'),
        output: [],
        item: null,
        spoken: '',
        timer: undefined,
        modality: modalities[0] === 'text' ? 'text' : 'audio',
        usage: plan.usage ?? { input_tokens: 100 + responseIndex, output_tokens: 20 + responseIndex },
        cancelling: false,
      };
      active = r;
      send({ type: 'response.created', response: responseObject(r, 'in_progress', null, null) });

      if (plan.mcpCalls?.length) {
        mcp.startCalls(r.id, plan.mcpCalls, session, send, r.output, (item) => conversation.push(item), lastItemId);
        r.timer = setTimeout(() => {
          if (active === r) finishResponse(r, 'completed');
        }, plan.doneDelayMs ?? 30);
        return;
      }

      if (plan.functionCalls?.length) {
        plan.functionCalls.forEach((call, index) => {
          const item: Record<string, unknown> = { id: rid('item_'), object: 'realtime.item', type: 'function_call', status: 'in_progress', name: call.name, call_id: call.callId ?? rid('call_'), arguments: '' };
          r.output.push(item);
          const previous = lastItemId();
          conversation.push(item);
          send({ type: 'response.output_item.added', response_id: r.id, output_index: index, item: { ...item } });
          send({ type: 'conversation.item.added', previous_item_id: previous, item: { ...item } });
          const cut = Math.ceil(call.arguments.length / 2);
          for (const delta of [call.arguments.slice(0, cut), call.arguments.slice(cut)]) {
            if (delta) send({ type: 'response.function_call_arguments.delta', response_id: r.id, item_id: item.id, output_index: index, call_id: item.call_id, delta });
          }
          send({ type: 'response.function_call_arguments.done', response_id: r.id, item_id: item.id, output_index: index, call_id: item.call_id, name: call.name, arguments: call.arguments });
          item.arguments = call.arguments;
          item.status = 'completed';
          send({ type: 'conversation.item.done', previous_item_id: previous, item: { ...item } });
          send({ type: 'response.output_item.done', response_id: r.id, output_index: index, item: { ...item } });
        });
        // The live service takes a moment between the last call item and response.done; a client
        // that answers instantly and asks for a response without waiting must be caught.
        r.timer = setTimeout(() => {
          if (active === r) finishResponse(r, 'completed');
        }, plan.doneDelayMs ?? 30);
        return;
      }

      const text = plan.text ?? '';
      const item: Record<string, unknown> = { id: rid('item_'), object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      r.item = item;
      r.output.push(item);
      const previous = lastItemId();
      conversation.push(item);
      send({ type: 'response.output_item.added', response_id: r.id, output_index: 0, item: { ...item } });
      send({ type: 'conversation.item.added', previous_item_id: previous, item: { ...item } });
      const ids = { response_id: r.id, item_id: item.id as string, output_index: 0, content_index: 0 };
      send({ type: 'response.content_part.added', ...ids, part: r.modality === 'audio' ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } });
      let words = text.split(/(?<=\s)/).filter(Boolean);
      // A numeric max_output_tokens (session or response level) cuts the reply: status `incomplete`,
      // reason `max_output_tokens` (SDK `RealtimeResponseStatus`). One word counts as one token here.
      const maxTokens = (overrides?.max_output_tokens ?? session.max_output_tokens) as unknown;
      let endStatus = plan.endStatus;
      if (typeof maxTokens === 'number' && words.length > maxTokens) {
        words = words.slice(0, maxTokens);
        endStatus = { status: 'incomplete', reason: 'max_output_tokens' };
      }
      const endWith = () => {
        if (!endStatus) return finishResponse(r, 'completed');
        if (endStatus.status === 'failed') return finishResponse(r, 'failed', undefined, endStatus.error);
        return finishResponse(r, 'incomplete', endStatus.reason);
      };
      if (r.modality === 'text') {
        for (const w of words) {
          r.spoken += w;
          send({ type: 'response.output_text.delta', ...ids, delta: w });
        }
        endWith();
        return;
      }
      const audioMs = plan.audioPcm ? (plan.audioPcm.length / SAMPLE_RATE) * 1000 : (plan.audioMs ?? Math.max(300, words.length * 60));
      const deltaMs = plan.deltaMs ?? 100;
      const chunks = Math.max(1, Math.ceil(audioMs / deltaMs));
      let chunk = 0;
      let wordIndex = 0;
      audioMsByItem.set(item.id as string, 0);
      const step = () => {
        if (active !== r || ws.readyState !== WebSocket.OPEN) return;
        const wordsDue = Math.ceil(((chunk + 1) * words.length) / chunks);
        if (wordIndex < wordsDue) {
          const delta = words.slice(wordIndex, wordsDue).join('');
          wordIndex = wordsDue;
          r.spoken += delta;
          send({ type: 'response.output_audio_transcript.delta', ...ids, delta });
        }
        const ms = Math.min(deltaMs, audioMs - chunk * deltaMs);
        let b64: string;
        if (plan.audioPcm) {
          const from = Math.round((chunk * deltaMs * SAMPLE_RATE) / 1000);
          const piece = plan.audioPcm.subarray(from, from + Math.round((ms * SAMPLE_RATE) / 1000));
          b64 = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString('base64');
        } else {
          const tone = toneChunk(Math.round((ms * SAMPLE_RATE) / 1000), phase);
          phase = tone.phase;
          b64 = tone.b64;
        }
        send({ type: 'response.output_audio.delta', ...ids, delta: b64 });
        assistantAudioSent = true;
        audioMsByItem.set(ids.item_id, (audioMsByItem.get(ids.item_id) ?? 0) + ms);
        chunk++;
        if (plan.abortAfterDeltas !== undefined && chunk >= plan.abortAfterDeltas) {
          closes.push({ connection, code: 1006, reason: 'terminated by the fake', by: 'server' });
          ws.terminate();
          return;
        }
        if (chunk >= chunks || (plan.endStatus && chunk >= (plan.endAfterDeltas ?? 1))) {
          endWith();
          return;
        }
        r.timer = setTimeout(step, plan.intervalMs ?? 5);
      };
      r.timer = setTimeout(step, 0);
    };

    const defaultPlan = (ctx: FakeResponseContext): FakeResponsePlan => {
      if (ctx.functionOutputs.length) return { text: `The tool said ${ctx.functionOutputs.map((o) => o.output).join(' and ')}.` };
      if (ctx.trigger === 'response.create' && ctx.lastUserText && !ctx.lastUserText.endsWith('.')) return { text: `You said: ${ctx.lastUserText}.` };
      return { text: options.replyText ?? 'Hi! How can I help?' };
    };

    const onAppend = (pcm: Buffer) => {
      const ms = (pcm.length / 2 / SAMPLE_RATE) * 1000;
      inputBufferMs += ms;
      timelineMs += ms;
      const td = turnDetection();
      if (!td) return;
      const voiced = pcmRms(pcm) > (options.vadRmsThreshold ?? 0.02);
      if (voiced) {
        silenceMs = 0;
        if (!speaking) {
          clearTimeout(idleTimer);
          speaking = true;
          speechItem = rid('item_');
          const prefix = typeof td.prefix_padding_ms === 'number' ? td.prefix_padding_ms : 300;
          send({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.max(0, Math.round(timelineMs - ms - prefix)), item_id: speechItem });
          if (active && td.interrupt_response !== false) finishResponse(active, 'cancelled', 'turn_detected');
        }
        return;
      }
      if (!speaking) return;
      silenceMs += ms;
      const needed = typeof td.silence_duration_ms === 'number' ? td.silence_duration_ms : 500;
      if (silenceMs < needed) return;
      speaking = false;
      const itemId = speechItem ?? rid('item_');
      speechItem = null;
      send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(timelineMs - silenceMs), item_id: itemId });
      commitUserAudio(itemId);
      if (td.create_response !== false && !active) startResponse('server-vad', undefined);
    };

    const handle = (ev: Record<string, unknown>) => {
      const eventId = typeof ev.event_id === 'string' ? ev.event_id : null;
      switch (ev.type) {
        case 'session.update': {
          if (options.ignoreSessionUpdate) return;
          // A copy: `received` keeps what the client sent.
          const raw = routes.flatSession ? nestFlatSession(ev.session) : ev.session;
          const problem = validateGaSession(raw, 'session', routes.voices);
          if (problem) return sendError(problem, eventId);
          const s = raw as Record<string, unknown>;
          const voice = (s.audio as { output?: { voice?: unknown } } | undefined)?.output?.voice;
          const currentVoice = (session.audio as { output: { voice: unknown } }).output.voice;
          // Voice lock: SDK `RealtimeAudioConfigOutput.voice` ("Voice cannot be changed during the
          // session once the model has responded with audio at least once"). The error as users
          // quote it (openai/openai-python#2607, openai/openai-agents-python#1661): code
          // `cannot_update_voice`, `param: null`, so only the code says which field; the whole
          // update is refused, nothing in it applies.
          if (voice !== undefined && assistantAudioSent && JSON.stringify(voice) !== JSON.stringify(currentVoice)) {
            return sendError({ type: 'invalid_request_error', code: 'cannot_update_voice', message: "Cannot update a conversation's voice if assistant audio is present.", param: null }, eventId);
          }
          // Speed: SDK `RealtimeAudioConfigOutput.speed` ("can only be changed in between model
          // turns, not while a response is in progress"). No capture shows the live refusal's
          // wording; the fake refuses the whole update with an invalid_value naming the field, so
          // a client that ignores the rule is caught.
          const speed = (s.audio as { output?: { speed?: unknown } } | undefined)?.output?.speed;
          const currentSpeed = (session.audio as { output: { speed?: unknown } }).output.speed ?? 1;
          if (speed !== undefined && active && speed !== currentSpeed) {
            return sendError(invalidValue('session.audio.output.speed', 'Speed can only be changed between model turns, not while a response is in progress.'), eventId);
          }
          const { model: _ignored, ...rest } = s;
          session = withTurnDefaults(mergeSession(session, rest));
          sessions[connection - 1] = session;
          send({ type: 'session.updated', session });
          mcp.onSession(session, send, lastItemId, (item) => conversation.push(item));
          return;
        }
        case 'input_audio_buffer.append': {
          if (typeof ev.audio !== 'string') return sendError({ type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'audio'.", param: 'audio' }, eventId);
          onAppend(Buffer.from(ev.audio, 'base64'));
          return;
        }
        case 'input_audio_buffer.clear':
          inputBufferMs = 0;
          speaking = false;
          silenceMs = 0;
          send({ type: 'input_audio_buffer.cleared' });
          return;
        case 'input_audio_buffer.commit': {
          if (inputBufferMs < 100) {
            return sendError(
              { type: 'invalid_request_error', code: 'input_audio_buffer_commit_empty', message: `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${inputBufferMs.toFixed(2)}ms of audio.`, param: null },
              eventId,
            );
          }
          commitUserAudio(speechItem ?? rid('item_'));
          speechItem = null;
          speaking = false;
          return;
        }
        case 'conversation.item.create': {
          const item = ev.item as Record<string, unknown> | undefined;
          if (!item || typeof item !== 'object') return sendError({ type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'item'.", param: 'item' }, eventId);
          if (item.type === 'function_call_output') {
            if (typeof item.call_id !== 'string' || typeof item.output !== 'string') {
              return sendError(invalidValue('item.output', "Invalid type for 'item.output': expected a string."), eventId);
            }
            if (!conversation.some((i) => i.type === 'function_call' && i.call_id === item.call_id)) {
              return sendError(invalidValue('item.call_id', `Tool call ID '${item.call_id}' not found in conversation.`), eventId);
            }
            functionOutputs.push({ call_id: item.call_id, output: item.output });
          } else if (item.type === 'mcp_approval_response') {
            const problem = mcp.onApprovalResponse(item, send);
            if (problem) return sendError(invalidValue(problem.param, problem.message), eventId);
          } else if (item.type === 'message') {
            const content = Array.isArray(item.content) ? (item.content as Array<Record<string, unknown>>) : [];
            const allowed = item.role === 'assistant' ? ['output_text'] : ['input_text', 'input_audio', 'input_image'];
            const bad = content.find((c) => !allowed.includes(String(c.type)));
            if (bad) return sendError(invalidValue('item.content[0].type', `Invalid value: '${String(bad.type)}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`), eventId);
            // input_image carries its bytes as a base64 data URI, PNG or JPEG only
            // (RealtimeConversationItemUserMessage.Content.image_url in openai/resources/realtime/realtime.d.ts).
            // The error text is this fake's own: no capture of the real one is on record.
            const badImage = content.find((c) => c.type === 'input_image' && !(typeof c.image_url === 'string' && /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+=*$/.test(c.image_url)));
            if (badImage) return sendError(invalidValue('item.content[0].image_url', "Invalid 'image_url': expected a base64 data URI of a PNG or JPEG image."), eventId);
            if (item.role === 'user') {
              const t = content.find((c) => c.type === 'input_text')?.text;
              if (typeof t === 'string') lastUserText = t;
            }
          } else {
            return sendError(invalidValue('item.type', `Invalid value: '${String(item.type)}'.`), eventId);
          }
          addItem({ id: item.id ?? rid('item_'), object: 'realtime.item', status: 'completed', ...item });
          return;
        }
        case 'conversation.item.truncate': {
          const itemId = ev.item_id;
          const item = conversation.find((i) => i.id === itemId);
          if (!item || item.role !== 'assistant') return sendError(invalidValue('item_id', `Item with item_id not found: ${String(itemId)}`), eventId);
          const endMs = ev.audio_end_ms;
          const total = audioMsByItem.get(String(itemId)) ?? 0;
          if (typeof endMs !== 'number' || !Number.isInteger(endMs) || endMs < 0) return sendError(invalidValue('audio_end_ms', "Invalid value for 'audio_end_ms': expected a non-negative integer."), eventId);
          if (endMs > total) return sendError(invalidValue('audio_end_ms', `Audio content of ${total}ms is already shorter than ${endMs}ms`), eventId);
          audioMsByItem.set(String(itemId), endMs);
          send({ type: 'conversation.item.truncated', item_id: itemId, content_index: ev.content_index ?? 0, audio_end_ms: endMs });
          return;
        }
        case 'conversation.item.delete': {
          const idx = conversation.findIndex((i) => i.id === ev.item_id);
          if (idx < 0) return sendError(invalidValue('item_id', `Item with item_id not found: ${String(ev.item_id)}`), eventId);
          conversation.splice(idx, 1);
          send({ type: 'conversation.item.deleted', item_id: ev.item_id });
          return;
        }
        case 'conversation.item.retrieve': {
          const item = conversation.find((i) => i.id === ev.item_id);
          if (!item) return sendError(invalidValue('item_id', `Item with item_id not found: ${String(ev.item_id)}`), eventId);
          send({ type: 'conversation.item.retrieved', item });
          return;
        }
        case 'response.create': {
          if (active) {
            return sendError(
              { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: `Conversation already has an active response in progress: ${active.id}. Wait until the response is finished before creating a new one.`, param: null },
              eventId,
            );
          }
          const r = ev.response as Record<string, unknown> | undefined;
          if (r && typeof r === 'object') {
            for (const k of ['modalities', 'voice', 'temperature', 'output_audio_format']) {
              if (k in r) return sendError({ type: 'invalid_request_error', code: 'unknown_parameter', message: `Unknown parameter: 'response.${k}'.`, param: `response.${k}` }, eventId);
            }
          }
          startResponse('response.create', r);
          return;
        }
        case 'response.cancel': {
          if (!active) return sendError({ type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found', param: null }, eventId);
          // Asynchronous (see `cancelLagMs`): the response stays active, and a `response.create`
          // meanwhile earns `conversation_already_has_active_response`, until its response.done.
          const r = active;
          if (r.cancelling) return;
          r.cancelling = true;
          const lag = typeof options.cancelLagMs === 'function' ? options.cancelLagMs() : (options.cancelLagMs ?? 40);
          r.cancelTimer = setTimeout(() => finishResponse(r, 'cancelled', 'client_cancelled'), lag);
          return;
        }
        default:
          sendError(
            invalidValue('type', `Invalid value: '${String(ev.type)}'. Supported values are: ${CLIENT_EVENT_TYPES.map((t) => `'${t}'`).join(', ')}.`),
            eventId,
          );
      }
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      const text = buf.toString('utf8');
      let ev: Record<string, unknown> | null = null;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) ev = parsed as Record<string, unknown>;
      } catch {
        ev = null;
      }
      const type = ev && typeof ev.type === 'string' ? ev.type : isBinary ? '(binary)' : '(invalid json)';
      const pcm = ev && type === 'input_audio_buffer.append' && typeof ev.audio === 'string' ? Buffer.from(ev.audio, 'base64') : undefined;
      const audioBytes = pcm?.length;
      received.push({ seq: ++frameSeq, connection, at: Date.now(), type, event: ev ? summarise(ev) : { text: text.slice(0, 200) }, binary: isBinary, bytes: buf.length, ...(pcm ? { audioBytes, pcm } : {}) });
      notify();
      if (isBinary) return sendError({ type: 'invalid_request_error', code: 'invalid_json', message: 'Binary frames are not supported; send JSON text frames.', param: null }, null);
      if (!ev) return sendError({ type: 'invalid_request_error', code: 'invalid_json', message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", param: null }, null);
      if (typeof ev.type !== 'string') return sendError({ type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'type'.", param: 'type' }, null);
      handle(ev);
    });

    const greet = () =>
      routes.greeting === 'conversation.created'
        ? send({ type: 'conversation.created', conversation: { id: rid('conv_'), object: 'realtime.conversation' } })
        : send({ type: 'session.created', session });
    if (options.sessionCreatedDelayMs) setTimeout(greet, options.sessionCreatedDelayMs);
    else greet();
  }

  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;

  const server: FakeOpenAIServer = {
    url: `ws://127.0.0.1:${port}${routes.socketPath}`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey,
    handshakes,
    received,
    sent,
    secretRequests,
    chatRequests,
    closes,
    sessions,
    mcpApprovals,
    mcpExecuted,
    queueResponse(plan) {
      queued.push(plan);
    },
    receivedOfType(type) {
      return received.filter((f) => f.type === type);
    },
    sentOfType(type) {
      return sent.filter((f) => f.type === type);
    },
    waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const v = probe();
          if (v === undefined || v === null || v === false) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(v as T);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Fake OpenAI server: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    waitForReceived(type, count = 1, timeoutMs = 5000) {
      return server.waitFor(() => received.filter((f) => f.type === type)[count - 1], `client event #${count} of type ${type}`, timeoutMs);
    },
    waitForSent(type, count = 1, timeoutMs = 5000) {
      return server.waitFor(() => sent.filter((f) => f.type === type)[count - 1], `server event #${count} of type ${type}`, timeoutMs);
    },
    dropConnections() {
      for (const c of wss.clients) c.terminate();
    },
    closeConnections(code, reason) {
      for (const c of wss.clients) c.close(code, reason);
    },
    sendRaw(data, opts = {}) {
      if (!latest || latest.ws.readyState !== WebSocket.OPEN) throw new Error('Fake OpenAI server: no open connection');
      latest.ws.send(data, { binary: !!opts.binary });
    },
    openConnections() {
      return [...wss.clients].filter((c) => c.readyState === WebSocket.OPEN).length;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
  return server;
}

function summarise(ev: Record<string, unknown>): Record<string, unknown> {
  if (typeof ev.audio === 'string') return { ...ev, audio: `<${Buffer.from(ev.audio, 'base64').length} bytes>` };
  if (ev.type === 'response.output_audio.delta' && typeof ev.delta === 'string') return { ...ev, delta: `<${Buffer.from(ev.delta, 'base64').length} bytes>` };
  return ev;
}
