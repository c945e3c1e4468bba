import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RTVIEventCallbacks } from '@pipecat-ai/client-js';
import { MicrophoneError } from '../transport/transport-errors.ts';
import { AudioWorkletMediaManager, toMicrophoneError, withShortOpusPackets, type AudioWorkletMediaManagerOptions } from './audio-worklet-media-manager.ts';
import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { RealTimeWebsocketTransport } from '../transport/realtime-websocket-transport.ts';
import type { PlaybackEvent, SpeechEvent } from './media-manager.ts';
import type { CaptureToMain, MainToPlayer, PlayerToMain } from './worklet-messages.ts';

// ----------------------------------------------------------------- minimal Web Audio / media fakes
class FakePort {
  posted: Array<{ msg: unknown; transfer?: Transferable[] }> = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  closed = false;
  postMessage(msg: unknown, transfer?: Transferable[]): void {
    this.posted.push({ msg, transfer });
  }
  close(): void {
    this.closed = true;
  }
  /** Delivers a message from the processor to the manager. */
  emit(data: CaptureToMain | PlayerToMain): void {
    this.onmessage?.({ data });
  }
}

class FakeNode {
  connections: unknown[] = [];
  connect(to: unknown): void {
    this.connections.push(to);
  }
  disconnect(): void {
    this.connections = [];
  }
}

class FakeWorkletNode extends FakeNode {
  static created: FakeWorkletNode[] = [];
  port = new FakePort();
  onprocessorerror: (() => void) | null = null;
  constructor(
    readonly context: FakeAudioContext,
    readonly name: string,
    readonly options: { processorOptions: unknown },
  ) {
    super();
    FakeWorkletNode.created.push(this);
  }
}

class FakeAudioContext {
  static created: FakeAudioContext[] = [];
  sampleRate: number;
  currentTime = 10;
  state: 'running' | 'suspended' | 'closed' = 'suspended';
  outputLatency = 0.02;
  baseLatency = 0.01;
  destination = new FakeNode();
  modules: string[] = [];
  audioWorklet = { addModule: async (url: string) => void this.modules.push(url) };
  outputTimestamp = { contextTime: 9.9, performanceTime: 5000 };
  constructor(readonly opts?: { sampleRate?: number; latencyHint?: unknown }) {
    this.sampleRate = opts?.sampleRate ?? 48000;
    FakeAudioContext.created.push(this);
  }
  sources: FakeNode[] = [];
  createMediaStreamSource(): FakeNode {
    const n = new FakeNode();
    this.sources.push(n);
    return n;
  }
  createAnalyser(): FakeNode & { fftSize: number; getFloatTimeDomainData(b: Float32Array): void } {
    return Object.assign(new FakeNode(), { fftSize: 2048, getFloatTimeDomainData: (b: Float32Array) => b.fill(0) });
  }
  async resume(): Promise<void> {
    this.state = 'running';
  }
  async close(): Promise<void> {
    this.state = 'closed';
  }
  getOutputTimestamp(): { contextTime: number; performanceTime: number } {
    return this.outputTimestamp;
  }
}

class FakeTrack extends EventTarget {
  enabled = true;
  stopped = false;
  kind = 'audio';
  label = 'Mic One';
  get readyState(): 'live' | 'ended' {
    return this.stopped ? 'ended' : 'live';
  }
  constructor(
    private readonly settings: Record<string, unknown>,
    private readonly capabilities?: Record<string, unknown>,
  ) {
    super();
  }
  getSettings(): Record<string, unknown> {
    return this.settings;
  }
  getCapabilities(): Record<string, unknown> {
    return this.capabilities ?? {};
  }
  stop(): void {
    this.stopped = true;
  }
}

class FakeStream {
  constructor(readonly track: FakeTrack) {}
  getAudioTracks(): FakeTrack[] {
    return [this.track];
  }
  getVideoTracks(): FakeTrack[] {
    return [];
  }
  getTracks(): FakeTrack[] {
    return [this.track];
  }
}

interface Env {
  track: FakeTrack;
  getUserMedia: ReturnType<typeof vi.fn>;
  devices: MediaDeviceInfo[];
  /** devicechange listeners currently installed on navigator.mediaDevices. */
  deviceListeners: () => number;
}

function installDom(opts: { gumError?: { name: string; message: string }; deviceRate?: number; gumPending?: boolean; echoCapabilities?: unknown[]; refuseEchoModes?: boolean } = {}): Env {
  FakeAudioContext.created = [];
  FakeWorkletNode.created = [];
  const track = new FakeTrack({ sampleRate: opts.deviceRate ?? 48000, echoCancellation: true, noiseSuppression: true, autoGainControl: false, deviceId: 'mic-1' }, opts.echoCapabilities ? { echoCancellation: opts.echoCapabilities } : undefined);
  const devices = [
    { kind: 'audioinput', deviceId: 'mic-1', label: 'Mic One', groupId: 'g' },
    { kind: 'audiooutput', deviceId: 'default', label: 'Speakers', groupId: 'g' },
  ] as MediaDeviceInfo[];
  const getUserMedia = vi.fn(async (c?: { audio?: { echoCancellation?: unknown } }) => {
    // A page whose permission prompt is still open: getUserMedia neither resolves nor rejects.
    if (opts.gumPending) return new Promise<never>(() => undefined);
    // Chromium 14x answers {exact: 'all'} with OverconstrainedError naming the constraint (measured on the rig).
    if (opts.refuseEchoModes && typeof c?.audio?.echoCancellation === 'object') throw Object.assign(new Error('Constraints could be not satisfied.'), { name: 'OverconstrainedError', constraint: 'echoCancellation' });
    if (opts.gumError) throw Object.assign(new Error(opts.gumError.message), { name: opts.gumError.name });
    return new FakeStream(track);
  });
  const mediaDevices = Object.assign(new EventTarget(), { getUserMedia, enumerateDevices: async () => devices });
  let listeners = 0;
  const add = mediaDevices.addEventListener.bind(mediaDevices);
  const remove = mediaDevices.removeEventListener.bind(mediaDevices);
  mediaDevices.addEventListener = (type: string, l: EventListenerOrEventListenerObject | null, o?: AddEventListenerOptions | boolean) => {
    if (type === 'devicechange') listeners++;
    add(type, l, o);
  };
  mediaDevices.removeEventListener = (type: string, l: EventListenerOrEventListenerObject | null, o?: EventListenerOptions | boolean) => {
    if (type === 'devicechange') listeners--;
    remove(type, l, o);
  };
  vi.stubGlobal('navigator', { mediaDevices });
  vi.stubGlobal('AudioContext', FakeAudioContext);
  vi.stubGlobal('AudioWorkletNode', FakeWorkletNode);
  return { track, getUserMedia, devices, deviceListeners: () => listeners };
}

function playerNode(): FakeWorkletNode {
  const n = FakeWorkletNode.created.find((x) => x.name === 'pcm-player-processor');
  if (!n) throw new Error('player node was not created');
  return n;
}

function captureNode(): FakeWorkletNode {
  const n = FakeWorkletNode.created.find((x) => x.name === 'pcm-capture-processor');
  if (!n) throw new Error('capture node was not created');
  return n;
}

function makeManager(callbacks: RTVIEventCallbacks = {}, enableMic = true, options: AudioWorkletMediaManagerOptions = {}): AudioWorkletMediaManager {
  const m = new AudioWorkletMediaManager({ echoPath: 'destination', captureWorkletUrl: '/capture.js', playerWorkletUrl: '/player.js', ...options });
  m.setClientOptions({ callbacks, enableMic } as never, true);
  m.configure({ inputSampleRate: 16000, outputSampleRate: 24000 });
  return m;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

// ----------------------------------------------------------------- tests
describe('AudioWorkletMediaManager without a DOM', () => {
  it('constructs, reports stats and settles every call without touching browser APIs', async () => {
    const m = new AudioWorkletMediaManager();
    expect(m.getStats()).toEqual({
      captureRate: null,
      inputRate: null,
      outputRate: null,
      resampler: null,
      capturePath: null,
      capturePathFallback: null,
      chunkMs: 20,
      chunksSent: 0,
      bufferedMs: 0,
      underruns: 0,
      clippedSamples: 0,
      echoCancellation: null,
      noiseSuppression: null,
      autoGainControl: null,
      playbackPath: null,
      echoCancellationMode: null,
      echoCancellationConfirmed: null,
      echoCancellationFallback: null,
      droppedWhileStalled: 0,
    });
    expect(m.bufferBotAudio(new Int16Array(10), 'x')).toBeUndefined();
    await expect(m.interrupt()).resolves.toEqual({});
    await expect(m.connect()).rejects.toThrow(/Audio is not available/);
    await m.disconnect();
    await m.disconnect();
    expect(m.isBotAudioActive).toBe(false);
  });
});

describe('AudioWorkletMediaManager with fake Web Audio', () => {
  it('maps getUserMedia failures to MicrophoneError with a plain reason', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['NotAllowedError', 'permissions', /Microphone access is blocked/],
      ['NotFoundError', 'not-found', /No microphone was found/],
      ['NotReadableError', 'in-use', /another application/],
      ['OverconstrainedError', 'constraints', /not available any more/],
      ['WeirdError', 'unknown', /could not be opened: boom/],
    ];
    for (const [name, kind, text] of cases) {
      const err = toMicrophoneError(Object.assign(new Error('boom'), { name }));
      expect(err).toBeInstanceOf(MicrophoneError);
      expect(err.kind).toBe(kind);
      expect(err.message).toMatch(text);
    }
  });

  it('connect() rejects with the mapped error, reports onDeviceError and leaves nothing open', async () => {
    installDom({ gumError: { name: 'NotAllowedError', message: 'Permission denied' } });
    const onDeviceError = vi.fn();
    const m = makeManager({ onDeviceError });
    await expect(m.connect()).rejects.toMatchObject({ name: 'MicrophoneError', kind: 'permissions' });
    expect(onDeviceError).toHaveBeenCalledOnce();
    expect(FakeAudioContext.created).toHaveLength(0);
  });

  it('initialize() enumerates devices without prompting', async () => {
    const env = installDom();
    const onAvailableMicsUpdated = vi.fn();
    const onAvailableSpeakersUpdated = vi.fn();
    const m = makeManager({ onAvailableMicsUpdated, onAvailableSpeakersUpdated });
    await m.initialize();
    expect(env.getUserMedia).not.toHaveBeenCalled();
    expect(onAvailableMicsUpdated).toHaveBeenCalledWith([env.devices[0]]);
    expect(onAvailableSpeakersUpdated).toHaveBeenCalledWith([env.devices[1]]);
    await m.dispose();
  });

  it('opens capture at the device rate with our resampler, and the player at the device rate resampling the output rate', async () => {
    const env = installDom({ deviceRate: 48000 });
    const onTrackStarted = vi.fn();
    const m = makeManager({ onTrackStarted });
    await m.connect();
    expect(env.getUserMedia).toHaveBeenCalledWith({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const capture = captureNode();
    expect(capture.context.sampleRate).toBe(48000);
    expect(capture.options.processorOptions).toMatchObject({ targetRate: 16000, chunkMs: 20, resample: true });
    expect(playerNode().context.sampleRate).toBe(48000);
    expect(playerNode().options.processorOptions).toMatchObject({ sourceRate: 24000 });
    expect(onTrackStarted).toHaveBeenCalledWith(env.track, { id: 'local', name: '', local: true });
    const stats = m.getStats();
    expect(stats).toMatchObject({ captureRate: 48000, inputRate: 16000, outputRate: 24000, resampler: 'windowed-sinc', playbackPath: 'destination', echoCancellation: true, autoGainControl: false });
    await m.disconnect();
  });

  it("opens the player at the adapter's rate when asked (playerRate 'source')", async () => {
    installDom({ deviceRate: 48000 });
    const m = new AudioWorkletMediaManager({ echoPath: 'destination', playerRate: 'source', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    m.configure({ inputSampleRate: 16000, outputSampleRate: 24000 });
    await m.connect();
    expect(playerNode().context.sampleRate).toBe(24000);
    expect(m.getStats().outputRate).toBe(24000);
    await m.disconnect();
  });

  it("an explicit chunkMs wins over the adapter's; unset, the adapter's is used", async () => {
    installDom({ deviceRate: 48000 });
    const m = new AudioWorkletMediaManager({ echoPath: 'destination', chunkMs: 10, captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    m.configure({ inputSampleRate: 16000, outputSampleRate: 24000, chunkMs: 20 });
    await m.connect();
    expect(captureNode().options.processorOptions).toMatchObject({ chunkMs: 10 });
    expect(m.getStats().chunkMs).toBe(10);
    await m.disconnect();
    const n = new AudioWorkletMediaManager({ echoPath: 'destination', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    n.configure({ inputSampleRate: 16000, outputSampleRate: 24000, chunkMs: 40 });
    await n.connect();
    const lastCapture = FakeWorkletNode.created.filter((x) => x.name === 'pcm-capture-processor').at(-1)!;
    expect(lastCapture.options.processorOptions).toMatchObject({ chunkMs: 40 });
    await n.disconnect();
  });

  it("uses Chrome's resampling when asked: the capture context runs at the adapter rate", async () => {
    installDom({ deviceRate: 48000 });
    const m = new AudioWorkletMediaManager({ echoPath: 'destination', resampler: 'browser', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    m.configure({ inputSampleRate: 24000, outputSampleRate: 24000 });
    await m.connect();
    expect(captureNode().context.sampleRate).toBe(24000);
    expect(captureNode().options.processorOptions).toMatchObject({ resample: false });
    expect(m.getStats().resampler).toBe('browser');
    await m.disconnect();
  });

  it('forwards captured chunks and levels; muting stops sending and tells the worklet', async () => {
    const env = installDom();
    const onLocalAudioLevel = vi.fn();
    const onTrackStopped = vi.fn();
    const m = makeManager({ onLocalAudioLevel, onTrackStopped });
    const sent: ArrayBuffer[] = [];
    m.setUserAudioCallback((d) => sent.push(d));
    await m.connect();
    const port = captureNode().port;
    const pcm = new Int16Array(320).buffer;
    port.emit({ type: 'chunk', pcm });
    port.emit({ type: 'level', rms: 0.25 });
    expect(sent).toEqual([pcm]);
    expect(onLocalAudioLevel).toHaveBeenCalledWith(0.25);
    expect(m.getStats().chunksSent).toBe(1);

    m.enableMic(false);
    expect(env.track.enabled).toBe(false);
    expect(port.posted.at(-1)?.msg).toEqual({ type: 'set-sending', sending: false });
    expect(onTrackStopped).toHaveBeenCalledWith(env.track, { id: 'local', name: '', local: true });
    port.emit({ type: 'chunk', pcm: new Int16Array(320).buffer });
    expect(sent).toHaveLength(1);
    await m.disconnect();
  });

  it('stamps speech events on the performance clock', async () => {
    installDom();
    const m = makeManager();
    const started: SpeechEvent[] = [];
    m.setEventsListener({ onLocalSpeechStarted: (e) => started.push(e) });
    await m.connect();
    const ctx = captureNode().context;
    ctx.currentTime = 20;
    const before = performance.now();
    captureNode().port.emit({ type: 'speech', started: true, contextTime: 19.5 });
    const after = performance.now();
    expect(started).toHaveLength(1);
    expect(started[0].at).toBeGreaterThanOrEqual(before - 500 - 1);
    expect(started[0].at).toBeLessThanOrEqual(after - 500 + 1);
    await m.disconnect();
  });

  it('transfers whole-buffer bot audio, copies views into larger buffers', async () => {
    installDom();
    const m = makeManager();
    await m.connect();
    const port = playerNode().port;
    const own = new Int16Array(480);
    m.bufferBotAudio(own, 'item-1');
    const first = port.posted.at(-1)!;
    expect((first.msg as MainToPlayer & { type: 'push' }).itemId).toBe('item-1');
    expect(first.transfer).toEqual([own.buffer]);

    const big = new Int16Array(1000).map((_, i) => i);
    const view = big.subarray(100, 200);
    m.bufferBotAudio(view, 'item-1');
    const second = port.posted.at(-1)!;
    const msg = second.msg as MainToPlayer & { type: 'push' };
    expect(msg.pcm).not.toBe(big.buffer);
    expect(Array.from(new Int16Array(msg.pcm))).toEqual(Array.from(view));
    expect(m.isBotAudioActive).toBe(true);
    await m.disconnect();
  });

  it('reports playback transitions with audio-clock timestamps and tracks played samples', async () => {
    installDom();
    const m = makeManager();
    const events: Array<['start' | 'stop', PlaybackEvent]> = [];
    m.setEventsListener({ onBotAudioStarted: (e) => events.push(['start', e]), onBotAudioStopped: (e) => events.push(['stop', e]) });
    await m.connect();
    m.bufferBotAudio(new Int16Array(24000), 'a');
    const port = playerNode().port;
    port.emit({ type: 'transition', started: true, itemId: 'a', contextTime: 10.0, playedSamples: 0, lastSeq: 1 });
    port.emit({ type: 'progress', played: { a: 12000 }, bufferedSamples: 12000, underruns: 0, droppedSamples: 0, active: true, lastSeq: 1 });
    expect(m.playedSamples('a')).toBe(12000);
    expect(m.getStats().bufferedMs).toBe(500);
    port.emit({ type: 'transition', started: false, itemId: 'a', contextTime: 11.0, playedSamples: 24000, lastSeq: 1 });
    // Output timestamp anchor: contextTime 9.9 ↔ performanceTime 5000.
    expect(events).toEqual([
      ['start', { itemId: 'a', at: 5100, playedSamples: 0, audioClockMs: 10000 }],
      ['stop', { itemId: 'a', at: 6100, playedSamples: 24000, audioClockMs: 11000 }],
    ]);
    expect(m.isBotAudioActive).toBe(false);
    expect(m.playedSamples('a')).toBe(24000);
    await m.disconnect();
  });

  it('interrupt() resolves with the worklet answer, or with the last known counts after the timeout', async () => {
    installDom();
    const m = makeManager();
    await m.connect();
    const port = playerNode().port;
    m.bufferBotAudio(new Int16Array(4800), 'a');
    const answered = m.interrupt();
    const clear = port.posted.at(-1)!.msg as MainToPlayer & { type: 'clear' };
    expect(clear.type).toBe('clear');
    port.emit({ type: 'cleared', requestId: clear.requestId, played: { a: 1234 }, contextTime: 10, lastSeq: 1 });
    await expect(answered).resolves.toEqual({ a: 1234 });
    expect(m.isBotAudioActive).toBe(false);

    m.bufferBotAudio(new Int16Array(4800), 'b');
    port.emit({ type: 'progress', played: { b: 960 }, bufferedSamples: 3840, underruns: 0, droppedSamples: 0, active: true, lastSeq: 2 });
    vi.useFakeTimers();
    try {
      const silent = m.interrupt();
      vi.advanceTimersByTime(200);
      await expect(silent).resolves.toEqual({ b: 960 });
    } finally {
      vi.useRealTimers();
    }
    await m.disconnect();
  });

  it('forwards bot levels as the remote participant', async () => {
    installDom();
    const onRemoteAudioLevel = vi.fn();
    const m = makeManager({ onRemoteAudioLevel });
    await m.connect();
    playerNode().port.emit({ type: 'level', rms: 0.5 });
    expect(onRemoteAudioLevel).toHaveBeenCalledWith(0.5, { id: 'bot', name: 'Bot', local: false });
    await m.disconnect();
  });

  it('reports a lost microphone when the track ends', async () => {
    const env = installDom();
    const m = makeManager();
    const lost = vi.fn();
    m.setEventsListener({ onMicrophoneLost: lost });
    await m.connect();
    env.track.dispatchEvent(new Event('ended'));
    expect(lost).toHaveBeenCalledOnce();
    await m.disconnect();
  });

  it('reports a microphone that vanishes from the device list while its track stays live, once, even when the list settles late', async () => {
    vi.useFakeTimers();
    try {
      const env = installDom();
      const m = makeManager();
      const lost = vi.fn();
      m.setEventsListener({ onMicrophoneLost: lost });
      await m.initialize();
      await m.connect();
      // PulseAudio moves the stream to another source: the track stays live. The event fires
      // before enumerateDevices reflects the change, so the first look still sees the mic.
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      await vi.advanceTimersByTimeAsync(0);
      expect(lost).not.toHaveBeenCalled();
      env.devices.splice(0, 1);
      await vi.advanceTimersByTimeAsync(4000);
      expect(lost).toHaveBeenCalledOnce();
      expect(lost.mock.calls[0][0]).toMatch(/was unplugged/);
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      await vi.advanceTimersByTimeAsync(4000);
      expect(lost).toHaveBeenCalledOnce();
      await m.disconnect();
      m.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('disconnect() closes every context, port and track, once, and a pending interrupt settles', async () => {
    const env = installDom();
    const m = makeManager();
    await m.connect();
    const pending = m.interrupt();
    await Promise.all([m.disconnect(), m.disconnect()]);
    await expect(pending).resolves.toEqual({});
    expect(FakeAudioContext.created.every((c) => c.state === 'closed')).toBe(true);
    expect(FakeWorkletNode.created.every((n) => n.port.closed)).toBe(true);
    expect(env.track.stopped).toBe(true);
    expect(m.getStats().playbackPath).toBeNull();
    // Reconnect works after a disconnect.
    await m.connect();
    expect(FakeAudioContext.created.filter((c) => c.state !== 'closed')).toHaveLength(2);
    await m.disconnect();
  });

  it('connect() with the mic disabled opens only the player', async () => {
    const env = installDom();
    const m = makeManager({}, false);
    await m.connect();
    expect(env.getUserMedia).not.toHaveBeenCalled();
    expect(FakeAudioContext.created).toHaveLength(1);
    await m.disconnect();
  });

  it("echoPath 'auto' falls back to the destination without WebRTC; 'rtc-loopback' says why it failed", async () => {
    installDom();
    const auto = new AudioWorkletMediaManager({ echoPath: 'auto', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    auto.setClientOptions({ enableMic: false } as never, true);
    await auto.connect();
    expect(auto.getStats().playbackPath).toBe('destination');
    await auto.disconnect();

    const strict = new AudioWorkletMediaManager({ echoPath: 'rtc-loopback', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    strict.setClientOptions({ enableMic: false } as never, true);
    await expect(strict.connect()).rejects.toThrow(/echo-cancelled path failed: RTCPeerConnection is not available/);
    expect(FakeAudioContext.created.every((c) => c.state === 'closed'), 'every AudioContext closed after the failed connect').toBe(true);
  });

  /** A WebRTC stand-in whose loopback never comes up, and a spy on the player context's MediaStream destination (the loopback's first step). */
  function stubLoopbackAttempts(): ReturnType<typeof vi.fn> {
    vi.stubGlobal('RTCPeerConnection', class {});
    const tried = vi.fn(() => {
      throw new Error('no MediaStream destination in this fake');
    });
    (FakeAudioContext.prototype as unknown as { createMediaStreamDestination: unknown }).createMediaStreamDestination = tried;
    return tried;
  }

  it("echoPath 'auto' stays on the destination when the microphone's canceller covers Web Audio output, and says so in getStats()", async () => {
    installDom({ echoCapabilities: [true, false, 'remote-only'] });
    const tried = stubLoopbackAttempts();
    const m = new AudioWorkletMediaManager({ echoPath: 'auto', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    await m.connect();
    await new Promise((r) => setTimeout(r, 0));
    expect(tried, 'no WebRTC loopback is attempted').not.toHaveBeenCalled();
    expect(m.getStats()).toMatchObject({ playbackPath: 'destination', echoCancellation: true, echoCancellationMode: true, echoCancellationConfirmed: true });
    await m.disconnect();
    delete (FakeAudioContext.prototype as unknown as { createMediaStreamDestination?: unknown }).createMediaStreamDestination;
  });

  it("echoPath 'auto' still tries the loopback where the canceller is WebRTC-only (no 'remote-only' capability), and says the destination is not cancelled", async () => {
    installDom({ echoCapabilities: [true, false] });
    const tried = stubLoopbackAttempts();
    const m = new AudioWorkletMediaManager({ echoPath: 'auto', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    await m.connect();
    await new Promise((r) => setTimeout(r, 0));
    expect(tried, 'the loopback upgrade is attempted').toHaveBeenCalled();
    expect(m.getStats()).toMatchObject({ playbackPath: 'destination', echoCancellationMode: true, echoCancellationConfirmed: false });
    await m.disconnect();
    delete (FakeAudioContext.prototype as unknown as { createMediaStreamDestination?: unknown }).createMediaStreamDestination;
  });

  it("an echo-cancellation mode the browser refuses falls back to true and says so", async () => {
    const env = installDom({ refuseEchoModes: true, echoCapabilities: [true, false, 'remote-only'] });
    const m = new AudioWorkletMediaManager({ echoPath: 'destination', echoCancellation: 'all', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' });
    await m.connect();
    expect(env.getUserMedia).toHaveBeenCalledTimes(2);
    expect(env.getUserMedia.mock.calls[0][0]).toMatchObject({ audio: { echoCancellation: { exact: 'all' } } });
    expect(env.getUserMedia.mock.calls[1][0]).toMatchObject({ audio: { echoCancellation: true } });
    expect(m.getStats()).toMatchObject({ echoCancellationMode: true, echoCancellationConfirmed: true, echoCancellationFallback: "'all' refused by the browser; using true" });
    await m.disconnect();
  });

  it('enabling the mic after connecting without it opens capture then', async () => {
    const env = installDom();
    const onTrackStarted = vi.fn();
    const m = makeManager({ onTrackStarted }, false);
    await m.connect();
    m.enableMic(true);
    await vi.waitFor(() => expect(FakeWorkletNode.created.some((n) => n.name === 'pcm-capture-processor'), 'waiting for the capture worklet node after enableMic(true)').toBe(true), { timeout: 1000 });
    expect(env.getUserMedia).toHaveBeenCalledOnce();
    expect(onTrackStarted).toHaveBeenCalledWith(env.track, { id: 'local', name: '', local: true });
    expect(m.tracks().local.audio).toBe(env.track);
    await m.disconnect();
    expect(env.track.stopped).toBe(true);
  });

  it('injectUserAudio feeds the capture path without a microphone: no getUserMedia, chunks reach the adapter while muted', async () => {
    const env = installDom();
    const m = makeManager({}, false);
    const sent: ArrayBuffer[] = [];
    m.setUserAudioCallback((pcm) => sent.push(pcm));
    await expect(m.injectUserAudio(new Int16Array(160), 16000)).rejects.toThrow(/Connect first/);
    await m.connect();
    expect(FakeWorkletNode.created.some((n) => n.name === 'pcm-capture-processor'), 'no capture node before an injection').toBe(false);
    const clip = new Int16Array(16000 / 2).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
    const done = m.injectUserAudio(clip, 16000);
    await vi.waitFor(() => expect(captureNode().port.posted.some((p) => (p.msg as { type: string }).type === 'inject')).toBe(true), { timeout: 1000 });
    expect(env.getUserMedia).not.toHaveBeenCalled();
    const node = captureNode();
    const inject = node.port.posted.find((p) => (p.msg as { type: string }).type === 'inject')!;
    const samples = (inject.msg as { samples: Float32Array }).samples;
    // Resampled to the capture context's rate (48 kHz here) on the way in, and transferred.
    expect(samples.length).toBe(24000);
    expect(inject.transfer).toEqual([samples.buffer]);
    // The processor's chunks are marked injected and go to the adapter although the mic is off.
    node.port.emit({ type: 'chunk', pcm: new ArrayBuffer(640), injected: true });
    node.port.emit({ type: 'chunk', pcm: new ArrayBuffer(640) });
    expect(sent).toHaveLength(1);
    node.port.emit({ type: 'inject-done', id: (inject.msg as { id: number }).id, frames: 24000, chunks: 25, cancelled: false });
    await expect(done).resolves.toEqual({ durationMs: 500, chunks: 25 });
    await m.disconnect();
  });

  it('injectUserAudio: abort cancels in the processor and rejects; disconnect rejects what is pending', async () => {
    installDom();
    const m = makeManager({}, false);
    await m.connect();
    const ac = new AbortController();
    const first = m.injectUserAudio(new Float32Array(4800), 48000, { signal: ac.signal });
    await vi.waitFor(() => expect(captureNode().port.posted.length).toBeGreaterThan(1), { timeout: 1000 });
    ac.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(captureNode().port.posted.some((p) => (p.msg as { type: string }).type === 'inject-cancel')).toBe(true);
    const second = m.injectUserAudio(new Float32Array(4800), 48000);
    await m.disconnect();
    await expect(second).rejects.toThrow(/session ended/);
  });

  it('a disconnect during connect abandons the half-open session', async () => {
    installDom();
    const m = makeManager();
    const connecting = m.connect();
    const disconnecting = m.disconnect();
    await expect(connecting).rejects.toThrow(/Disconnected while the audio was starting/);
    await disconnecting;
    expect(FakeAudioContext.created.every((c) => c.state === 'closed')).toBe(true);
  });
});

describe('withShortOpusPackets', () => {
  it('asks for 10 ms Opus packets after the Opus rtpmap, or rewrites an existing ptime', () => {
    const sdp = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n';
    expect(withShortOpusPackets(sdp)).toBe(sdp.replace('opus/48000/2\r\n', 'opus/48000/2\r\na=ptime:10\r\n'));
    expect(withShortOpusPackets('a=ptime:20\r\n')).toBe('a=ptime:10\r\n');
    expect(withShortOpusPackets('m=video 9\r\n')).toBe('m=video 9\r\n');
  });
});

describe('interrupt drops the interrupted items at once (issue 12 item 15)', () => {
  function pushesAfterClear(port: { posted: Array<{ msg: unknown }> }): Array<MainToPlayer & { type: 'push' }> {
    const i = port.posted.findIndex((p) => (p.msg as MainToPlayer).type === 'clear');
    return port.posted.slice(i + 1).map((p) => p.msg as MainToPlayer).filter((m): m is MainToPlayer & { type: 'push' } => m.type === 'push');
  }

  it('audio for an interrupted item that arrives while the flush is in flight is discarded, not queued after it', async () => {
    installDom();
    const m = makeManager();
    await m.connect();
    const port = playerNode().port;
    m.bufferBotAudio(new Int16Array(4800), 'item-a');
    const flushing = m.interrupt();
    const clear = port.posted.at(-1)!.msg as MainToPlayer & { type: 'clear' };
    // The provider keeps streaming the cancelled reply while the worklet has not answered yet.
    expect(m.bufferBotAudio(new Int16Array(480), 'item-a')).toBeUndefined();
    // A new reply plays.
    m.bufferBotAudio(new Int16Array(480), 'item-b');
    port.emit({ type: 'cleared', requestId: clear.requestId, played: { 'item-a': 1200 }, contextTime: 10, lastSeq: 1 });
    await expect(flushing).resolves.toEqual({ 'item-a': 1200 });
    // Late audio for the interrupted item stays dropped after the flush too.
    m.bufferBotAudio(new Int16Array(480), 'item-a');
    expect(pushesAfterClear(port).map((p) => p.itemId)).toEqual(['item-b']);
    expect(m.playedSamples('item-a')).toBe(1200);
    await m.disconnect();
  });

  it("an interrupted item's played count never advances after the flush answered", async () => {
    installDom();
    const m = makeManager();
    await m.connect();
    const port = playerNode().port;
    m.bufferBotAudio(new Int16Array(4800), 'item-a');
    const flushing = m.interrupt();
    const clear = port.posted.at(-1)!.msg as MainToPlayer & { type: 'clear' };
    port.emit({ type: 'cleared', requestId: clear.requestId, played: { 'item-a': 1200 }, contextTime: 10, lastSeq: 1 });
    await flushing;
    // A stale report must not move it (the player has nothing of it any more).
    port.emit({ type: 'progress', played: { 'item-a': 2400 }, bufferedSamples: 0, underruns: 0, droppedSamples: 0, active: false, lastSeq: 1 });
    port.emit({ type: 'transition', started: true, itemId: 'item-a', contextTime: 10.1, playedSamples: 2400, lastSeq: 1 });
    expect(m.playedSamples('item-a')).toBe(1200);
    await m.disconnect();
  });

  it('an adapter without item ids: audio during the flush is dropped, audio after it plays', async () => {
    installDom();
    const m = makeManager();
    await m.connect();
    const port = playerNode().port;
    m.bufferBotAudio(new Int16Array(4800));
    const flushing = m.interrupt();
    const clear = port.posted.at(-1)!.msg as MainToPlayer & { type: 'clear' };
    expect(m.bufferBotAudio(new Int16Array(480))).toBeUndefined();
    port.emit({ type: 'cleared', requestId: clear.requestId, played: { default: 100 }, contextTime: 10, lastSeq: 1 });
    await flushing;
    expect(m.bufferBotAudio(new Int16Array(480))).toBeDefined();
    expect(pushesAfterClear(port)).toHaveLength(1);
    await m.disconnect();
  });
});

/** The smallest adapter: ready at once, no provider. Drives the real manager through a transport. */
class InstantTransport extends RealTimeWebsocketTransport {
  initializeLLM(): void {}
  attachLLMListeners(): void {}
  async connectLLM(): Promise<void> {}
  async disconnectLLM(): Promise<void> {}
  sendReadyMessage(): Promise<void> {
    queueMicrotask(() => this.markReady());
    return this.waitUntilReady();
  }
  handleUserAudioStream(): void {}
  sendMessage(_m: RTVIMessage): void {}
}

function withWindow(): void {
  if (typeof (globalThis as { window?: unknown }).window === 'undefined') vi.stubGlobal('window', globalThis);
}

describe('issue 12 item 16: media manager clauses', () => {
  it('connect() settles and disconnect() returns while getUserMedia is pending (permission prompt open)', async () => {
    installDom({ gumPending: true });
    const m = makeManager();
    const connecting = m.connect().then(() => 'resolved', (e: Error) => e.message);
    const done = await Promise.race([m.disconnect().then(() => 'returned'), new Promise((r) => setTimeout(() => r('still waiting after 1 s'), 1000))]);
    expect(done).toBe('returned');
    await expect(Promise.race([connecting, new Promise((r) => setTimeout(() => r('connect still pending after 1 s'), 1000))])).resolves.toMatch(/Disconnected while the audio was starting/);
    expect(FakeAudioContext.created).toHaveLength(0);
  });

  it('the same through a transport and client-js: Disconnect returns and connect() rejects', async () => {
    installDom({ gumPending: true });
    withWindow();
    const transport = new InstantTransport({}, new AudioWorkletMediaManager({ echoPath: 'destination', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' }));
    const states: TransportState[] = [];
    const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s) } });
    client.setLogLevel(LogLevel.NONE);
    const connecting = client.connect().then(() => 'resolved', (e: Error) => e.message);
    await vi.waitFor(() => expect(states).toContain('connecting'), { timeout: 2000 });
    const done = await Promise.race([client.disconnect().then(() => 'returned'), new Promise((r) => setTimeout(() => r('still waiting after 2 s'), 2000))]);
    expect(done).toBe('returned');
    await expect(Promise.race([connecting, new Promise((r) => setTimeout(() => r('connect still pending after 2 s'), 2000))])).resolves.not.toMatch(/pending|resolved/);
    expect(transport.state).toBe('disconnected');
  });

  it('a speaker that disappeared falls back to the default output with onDeviceError, not a failed connect', async () => {
    installDom();
    const sinks: string[] = [];
    (FakeAudioContext.prototype as unknown as { setSinkId: (id: string) => Promise<void> }).setSinkId = async function (id: string) {
      sinks.push(id);
      if (id === 'gone-speaker') throw Object.assign(new Error('Requested device not found'), { name: 'NotFoundError' });
    };
    try {
      const onDeviceError = vi.fn();
      const m = makeManager({ onDeviceError });
      m.updateSpeaker('gone-speaker');
      await m.connect();
      expect(m.getStats().outputRate).toBe(24000);
      expect(onDeviceError).toHaveBeenCalled();
      const err = onDeviceError.mock.calls.map((c) => c[0] as { devices: string[]; message: string }).find((e) => e.devices.includes('speaker'));
      expect(err?.message).toMatch(/default/i);
      expect(m.selectedSpeaker).toMatchObject({ deviceId: 'default' });
      await m.disconnect();
    } finally {
      delete (FakeAudioContext.prototype as unknown as { setSinkId?: unknown }).setSinkId;
    }
  });

  it('every manager is disposed with its transport: no devicechange listener left per Connect', async () => {
    const env = installDom();
    withWindow();
    for (let i = 0; i < 3; i++) {
      // The extension builds a new transport (and manager) for every Connect.
      const transport = new InstantTransport({}, new AudioWorkletMediaManager({ echoPath: 'destination', captureWorkletUrl: '/c.js', playerWorkletUrl: '/p.js' }));
      const client = new PipecatClient({ transport, enableMic: true, callbacks: {} });
      client.setLogLevel(LogLevel.NONE);
      await client.connect();
      await client.disconnect();
    }
    expect(env.deviceListeners()).toBe(0);
  });

  it('onMicUpdated fires on connect with the microphone in use', async () => {
    installDom();
    const onMicUpdated = vi.fn();
    const m = makeManager({ onMicUpdated });
    await m.connect();
    expect(onMicUpdated).toHaveBeenCalledWith(expect.objectContaining({ deviceId: 'mic-1', kind: 'audioinput' }));
    await m.disconnect();
  });

  it('the bot level returns to zero when playback ends', async () => {
    installDom();
    const onRemoteAudioLevel = vi.fn();
    const m = makeManager({ onRemoteAudioLevel });
    await m.connect();
    m.bufferBotAudio(new Int16Array(2400), 'a');
    const port = playerNode().port;
    port.emit({ type: 'transition', started: true, itemId: 'a', contextTime: 10, playedSamples: 0, lastSeq: 1 });
    port.emit({ type: 'level', rms: 0.4 });
    port.emit({ type: 'transition', started: false, itemId: 'a', contextTime: 10.1, playedSamples: 2400, lastSeq: 1 });
    expect(onRemoteAudioLevel.mock.calls.at(-1)?.[0]).toBe(0);
    // And after an interrupt's flush.
    m.bufferBotAudio(new Int16Array(2400), 'b');
    port.emit({ type: 'level', rms: 0.4 });
    const flushing = m.interrupt();
    const clear = port.posted.at(-1)!.msg as MainToPlayer & { type: 'clear' };
    port.emit({ type: 'cleared', requestId: clear.requestId, played: { b: 10 }, contextTime: 10.2, lastSeq: 2 });
    await flushing;
    expect(onRemoteAudioLevel.mock.calls.at(-1)?.[0]).toBe(0);
    await m.disconnect();
  });
});

// ----------------------------------------------------------------- the microphone read from its track
/** MediaStreamTrackProcessor over a stream the test feeds with AudioData stand-ins. */
function installTrackProcessor() {
  const made: Array<{ track: unknown; push(rate: number, samples: Float32Array): { closed: boolean }; cancelled: () => boolean }> = [];
  class FakeProcessor {
    readable: ReadableStream<unknown>;
    constructor(init: { track: unknown }) {
      let ctl!: ReadableStreamDefaultController<unknown>;
      let cancelled = false;
      this.readable = new ReadableStream({ start: (c) => void (ctl = c), cancel: () => void (cancelled = true) });
      made.push({
        track: init.track,
        push(rate, samples) {
          const frame = {
            closed: false,
            timestamp: NaN,
            numberOfFrames: samples.length,
            numberOfChannels: 1,
            sampleRate: rate,
            copyTo: (d: Float32Array) => d.set(samples),
            close() {
              frame.closed = true;
            },
          };
          ctl.enqueue(frame);
          return frame;
        },
        cancelled: () => cancelled,
      });
    }
  }
  vi.stubGlobal('MediaStreamTrackProcessor', FakeProcessor);
  return made;
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const micFrames = (n: FakeWorkletNode) => n.port.posted.filter((p) => (p.msg as { type: string }).type === 'mic-frame');

describe('AudioWorkletMediaManager: the microphone path into the capture worklet', () => {
  it("'auto' reads the track's frames (no source node) and posts each to the worklet, transferred; disconnect stops reading", async () => {
    const env = installDom({ deviceRate: 48000 });
    const processors = installTrackProcessor();
    const m = makeManager();
    await m.connect();
    const node = captureNode();
    expect(processors).toHaveLength(1);
    expect(processors[0].track).toBe(env.track);
    expect(node.context.sources).toHaveLength(0);
    const frame = processors[0].push(48000, new Float32Array(480).fill(0.25));
    await tick();
    const posted = micFrames(node);
    expect(posted).toHaveLength(1);
    const msg = posted[0].msg as { samples: Float32Array };
    expect(msg.samples[0]).toBe(0.25);
    expect(posted[0].transfer).toEqual([msg.samples.buffer]);
    expect(frame.closed).toBe(true);
    expect(m.getStats()).toMatchObject({ capturePath: 'track-processor', capturePathFallback: null });
    await m.disconnect();
    expect(processors[0].cancelled()).toBe(true);
  });

  it("'media-stream-source' (and a browser without the processor) connect a source node instead", async () => {
    installDom();
    const processors = installTrackProcessor();
    const m = makeManager({}, true, { capturePath: 'media-stream-source' });
    await m.connect();
    expect(processors).toHaveLength(0);
    expect(captureNode().context.sources[0].connections).toContain(captureNode());
    expect(m.getStats()).toMatchObject({ capturePath: 'media-stream-source', capturePathFallback: null });
    await m.disconnect();

    installDom();
    vi.stubGlobal('MediaStreamTrackProcessor', undefined);
    const n = makeManager({}, true, { capturePath: 'track-processor' });
    await n.connect();
    expect(n.getStats()).toMatchObject({ capturePath: 'media-stream-source', capturePathFallback: 'MediaStreamTrackProcessor is not available in this browser' });
    await n.disconnect();
  });

  it('frames at another rate than the capture context move the microphone to a source node, and say why', async () => {
    installDom({ deviceRate: 48000 });
    const processors = installTrackProcessor();
    const m = makeManager();
    await m.connect();
    const node = captureNode();
    processors[0].push(44100, new Float32Array(441));
    await tick();
    expect(micFrames(node)).toHaveLength(0);
    expect(processors[0].cancelled()).toBe(true);
    expect(node.context.sources[0].connections).toContain(node);
    expect(m.getStats()).toMatchObject({ capturePath: 'media-stream-source', capturePathFallback: "the microphone's frames are at 44100 Hz and the capture context at 48000 Hz" });
    await m.disconnect();
  });

  it('a microphone turned on after injected audio opened the capture graph is read as frames too', async () => {
    installDom({ deviceRate: 48000 });
    const processors = installTrackProcessor();
    const m = makeManager({}, false);
    await m.connect();
    const injected = m.injectUserAudio(new Int16Array(1600), 16000);
    await vi.waitFor(() => expect(captureNode().port.posted.some((p) => (p.msg as { type: string }).type === 'inject')).toBe(true), { timeout: 1000 });
    m.enableMic(true);
    await vi.waitFor(() => expect(processors, 'waiting for the microphone to be read after enableMic(true)').toHaveLength(1), { timeout: 1000 });
    expect(m.getStats()).toMatchObject({ capturePath: 'track-processor', capturePathFallback: null });
    await m.disconnect();
    await injected.catch(() => undefined);
  });

  it('speech onsets from frames are dated by their capture time, not by when the main thread got them', async () => {
    installDom({ deviceRate: 48000 });
    installTrackProcessor();
    const onLocalSpeechStarted = vi.fn();
    const m = makeManager();
    m.setEventsListener({ onLocalSpeechStarted });
    await m.connect();
    captureNode().port.emit({ type: 'speech', started: true, contextTime: 99, performanceTime: 1234.5 });
    expect(onLocalSpeechStarted).toHaveBeenCalledWith({ at: 1234.5 });
    await m.disconnect();
  });

  it("Chrome's resampler keeps the microphone on a source node and says why; a processor that will not start falls back too", async () => {
    installDom({ deviceRate: 48000 });
    installTrackProcessor();
    const m = makeManager({}, true, { resampler: 'browser' });
    await m.connect();
    expect(m.getStats()).toMatchObject({ capturePath: 'media-stream-source', capturePathFallback: "Chrome's resampler runs the capture context at the adapter's rate" });
    await m.disconnect();

    installDom({ deviceRate: 48000 });
    vi.stubGlobal('MediaStreamTrackProcessor', class {
      constructor() {
        throw new TypeError('track ended');
      }
    });
    const n = makeManager();
    await n.connect();
    expect(captureNode().context.sources[0].connections).toContain(captureNode());
    expect(n.getStats()).toMatchObject({ capturePath: 'media-stream-source', capturePathFallback: 'the track processor did not start (track ended)' });
    await n.disconnect();
  });

  it('mixing another stream in (the tab as input) moves the microphone onto the graph first, so both are summed there', async () => {
    installDom({ deviceRate: 48000 });
    const processors = installTrackProcessor();
    const m = makeManager();
    await m.connect();
    const node = captureNode();
    const tab = new FakeStream(new FakeTrack({}));
    const handle = m.addInputStream(tab as unknown as MediaStream, { replaceMicrophone: false, monitor: false });
    expect(processors[0].cancelled()).toBe(true);
    // The microphone's source node and the tab's both feed the worklet.
    expect(node.context.sources.filter((x) => x.connections.includes(node))).toHaveLength(2);
    expect(m.getStats().capturePath).toBe('media-stream-source');
    expect(m.getStats().capturePathFallback).toMatch(/mixed into the microphone/);
    handle.stop();
    await m.disconnect();
  });

  it('a stream with no audio to mix in is refused and leaves the microphone on its frames', async () => {
    installDom({ deviceRate: 48000 });
    const processors = installTrackProcessor();
    const m = makeManager();
    await m.connect();
    const silent = { getAudioTracks: () => [], getTracks: () => [] } as unknown as MediaStream;
    expect(() => m.addInputStream(silent, { replaceMicrophone: false, monitor: false })).toThrow(/no audio track/);
    expect(processors[0].cancelled()).toBe(false);
    expect(m.getStats()).toMatchObject({ capturePath: 'track-processor', capturePathFallback: null });
    await m.disconnect();
  });
});
