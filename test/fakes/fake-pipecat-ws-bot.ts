/**
 * A fake Pipecat bot behind Pipecat's WebSocket transport with ProtobufFrameSerializer, for unit and
 * e2e tests. It is a claim about the real server; the sources, all read from Pipecat's code
 * (see /work/shared/reference/pipecat-server.md for commits):
 * - wire: one binary `pipecat.Frame` per WebSocket message, schema src/pipecat/frames/frames.proto
 *   (our generated copy: src/adapters/pipecat-websocket/gen/frames_pb.ts); RTVI as MessageFrame.data
 *   written with Python's json.dumps (", " / ": " separators, \uXXXX for non-ASCII): serializer
 *   src/pipecat/serializers/protobuf.py (pipecat-server.md §1 "Server serializer").
 * - endpoints: the runner's `POST /start {transport: "websocket"}` → `{wsUrl, sessionId, token}` and
 *   `/ws-client` (src/pipecat/runner/run.py; pipecat-server.md §2 "Via /start", §1 "Server endpoints");
 *   token refusal closes before accept = HTTP 403 at the handshake.
 * - RTVI 2.1.0 (src/pipecat/processors/frameworks/rtvi/{models,processor,observer}.py; RTVI docs
 *   https://docs.pipecat.ai/client/rtvi-standard): client-ready → bot-ready with the same id;
 *   envelopes dumped with exclude_none (no id/data when empty); the turn order of pipecat-server.md §3
 *   "Order of one STT → LLM → TTS turn"; metrics shapes of src/pipecat/metrics/metrics.py;
 *   function calls reported at function_call_report_level NONE (Pipecat's default, observer.py:192-193)
 *   unless `functionCallReportLevel` says otherwise, answered by llm-function-call-result.
 * - audio out: OutputAudioRawFrame at 24 kHz mono, 40 ms chunks (audio_out_10ms_chunks = 4), the
 *   last padded with silence, named `OutputAudioRawFrame#<n>` with an id (base_output.py).
 * - an InterruptionFrame + bot-interrupted at every user turn start (enable_interruptions default).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameSchema, type Frame } from '../../src/adapters/pipecat-websocket/gen/frames_pb.ts';

export interface FakePipecatBotOptions {
  /** Answer POST /start with this status and body instead of a session. */
  startRefusal?: { status: number; body: string };
  /** Refuse the WebSocket handshake with this HTTP status (the runner's token check). */
  rejectUpgradeStatus?: number;
  /** Require `?token=` to equal this (the runner's --ws-auth token mode). */
  requireToken?: string;
  /**
   * The runner's --host, used only in /start's wsUrl: run.py:864-870 answers
   * `${args.host != "localhost" ? "wss" : "ws"}://${args.host}:${args.port}/ws-client` while serving
   * plain HTTP. Default '127.0.0.1' (so the answer is wss://127.0.0.1:<port>/ws-client, as the real
   * runner's would be); the fake itself always listens on 127.0.0.1.
   */
  runnerHost?: string;
  /**
   * The runner's --allowed-origins / PIPECAT_ALLOWED_ORIGINS: a WebSocket whose Origin is not listed
   * (or absent) is closed 4003 before accept (run.py:580-584, allowed_origins.py:22-34), which the
   * client sees as an HTTP 403 handshake refusal. Empty or unset: every origin allowed.
   */
  allowedOrigins?: string[];
  /** Close the socket with this code/reason right after it opens (before bot-ready). */
  closeOnOpen?: { code: number; reason: string };
  /** A client function the bot's LLM calls in each turn (answered by llm-function-call-result). */
  clientFunction?: { name: string; arguments: Record<string, unknown> };
  /**
   * RTVIObserverParams.function_call_report_level for the call. Default 'NONE', Pipecat's default
   * ({"*": NONE}, observer.py:192-193): started {}, in-progress {tool_call_id}, stopped
   * {tool_call_id, cancelled}; NAME adds function_name; FULL adds arguments and result
   * (observer.py:497-553). A client can answer only a call it can name: tests of mocks use 'FULL'.
   */
  functionCallReportLevel?: 'NONE' | 'NAME' | 'FULL';
  /** What the bot says (one TTS sentence). */
  reply?: string;
  /** What the fake STT "hears". */
  transcript?: string;
  /**
   * ms between 40 ms audio chunks. Default 40: real time, as Pipecat's output transport sends one
   * chunk per chunk duration (base_output.py:129-136; websocket transports' send interval,
   * fastapi.py:456). 0 writes the whole reply at once (no interruption can land mid-reply).
   */
  audioPaceMs?: number;
  /**
   * How the bot's TTS reports text (observer.py:631-760 with a 2.x client). 'word' (default, a
   * word-timestamp TTS such as Cartesia): per sentence a bot-output "new" once the bot speaks, then
   * per word a bare-word bot-tts-text and a bot-output "in-progress"/"completed" with cumulative
   * spoken_progress. 'sentence' (a TTS without word timing): one bot-output "completed" and the
   * sentence as bot-tts-text.
   */
  ttsTextMode?: 'word' | 'sentence';
  /**
   * The bot's app raises while handling a valid llm-function-call-result: RTVIProcessor answers
   * error-response "Exception processing message: <this>" (processor.py:379-381).
   */
  functionResultException?: string;
  /**
   * The pipeline's audio_in_sample_rate (default 16000, PipelineParams; worker.py:186). Pipecat does
   * not resample input: base_input.py:202-209 queues InputAudioRawFrames as received and the STT /
   * VAD read them at this rate (stt_service.py:357), whatever the frame says. The fake does the same:
   * it times speech at this rate, and audio labelled with another rate — which a real STT hears at
   * the wrong speed — yields a transcript "[garbled: …]" (a stand-in for an STT's nonsense).
   */
  inputSampleRate?: number;
  /**
   * What the bot's app answers to a client-message, by its `t`: RTVIProcessor only pushes an
   * RTVIClientMessageFrame and calls on_client_message (processor.py:496-509); a server-response
   * {t, d} with the message's id goes out only if the app calls send_server_response
   * (observer.py _send_server_response). Unlisted types get no answer. Default: none answered.
   */
  serverResponses?: Record<string, unknown>;
  /** Audio rate the bot writes (audio_out_sample_rate). */
  outputSampleRate?: number;
}

export interface FakePipecatBot {
  url: string;
  startUrl: string;
  /** Every RTVI message the client sent, parsed. */
  received: Array<{ type: string; id?: string; data?: unknown }>;
  /** Audio frames the client sent. */
  audioIn: Array<{ name: string; sampleRate: number; numChannels: number; bytes: number }>;
  startRequests: Array<{ body: unknown; authorization?: string }>;
  upgradeUrls: string[];
  /** Texts of send-text with run_immediately false (appended to the bot's context, no turn). */
  contextAppends: string[];
  /** Sends one RTVI message as the bot's serializer would (exclude_none: no data key when undefined). */
  sendRtvi(type: string, data?: unknown): void;
  /** Sends `chunks` 40 ms OutputAudioRawFrames at once. */
  sendAudio(chunks: number): void;
  /**
   * Closes the client's socket now, mid-session, as the server transports do when the pipeline
   * ends or fails (websockets/Starlette close with the given code and reason).
   */
  closeClient(code: number, reason: string): void;
  /** Runs one bot turn now, as if the user's speech had ended (or send-text had arrived). */
  runTurn(): Promise<void>;
  close(): Promise<void>;
}

const SAMPLE_CHUNK_MS = 40;

/** Python's json.dumps defaults: ", " and ": " separators, non-ASCII escaped. */
export function pyDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${pyDumps(k)}: ${pyDumps(x)}`)
    .join(', ')}}`;
}

/**
 * pydantic's complaint about an llm-function-call-result's data, or null when it validates
 * (models.py:278-287). The text follows pydantic v2's layout ("N validation errors for <Model>",
 * one `loc` + message per failure; a `dict | str` union reports both members); approximated.
 */
export function functionResultValidation(data: unknown): string | null {
  const d = (data && typeof data === 'object' && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const pyType = (v: unknown) => (v === null || v === undefined ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'str' : 'dict');
  const isDict = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  const errors: string[] = [];
  const err = (loc: string, msg: string, type: string, v: unknown) => errors.push(`${loc}\n  ${msg} [type=${type}, input_value=${pyDumps(v)}, input_type=${pyType(v)}]`);
  for (const k of ['function_name', 'tool_call_id'] as const) {
    if (!(k in d)) err(k, 'Field required', 'missing', d);
    else if (typeof d[k] !== 'string') err(k, 'Input should be a valid string', 'string_type', d[k]);
  }
  if (!('arguments' in d)) err('arguments', 'Field required', 'missing', d);
  else if (!isDict(d.arguments)) err('arguments', 'Input should be a valid dictionary', 'dict_type', d.arguments);
  if (!('result' in d)) err('result', 'Field required', 'missing', d);
  else if (!isDict(d.result) && typeof d.result !== 'string') {
    err('result.dict[any,any]', 'Input should be a valid dictionary', 'dict_type', d.result);
    err('result.str', 'Input should be a valid string', 'string_type', d.result);
  }
  if (!errors.length) return null;
  return `${errors.length} validation error${errors.length > 1 ? 's' : ''} for LLMFunctionCallResultData\n${errors.join('\n')}`;
}

export async function startFakePipecatBot(opts: FakePipecatBotOptions = {}): Promise<FakePipecatBot> {
  const received: FakePipecatBot['received'] = [];
  const audioIn: FakePipecatBot['audioIn'] = [];
  const startRequests: FakePipecatBot['startRequests'] = [];
  const upgradeUrls: string[] = [];
  const outRate = opts.outputSampleRate ?? 24_000;
  const inRate = opts.inputSampleRate ?? 16_000;
  /** The last client audio rate that was not the pipeline's: this turn's speech is garbled. */
  let mismatchedRate: number | null = null;
  /** send-text with run_immediately false: appended to the context, no turn run. */
  const contextAppends: string[] = [];
  /**
   * Not-spoken bot-output (audio_response false) waits in the observer until the bot next starts
   * speaking (observer.py:631-655 queues AggregatedTextFrames while the bot is silent).
   */
  const queuedOutputs: Array<Record<string, unknown>> = [];
  let objId = 100;
  let current: WebSocket | null = null;
  let turnRunning: Promise<void> | null = null;
  let pendingResult: ((r: unknown) => void) | null = null;
  // Speech detection on the client's audio: a stand-in for the bot's VAD + turn analyser.
  let speechMs = 0;
  let silenceMs = 0;
  let inSpeech = false;
  /** Bumped by every interruption: the reply being spoken stops (base_output.py drops queued audio). */
  let speechGen = 0;

  const http = createServer((req, res) => void handleHttp(req, res));
  const wss = new WebSocketServer({ noServer: true });
  let port = 0;

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The runner is a FastAPI app; with CORSMiddleware (as Pipecat's examples add) preflights pass.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && req.url?.startsWith('/start')) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      startRequests.push({ body, authorization: req.headers.authorization });
      if (opts.startRefusal) {
        res.writeHead(opts.startRefusal.status, { 'content-type': 'application/json' }).end(opts.startRefusal.body);
        return;
      }
      // run.py:864-870: wsUrl for /ws-client (scheme by the --host rule), sessionId (uuid), token (null unless token auth).
      const host = opts.runnerHost ?? '127.0.0.1';
      const scheme = host !== 'localhost' ? 'wss' : 'ws';
      res.writeHead(200, { 'content-type': 'application/json' }).end(pyDumps({ wsUrl: `${scheme}://${host}:${port}/ws-client`, sessionId: 'c0ffee00-0000-4000-8000-000000000001', token: opts.requireToken ?? null }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail": "Not Found"}');
  }

  http.on('upgrade', (req, socket, head) => {
    upgradeUrls.push(req.url ?? '/');
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    const origin = String(req.headers.origin ?? '').toLowerCase();
    const originRefused = !!opts.allowedOrigins?.length && !opts.allowedOrigins.some((o) => o.toLowerCase() === origin);
    if (opts.rejectUpgradeStatus || (opts.requireToken && token !== opts.requireToken) || originRefused) {
      const status = opts.rejectUpgradeStatus ?? 403;
      socket.end(`HTTP/1.1 ${status} Forbidden\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function send(ws: WebSocket, frame: Frame): void {
    if (ws.readyState === ws.OPEN) ws.send(toBinary(FrameSchema, frame));
  }

  /** exclude_none: an RTVI message without data carries no `data` key (models.py). */
  function rtvi(ws: WebSocket, type: string, data?: unknown, id?: string): void {
    const msg: Record<string, unknown> = { label: 'rtvi-ai', type };
    if (id !== undefined) msg.id = id;
    if (data !== undefined) msg.data = data;
    send(ws, create(FrameSchema, { frame: { case: 'message', value: { data: pyDumps(msg) } } }));
  }

  function onConnection(ws: WebSocket): void {
    // SingleClientWebsocketServerTransport: a second client is closed with 1013.
    if (current && current.readyState === current.OPEN) {
      ws.close(1013, 'Server already has a connected client');
      return;
    }
    current = ws;
    if (opts.closeOnOpen) {
      ws.close(opts.closeOnOpen.code, opts.closeOnOpen.reason);
      return;
    }
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return; // the serializer only reads bytes
      let frame: Frame;
      try {
        frame = fromBinary(FrameSchema, new Uint8Array(data as Buffer));
      } catch {
        return;
      }
      onFrame(ws, frame);
    });
    ws.on('close', () => {
      if (current === ws) current = null;
    });
  }

  function onFrame(ws: WebSocket, frame: Frame): void {
    const f = frame.frame;
    if (f.case === 'audio') {
      audioIn.push({ name: f.value.name, sampleRate: f.value.sampleRate, numChannels: f.value.numChannels, bytes: f.value.audio.byteLength });
      onAudio(ws, f.value.audio, f.value.sampleRate);
      return;
    }
    if (f.case !== 'message') return;
    let msg: { label?: string; type?: string; id?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(f.value.data);
    } catch {
      return;
    }
    if (msg.label !== 'rtvi-ai' || typeof msg.type !== 'string') return;
    received.push({ type: msg.type, id: msg.id, data: msg.data });
    switch (msg.type) {
      case 'client-ready':
        // PipelineWorker.on_client_ready → set_bot_ready(): the client-ready id, library pipecat-ai.
        rtvi(ws, 'bot-ready', { version: '2.1.0', about: { library: 'pipecat-ai', library_version: '1.7.0' } }, msg.id);
        return;
      case 'llm-function-call-result': {
        // processor.py:361-362 validates LLMFunctionCallResultData (models.py:278-287: function_name
        // str, tool_call_id str, arguments dict, result dict | str); a ValidationError answers
        // error-response "Invalid message: <pydantic text>" (processor.py:376-378) and the call
        // never reaches the LLM.
        const invalid = functionResultValidation(msg.data);
        if (invalid) {
          rtvi(ws, 'error-response', { error: `Invalid message: ${invalid}` }, msg.id);
          return;
        }
        if (opts.functionResultException) {
          rtvi(ws, 'error-response', { error: `Exception processing message: ${opts.functionResultException}` }, msg.id);
          return;
        }
        pendingResult?.(msg.data);
        return;
      }
      case 'send-text': {
        // processor.py:468-494 with SendTextOptions (models.py:224-231, both default true):
        // run_immediately interrupts, then runs the LLM; false only appends to the context (no
        // turn). audio_response false sets skip_tts for this message: text, no TTS or audio.
        const o = (msg.data?.options ?? {}) as { run_immediately?: unknown; audio_response?: unknown };
        const content = String(msg.data?.content ?? '');
        if (o.run_immediately === false) {
          contextAppends.push(content);
          return;
        }
        speechGen++;
        send(ws, create(FrameSchema, { frame: { case: 'interruption', value: { id: BigInt(++objId), name: `InterruptionFrame#${objId}` } } }));
        rtvi(ws, 'bot-interrupted');
        void startTurn(ws, content, o.audio_response !== false);
        return;
      }
      case 'client-message': {
        const t = String(msg.data?.t ?? '');
        if (opts.serverResponses && t in opts.serverResponses) rtvi(ws, 'server-response', { t, d: opts.serverResponses[t] }, msg.id);
        return;
      }
      case 'disconnect-bot':
        ws.close(1000, 'disconnect-bot');
        return;
      default:
        // processor.py: anything else → error-response "Unsupported type <type>" (append-to-context included).
        rtvi(ws, 'error-response', { error: `Unsupported type ${msg.type}` }, msg.id);
    }
  }

  function onAudio(ws: WebSocket, pcm: Uint8Array, rate: number): void {
    const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.byteLength & ~1)));
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    // Timed at the pipeline's rate, not the frame's label (no resampling in Pipecat's input).
    const ms = (samples.length / inRate) * 1000;
    if (rate !== inRate) mismatchedRate = rate;
    if (peak > 1000) {
      speechMs += ms;
      silenceMs = 0;
      if (!inSpeech && speechMs >= 60) {
        inSpeech = true;
        speechGen++;
        rtvi(ws, 'user-started-speaking');
        send(ws, create(FrameSchema, { frame: { case: 'interruption', value: { id: BigInt(++objId), name: `InterruptionFrame#${objId}` } } }));
        rtvi(ws, 'bot-interrupted');
      }
    } else if (inSpeech) {
      silenceMs += ms;
      if (silenceMs >= 200) {
        inSpeech = false;
        speechMs = 0;
        void startTurn(ws, null);
      }
    } else {
      speechMs = 0;
    }
  }

  function startTurn(ws: WebSocket, typed: string | null, audioResponse = true): Promise<void> {
    const run = (turnRunning ?? Promise.resolve()).then(() => turn(ws, typed, audioResponse));
    turnRunning = run.finally(() => {
      if (turnRunning === run) turnRunning = null;
    });
    return run;
  }

  async function turn(ws: WebSocket, typed: string | null, audioResponse = true): Promise<void> {
    const spoken = opts.transcript ?? 'What is the weather in Paris?';
    const heard = typed ?? (mismatchedRate !== null ? `[garbled: ${mismatchedRate} Hz audio read as ${inRate} Hz]` : spoken);
    const ts = new Date().toISOString().replace('Z', '+00:00');
    if (typed === null) {
      rtvi(ws, 'user-transcription', { text: heard.split(' ').slice(0, 2).join(' '), user_id: '', timestamp: ts, final: false });
      rtvi(ws, 'user-transcription', { text: heard, user_id: '', timestamp: ts, final: true });
      // Metrics: each MetricsFrame (src/pipecat/frames/frames.py) becomes one RTVI `metrics` message
      // (RTVIObserver._handle_metrics, observer.py; RTVI docs https://docs.pipecat.ai/client/rtvi-standard
      // "metrics"), keyed by kind with the MetricsData models of src/pipecat/metrics/metrics.py:
      // TTFBMetricsData / ProcessingMetricsData {processor: "<Class>#<n>", model?, value: seconds},
      // TTSUsageMetricsData {processor, model?, value: characters}. Sent with enable_metrics /
      // enable_usage_metrics in PipelineParams (https://docs.pipecat.ai/guides/fundamentals/metrics).
      rtvi(ws, 'metrics', { ttfb: [{ processor: 'DeepgramSTTService#0', model: 'nova-3-general', value: 0.187 }] });
      // STTUsageMetricsData {processor, model?, value: STTUsage{audio_seconds}} (metrics.py:165-180).
      rtvi(ws, 'metrics', { stt_usage: [{ processor: 'DeepgramSTTService#0', model: 'nova-3-general', value: { audio_seconds: 1.6 } }] });
    }
    rtvi(ws, 'user-llm-text', { text: heard });
    if (typed === null) rtvi(ws, 'user-stopped-speaking');
    rtvi(ws, 'bot-llm-started');
    rtvi(ws, 'metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.412 }] });
    // observer.py _handle_metrics: usage is `d.value.model_dump()`, so no processor or model (LLMTokenUsage fields).
    rtvi(ws, 'metrics', { tokens: [{ prompt_tokens: 112, completion_tokens: 9, total_tokens: 121 }] });
    if (opts.clientFunction) {
      const callId = `call_${++objId}`;
      const { name, arguments: args } = opts.clientFunction;
      const level = opts.functionCallReportLevel ?? 'NONE';
      const named = level !== 'NONE' ? { function_name: name } : {};
      // observer.py:497-525: fields by report level (exclude_none drops the unset ones).
      rtvi(ws, 'llm-function-call-started', { ...named });
      rtvi(ws, 'llm-function-call-in-progress', { tool_call_id: callId, ...named, ...(level === 'FULL' ? { arguments: args } : {}) });
      rtvi(ws, 'metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.455 }] });
      rtvi(ws, 'bot-llm-stopped');
      const result = await new Promise<unknown>((resolve) => {
        pendingResult = resolve;
        setTimeout(() => resolve({ error: 'no result from client' }), 10_000);
      });
      pendingResult = null;
      const r = (result ?? {}) as { result?: unknown };
      rtvi(ws, 'llm-function-call-stopped', { tool_call_id: callId, cancelled: false, ...named, ...(level === 'FULL' ? { result: r.result ?? null } : {}) });
      rtvi(ws, 'bot-llm-started');
      rtvi(ws, 'metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.301 }] });
    }
    const reply = opts.reply ?? 'It is sunny in Paris today.';
    const words = reply.split(' ');
    for (const w of words) rtvi(ws, 'bot-llm-text', { text: ` ${w}` });
    rtvi(ws, 'bot-transcription', { text: reply });
    rtvi(ws, 'metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.633 }] });
    rtvi(ws, 'bot-llm-stopped');
    if (!audioResponse) {
      // skip_tts: the sentences are not spoken (observer.py:736-760: will_be_spoken false, no status).
      for (const text of (reply.match(/[^.!?]+[.!?]*/g) ?? [reply]).map((x) => x.trim()).filter(Boolean)) {
        queuedOutputs.push({ text, spoken: false, will_be_spoken: false, aggregated_by: 'sentence', segment_id: ++objId });
      }
      return;
    }
    rtvi(ws, 'bot-tts-started');
    rtvi(ws, 'metrics', { characters: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: reply.length }] });
    rtvi(ws, 'metrics', { ttfb: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: 0.238 }] });
    // TTFAMetricsData {ttfa, ttfb, leading_silence}: no flat value (metrics.py:41-64).
    rtvi(ws, 'metrics', { ttfa: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', ttfa: 0.301, ttfb: 0.238, leading_silence: 0.063 }] });
    await speakAudio(ws, reply);
  }

  async function speakAudio(ws: WebSocket, reply: string): Promise<void> {
    const gen = speechGen;
    const chunkSamples = (outRate * SAMPLE_CHUNK_MS) / 1000;
    const sentences = (reply.match(/[^.!?]+[.!?]*/g) ?? [reply]).map((x) => x.trim()).filter(Boolean);
    const segments = sentences.map((text) => ({ id: ++objId, text }));
    // One step per word: which sentence, the bare word, and the sentence's spoken/unspoken split
    // (word_completion_tracker.py:297-314: accumulated + remaining reproduce the text exactly).
    const steps = segments.flatMap((seg) => {
      let at = 0;
      return seg.text.split(' ').map((word, i, all) => {
        at = seg.text.indexOf(word, at) + word.length;
        return { seg, word, first: i === 0, accumulated: seg.text.slice(0, at), remaining: seg.text.slice(at) };
      });
    });
    const totalChunks = Math.max(steps.length * 3, 6);
    const pace = opts.audioPaceMs ?? SAMPLE_CHUNK_MS;
    const mode = opts.ttsTextMode ?? 'word';
    const output = (seg: { id: number; text: string }, status: string, accumulated: string, remaining: string, spoken?: boolean) =>
      rtvi(ws, 'bot-output', { text: seg.text, spoken, will_be_spoken: true, aggregated_by: 'sentence', segment_id: seg.id, spoken_status: status, spoken_progress: { accumulated_text: accumulated, remaining_text: remaining } });
    for (let i = 0; i < totalChunks; i++) {
      if (gen !== speechGen) break;
      const pcm = new Int16Array(chunkSamples);
      // A 220 Hz tone; the last chunk is half audio, half the padding silence base_output.py adds.
      const audible = i === totalChunks - 1 ? chunkSamples / 2 : chunkSamples;
      for (let s = 0; s < audible; s++) pcm[s] = Math.round(Math.sin((2 * Math.PI * 220 * (i * chunkSamples + s)) / outRate) * 8000);
      ++objId;
      send(ws, create(FrameSchema, { frame: { case: 'audio', value: { id: BigInt(objId), name: `OutputAudioRawFrame#${objId}`, audio: new Uint8Array(pcm.buffer), sampleRate: outRate, numChannels: 1 } } }));
      if (i === 0) {
        rtvi(ws, 'bot-started-speaking');
        for (const q of queuedOutputs.splice(0)) rtvi(ws, 'bot-output', q);
        // Aggregated sentences are queued until the bot speaks, then flushed (observer.py:631-648):
        // word-timestamp path, "new" with nothing spoken (observer.py:746-748), `spoken: false`.
        if (mode === 'word') for (const seg of segments) output(seg, 'new', '', seg.text, false);
      }
      const step = i % 3 === 0 ? steps[i / 3] : undefined;
      if (step && mode === 'word') {
        // The TTSTextFrame (bare word, stripped: word_completion_tracker.py:271) comes before its
        // progress frame (aggregated_frame_sequencer.py:536-550); progress is cumulative.
        rtvi(ws, 'bot-tts-text', { text: step.word });
        output(step.seg, step.remaining === '' ? 'completed' : 'in-progress', step.accumulated, step.remaining);
      } else if (step?.first) {
        // push_text_frames path: "completed" with the whole sentence, then bot-tts-text (observer.py:740-767).
        output(step.seg, 'completed', step.seg.text, '', true);
        rtvi(ws, 'bot-tts-text', { text: step.seg.text });
      }
      if (i === totalChunks - 2) rtvi(ws, 'bot-tts-stopped');
      if (pace > 0) await new Promise((r) => setTimeout(r, pace));
    }
    // After an interruption the output transport still reports BotStoppedSpeakingFrame; nothing
    // more about the cut sentence is sent (the sequencer is cleared).
    rtvi(ws, 'bot-stopped-speaking');
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ws-client`,
    startUrl: `http://127.0.0.1:${port}/start`,
    received,
    audioIn,
    startRequests,
    upgradeUrls,
    contextAppends,
    sendRtvi: (type, data) => {
      if (current) rtvi(current, type, data);
    },
    sendAudio: (chunks) => {
      if (!current) return;
      const n = (outRate * SAMPLE_CHUNK_MS) / 1000;
      for (let i = 0; i < chunks; i++) {
        const pcm = new Int16Array(n).fill(4000);
        ++objId;
        send(current, create(FrameSchema, { frame: { case: 'audio', value: { id: BigInt(objId), name: `OutputAudioRawFrame#${objId}`, audio: new Uint8Array(pcm.buffer), sampleRate: outRate, numChannels: 1 } } }));
      }
    },
    closeClient: (code, reason) => {
      current?.close(code, reason);
    },
    runTurn: () => (current ? startTurn(current, null) : Promise.reject(new Error('no client connected'))),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
