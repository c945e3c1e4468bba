import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

/**
 * An offline Gemini Live server, faithful to provider-protocols.md part B and C.2: token minting
 * (`POST /v1alpha/auth_tokens`, one-use tokens), the `BidiGenerateContent[Constrained]` WebSocket
 * paths (repeated slashes normalised, versions v1/v1beta/v1alpha, `key=` or `access_token=`),
 * setup first, binary JSON frames only, the real close codes and reason texts, scripted turns
 * (audio, transcripts, tool calls, usage), barge-in, goAway and session resumption. It records
 * every client frame and every URL requested, so tests can assert what the client sent.
 *
 * Behaviours that disagree with a naive client (issue 12), each sourced where it is implemented:
 * input transcription in every order against the model turn (`inputTranscriptPlacement`), session
 * length limits without compression (`sessionLimitMs`), TEXT refused on native-audio models (1007),
 * `turnCompleteReason`, server `voiceActivity`, output audio at the rate its mimeType names,
 * `parametersJsonSchema`-only tools called with empty arguments, `clientContent` interrupting a
 * reply, a resumption refused (1011) while the old socket is open, and dropped connections (1006).
 */

export interface FakeToolCall {
  name: string;
  args?: Record<string, unknown>;
  id?: string;
}

export interface FakeGeminiReply {
  /** What the fake "heard" (it does no speech recognition): sent as `inputTranscription` fragments. */
  userTranscript?: string;
  /** Calls made before the answer. Blocking calls wait for their `toolResponse`. */
  toolCalls?: FakeToolCall[];
  /** Treat the calls as non-blocking: the answer starts without waiting for responses. */
  nonBlocking?: boolean;
  /** What the bot says: `outputTranscription` fragments spread over the audio. */
  botText?: string;
  /** Audio length; default 60 ms per word, at least 300 ms. */
  audioMs?: number;
  /** Audio parts carried by each `modelTurn` message (the old transport played only the first). */
  partsPerMessage?: number;
  /** Duration of each audio part. */
  partMs?: number;
  /** Text parts (e.g. thoughts) to put before the audio. */
  textParts?: Array<{ text: string; thought?: boolean }>;
  /**
   * Where each `inputTranscription` fragment goes relative to the model's turn (default: all
   * `before`). Input transcription is independent of the model turn and has no ordering guarantee
   * [GEN-T `LiveServerContent.inputTranscription`: "no guaranteed ordering"; provider-protocols.md
   * B.5 "Transcription order"], so fragments come before it, between its audio messages, after
   * `generationComplete`, and after `turnComplete` (issue 12 item 10). Placements must not decrease.
   */
  inputTranscriptPlacement?: InputTranscriptPlacement[];
  /**
   * Search grounding for this reply, sent only when the setup declared `tools:[{googleSearch:{}}]`
   * (@google/genai `LiveServerContent.groundingMetadata`: "returned to client when grounding is
   * enabled"; shape `GroundingMetadata{webSearchQueries, groundingChunks[].web{uri,title}}`). The
   * type allows it on any `serverContent` and no capture shows where it lands, so the fake places
   * it with an audio message, in a message of its own, or with `turnComplete` (`groundingPlacement`).
   */
  grounding?: { queries: string[]; sources: Array<{ uri: string; title: string }> };
  groundingPlacement?: 'with-audio' | 'own-message' | 'with-turn-complete';
  /**
   * `interactionStatus` sent with `turnComplete` (@google/genai `LiveServerContent.interactionStatus`:
   * "Always sent alongside turn_complete"; values `InteractionStatus` IN_PROGRESS / IDLE), for the
   * extended-thinking model; with `waitingForInput` when set.
   */
  interactionStatus?: 'IN_PROGRESS' | 'IDLE';
  waitingForInput?: boolean;
  /** Output transcription text sent after `turnComplete` (a late fragment; E: transcripts lag the audio). */
  lateOutputTranscript?: string;
  /**
   * The turn ends with `turnComplete` carrying this `turnCompleteReason` and no model output
   * [GEN-T `TurnCompleteReason`: MALFORMED_FUNCTION_CALL, RESPONSE_REJECTED, PROHIBITED_INPUT_CONTENT …].
   */
  turnCompleteReason?: string;
  /** Output audio rate of this reply's parts, named in their `mimeType` (`audio/pcm;rate=N`, B.5). */
  outputRate?: number;
}

export type InputTranscriptPlacement = 'before' | 'during' | 'after-generation' | 'after-turn-complete';
export const INPUT_TRANSCRIPT_PLACEMENTS: InputTranscriptPlacement[] = ['before', 'during', 'after-generation', 'after-turn-complete'];

export interface FakeGeminiServerOptions {
  /** Long-lived keys the server accepts. */
  validKeys?: string[];
  /**
   * The judge's answer on `POST /v1beta/models/{model}:generateContent` to the user text it is
   * given (default: yes). The fake does no language understanding: the test decides the verdict.
   */
  judgeAnswer?: (userText: string, model: string) => { answer: string; reasoning: string };
  /** Model ids (without `models/`) that exist. */
  models?: string[];
  /** Replies in order for each user turn; the last repeats. Or a function of the turn index. */
  replies?: FakeGeminiReply[] | ((turnIndex: number, trigger: TurnTrigger) => FakeGeminiReply);
  /** Audio streaming speed relative to real time (Gemini streams faster than real time). */
  streamSpeed?: number;
  /** Delay between generationComplete and turnComplete: `audio` = about the audio length left. */
  turnCompleteDelay?: 'audio' | number;
  /** Fake VAD: RMS above this (0–1) is speech. */
  vadThreshold?: number;
  /** Default silence that ends a user turn when the setup sets none. */
  silenceMs?: number;
  /** Send `goAway` this long after each setupComplete. */
  goAwayAfterMs?: number;
  /** `timeLeft` of that goAway; the server closes 1008 when it runs out. */
  goAwayTimeLeftMs?: number;
  /** Delay of the bad-key close after setup (real server: 80–90 ms). */
  badKeyCloseDelayMs?: number;
  /** Never answer setup (to test connect timeouts). */
  neverCompleteSetup?: boolean;
  /**
   * Session length limits. Without `contextWindowCompression` an audio session ends after about
   * 15 minutes and an audio+video session after about 2; resumption keeps the session's clock (the
   * limit is per session, not per connection). With compression there is no session limit.
   * [ai.google.dev/gemini-api/docs/live-session "Session lifetime"; issue 12 item 9]. Tests scale
   * these down. Defaults: 15 min and 2 min.
   */
  sessionLimitMs?: { audio: number; video: number };
  /** Send server `voiceActivity` messages (`{type: ACTIVITY_START|ACTIVITY_END, audioOffset}`, B.5) from the fake VAD. */
  voiceActivity?: boolean;
}

export type TurnTrigger = 'speech' | 'activity' | 'client-content' | 'realtime-text';

export interface ReceivedFrame {
  connection: number;
  at: number;
  binary: boolean;
  text: string;
  json: Record<string, unknown> | null;
  /** Top-level keys of the message (`setup`, `realtimeInput`, …). */
  type: string;
  /** For realtimeInput.audio: decoded bytes and the mime type. */
  audio?: { bytes: number; mimeType: string };
}

export interface HttpRequestRecord {
  method: string;
  url: string;
  hadKeyHeader: boolean;
  status: number;
}

export interface FakeGeminiConnection {
  id: number;
  url: string;
  version: string;
  auth: 'key' | 'token' | 'none';
  setup: Record<string, unknown> | null;
  setupComplete: boolean;
  closed: { code: number; reason: string; by: 'server' | 'client' } | null;
  /** performance.now() when the socket opened and when the server saw it close. */
  openedAt: number;
  closedAt: number | null;
  received: ReceivedFrame[];
  send(message: unknown): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
  /** Drops the TCP connection without a close frame: the client sees 1006 (abnormal closure). */
  drop(): void;
  /** Starts a scripted turn now (as if the user had finished speaking). */
  respond(reply?: FakeGeminiReply): Promise<void>;
  /** Barge-in: `interrupted` (+ cancellation of pending tool calls) then `turnComplete`. */
  interrupt(): void;
  goAway(timeLeftMs: number): void;
  sendResumptionUpdate(resumable: boolean): string | undefined;
}

export interface FakeGeminiServer {
  /** `ws://127.0.0.1:port` (a bare host: the adapter appends the standard path). */
  url: string;
  /** The full default-style endpoint on the fake (v1beta BidiGenerateContent). */
  endpoint: string;
  httpUrl: string;
  port: number;
  /** Every client frame, all connections, in arrival order. */
  received: ReceivedFrame[];
  /** Every URL asked for: HTTP requests and WebSocket upgrades. */
  urls: string[];
  httpRequests: HttpRequestRecord[];
  /** `generateContent` requests (a voice test's judged assertion): model, user text, key header seen. */
  generateRequests: Array<{ url: string; model: string; userText: string; hadKeyHeader: boolean; status: number }>;
  connections: FakeGeminiConnection[];
  tokensMinted: number;
  /** The newest connection. */
  readonly current: FakeGeminiConnection | undefined;
  /** Waits for a condition on server state; fails with `what` after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export const FAKE_GEMINI_KEY = 'AIzaFakeTestKey_0123456789abcdefghijklm';
export const DEFAULT_FAKE_MODELS = [
  'gemini-3.8-live',
  'gemini-3.1-flash-live-preview',
  'gemini-2.5-flash-native-audio-preview-12-2025',
  'gemini-2.5-flash-native-audio-preview-09-2025',
  'gemini-2.5-flash-native-audio-latest',
];

export const GEMINI_CLOSE_REASONS = {
  beforeSetup: 'Request contains an invalid argument.',
  badKey: 'API key not valid. Please pass a valid API key.',
  noKey: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  badToken: 'Invalid or expired access token.',
  emptyActivity: 'Precondition check failed.',
  mediaChunks: 'realtime_input.media_chunks is deprecated. Use audio, video, or text instead.',
  sessionNotFound: 'BidiGenerateContent session not found',
  /** TEXT asked of a native-audio model (issue 12 item 8, reported by users of 2.5 native audio and 3.x). */
  textOnNativeAudio: 'Cannot extract voices from a non-audio request.',
  /** Session length limit without compression; E reports `1011 "Deadline expired"` for an expired session. */
  sessionLimit: 'Deadline expired before operation could complete.',
  /** E: "Resuming while the old socket is still open was rejected with 1011." */
  resumedWhileOpen: 'Internal error encountered.',
  goAway: 'Connection aborted because the client failed to close the connection after receiving a GoAway signal once the session duration limit was reached.',
} as const;

const PATH_RE = /^\/ws\/google\.ai\.generativelanguage\.(v1|v1beta|v1alpha)\.GenerativeService\.(BidiGenerateContent|BidiGenerateContentConstrained)$/;

/** Close reasons are at most 123 bytes on the wire; the real server cuts them there. */
export function truncateReason(reason: string): string {
  const buf = Buffer.from(reason, 'utf8');
  if (buf.length <= 123) return reason;
  let end = 123;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

interface Session {
  handle: string;
  turns: number;
  /** When the session began (resumptions keep it). */
  startedAt: number;
  sawVideo: boolean;
  /** The connection currently holding the session. */
  holder: FakeGeminiConnection | null;
}

/**
 * Models that speak natively refuse a TEXT response modality (close 1007); 3.x Live models have
 * audio as their only modality (B.2b). Half-cascade ids (e.g. `gemini-live-2.5-flash-preview`) take TEXT.
 */
export function isNativeAudioModel(model: string): boolean {
  return model.includes('native-audio') || /^gemini-3\./.test(model);
}

interface TokenRecord {
  uses: number;
  expireAt: number;
  newSessionExpireAt: number;
}

export async function startFakeGeminiServer(options: FakeGeminiServerOptions = {}): Promise<FakeGeminiServer> {
  const validKeys = new Set(options.validKeys ?? [FAKE_GEMINI_KEY]);
  const models = new Set(options.models ?? DEFAULT_FAKE_MODELS);
  const tokens = new Map<string, TokenRecord>();
  const sessions = new Map<string, Session>();
  const received: ReceivedFrame[] = [];
  const urls: string[] = [];
  const httpRequests: HttpRequestRecord[] = [];
  const generateRequests: FakeGeminiServer['generateRequests'] = [];
  const connections: FakeGeminiConnection[] = [];
  const sockets = new Set<WebSocket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let connSeq = 0;
  let tokensMinted = 0;
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  const http = createServer((req, res) => handleHttp(req, res));
  const wss = new WebSocketServer({ noServer: true });

  /**
   * `models.generateContent`, as voice tests' judge uses it (https://ai.google.dev/api/generate-content;
   * @google/genai `GenerateContentResponse`: `candidates[].content.parts[].text`, `finishReason`,
   * `usageMetadata` with `promptTokenCount`, `candidatesTokenCount`, `totalTokenCount`). Key
   * checks and their errors as the auth-token route below. With `responseMimeType:
   * application/json` the text is the JSON the schema describes.
   */
  function generateContent(req: IncomingMessage, url: string, model: string, record: (status: number, body: unknown) => void): void {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const key = req.headers['x-goog-api-key'];
      const entry = { url, model, userText: '', hadKeyHeader: typeof key === 'string' && key !== '', status: 0 };
      const answer = (status: number, b: unknown) => {
        entry.status = status;
        generateRequests.push(entry);
        record(status, b);
      };
      if (typeof key !== 'string' || !key) return answer(403, { error: { code: 403, message: GEMINI_CLOSE_REASONS.noKey, status: 'PERMISSION_DENIED' } });
      if (!validKeys.has(key)) return answer(400, { error: { code: 400, message: GEMINI_CLOSE_REASONS.badKey, status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }] } });
      let parsed: { contents?: Array<{ role?: string; parts?: Array<{ text?: unknown }> }> };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return answer(400, { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
      }
      const user = [...(parsed.contents ?? [])].reverse().find((c) => (c.role ?? 'user') === 'user');
      entry.userText = (user?.parts ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
      const verdict = options.judgeAnswer?.(entry.userText, model) ?? { answer: 'yes', reasoning: 'The fake judge answers yes unless told otherwise.' };
      const text = JSON.stringify(verdict);
      const promptTokenCount = Math.ceil(body.length / 4);
      const candidatesTokenCount = Math.ceil(text.length / 4);
      answer(200, {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount },
        modelVersion: model,
      });
    });
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    urls.push(url);
    const record = (status: number, body: unknown) => {
      httpRequests.push({ method: req.method ?? 'GET', url, hadKeyHeader: typeof req.headers['x-goog-api-key'] === 'string', status });
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...cors() });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      httpRequests.push({ method: 'OPTIONS', url, hadKeyHeader: false, status: 204 });
      res.writeHead(204, cors());
      res.end();
      return;
    }
    const path = normalisePath(url.split('?')[0]);
    const generate = req.method === 'POST' ? /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path) : null;
    if (generate) {
      generateContent(req, url, decodeURIComponent(generate[1]!), record);
      return;
    }
    if (req.method !== 'POST' || path !== '/v1alpha/auth_tokens') {
      record(404, { error: { code: 404, message: `Method not found.`, status: 'NOT_FOUND' } });
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const key = req.headers['x-goog-api-key'];
      if (typeof key !== 'string' || !key) {
        record(403, { error: { code: 403, message: GEMINI_CLOSE_REASONS.noKey, status: 'PERMISSION_DENIED' } });
        return;
      }
      if (!validKeys.has(key)) {
        record(400, {
          error: {
            code: 400,
            message: GEMINI_CLOSE_REASONS.badKey,
            status: 'INVALID_ARGUMENT',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }],
          },
        });
        return;
      }
      let parsed: Record<string, unknown> = {};
      try {
        parsed = body ? JSON.parse(body) : {};
      } catch {
        record(400, { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
        return;
      }
      const now = Date.now();
      const expireAt = typeof parsed.expireTime === 'string' ? Date.parse(parsed.expireTime) : now + 30 * 60_000;
      const newSessionExpireAt = typeof parsed.newSessionExpireTime === 'string' ? Date.parse(parsed.newSessionExpireTime) : now + 60_000;
      const name = `auth_tokens/${randomBytes(18).toString('hex')}`;
      tokens.set(name, { uses: typeof parsed.uses === 'number' ? parsed.uses : 1, expireAt, newSessionExpireAt });
      tokensMinted++;
      record(200, { name, uses: tokens.get(name)!.uses, expireTime: new Date(expireAt).toISOString(), newSessionExpireTime: new Date(newSessionExpireAt).toISOString() });
    });
  }

  http.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '/';
    urls.push(url);
    const [rawPath, query = ''] = url.split('?');
    const m = PATH_RE.exec(normalisePath(rawPath));
    if (!m) {
      socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const params = new URLSearchParams(query);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      attach(ws, url, m[1], m[2] === 'BidiGenerateContentConstrained', params);
    });
  });

  function attach(ws: WebSocket, url: string, version: string, constrained: boolean, params: URLSearchParams): void {
    const key = params.get('key');
    const accessToken = params.get('access_token');
    const id = ++connSeq;
    // Credential problems surface only after setup, as on the real server.
    let credentialProblem: { code: number; reason: string } | null = null;
    if (accessToken) {
      const t = tokens.get(accessToken);
      if (!constrained || version !== 'v1alpha' || !t || t.uses <= 0 || Date.now() > t.newSessionExpireAt || Date.now() > t.expireAt) {
        credentialProblem = { code: 1007, reason: GEMINI_CLOSE_REASONS.badToken };
      } else t.uses--;
    } else if (key) {
      if (!validKeys.has(key)) credentialProblem = { code: 1007, reason: GEMINI_CLOSE_REASONS.badKey };
    } else credentialProblem = { code: 1008, reason: GEMINI_CLOSE_REASONS.noKey };

    let session: Session | null = null;
    let activeTurn: ActiveTurn | null = null;
    let vad = { speaking: false, silentSamples: 0, sawSpeech: false };
    let manualActivity: { audioBytes: number } | null = null;
    let goAwayTimer: ReturnType<typeof setTimeout> | undefined;
    let limitTimer: ReturnType<typeof setTimeout> | undefined;
    let textMode = false;
    let audioOffsetSamples = 0;
    const pendingToolResponses = new Map<string, () => void>();

    interface ActiveTurn {
      cancelled: boolean;
      pendingCalls: string[];
      generationComplete: boolean;
    }

    const conn: FakeGeminiConnection = {
      id,
      url,
      version,
      auth: accessToken ? 'token' : key ? 'key' : 'none',
      setup: null,
      setupComplete: false,
      closed: null,
      openedAt: performance.now(),
      closedAt: null,
      received: [],
      send(message) {
        if (ws.readyState !== ws.OPEN) return;
        // Every server frame is binary (B.3).
        ws.send(Buffer.from(JSON.stringify(message), 'utf8'), { binary: true });
      },
      sendText(text) {
        if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
      },
      close(code, reason) {
        if (conn.closed) return;
        conn.closed = { code, reason: truncateReason(reason), by: 'server' };
        conn.closedAt = performance.now();
        clearTimeout(goAwayTimer);
        clearTimeout(limitTimer);
        if (activeTurn) activeTurn.cancelled = true;
        ws.close(code, truncateReason(reason));
      },
      drop() {
        if (conn.closed) return;
        conn.closed = { code: 1006, reason: '', by: 'server' };
        conn.closedAt = performance.now();
        clearTimeout(goAwayTimer);
        clearTimeout(limitTimer);
        if (activeTurn) activeTurn.cancelled = true;
        ws.terminate();
      },
      respond: (reply) => runTurn(reply ?? nextReply('client-content')),
      interrupt() {
        if (!activeTurn || activeTurn.cancelled) return;
        const turn = activeTurn;
        turn.cancelled = true;
        activeTurn = null;
        conn.send({ serverContent: { interrupted: true } });
        if (turn.pendingCalls.length) conn.send({ toolCallCancellation: { ids: [...turn.pendingCalls] } });
        for (const idc of turn.pendingCalls) pendingToolResponses.delete(idc);
        conn.send({ serverContent: { turnComplete: true }, usageMetadata: {} });
        afterTurn();
      },
      goAway(timeLeftMs) {
        conn.send({ goAway: { timeLeft: `${(timeLeftMs / 1000).toFixed(timeLeftMs % 1000 ? 3 : 0)}s` } });
        goAwayTimer = later(timeLeftMs, () => conn.close(1008, GEMINI_CLOSE_REASONS.goAway));
      },
      sendResumptionUpdate(resumable) {
        if (!session || !conn.setup?.sessionResumption) return undefined;
        if (!resumable) {
          conn.send({ sessionResumptionUpdate: { resumable: false } });
          return undefined;
        }
        sessions.delete(session.handle);
        session.handle = randomBytes(24).toString('base64url');
        sessions.set(session.handle, session);
        conn.send({ sessionResumptionUpdate: { newHandle: session.handle, resumable: true } });
        return session.handle;
      },
    };
    connections.push(conn);

    ws.on('close', (code, reason) => {
      if (!conn.closed) conn.closed = { code, reason: reason.toString('utf8'), by: 'client' };
      conn.closedAt ??= performance.now();
      clearTimeout(goAwayTimer);
      clearTimeout(limitTimer);
      if (activeTurn) activeTurn.cancelled = true;
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = rawToString(data);
      let json: Record<string, unknown> | null = null;
      try {
        const v = JSON.parse(text);
        json = v && typeof v === 'object' && !Array.isArray(v) ? v : null;
      } catch {
        json = null;
      }
      const frame: ReceivedFrame = { connection: id, at: performance.now(), binary: isBinary, text, json, type: json ? Object.keys(json).join('+') : 'malformed' };
      const audio = (json?.realtimeInput as { audio?: { data?: string; mimeType?: string } } | undefined)?.audio;
      if (audio && typeof audio.data === 'string') frame.audio = { bytes: Buffer.from(audio.data, 'base64').length, mimeType: String(audio.mimeType) };
      received.push(frame);
      conn.received.push(frame);
      if (conn.closed) return;
      if (!json) {
        conn.close(1007, 'Invalid JSON payload received.');
        return;
      }
      if (!conn.setup) {
        if (!json.setup || typeof json.setup !== 'object') {
          conn.close(1007, GEMINI_CLOSE_REASONS.beforeSetup);
          return;
        }
        conn.setup = json.setup as Record<string, unknown>;
        onSetup();
        return;
      }
      if (!conn.setupComplete) {
        // The client must wait for setupComplete (B.4).
        conn.close(1007, GEMINI_CLOSE_REASONS.beforeSetup);
        return;
      }
      onClientMessage(json);
    });

    function onSetup(): void {
      if (credentialProblem) {
        const p = credentialProblem;
        later(options.badKeyCloseDelayMs ?? 20, () => conn.close(p.code, p.reason));
        return;
      }
      const setup = conn.setup!;
      const model = String(setup.model ?? '').replace(/^models\//, '');
      if (!models.has(model)) {
        conn.close(
          1008,
          `models/${model} is not found for API version ${version}, or is not supported for bidiGenerateContent. Call ModelService.ListModels to see the list of available models and their supported methods.`,
        );
        return;
      }
      const modalities = ((setup.generationConfig as { responseModalities?: unknown[] } | undefined)?.responseModalities ?? []).map((m) => String(m).toUpperCase());
      if (modalities.includes('TEXT') && isNativeAudioModel(model)) {
        conn.close(1007, GEMINI_CLOSE_REASONS.textOnNativeAudio);
        return;
      }
      textMode = modalities.includes('TEXT');
      const handle = (setup.sessionResumption as { handle?: string } | undefined)?.handle;
      if (handle) {
        const s = sessions.get(handle);
        if (!s) {
          conn.close(1008, GEMINI_CLOSE_REASONS.sessionNotFound);
          return;
        }
        if (s.holder && !s.holder.closed) {
          conn.close(1011, GEMINI_CLOSE_REASONS.resumedWhileOpen);
          return;
        }
        session = s;
      } else {
        session = { handle: randomBytes(24).toString('base64url'), turns: 0, startedAt: Date.now(), sawVideo: false, holder: null };
        sessions.set(session.handle, session);
      }
      session.holder = conn;
      scheduleSessionLimit();
      if (options.neverCompleteSetup) return;
      conn.setupComplete = true;
      conn.send({ setupComplete: {} });
      if (setup.sessionResumption) conn.sendResumptionUpdate(true);
      if (options.goAwayAfterMs !== undefined) later(options.goAwayAfterMs, () => !conn.closed && conn.goAway(options.goAwayTimeLeftMs ?? 2000));
    }

    /** Without compression the session ends at its limit (per session: resumption does not extend it). */
    function scheduleSessionLimit(): void {
      clearTimeout(limitTimer);
      if (!session || conn.setup?.contextWindowCompression) return;
      const limits = options.sessionLimitMs ?? { audio: 15 * 60_000, video: 2 * 60_000 };
      const limit = session.sawVideo ? limits.video : limits.audio;
      const left = Math.max(0, session.startedAt + limit - Date.now());
      limitTimer = later(left, () => conn.close(1011, GEMINI_CLOSE_REASONS.sessionLimit));
    }

    function manualTurns(): boolean {
      const ric = conn.setup?.realtimeInputConfig as { automaticActivityDetection?: { disabled?: boolean } } | undefined;
      return ric?.automaticActivityDetection?.disabled === true;
    }

    function onClientMessage(json: Record<string, unknown>): void {
      const ri = json.realtimeInput as Record<string, unknown> | undefined;
      if (ri) {
        if ('mediaChunks' in ri) {
          conn.close(1007, GEMINI_CLOSE_REASONS.mediaChunks);
          return;
        }
        const audio = ri.audio as { data?: string; mimeType?: string } | undefined;
        if (audio?.data) onAudio(Buffer.from(audio.data, 'base64'), String(audio.mimeType ?? ''));
        if (ri.video && session && !session.sawVideo) {
          session.sawVideo = true;
          scheduleSessionLimit();
        }
        if (ri.activityStart) {
          if (!manualTurns()) return conn.close(1007, GEMINI_CLOSE_REASONS.beforeSetup);
          if (activeTurn) conn.interrupt();
          manualActivity = { audioBytes: 0 };
        }
        if (ri.activityEnd) {
          if (!manualTurns() || !manualActivity) return conn.close(1007, GEMINI_CLOSE_REASONS.beforeSetup);
          const empty = manualActivity.audioBytes === 0;
          manualActivity = null;
          if (empty) return conn.close(1007, GEMINI_CLOSE_REASONS.emptyActivity);
          void runTurn(nextReply('activity'));
        }
        if (typeof ri.text === 'string' && ri.text) {
          if (activeTurn) conn.interrupt();
          void runTurn(nextReply('realtime-text'));
        }
        return;
      }
      const cc = json.clientContent as { turns?: unknown[]; turnComplete?: boolean } | undefined;
      if (cc) {
        // "A message here will interrupt any current model generation" [GEN-T LiveClientContent];
        // the E capture shows a mid-reply `clientContent{turnComplete:true}` answered by `interrupted`.
        if (activeTurn) conn.interrupt();
        // turnComplete false: "the server will await additional messages before starting generation".
        if (cc.turnComplete) void runTurn(nextReply('client-content'));
        return;
      }
      const tr = json.toolResponse as { functionResponses?: Array<{ id?: string }> } | undefined;
      if (tr) {
        for (const r of tr.functionResponses ?? []) {
          const done = r.id ? pendingToolResponses.get(r.id) : undefined;
          if (r.id) pendingToolResponses.delete(r.id);
          done?.();
        }
      }
    }

    function onAudio(pcm: Buffer, mimeType: string): void {
      if (manualActivity) manualActivity.audioBytes += pcm.length;
      if (manualTurns()) return;
      const rate = Number(/rate=(\d+)/.exec(mimeType)?.[1] ?? 16000);
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
      let sum = 0;
      for (const s of samples) sum += (s / 32768) ** 2;
      const level = samples.length ? Math.sqrt(sum / samples.length) : 0;
      const threshold = options.vadThreshold ?? 0.02;
      const aad = (conn.setup?.realtimeInputConfig as { automaticActivityDetection?: { silenceDurationMs?: number } } | undefined)?.automaticActivityDetection;
      const silenceSamples = ((aad?.silenceDurationMs ?? options.silenceMs ?? 300) * rate) / 1000;
      audioOffsetSamples += samples.length;
      const offset = `${(audioOffsetSamples / rate).toFixed(3)}s`;
      if (level > threshold) {
        vad.silentSamples = 0;
        if (!vad.speaking) {
          vad = { speaking: true, silentSamples: 0, sawSpeech: true };
          // B.5: `voiceActivity` arrives with an empty `serverContent`; the wire key is `type`.
          if (options.voiceActivity) conn.send({ serverContent: {}, voiceActivity: { type: 'ACTIVITY_START', audioOffset: offset } });
          // START_OF_ACTIVITY_INTERRUPTS (the default): speech during a turn is a barge-in.
          if (activeTurn) conn.interrupt();
        }
      } else if (vad.speaking) {
        vad.silentSamples += samples.length;
        if (vad.silentSamples >= silenceSamples) {
          vad.speaking = false;
          if (options.voiceActivity) conn.send({ serverContent: {}, voiceActivity: { type: 'ACTIVITY_END', audioOffset: offset } });
          void runTurn(nextReply('speech'));
        }
      }
    }

    function nextReply(trigger: TurnTrigger): FakeGeminiReply {
      const idx = session ? session.turns : 0;
      const r = options.replies;
      if (typeof r === 'function') return r(idx, trigger);
      const list = r && r.length ? r : [{ userTranscript: 'Hello there.', botText: 'Hi! How can I help you today?' }];
      return list[Math.min(idx, list.length - 1)];
    }

    function afterTurn(): void {
      if (session) session.turns++;
      conn.sendResumptionUpdate(true);
    }

    async function runTurn(reply: FakeGeminiReply): Promise<void> {
      if (activeTurn) conn.interrupt();
      const turn: ActiveTurn = { cancelled: false, pendingCalls: [], generationComplete: false };
      activeTurn = turn;
      const alive = () => !turn.cancelled && !conn.closed;
      const speed = options.streamSpeed ?? 4;
      const userFrags = reply.userTranscript ? fragments(reply.userTranscript) : [];
      const placed = (where: InputTranscriptPlacement) => userFrags.filter((_, i) => (reply.inputTranscriptPlacement?.[i] ?? 'before') === where);
      const sendInput = (frags: string[]) => {
        for (const frag of frags) conn.send({ serverContent: { inputTranscription: { text: frag } } });
      };
      for (const frag of placed('before')) {
        sendInput([frag]);
        await tick(2);
        if (!alive()) return;
      }
      const during = placed('during');
      conn.sendResumptionUpdate(false);
      if (reply.turnCompleteReason) {
        sendInput(during);
        sendInput(placed('after-generation'));
        activeTurn = null;
        conn.send({ serverContent: { turnComplete: true, turnCompleteReason: reply.turnCompleteReason }, usageMetadata: {} });
        sendInput(placed('after-turn-complete'));
        afterTurn();
        return;
      }
      conn.send({ serverContent: {}, usageMetadata: { promptTokenCount: 1093, totalTokenCount: 1093, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 789 }, { modality: 'AUDIO', tokenCount: 304 }] } });
      if (reply.toolCalls?.length) {
        // Users report that a declaration given only as `parametersJsonSchema` is accepted on Live but
        // its calls arrive with empty arguments (googleapis/python-genai#1147, livekit/agents#2940).
        const onlyJsonSchema = (name: string) => declarations().some((d) => d.name === name && d.parametersJsonSchema !== undefined && d.parameters === undefined);
        const calls = reply.toolCalls.map((c) => ({ id: c.id ?? `function-call-${randomDigits(20)}`, name: c.name, args: onlyJsonSchema(c.name) ? {} : (c.args ?? {}) }));
        const waits = calls.map(
          (c) =>
            new Promise<void>((resolve) => {
              pendingToolResponses.set(c.id, resolve);
            }),
        );
        turn.pendingCalls = calls.map((c) => c.id);
        conn.send({ toolCall: { functionCalls: calls } });
        if (!reply.nonBlocking) {
          await Promise.race([Promise.all(waits), untilCancelled(turn)]);
          if (!alive()) return;
          turn.pendingCalls = [];
        }
      }
      for (const p of reply.textParts ?? []) {
        conn.send({ serverContent: { modelTurn: { role: 'model', parts: [p] } } });
      }
      const text = reply.botText ?? '';
      if (textMode) {
        // TEXT modality: the answer comes as text parts of the model turn, no audio, no transcription.
        sendInput(during);
        for (const frag of fragments(text)) {
          conn.send({ serverContent: { modelTurn: { role: 'model', parts: [{ text: frag }] } } });
          await tick(2);
          if (!alive()) return;
        }
        sendInput(placed('after-generation'));
        conn.send({ serverContent: { generationComplete: true } });
        activeTurn = null;
        conn.send({ serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 10, responseTokenCount: 5, totalTokenCount: 15 } });
        sendInput(placed('after-turn-complete'));
        afterTurn();
        return;
      }
      const outRate = reply.outputRate ?? 24000;
      const words = text ? text.split(/\s+/).length : 0;
      const audioMs = reply.audioMs ?? Math.max(300, words * 60);
      const partMs = reply.partMs ?? 40;
      const perMessage = Math.max(1, reply.partsPerMessage ?? 1);
      const totalParts = Math.max(1, Math.ceil(audioMs / partMs));
      const textFrags = fragments(text);
      const searchOn = ((conn.setup?.tools ?? []) as Array<Record<string, unknown>>).some((t) => t && typeof t === 'object' && 'googleSearch' in t);
      const groundingMetadata = reply.grounding && searchOn
        ? { webSearchQueries: reply.grounding.queries, groundingChunks: reply.grounding.sources.map((w) => ({ web: w })) }
        : undefined;
      const placement = reply.groundingPlacement ?? 'with-audio';
      const startedAt = performance.now();
      let sample = 0;
      let part = 0;
      let fragIdx = 0;
      let duringIdx = 0;
      while (part < totalParts) {
        const parts: unknown[] = [];
        for (let k = 0; k < perMessage && part < totalParts; k++, part++) {
          const n = Math.round((outRate * Math.min(partMs, audioMs - part * partMs)) / 1000);
          parts.push({ inlineData: { mimeType: `audio/pcm;rate=${outRate}`, data: tone(n, sample, outRate).toString('base64') } });
          sample += n;
        }
        const msg: Record<string, unknown> = { modelTurn: { parts } };
        if (groundingMetadata && placement === 'with-audio' && part <= perMessage) msg.groundingMetadata = groundingMetadata;
        // Spread the transcript over the audio, as the real server does.
        const due = Math.ceil((part / totalParts) * textFrags.length);
        if (fragIdx < due) {
          msg.outputTranscription = { text: textFrags.slice(fragIdx, due).join('') };
          fragIdx = due;
        }
        // Input fragments placed `during` ride on the model's audio messages, spread over them.
        const inputDue = Math.ceil((part / totalParts) * during.length);
        if (duringIdx < inputDue) {
          msg.inputTranscription = { text: during.slice(duringIdx, inputDue).join('') };
          duringIdx = inputDue;
        }
        conn.send({ serverContent: msg });
        const ahead = (sample / (outRate / 1000)) / speed - (performance.now() - startedAt);
        await tick(Math.max(1, ahead));
        if (!alive()) return;
      }
      if (fragIdx < textFrags.length) conn.send({ serverContent: { outputTranscription: { text: textFrags.slice(fragIdx).join('') } } });
      if (groundingMetadata && placement === 'own-message') conn.send({ serverContent: { groundingMetadata } });
      turn.generationComplete = true;
      conn.send({ serverContent: { generationComplete: true } });
      sendInput(placed('after-generation'));
      // The model waits for playback before turnComplete (B.5).
      const delay = options.turnCompleteDelay ?? 'audio';
      const wait = delay === 'audio' ? Math.max(0, audioMs - (performance.now() - startedAt)) : delay;
      await Promise.race([tick(wait), untilCancelled(turn)]);
      if (!alive()) return;
      activeTurn = null;
      conn.send({
        serverContent: {
          turnComplete: true,
          ...(groundingMetadata && placement === 'with-turn-complete' ? { groundingMetadata } : {}),
          ...(reply.interactionStatus ? { interactionStatus: reply.interactionStatus } : {}),
          ...(reply.waitingForInput !== undefined ? { waitingForInput: reply.waitingForInput } : {}),
        },
        usageMetadata: {
          promptTokenCount: 1180,
          responseTokenCount: 96,
          totalTokenCount: 1276,
          promptTokensDetails: [{ modality: 'TEXT', tokenCount: 876 }, { modality: 'AUDIO', tokenCount: 304 }],
          responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 96 }],
        },
      });
      sendInput(placed('after-turn-complete'));
      if (reply.lateOutputTranscript) conn.send({ serverContent: { outputTranscription: { text: reply.lateOutputTranscript } } });
      afterTurn();
    }

    function declarations(): Array<Record<string, unknown>> {
      const tools = (conn.setup?.tools ?? []) as Array<{ functionDeclarations?: Array<Record<string, unknown>> }>;
      return tools.flatMap((t) => t.functionDeclarations ?? []);
    }

    function untilCancelled(turn: ActiveTurn): Promise<void> {
      return new Promise((resolve) => {
        const check = () => (turn.cancelled || conn.closed ? resolve() : later(5, check));
        check();
      });
    }
  }

  function tick(ms: number): Promise<void> {
    return new Promise((resolve) => later(ms, resolve));
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const server: FakeGeminiServer = {
    url: `ws://127.0.0.1:${port}`,
    endpoint: `ws://127.0.0.1:${port}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    received,
    urls,
    httpRequests,
    generateRequests,
    connections,
    get tokensMinted() {
      return tokensMinted;
    },
    get current() {
      return connections[connections.length - 1];
    },
    waitFor(check, what, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const poll = () => {
          const v = check();
          if (v) return resolve(v as never);
          if (performance.now() - started > timeoutMs) return reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
          setTimeout(poll, 5);
        };
        poll();
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}

function cors(): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type, x-goog-api-key',
  };
}

function normalisePath(p: string): string {
  return p.replace(/\/{2,}/g, '/');
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Splits text into transcript-like fragments: a few words each, leading spaces kept. */
function fragments(text: string): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 3) out.push(words.slice(i, i + 3).join(''));
  return out;
}

function tone(n: number, offset: number, rate = 24000): Buffer {
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 330 * (offset + i)) / rate)), i * 2);
  return buf;
}

function randomDigits(n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += String(b % 10);
  return s;
}
