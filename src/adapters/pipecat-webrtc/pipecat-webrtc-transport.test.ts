import { PipecatClient, type TransportState } from '@pipecat-ai/client-js';
import { MediaStreamTrack as NodeTrack, RTCPeerConnection as NodePeerConnection } from 'werift';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { waitUntil } from '../../../test/fakes/gemini-test-session.ts';
import { installNodeBrowserGlobals } from '../../../test/fakes/node-browser-globals.ts';
import { startFakePipecatWebrtcBot, type FakePipecatWebrtcBot, type FakePipecatWebrtcBotOptions } from '../../../test/fakes/fake-pipecat-webrtc-bot.ts';
import type { FrameRecord, RtviRecord } from '../../transport/frame-observer.ts';
import { registerFunctionCallHandlerSafely } from '../../transport/function-call-handlers.ts';
import { summarizeRtcAudioStats } from '../../transport/rtc-audio-stats.ts';
import { PipecatWebrtcTransport, type PipecatWebrtcDeps } from './pipecat-webrtc-transport.ts';
import { isStartUrl, offerUrlForSession, redactSdp } from './pipecat-webrtc-signalling.ts';
import descriptor from './pipecat-webrtc-descriptor.ts';

/**
 * The SmallWebRTC adapter in Node: the client peer is werift too (the browser's RTCPeerConnection
 * in the extension), talking to the werift fake bot over localhost. Media is stubbed (no Web
 * Audio in Node); offer/answer, trickle ICE, the data channel, RTVI and the refusals are real.
 */
beforeAll(() => installNodeBrowserGlobals());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

function nodeDeps(): PipecatWebrtcDeps & { pushed: number; tapChunk: ((pcm: Int16Array) => void) | null } {
  const deps = {
    pushed: 0,
    tapChunk: null as ((pcm: Int16Array) => void) | null,
    createPeerConnection: (config: RTCConfiguration) => new NodePeerConnection({ iceServers: (config.iceServers ?? []) as never, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false }) as unknown as RTCPeerConnection,
    createTrackSource: () => {
      const track = new NodeTrack({ kind: 'audio' }) as unknown as MediaStreamTrack;
      return { track, push: () => void deps.pushed++, resume: async () => undefined, close: async () => undefined };
    },
    createTap: (onChunk: (pcm: Int16Array) => void) => {
      deps.tapChunk = onChunk;
      return { start: async () => undefined, stop: async () => undefined };
    },
  };
  return deps;
}

interface Harness {
  bot: FakePipecatWebrtcBot;
  media: FakeMediaManager;
  transport: PipecatWebrtcTransport;
  client: PipecatClient;
  frames: FrameRecord[];
  rtvi: RtviRecord[];
  states: TransportState[];
  errors: Array<Record<string, unknown>>;
  deps: ReturnType<typeof nodeDeps>;
}

async function harness(botOptions: FakePipecatWebrtcBotOptions = {}, settings: Record<string, unknown> = {}, useStart = false): Promise<Harness> {
  const bot = await startFakePipecatWebrtcBot(botOptions);
  cleanups.push(() => bot.close());
  const media = new FakeMediaManager({ playbackSpeed: 20 });
  const deps = nodeDeps();
  const transport = new PipecatWebrtcTransport({ endpoint: useStart ? bot.startUrl : bot.offerUrl, connect_timeout_ms: 8000, settings }, media, deps);
  const frames: FrameRecord[] = [];
  const rtvi: RtviRecord[] = [];
  const states: TransportState[] = [];
  const errors: Array<Record<string, unknown>> = [];
  transport.setObserver({ onFrame: (f) => frames.push(f), onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data as Record<string, unknown>) } });
  cleanups.push(() => client.disconnect());
  return { bot, media, transport, client, frames, rtvi, states, errors, deps };
}

/** The RTVI message a raw data-channel `message` frame carried. */
function carried(frames: FrameRecord[], id: number): { type?: string; id?: string } | undefined {
  const f = frames.find((x) => x.id === id);
  return (f?.payload as { data?: { type?: string; id?: string } } | undefined)?.data;
}

describe('PipecatWebrtcTransport against the fake SmallWebRTC bot', () => {
  it('offers, trickles its candidates by PATCH with the pc_id, and handshakes client-ready → bot-ready on the chat channel', async () => {
    const h = await harness();
    const ready = (await h.client.connect()) as { about: { library: string } };
    expect(h.transport.state).toBe('ready');
    expect(ready.about.library).toBe('pipecat-ai');
    expect(h.bot.offers[0].body).toMatchObject({ type: 'offer', pc_id: null, restart_pc: false });
    await waitUntil('a PATCH with candidates', () => h.bot.patches.length > 0, 3000);
    const patch = h.bot.patches[0].body as { pc_id: string; candidates: Array<Record<string, unknown>> };
    expect(patch.pc_id).toMatch(/^SmallWebRTCConnection#\d+-[0-9a-f]{32}$/);
    expect(patch.candidates[0]).toEqual({ candidate: expect.stringMatching(/^candidate:/), sdp_mid: expect.any(String), sdp_mline_index: expect.any(Number) });
    const clientReady = h.bot.received.find((m) => m.type === 'client-ready')!;
    const row = h.rtvi.find((r) => r.type === 'bot-ready')!;
    expect(carried(h.frames, row.sourceFrameIds[0])).toMatchObject({ type: 'bot-ready', id: clientReady.id });
    // trackStatus signalling on open, as Pipecat's client sends it.
    await waitUntil('trackStatus signalling at the bot', () => h.bot.channelText.some((t) => t.includes('trackStatus')), 3000);
    // The SDP in the raw view has no ICE password.
    const offer = h.frames.find((f) => f.direction === 'out' && f.type === 'http.offer')!;
    expect(JSON.stringify(offer.payload)).toContain('a=ice-pwd:[redacted]');
    expect(JSON.stringify(h.frames.map((f) => f.payload))).not.toMatch(/a=ice-pwd:(?!\[redacted\])/);
  });

  it('a turn run by the bot: its RTVI rows in order, each linked to its data-channel message; the client function answered', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', audioPaceMs: 1 }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => ({ temperature_c: 18 }));
    await h.client.connect();
    await h.bot.runTurn();
    await waitUntil('bot-stopped-speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 5000);
    const result = h.bot.received.find((m) => m.type === 'llm-function-call-result')!;
    expect(result.data).toMatchObject({ function_name: 'get_weather', result: { temperature_c: 18 } });
    const types = h.rtvi.map((r) => r.type);
    expect(types.indexOf('bot-llm-started')).toBeLessThan(types.indexOf('llm-function-call-in-progress'));
    expect(types.indexOf('llm-function-call-in-progress')).toBeLessThan(types.indexOf('bot-started-speaking'));
    for (const r of h.rtvi.filter((x) => ['metrics', 'bot-tts-text', 'user-transcription'].includes(x.type))) {
      expect(carried(h.frames, r.sourceFrameIds[0])?.type, r.type).toBe(r.type);
    }
    // One llm-function-call-stopped row: the bot's own, linked to its message (not a second local one).
    const stopped = h.rtvi.filter((r) => r.type === 'llm-function-call-stopped');
    expect(stopped.map((r) => r.data)).toEqual([expect.objectContaining({ cancelled: false, function_name: 'get_weather', result: { temperature_c: 18 } })]);
    expect(carried(h.frames, stopped[0].sourceFrameIds[0])?.type).toBe('llm-function-call-stopped');
  });

  it('a mock result that is not an object or string (Pipecat rejects it) goes over the data channel as its JSON text, with a note; the bot answers the call', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', audioPaceMs: 1 }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => [1, 2] as never);
    await h.client.connect();
    await h.bot.runTurn();
    await waitUntil('bot-stopped-speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 5000);
    expect(h.bot.received.find((m) => m.type === 'llm-function-call-result')!.data).toMatchObject({ result: '[1,2]' });
    expect(h.rtvi.filter((r) => r.type === 'error-response')).toEqual([]);
    expect(h.rtvi.filter((r) => r.type === 'llm-function-call-stopped').map((r) => (r.data as { result: unknown }).result)).toEqual(['[1,2]']);
    expect(h.rtvi.some((r) => r.type === 'error' && /object or a string/.test((r.data as { message: string }).message))).toBe(true);
  });

  it('a result the bot refuses (error-response) is an error naming the call, not reported answered', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', functionResultException: 'boom', audioPaceMs: 1 }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => ({ temperature_c: 18 }));
    await h.client.connect();
    void h.bot.runTurn();
    await waitUntil('the refusal', () => h.rtvi.some((r) => r.type === 'error' && /refused the result/.test((r.data as { message: string }).message)), 8000);
    const err = h.rtvi.find((r) => r.type === 'error' && /refused the result/.test((r.data as { message: string }).message))!;
    expect((err.data as { message: string }).message).toContain('Exception processing message: boom');
    expect(h.rtvi.filter((r) => r.type === 'llm-function-call-stopped')).toEqual([]);
  });

  it('HTTP 500 at the offer endpoint: connect() rejects with the status and body, and the state is not left connecting', async () => {
    const h = await harness({ offerRefusal: { status: 500, body: '{"detail": "Pipeline failed"}' } });
    await expect(h.client.connect()).rejects.toThrow(/offer endpoint refused: HTTP 500.*Pipeline failed/);
    expect(['error', 'disconnected']).toContain(h.transport.state);
    expect(h.errors.some((e) => /HTTP 500/.test(String(e.error)))).toBe(true);
  });

  it('HTTP 422 at the offer endpoint (a 4xx) also names the status and the body', async () => {
    const h = await harness({ offerRefusal: { status: 422, body: '{"detail": [{"msg": "Field required"}]}' } });
    await expect(h.client.connect()).rejects.toThrow(/HTTP 422.*Field required/);
  });

  it('HTTP 401 at the start endpoint: connect() rejects with status and body before any offer is sent', async () => {
    const h = await harness({ startRefusal: { status: 401, body: 'Unauthorized: bad token' } }, { token: 'tok-secret-123' }, true);
    const err = await h.client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/start endpoint refused: HTTP 401.*Unauthorized: bad token/);
    expect(err?.message).not.toContain('tok-secret-123');
    expect(h.bot.offers).toHaveLength(0);
    expect(h.bot.startRequests[0].authorization).toBe('Bearer tok-secret-123');
    expect(JSON.stringify(h.frames)).not.toContain('tok-secret-123');
  });

  it('via /start: the offer goes to /sessions/<sessionId>/api/offer with the start body sent as set', async () => {
    const h = await harness({}, { start_body: '{"transport": "webrtc", "body": {"room": "a"}}' }, true);
    await h.client.connect();
    expect(h.bot.startRequests[0].body).toEqual({ transport: 'webrtc', body: { room: 'a' } });
    expect(h.bot.offers[0].path).toMatch(/^\/sessions\/[0-9a-f-]{36}\/api\/offer$/);
    await waitUntil('a PATCH to the session offer URL', () => h.bot.patches.length > 0, 3000);
    expect(h.bot.patches[0].path).toBe(h.bot.offers[0].path);
  });

  it('an unreachable bot: connect() settles with a message naming the endpoint', async () => {
    const media = new FakeMediaManager();
    const transport = new PipecatWebrtcTransport({ endpoint: 'http://127.0.0.1:9/api/offer', connect_timeout_ms: 4000 }, media, nodeDeps());
    const client = new PipecatClient({ transport, enableMic: true });
    cleanups.push(() => client.disconnect());
    await expect(client.connect()).rejects.toThrow(/Could not reach the Pipecat bot's offer endpoint http:\/\/127\.0\.0\.1:9/);
  });

  it('the bot closes the data channel after bot-ready: a fatal error says so and the session ends (state truthful)', async () => {
    const h = await harness({ closeChannelAfterReadyMs: 200 });
    await h.client.connect();
    await waitUntil('the session to end', () => h.transport.state === 'disconnected', 5000);
    expect(h.states).toContain('error');
    expect(h.errors.some((e) => /data channel closed/.test(String(e.error)) && e.fatal === true)).toBe(true);
  });

  it('the bot closes the data channel before bot-ready: connect() rejects with that reason', async () => {
    const h = await harness({ closeChannelInsteadOfReady: true });
    await expect(h.client.connect()).rejects.toThrow(/data channel closed/);
    expect(['error', 'disconnected']).toContain(h.transport.state);
  });

  it('a bot whose answer leads nowhere (ICE never connects): connect() fails before the setup timeout, naming ICE and not the bot\'s answer', async () => {
    const bot = await startFakePipecatWebrtcBot({ closePeerAfterAnswer: true });
    cleanups.push(() => bot.close());
    const transport = new PipecatWebrtcTransport({ endpoint: bot.offerUrl, connect_timeout_ms: 2500 }, new FakeMediaManager(), nodeDeps());
    const client = new PipecatClient({ transport, enableMic: true });
    cleanups.push(() => client.disconnect());
    await expect(client.connect()).rejects.toThrow(/answered the offer, but no WebRTC connection to it opened \(ICE \w+/);
    expect(['error', 'disconnected']).toContain(transport.state);
  });

  it('microphone audio goes to the sent track only once ready', async () => {
    const h = await harness();
    await h.client.connect();
    h.media.speak(100);
    expect(h.deps.pushed).toBeGreaterThan(0);
  });

  it("the bot's track: idle silence is not played, sound opens a playback item that ends after 400 ms of silence", async () => {
    const h = await harness();
    await h.client.connect();
    await waitUntil("the bot's audio track (ontrack → tap)", () => h.deps.tapChunk !== null, 3000);
    const chunk = (amp: number) => new Int16Array(480).fill(amp); // 20 ms at 24 kHz
    const items = () => [...new Set(h.media.buffered.map((b) => b.itemId))];
    for (let i = 0; i < 20; i++) h.deps.tapChunk!(chunk(10));
    expect(h.media.buffered).toHaveLength(0);
    for (let i = 0; i < 5; i++) h.deps.tapChunk!(chunk(4000));
    for (let i = 0; i < 10; i++) h.deps.tapChunk!(chunk(0)); // 200 ms: still the same reply
    for (let i = 0; i < 5; i++) h.deps.tapChunk!(chunk(4000));
    expect(items()).toHaveLength(1);
    for (let i = 0; i < 25; i++) h.deps.tapChunk!(chunk(0)); // 500 ms: the reply ended
    for (let i = 0; i < 5; i++) h.deps.tapChunk!(chunk(4000));
    expect(items()).toHaveLength(2);
    // 5 + 10 + 5 chunks in the first item, then up to the 400 ms hangover (20 chunks) of silence.
    expect(h.media.buffered.filter((b) => b.itemId === items()[0]).length).toBe(5 + 10 + 5 + 19);
  });

  it("the bot's bot-interrupted flushes our playback (SmallWebRTC carries no InterruptionFrame)", async () => {
    const h = await harness();
    await h.client.connect();
    await waitUntil("the bot's audio track (ontrack → tap)", () => h.deps.tapChunk !== null, 3000);
    for (let i = 0; i < 5; i++) h.deps.tapChunk!(new Int16Array(480).fill(4000));
    h.bot.sendRtvi('bot-interrupted');
    await waitUntil('the player flushed', () => h.media.interrupts.length > 0, 3000);
    expect(h.rtvi.some((r) => r.type === 'bot-interrupted')).toBe(true);
    // Audio after the interruption is a new playback item.
    for (let i = 0; i < 5; i++) h.deps.tapChunk!(new Int16Array(480).fill(4000));
    expect(new Set(h.media.buffered.map((b) => b.itemId)).size).toBe(2);
  });

  it('data-channel text that is not JSON: a keep-alive is shown quietly, anything else is a non-fatal error linked to it', async () => {
    const h = await harness();
    await h.client.connect();
    h.bot.sendText('pong: 1700000000000');
    h.bot.sendText('hello there');
    await waitUntil('the error about non-JSON text', () => h.errors.some((e) => /not JSON/.test(String(e.error))), 3000);
    expect(h.errors.filter((e) => /not JSON/.test(String(e.error)))).toHaveLength(1);
    expect(h.errors.every((e) => e.fatal !== true)).toBe(true);
    expect(h.frames.some((f) => f.type === 'ping' && f.direction === 'in')).toBe(true);
    expect(h.transport.state).toBe('ready');
  });

  it('muting the microphone tells the bot (trackStatus for receiver 0, enabled false)', async () => {
    const h = await harness();
    await h.client.connect();
    h.client.enableMic(false);
    await waitUntil('trackStatus enabled:false at the bot', () => h.bot.channelText.some((t) => /"receiver_index":0,"enabled":false/.test(t)), 3000);
  });

  it('getStats() adds the WebRTC audio stats once polled', async () => {
    const h = await harness();
    await h.client.connect();
    await waitUntil('rtc stats', () => h.transport.getStats().rtcAudio === true, 4000);
    expect(h.transport.getStats()).toMatchObject({ rtcAudio: true, chunkMs: expect.any(Number) });
  });

  it('validates the URL and JSON settings before connecting', async () => {
    for (const [endpoint, settings, msg] of [
      ['ws://localhost:7860/ws', {}, /must start with http:\/\/ or https:\/\//],
      ['not a url', {}, /not a valid URL/],
      ['http://bot.example.com/api/offer', { token: 't' }, /Refusing to send the bot token over unencrypted http/],
      ['http://localhost:7860/start', { start_body: '[1]' }, /must be a JSON object/],
    ] as const) {
      const transport = new PipecatWebrtcTransport({ endpoint, settings, connect_timeout_ms: 2000 }, new FakeMediaManager(), nodeDeps());
      const client = new PipecatClient({ transport, enableMic: true });
      await expect(client.connect(), endpoint).rejects.toThrow(msg);
      await client.disconnect();
    }
  });
});

describe('SmallWebRTC signalling helpers', () => {
  it('derives the session offer URL from a start URL as client-js does, and tells start URLs from offer URLs', () => {
    expect(offerUrlForSession('http://localhost:7860/start', 'abc')).toBe('http://localhost:7860/sessions/abc/api/offer');
    expect(offerUrlForSession('https://bots.example/v1/start?x=1', 'a b')).toBe('https://bots.example/v1/sessions/a%20b/api/offer');
    expect(isStartUrl('http://localhost:7860/start')).toBe(true);
    expect(isStartUrl('http://localhost:7860/api/offer')).toBe(false);
    expect(isStartUrl('http://localhost:7860/restart-bot')).toBe(false);
  });

  it('redacts only the ICE password lines of an SDP', () => {
    const sdp = 'v=0\r\na=ice-ufrag:abcd\r\na=ice-pwd:SECRETPASSWORD123\r\na=fingerprint:sha-256 AA:BB\r\n';
    const out = redactSdp(sdp);
    expect(out).not.toContain('SECRETPASSWORD123');
    expect(out).toContain('a=ice-pwd:[redacted]\r\n');
    expect(out).toContain('a=ice-ufrag:abcd');
  });

  it('summarises getStats() reports: jitter and RTT in ms, loss percent, levels, codec', () => {
    const report = new Map<string, Record<string, unknown> & { type: string; id: string }>([
      ['c1', { id: 'c1', type: 'codec', mimeType: 'audio/opus', clockRate: 48000 }],
      ['in', { id: 'in', type: 'inbound-rtp', kind: 'audio', codecId: 'c1', jitter: 0.0123, packetsReceived: 990, packetsLost: 10, audioLevel: 0.2, jitterBufferDelay: 5760, jitterBufferEmittedCount: 96000 }],
      ['out', { id: 'out', type: 'outbound-rtp', kind: 'audio', packetsSent: 1000 }],
      ['rin', { id: 'rin', type: 'remote-inbound-rtp', kind: 'audio', jitter: 0.002, packetsLost: 3, roundTripTime: 0.05 }],
      ['src', { id: 'src', type: 'media-source', kind: 'audio', audioLevel: 0.1 }],
      ['t', { id: 't', type: 'transport', selectedCandidatePairId: 'p' }],
      ['p', { id: 'p', type: 'candidate-pair', currentRoundTripTime: 0.004 }],
    ]);
    expect(summarizeRtcAudioStats(report)).toEqual({
      rtcAudio: true,
      rtcCodec: 'audio/opus/48000',
      rtcJitterMs: 12.3,
      rtcPacketsReceived: 990,
      rtcPacketsLost: 10,
      rtcLossPercent: 1,
      rtcBotAudioLevel: 0.2,
      rtcJitterBufferMs: 60,
      rtcPacketsSent: 1000,
      rtcRemoteJitterMs: 2,
      rtcRemotePacketsLost: 3,
      rtcMicAudioLevel: 0.1,
      rtcRoundTripMs: 4,
    });
    expect(summarizeRtcAudioStats(new Map()).rtcJitterMs).toBeNull();
  });

  it('the descriptor asks for the endpoint host at first use and comes after the WebSocket entry', () => {
    expect(descriptor.tokenHostPermission?.('https://bot.example:8443/start')).toBe('https://bot.example/*');
    // The default offer URL (empty Endpoint URL) is a request to localhost as well.
    expect(descriptor.tokenHostPermission?.('')).toBe('http://localhost/*');
    expect(descriptor.tokenHostPermission?.(undefined)).toBe('http://localhost/*');
    expect(descriptor.connectWhileAskingHost).toBe(true);
    expect(descriptor.order).toBeGreaterThan(40);
  });
});
