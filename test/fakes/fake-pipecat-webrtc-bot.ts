/**
 * A fake Pipecat bot behind Pipecat's SmallWebRTC transport, for unit and e2e tests: a Node WebRTC
 * peer (werift, pure TypeScript, no native download) behind an HTTP signalling server. It is a
 * claim about the real server; sources (commits in /work/shared/reference/pipecat-server.md §2):
 * - `POST /api/offer {sdp, type: "offer", pc_id, restart_pc}` → `{sdp, type: "answer", pc_id}` with
 *   pc_id `SmallWebRTCConnection#<n>-<uuid hex>`; the answer already carries every server candidate
 *   (aiortc gathers before answering): src/pipecat/transports/smallwebrtc/request_handler.py,
 *   connection.py; the runner mounts it at /api/offer (src/pipecat/runner/run.py).
 * - trickle ICE: `PATCH /api/offer {pc_id, candidates: [{candidate, sdp_mid, sdp_mline_index}]}` →
 *   `{"status": "success"}`; unknown pc_id → 404 `{"detail": "Peer connection not found"}`; an empty
 *   candidate is an end-of-candidates marker (request_handler.py).
 * - `POST /start {transport: "webrtc", body, enableDefaultIceServers}` → `{sessionId}` (no
 *   iceConfig: this fake has no --ice-servers and STUN would need the Internet), then the offer at
 *   `/sessions/<sessionId>/api/offer`; unknown session → 404 text `Invalid or not-yet-ready
 *   session_id` (run.py).
 * - media: the first two transceivers forced to sendrecv, bot audio on transceiver 0, Opus on the
 *   wire (aiortc prefers it), silence while idle (audio_out_auto_silence=True): transport.py,
 *   connection.py.
 * - data channel "chat": RTVI as json.dumps text, the client's "ping: <ms>" keep-alive, signalling
 *   `{type: "signalling", message: {type: "trackStatus" | "peerLeft" | "renegotiate"}}`; app messages
 *   queued until the channel opens (connection.py).
 * - FastAPI validation errors are 422 `{"detail": [...]}`.
 * - CORS: the runner is a FastAPI app; with CORSMiddleware (as Pipecat's examples add) preflights
 *   for POST and PATCH pass, so a page (or the extension, without a host permission) can signal.
 *
 * What the fake cannot do: encode Opus (no pure-TypeScript Opus encoder in werift; libopus would be
 * native or WASM). So the bot's reply audio is the user's last utterance played back: the Opus
 * payloads it received from the browser, re-sent on its own track with its own sequence numbers
 * and timestamps. Idle audio is the 3-byte Opus silence frame (TOC 0xF8: CELT fullband 20 ms;
 * RFC 6716 §3.1). Its "VAD" (a stand-in for the bot's Silero VAD + turn analyser) reads the RFC 6464
 * audio level Chrome puts in each audio packet's header extension, or else the Opus packet size.
 * The RTVI it speaks is test/fakes/pipecat-bot-script.ts, shared with the WebSocket fake.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpHeaderExtensionParameters, RTP_EXTENSION_URI, RtpHeader, RtpPacket, type RTCDataChannel, type RTCRtpTransceiver } from 'werift';
import { PipecatBotScript, pyDumps, rtviText, type BotScriptOptions } from './pipecat-bot-script.ts';

export interface FakePipecatWebrtcBotOptions extends BotScriptOptions {
  /** Answer POST /start with this status and body instead of a session. */
  startRefusal?: { status: number; body: string };
  /** Answer the offer with this status and body. */
  offerRefusal?: { status: number; body: string };
  /** Answer the offer, then close the peer at once: ICE never completes (an unreachable bot). */
  closePeerAfterAnswer?: boolean;
  /** Close the data channel instead of answering client-ready (a bot whose pipeline died at start). */
  closeChannelInsteadOfReady?: boolean;
  /** Close the data channel this many ms after bot-ready. */
  closeChannelAfterReadyMs?: number;
}

export interface FakePipecatWebrtcBot {
  /** The runner's offer endpoint, `http://127.0.0.1:<port>/api/offer`. */
  offerUrl: string;
  startUrl: string;
  received: Array<{ type: string; id?: string; data?: unknown }>;
  offers: Array<{ path: string; body: Record<string, unknown> }>;
  patches: Array<{ path: string; body: Record<string, unknown> }>;
  startRequests: Array<{ body: unknown; authorization?: string; headers: Record<string, string | string[] | undefined> }>;
  /** Data-channel text the client sent that is not RTVI (pings, signalling). */
  channelText: string[];
  /** Opus packets received from the client's audio track. */
  audioPacketsIn(): number;
  /** Opus packets of speech (not silence) sent on the bot's track. */
  speechPacketsOut(): number;
  /** Sends one RTVI message on the data channel. */
  sendRtvi(type: string, data?: unknown): void;
  /** Sends raw text on the data channel (not RTVI). */
  sendText(text: string): void;
  runTurn(): Promise<void>;
  close(): Promise<void>;
}

/** RFC 6716 §3.1: TOC 0xF8 = CELT-only FB 20 ms, code 0; 0xFF 0xFE encode silence. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
/** 20 ms at Opus's 48 kHz RTP clock (RFC 7587 §4.1). */
const PACKET_TICKS = 960;
const PACKET_MS = 20;
/** Above this, a Chrome Opus packet carries sound rather than (near-)digital silence. */
const SPEECH_BYTES = 24;
/** RFC 6464 level (-dBov) under which a packet is speech: -50 dBov. */
const SPEECH_DBOV = 50;

interface Peer {
  pcId: string;
  pc: RTCPeerConnection;
  channel: RTCDataChannel | null;
  queued: string[];
  script: PipecatBotScript;
  timer: ReturnType<typeof setInterval> | null;
}

export async function startFakePipecatWebrtcBot(opts: FakePipecatWebrtcBotOptions = {}): Promise<FakePipecatWebrtcBot> {
  const received: FakePipecatWebrtcBot['received'] = [];
  const offers: FakePipecatWebrtcBot['offers'] = [];
  const patches: FakePipecatWebrtcBot['patches'] = [];
  const startRequests: FakePipecatWebrtcBot['startRequests'] = [];
  const channelText: string[] = [];
  const peers = new Map<string, Peer>();
  const sessions = new Set<string>();
  let peerSeq = 0;
  let packetsIn = 0;
  let speechOut = 0;
  let current: Peer | null = null;

  const http = createServer((req, res) => void handleHttp(req, res).catch((e: unknown) => reply(res, 500, pyDumps({ detail: String(e) }))));

  function reply(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
    if (!res.headersSent) res.writeHead(status, { 'content-type': type }).end(body);
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return null;
    }
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    res.setHeader('access-control-allow-methods', 'POST, PATCH, OPTIONS');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/start') {
      const body = await readJson(req);
      startRequests.push({ body, authorization: req.headers.authorization, headers: req.headers });
      if (opts.startRefusal) return reply(res, opts.startRefusal.status, opts.startRefusal.body);
      const sessionId = randomUUID();
      sessions.add(sessionId);
      return reply(res, 200, pyDumps({ sessionId }));
    }
    const m = /^(?:\/sessions\/([^/]+))?\/api\/offer$/.exec(path);
    if (!m) return reply(res, 404, '{"detail": "Not Found"}');
    if (m[1] && !sessions.has(m[1])) return reply(res, 404, 'Invalid or not-yet-ready session_id', 'text/plain; charset=utf-8');
    const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
    if (req.method === 'PATCH') {
      patches.push({ path, body });
      const peer = peers.get(String(body.pc_id));
      if (!peer) return reply(res, 404, '{"detail": "Peer connection not found"}');
      for (const c of (body.candidates ?? []) as Array<{ candidate?: string; sdp_mid?: string; sdp_mline_index?: number }>) {
        if (!c.candidate) continue; // end-of-candidates marker
        await peer.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdp_mid, sdpMLineIndex: c.sdp_mline_index }).catch(() => undefined);
      }
      return reply(res, 200, '{"status": "success"}');
    }
    if (req.method !== 'POST') return reply(res, 405, '{"detail": "Method Not Allowed"}');
    offers.push({ path, body });
    if (opts.offerRefusal) return reply(res, opts.offerRefusal.status, opts.offerRefusal.body);
    if (typeof body.sdp !== 'string' || body.type !== 'offer') {
      return reply(res, 422, pyDumps({ detail: [{ type: 'missing', loc: ['body', 'sdp'], msg: 'Field required' }] }));
    }
    const answer = await answerOffer(body.sdp);
    return reply(res, 200, pyDumps({ sdp: answer.sdp, type: 'answer', pc_id: answer.pcId }));
  }

  async function answerOffer(sdp: string): Promise<{ sdp: string; pcId: string }> {
    const pcId = `SmallWebRTCConnection#${peerSeq++}-${randomUUID().replace(/-/g, '')}`;
    // Localhost only: the browser and the fake share this machine, and no STUN/TURN is reachable.
    // The audio level header extension (RFC 6464), which Chrome offers on audio, is this fake's VAD input.
    const pc = new RTCPeerConnection({
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      headerExtensions: { audio: [new RTCRtpHeaderExtensionParameters({ id: 1, uri: RTP_EXTENSION_URI.audioLevelIndication })] },
    });
    const peer: Peer = {
      pcId,
      pc,
      channel: null,
      queued: [],
      timer: null,
      script: undefined as unknown as PipecatBotScript,
    };
    let outbox: Buffer[] = [];
    let utterance: Buffer[] = [];
    let lastUtterance: Buffer[] = [];
    let loud = 0;
    let quiet = 0;
    let inSpeech = false;

    const sendText = (text: string): void => {
      if (peer.channel?.readyState === 'open') peer.channel.send(text);
      else if (peer.queued.length < 50) peer.queued.push(text); // connection.py: up to 50 queued until open
    };
    peer.script = new PipecatBotScript(
      {
        rtvi: (type, data, id) => sendText(rtviText(type, data, id)),
        // An interruption stops the bot's audio at once (the output transport drops queued audio).
        interrupt: () => {
          outbox = [];
        },
        // One 40 ms chunk of reply audio = two 20 ms Opus packets of the user's last utterance.
        sendAudioChunk: (i) => {
          const src = lastUtterance.length ? lastUtterance : [];
          for (let k = 0; k < 2; k++) {
            const p = src.length ? src[(i * 2 + k) % src.length] : OPUS_SILENCE;
            outbox.push(p);
          }
        },
        // Two 20 ms packets per chunk, sent by the 20 ms outbox timer: real time.
        chunkMs: 2 * PACKET_MS,
        leave: () => {
          sendText(pyDumps({ type: 'signalling', message: { type: 'peerLeft' } }));
          setTimeout(() => void pc.close(), 50);
        },
      },
      opts,
      received,
    );

    pc.onDataChannel.subscribe((channel) => {
      peer.channel = channel;
      const flush = (): void => {
        for (const t of peer.queued.splice(0)) channel.send(t);
      };
      if (channel.readyState === 'open') flush();
      else channel.stateChanged.subscribe((s) => s === 'open' && flush());
      channel.onMessage.subscribe((data) => {
        const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        if (text.startsWith('ping')) return void channelText.push(text);
        try {
          const msg = JSON.parse(text) as { type?: string; label?: string };
          if (msg.type === 'signalling') return void channelText.push(text);
          if (msg.label === 'rtvi-ai' && msg.type === 'client-ready' && opts.closeChannelInsteadOfReady) return void channel.close();
          if (msg.label === 'rtvi-ai' && msg.type === 'client-ready' && opts.closeChannelAfterReadyMs !== undefined) {
            setTimeout(() => channel.close(), opts.closeChannelAfterReadyMs);
          }
        } catch {
          /* not JSON: the RTVI processor ignores it */
        }
        peer.script.onClientText(text);
      });
    });

    // Subscribed before the offer is applied: werift raises onTrack while applying it.
    pc.onTrack.subscribe((track) => {
      if (track.kind !== 'audio') return;
      track.onReceiveRtp.subscribe((rtp, extensions) => {
        packetsIn++;
        const payload = Buffer.from(rtp.payload);
        // RFC 6464: level in -dBov (0 loudest, 127 silence); without it, the Opus packet size.
        const level = (extensions as Record<string, { level?: number } | undefined> | undefined)?.[RTP_EXTENSION_URI.audioLevelIndication]?.level;
        if (level !== undefined ? level < SPEECH_DBOV : payload.length > SPEECH_BYTES) {
          loud++;
          quiet = 0;
          if (inSpeech) utterance.push(payload);
          if (!inSpeech && loud >= 3) {
            inSpeech = true;
            utterance = [];
            peer.script.userStarted();
          }
        } else {
          loud = 0;
          if (inSpeech && ++quiet >= 10) {
            inSpeech = false;
            lastUtterance = utterance;
            void peer.script.startTurn(null);
          }
        }
      });
    });
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const transceivers = pc.getTransceivers();
    transceivers.forEach((t: RTCRtpTransceiver, i: number) => {
      // connection.py: the first two transceivers sendrecv, the rest recvonly.
      t.setDirection(i < 2 ? 'sendrecv' : 'recvonly');
    });
    const audio = transceivers.find((t) => t.kind === 'audio');
    const out = new MediaStreamTrack({ kind: 'audio' });
    if (audio) {
      await audio.sender.replaceTrack(out);
    }
    let seq = Math.floor(Math.random() * 0xffff);
    let ts = Math.floor(Math.random() * 0xffffffff);
    peer.timer = setInterval(() => {
      const payload = outbox.shift() ?? OPUS_SILENCE;
      if (payload !== OPUS_SILENCE) speechOut++;
      seq = (seq + 1) & 0xffff;
      ts = (ts + PACKET_TICKS) >>> 0;
      out.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, payloadType: 111, marker: false }), payload));
    }, PACKET_MS);

    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const sub = pc.iceGatheringStateChange.subscribe((s) => {
          if (s === 'complete') {
            sub.unSubscribe();
            resolve();
          }
        });
        setTimeout(resolve, 3000);
      });
    }
    pc.connectionStateChange.subscribe((s) => {
      if (s === 'closed' || s === 'failed') {
        if (peer.timer) clearInterval(peer.timer);
        peer.timer = null;
      }
    });
    peers.set(pcId, peer);
    current = peer;
    const answerSdp = pc.localDescription!.sdp;
    if (opts.closePeerAfterAnswer) {
      if (peer.timer) clearInterval(peer.timer);
      await pc.close();
    }
    return { sdp: answerSdp, pcId };
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    offerUrl: `http://127.0.0.1:${port}/api/offer`,
    startUrl: `http://127.0.0.1:${port}/start`,
    received,
    offers,
    patches,
    startRequests,
    channelText,
    audioPacketsIn: () => packetsIn,
    speechPacketsOut: () => speechOut,
    sendRtvi: (type, data) => {
      if (current?.channel?.readyState === 'open') current.channel.send(rtviText(type, data));
    },
    sendText: (text) => {
      if (current?.channel?.readyState === 'open') current.channel.send(text);
    },
    runTurn: () => (current ? current.script.startTurn(null) : Promise.reject(new Error('no client connected'))),
    close: async () => {
      for (const p of peers.values()) {
        if (p.timer) clearInterval(p.timer);
        await p.pc.close().catch(() => undefined);
      }
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
