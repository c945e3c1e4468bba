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
import { PipecatBotScript, pyDumps, rtviText, type BotScriptOptions } from './pipecat-bot-script.ts';

export { functionResultValidation, pyDumps } from './pipecat-bot-script.ts';

/** The RTVI script's options (what the bot says and how: pipecat-bot-script.ts) and the WebSocket server's own. */
export interface FakePipecatBotOptions extends BotScriptOptions {
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
  /**
   * The pipeline's audio_in_sample_rate (default 16000, PipelineParams; worker.py:186). Pipecat does
   * not resample input: base_input.py:202-209 queues InputAudioRawFrames as received and the STT /
   * VAD read them at this rate (stt_service.py:357), whatever the frame says. The fake does the same:
   * it times speech at this rate, and audio labelled with another rate — which a real STT hears at
   * the wrong speed — yields a transcript "[garbled: …]" (a stand-in for an STT's nonsense).
   */
  inputSampleRate?: number;
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

export async function startFakePipecatBot(opts: FakePipecatBotOptions = {}): Promise<FakePipecatBot> {
  const received: FakePipecatBot['received'] = [];
  const audioIn: FakePipecatBot['audioIn'] = [];
  const startRequests: FakePipecatBot['startRequests'] = [];
  const upgradeUrls: string[] = [];
  const outRate = opts.outputSampleRate ?? 24_000;
  const inRate = opts.inputSampleRate ?? 16_000;
  /** send-text with run_immediately false: appended to the context, no turn run. */
  const contextAppends: string[] = [];
  let objId = 100;
  let current: WebSocket | null = null;
  // Speech detection on the client's audio: a stand-in for the bot's VAD + turn analyser.
  let speechMs = 0;
  let silenceMs = 0;
  let inSpeech = false;

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
    send(ws, create(FrameSchema, { frame: { case: 'message', value: { data: rtviText(type, data, id) } } }));
  }

  function interruption(ws: WebSocket): void {
    send(ws, create(FrameSchema, { frame: { case: 'interruption', value: { id: BigInt(++objId), name: `InterruptionFrame#${objId}` } } }));
  }

  /** One 40 ms OutputAudioRawFrame of a 220 Hz tone; the last chunk half audio, half the padding silence base_output.py adds. */
  function audioChunk(ws: WebSocket, i: number, total: number): void {
    const chunkSamples = (outRate * SAMPLE_CHUNK_MS) / 1000;
    const pcm = new Int16Array(chunkSamples);
    const audible = i === total - 1 ? chunkSamples / 2 : chunkSamples;
    for (let s = 0; s < audible; s++) pcm[s] = Math.round(Math.sin((2 * Math.PI * 220 * (i * chunkSamples + s)) / outRate) * 8000);
    ++objId;
    send(ws, create(FrameSchema, { frame: { case: 'audio', value: { id: BigInt(objId), name: `OutputAudioRawFrame#${objId}`, audio: new Uint8Array(pcm.buffer), sampleRate: outRate, numChannels: 1 } } }));
  }

  const scripts = new WeakMap<WebSocket, PipecatBotScript>();
  function scriptFor(ws: WebSocket): PipecatBotScript {
    let s = scripts.get(ws);
    if (!s) {
      s = new PipecatBotScript(
        { rtvi: (type, data, id) => rtvi(ws, type, data, id), interrupt: () => interruption(ws), sendAudioChunk: (i, total) => audioChunk(ws, i, total), chunkMs: SAMPLE_CHUNK_MS, leave: () => ws.close(1000, 'disconnect-bot') },
        opts,
        received,
        contextAppends,
      );
      scripts.set(ws, s);
    }
    return s;
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
    scriptFor(ws).onClientText(f.value.data);
  }

  function onAudio(ws: WebSocket, pcm: Uint8Array, rate: number): void {
    const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.byteLength & ~1)));
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    // Timed at the pipeline's rate, not the frame's label (no resampling in Pipecat's input).
    const ms = (samples.length / inRate) * 1000;
    if (rate !== inRate) scriptFor(ws).garbledHearing = `[garbled: ${rate} Hz audio read as ${inRate} Hz]`;
    if (peak > 1000) {
      speechMs += ms;
      silenceMs = 0;
      if (!inSpeech && speechMs >= 60) {
        inSpeech = true;
        scriptFor(ws).userStarted();
      }
    } else if (inSpeech) {
      silenceMs += ms;
      if (silenceMs >= 200) {
        inSpeech = false;
        speechMs = 0;
        void scriptFor(ws).startTurn(null);
      }
    } else {
      speechMs = 0;
    }
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
    runTurn: () => (current ? scriptFor(current).startTurn(null) : Promise.reject(new Error('no client connected'))),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
