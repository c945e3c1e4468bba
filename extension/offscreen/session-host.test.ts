import { describe, expect, it, vi } from 'vitest';
import type { HostEvent, HostUpdate } from '../shared/messages.ts';
import { DisplayClock } from '../inspector-core/display-clock.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import type { FrameRecord, TransportObserver } from '../../src/transport/frame-observer.ts';
import { MemoryRecordingsBackend } from '../recordings/memory-backend.ts';
import { RecordingsService } from '../recordings/recordings-service.ts';
import { RecordingsStore } from '../recordings/recordings-store.ts';
import { syntheticRecording } from '../recordings/synthetic-recording.ts';
import { encodeRecordingFile } from '../recordings/export-file.ts';
import { bytesToBase64, fromWire, type WireRecording } from '../recordings/wire.ts';
import { PART_CHARS, PartAssembler, splitMessage, type MessagePart } from '../shared/message-parts.ts';
import { RecordingBuilder } from '../replay/synthetic-recording.ts';
import { MIC_NOT_GRANTED_MESSAGE, SessionHost, redactUrlQuery, type HostPort, type SessionHostDeps } from './session-host.ts';

function fakePort() {
  const sent: HostEvent[] = [];
  let onMessage: ((m: unknown) => void) | undefined;
  let onDisconnect: (() => void) | undefined;
  const port: HostPort = {
    postMessage: (m) => sent.push(structuredClone(m)),
    onMessage: { addListener: (cb) => (onMessage = cb) },
    onDisconnect: { addListener: (cb) => (onDisconnect = cb) },
  };
  return { port, sent, send: (m: unknown) => onMessage?.(m), close: () => onDisconnect?.() };
}

function deps(permission: PermissionState): SessionHostDeps & { createTransport: ReturnType<typeof vi.fn>; micStart: ReturnType<typeof vi.fn> } {
  const micStart = vi.fn(async (onReport: (r: { level: number; peak: number; framesCaptured: number; captureRate: number; trackLabel: string }) => void) => {
    onReport({ level: 0.2, peak: 0.5, framesCaptured: 4800, captureRate: 48000, trackLabel: 'Fake' });
  });
  let active = false;
  return {
    queryMicPermission: async () => permission,
    createTransport: vi.fn(() => {
      throw new Error('should not be called');
    }),
    createClient: vi.fn(),
    micTest: {
      get active() {
        return active;
      },
      start: async (cb) => {
        active = true;
        await micStart(cb);
      },
      stop: async () => {
        active = false;
      },
    },
    micStart,
    enumerateDevices: async () => [{ deviceId: 'd1', kind: 'audioinput', label: '', groupId: 'g', toJSON: () => ({}) } as MediaDeviceInfo],
    getUserMediaCalls: () => 0,
    history: new EventHistory(),
    batchIntervalMs: 1,
    pageBytes: 600,
  };
}

const updatesOf = (sent: HostEvent[]): HostUpdate[] => sent.flatMap((e) => (e.type === 'batch' ? e.updates : []));

async function until(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('SessionHost', () => {
  it('refuses to connect without microphone permission and never creates a transport', async () => {
    const d = deps('prompt');
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', apiKey: 'sk-secret-123', settings: {} });
    await until('an error update', () => updatesOf(p.sent).some((u) => u.kind === 'error'));
    const err = updatesOf(p.sent).find((u) => u.kind === 'error');
    expect(err).toMatchObject({ kind: 'error', error: { message: MIC_NOT_GRANTED_MESSAGE } });
    expect(d.createTransport).not.toHaveBeenCalled();
    expect(JSON.stringify(p.sent)).not.toContain('sk-secret-123');
  });

  it('replays state, history in pages and errors to a new Port', async () => {
    const d = deps('granted');
    const host = new SessionHost(d);
    const first = fakePort();
    host.attachPort(first.port);
    first.send({ type: 'mic-test', action: 'start' });
    await until('mic test status', () => host.currentStatus.micTestActive);
    for (let i = 0; i < 5; i++) first.send({ type: 'mic-test', action: i % 2 ? 'stop' : 'start' });
    await until('history to fill', () => host.historySize >= 6);
    first.close();
    const second = fakePort();
    host.attachPort(second.port);
    const [head, ...rest] = second.sent;
    expect(head.type).toBe('snapshot');
    if (head.type !== 'snapshot') throw new Error('no snapshot');
    expect(head.head.status.micTestActive).toBe(true);
    const pages = rest.filter((e) => e.type === 'snapshot-page');
    expect(pages.length).toBe(head.head.pages);
    expect(pages.length).toBeGreaterThan(1);
    const seqs = pages.flatMap((e) => (e.type === 'snapshot-page' ? e.events.map((x) => x.seq) : []));
    expect(seqs).toEqual(d.history.toArray().map((x) => x.seq));
    expect(rest.filter((e) => e.type !== 'batch').at(-1)).toEqual({ type: 'snapshot-end' });
    expect(host.portCount).toBe(1);
  });

  it('mic test reports the level and stops on request', async () => {
    const d = deps('granted');
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'mic-test', action: 'start' });
    await until('a non-zero mic level', () => updatesOf(p.sent).some((u) => u.kind === 'levels' && u.levels.mic > 0));
    p.send({ type: 'mic-test', action: 'stop' });
    await until('mic test to stop', () => !host.currentStatus.micTestActive);
    await until('level back to 0', () => {
      const lv = updatesOf(p.sent).filter((u) => u.kind === 'levels').at(-1);
      return lv?.kind === 'levels' && lv.levels.mic === 0;
    });
  });
});

describe('SessionHost echo check', () => {
  it('runs the check with the selected devices, stops a running mic test first, and shows the verdict in the status', async () => {
    const d = deps('granted');
    const run = vi.fn(async () => ({ verdict: 'wear headphones' as const, residueDb: -17.04, backgroundDb: -90, path: 'destination', mode: true }));
    const host = new SessionHost({ ...d, runEchoCheck: run });
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'mic-test', action: 'start' });
    await until('the mic test', () => host.currentStatus.micTestActive);
    p.send({ type: 'echo-check' });
    await until('the verdict', () => host.currentStatus.echoCheck?.state === 'done');
    expect(host.currentStatus.micTestActive).toBe(false);
    expect(host.currentStatus.echoCheck).toEqual({ state: 'done', verdict: 'wear headphones', residueDb: -17, backgroundDb: -90, path: 'destination', mode: true });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('a failing check says why; without microphone permission it does not run', async () => {
    const failing = new SessionHost({ ...deps('granted'), runEchoCheck: async () => Promise.reject(new Error('no speaker')) });
    const p = fakePort();
    failing.attachPort(p.port);
    p.send({ type: 'echo-check' });
    await until('the failure', () => failing.currentStatus.echoCheck?.state === 'failed');
    expect(failing.currentStatus.echoCheck).toEqual({ state: 'failed', message: 'Echo check failed: no speaker' });

    const run = vi.fn();
    const blocked = new SessionHost({ ...deps('prompt'), runEchoCheck: run });
    const q = fakePort();
    blocked.attachPort(q.port);
    q.send({ type: 'echo-check' });
    await until('the permission error', () => updatesOf(q.sent).some((u) => u.kind === 'error' && u.error.message === MIC_NOT_GRANTED_MESSAGE));
    expect(run).not.toHaveBeenCalled();
  });
});

describe('redactUrlQuery', () => {
  it('keeps host and path, hides query values and credentials', () => {
    expect(redactUrlQuery('wss://example.test/v1/live?key=AIzaSECRET&alt=x')).toBe('wss://example.test/v1/live?key=[redacted]&alt=[redacted]');
    expect(redactUrlQuery('wss://user:pw@example.test/x')).not.toContain('pw');
    expect(redactUrlQuery('not a url')).toBe('[unparsable URL]');
  });
});

describe('SessionHost sessions', () => {
  function sessionDeps() {
    const d = deps('granted');
    let rejectConnect: ((e: Error) => void) | undefined;
    let callbacks: import('@pipecat-ai/client-js').RTVIEventCallbacks = {};
    const handlers = new Map<string, (call: { toolCallId: string; functionName: string; arguments: Record<string, unknown> }) => unknown>();
    const transport = {
      setObserver: vi.fn(),
      interruptBot: vi.fn(async () => ({})),
      updateSettings: vi.fn(async (s: Record<string, unknown>): Promise<string[]> => Object.keys(s).filter((k) => k === 'model')),
      sendMessage: vi.fn(),
    };
    d.createTransport = vi.fn(() => transport) as never;
    d.createClient = vi.fn((_t, cb) => {
      callbacks = cb;
      return {
        connect: () =>
          new Promise((_resolve, reject) => {
            callbacks.onTransportStateChanged?.('connecting');
            rejectConnect = reject;
          }),
        disconnect: async () => {
          callbacks.onTransportStateChanged?.('disconnecting');
          rejectConnect?.(new Error('Disconnected before the session was ready.'));
          callbacks.onTransportStateChanged?.('disconnected');
        },
        sendText: async () => undefined,
        enableMic: () => undefined,
        enableCam: () => undefined,
        updateMic: () => undefined,
        updateCam: () => undefined,
        updateSpeaker: () => undefined,
        getAllMics: async () => [],
        getAllCams: async () => [],
        getAllSpeakers: async () => [],
        isMicEnabled: true,
        registerFunctionCallHandler: (name: string, h: never) => handlers.set(name, h),
      };
    }) as never;
    /** As client-js does when the transport's connect() throws: error state, disconnect, then reject. */
    const fail = (e: Error) => {
      const reject = rejectConnect;
      rejectConnect = undefined;
      callbacks.onTransportStateChanged?.('error');
      callbacks.onTransportStateChanged?.('disconnecting');
      callbacks.onTransportStateChanged?.('disconnected');
      reject?.(e);
    };
    return Object.assign(d, { handlers, transport, fail, callbacks: () => callbacks });
  }

  it('sessionPushToTalk follows the running session: an Apply that waits for reconnect does not change it', async () => {
    const d = sessionDeps();
    d.transport.updateSettings.mockImplementation(async (s: Record<string, unknown>) => Object.keys(s));
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'gemini-live', settings: { turn_detection: 'automatic' } });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    expect(host.currentStatus.sessionPushToTalk).toBe(false);
    p.send({ type: 'update-settings', settings: { turn_detection: 'push_to_talk' } });
    await until('an apply report', () => updatesOf(p.sent).some((u) => u.kind === 'settings-applied'));
    expect(host.currentStatus.sessionPushToTalk).toBe(false);
    d.transport.updateSettings.mockImplementation(async () => []);
    p.send({ type: 'update-settings', settings: { turn_detection: 'push_to_talk' } });
    await until('applied live', () => host.currentStatus.sessionPushToTalk === true);
  });

  it('warns of self-interruption when the provider hears "the user" while the bot speaks and the echo check said wear headphones', async () => {
    const d = sessionDeps();
    const host = new SessionHost({ ...d, runEchoCheck: async () => ({ verdict: 'wear headphones', residueDb: -15, backgroundDb: -80, path: 'destination', mode: false }) });
    host.attachPort(fakePort().port);
    host.enqueue({ type: 'echo-check' });
    await until('the echo check', () => host.currentStatus.echoCheck?.state === 'done');
    host.enqueue({ type: 'connect', adapterId: 'openai-realtime', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    const observer = d.transport.setObserver.mock.calls[0][0] as TransportObserver;
    const rtvi = (t: number, type: string) => observer.onRtvi?.({ t, wall: Date.now(), type, data: {}, sourceFrameIds: [] });
    rtvi(10, 'user-started-speaking');
    expect(host.currentStatus.selfHearing ?? null, 'the bot was silent: a real turn').toBeNull();
    rtvi(20, 'bot-started-speaking');
    rtvi(30, 'user-started-speaking');
    expect(host.currentStatus.selfHearing).toMatchObject({ reason: 'echo not cancelled' });
    // A new session starts without the warning.
    host.enqueue({ type: 'connect', adapterId: 'openai-realtime', settings: {} });
    await until('the warning to clear', () => host.currentStatus.selfHearing === null);
  });

  it("puts the provider's session-limit report into the status for the panel's countdown", async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'gemini-live', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    expect(host.currentStatus.sessionLimit).toBeNull();
    d.callbacks().onServerMessage?.({ type: 'session-limit', limit_ms: 900_000, ends_at: 1_000_900_000, compression: false, video: false });
    expect(host.currentStatus.sessionLimit).toEqual({ limitMs: 900_000, endsAt: 1_000_900_000, compression: false, video: false });
    d.callbacks().onServerMessage?.({ type: 'go-away', time_left_ms: 50_000 });
    expect(host.currentStatus.sessionLimit).toMatchObject({ limitMs: 900_000 });
    await until('the batch to flush', () => updatesOf(p.sent).some((u) => u.kind === 'status' && !!u.status.sessionLimit));
  });

  it('a resumption inside the session (Gemini goAway) keeps the session number, its Connect clock and one Connect row', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    host.attachPort(fakePort().port);
    host.enqueue({ type: 'connect', adapterId: 'gemini-live', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    const observer = d.transport.setObserver.mock.calls[0][0] as TransportObserver;
    const frame = (id: number, t: number, type: string): FrameRecord => ({ id, t, wall: Date.now(), direction: 'in', type, bytes: 20, payload: {} });
    observer.onFrame?.(frame(1, 120, 'setupComplete'));
    observer.onFrame?.(frame(2, 60_000, 'goAway'));
    d.callbacks().onServerMessage?.({ type: 'go-away', time_left_ms: 4_000, will_resume: true });
    // The transport opens a new socket with the handle; its stamps stay on the same connect() clock.
    observer.onFrame?.(frame(3, 60_400, 'setupComplete'));
    d.callbacks().onServerMessage?.({ type: 'session-resumed', reason: 'go-away', gap_ms: 400 });
    observer.onFrame?.(frame(4, 61_000, 'serverContent'));
    const raw = host.historyEvents().filter((e) => e.source === 'raw');
    expect(raw.map((e) => e.session)).toEqual([1, 1, 1, 1]);
    expect(raw.map((e) => e.t - raw[0].t)).toEqual([0, 59_880, 60_280, 60_880]);
    expect(host.historyEvents().filter((e) => e.type === 'connect-requested')).toHaveLength(1);
    // The log's time column runs on past the resumption instead of starting again.
    const clock = new DisplayClock();
    const shown = host.historyEvents().map((e) => clock.observe(e));
    expect(shown.at(-1)! - clock.displayMs(raw[0])).toBeGreaterThanOrEqual(60_880);
  });

  it('a failed connect ends in `error`, and its alert carries the session, the close code and its log row', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    const closed = Object.assign(new Error('OpenAI closed the connection before the session was ready (code 1008: Quota exceeded).'), { code: 1008, reason: 'Quota exceeded' });
    d.fail(closed);
    await until('an error update', () => updatesOf(p.sent).some((u) => u.kind === 'error'));
    await until('the status `error`', () => host.currentStatus.transportState === 'error');
    const err = updatesOf(p.sent).find((u) => u.kind === 'error');
    const row = host.historyEvents().find((e) => e.type === 'host-error')!;
    expect(err).toMatchObject({ error: { session: 1, code: 1008, seq: row.seq, message: closed.message } });
    expect(row.data).toMatchObject({ code: 1008 });
    // The next Connect starts over.
    p.send({ type: 'connect', adapterId: 'loopback', settings: {} });
    await until('connecting again', () => host.currentStatus.transportState === 'connecting');
  });

  it('a token request is logged with its redacted URL, status and time, in the current session', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    host.attachPort(fakePort().port);
    host.enqueue({ type: 'connect', adapterId: 'loopback', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    const startedAt = performance.now();
    host.recordHttpRequest({ method: 'POST', url: 'https://x.test/v1/realtime/client_secrets', status: 401, statusText: 'Unauthorized', ok: false, durationMs: 12.4, startedWall: 1_800_000_000_000, startedAt });
    const row = host.historyEvents().at(-1)!;
    expect(row).toMatchObject({ session: 1, source: 'transport', direction: 'out', type: 'token-request', wall: 1_800_000_000_000, data: { method: 'POST', url: 'https://x.test/v1/realtime/client_secrets', status: 401, ok: false, durationMs: 12 } });
    expect(row.t).toBeGreaterThanOrEqual(0);
  });

  it('a declared pair of headphones reaches the panel and opens the next session without echo cancellation; undeclared, the canceller stays on', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'set-headphones', on: true });
    await until('the device list with headphones', () => updatesOf(p.sent).some((u) => u.kind === 'devices' && u.devices.selected.headphones === true));
    p.send({ type: 'connect', adapterId: 'loopback', apiKey: 'sk-abc-123456', settings: {} });
    await until('connecting', () => d.createTransport.mock.calls.length === 1);
    expect(d.createTransport.mock.calls[0][2]).toEqual({ headphones: true });
    p.send({ type: 'disconnect' });
    await until('disconnected', () => host.currentStatus.transportState === 'disconnected');
    p.send({ type: 'set-headphones', on: false });
    await until('the device list without headphones', () => updatesOf(p.sent).some((u) => u.kind === 'devices' && u.devices.selected.headphones === false));
    p.send({ type: 'connect', adapterId: 'loopback', apiKey: 'sk-abc-123456', settings: {} });
    await until('connecting again', () => d.createTransport.mock.calls.length === 2);
    expect(d.createTransport.mock.calls[1][2]).toEqual({ headphones: false });
  });

  it('Disconnect cuts a pending connect short: disconnected, no error, key never forwarded to the panel', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', apiKey: 'sk-abc-123456', endpoint: 'ws://x.test/?key=sk-abc-123456', settings: {} });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    expect(d.createTransport).toHaveBeenCalledWith('loopback', expect.objectContaining({ api_key: 'sk-abc-123456' }), { headphones: false });
    const late = fakePort();
    host.attachPort(late.port);
    expect(late.sent[0]).toMatchObject({ type: 'snapshot', head: { settings: { adapterId: 'loopback', endpoint: 'ws://x.test/?key=[redacted]' } } });
    expect(JSON.stringify(late.sent)).not.toContain('sk-abc-123456');
    p.send({ type: 'disconnect' });
    await until('disconnected', () => host.currentStatus.transportState === 'disconnected');
    await until('the batch to flush', () => updatesOf(p.sent).some((u) => u.kind === 'status' && u.status.transportState === 'disconnected'));
    expect(updatesOf(p.sent).filter((u) => u.kind === 'error')).toEqual([]);
    expect(JSON.stringify(p.sent)).not.toContain('sk-abc-123456');
    expect(JSON.stringify(d.history.toArray())).not.toContain('sk-abc-123456');
  });

  it('answers fixed mocks through the registered handler, leaves ask-me calls to the panel, and sends Send result by call id', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', settings: {}, toolMocks: { fixed_tool: { mode: 'fixed', result: '{"ok":true}' }, ask_tool: { mode: 'ask', result: '' } } });
    await until('handlers registered', () => d.handlers.size === 2);
    expect(d.handlers.get('fixed_tool')!({ toolCallId: 'c1', functionName: 'fixed_tool', arguments: {} })).toEqual({ ok: true });
    expect(d.handlers.get('ask_tool')!({ toolCallId: 'c2', functionName: 'ask_tool', arguments: {} })).toBeUndefined();
    // A mock switched to "ask me" mid-session applies to the next call.
    p.send({ type: 'update-tool-mocks', toolMocks: { fixed_tool: { mode: 'ask', result: '' }, ask_tool: { mode: 'fixed', result: 'plain words' } } });
    await until('mocks updated', () => d.handlers.get('ask_tool')!({ toolCallId: 'c3', functionName: 'ask_tool', arguments: {} }) === 'plain words');
    expect(d.handlers.get('fixed_tool')!({ toolCallId: 'c4', functionName: 'fixed_tool', arguments: {} })).toBeUndefined();
    p.send({ type: 'tool-result', toolCallId: 'c2', result: { answer: 2 } });
    await until('the result to be sent', () => d.transport.sendMessage.mock.calls.length === 1);
    expect(d.transport.sendMessage.mock.calls[0]![0]).toMatchObject({ type: 'llm-function-call-result', data: { tool_call_id: 'c2', result: { answer: 2 } } });
  });

  it('Apply sends only changed settings and reports applied and reconnect keys', async () => {
    const d = sessionDeps();
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', settings: { voice: 'a', model: 'm1', instructions: 'x' } });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    p.send({ type: 'update-settings', settings: { voice: 'b', model: 'm2', instructions: 'x' } });
    await until('an apply report', () => updatesOf(p.sent).some((u) => u.kind === 'settings-applied'));
    expect(d.transport.updateSettings).toHaveBeenCalledWith({ voice: 'b', model: 'm2' });
    const report = updatesOf(p.sent).find((u) => u.kind === 'settings-applied');
    expect(report).toMatchObject({ report: { applied: ['voice'], needReconnect: ['model'] }, settings: { settings: { voice: 'b', model: 'm1' } } });
  });
  it('Apply reports what the adapter says the server refused or held back, and keeps only what applied', async () => {
    const d = sessionDeps();
    const transport = (d.createTransport as unknown as () => Record<string, unknown>)();
    transport.updateSettings = vi.fn(async () => {
      transport.lastSettingsOutcome = { applied: [], failed: [{ key: 'voice', reason: 'voice locked' }, { key: 'turn_detection', reason: 'refused with voice' }], deferred: ['speed'], needReconnect: ['voice'] };
      return ['voice'];
    });
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'loopback', settings: { voice: 'a', turn_detection: 'server_vad', speed: 1 } });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    p.send({ type: 'update-settings', settings: { voice: 'b', turn_detection: 'push_to_talk', speed: 1.2 } });
    await until('an apply report', () => updatesOf(p.sent).some((u) => u.kind === 'settings-applied'));
    const report = updatesOf(p.sent).find((u) => u.kind === 'settings-applied');
    expect(report).toMatchObject({
      report: { applied: [], needReconnect: ['voice'], failed: [{ key: 'voice' }, { key: 'turn_detection' }], deferred: ['speed'] },
      settings: { settings: { voice: 'a', turn_detection: 'server_vad', speed: 1.2 } },
    });
  });

  it('measurement hook: injectSynthetic appends the rows to the history and batches them to every Port at the rate asked', async () => {
    const d = deps('granted');
    const host = new SessionHost(d);
    const p = fakePort();
    host.attachPort(p.port);
    const report = await host.injectSynthetic({ count: 120, ratePerSecond: 2000 });
    expect(report.injected).toBe(120);
    // 120 rows at 2,000/s take at least 60 ms: the hook paces, it does not dump the rows at once.
    expect(report.elapsedMs).toBeGreaterThanOrEqual(55);
    expect(report.ticks).toBeGreaterThan(1);
    const rows = host.historyEvents();
    expect(rows[0]).toMatchObject({ source: 'transport', type: 'synthetic-injection-started', data: { count: 120, ratePerSecond: 2000 } });
    expect(rows).toHaveLength(121);
    const seqs = rows.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(121);
    // Links stay inside the injected rows: every cited frame exists, and no frame id repeats.
    const frames = rows.filter((e) => e.frameId !== undefined).map((e) => e.frameId!);
    expect(new Set(frames).size).toBe(frames.length);
    for (const e of rows) for (const id of e.sourceFrameIds ?? []) expect(frames).toContain(id);
    const logged = updatesOf(p.sent).flatMap((u) => (u.kind === 'log' ? u.events : []));
    expect(logged.map((e) => e.seq)).toEqual(seqs);
    expect(updatesOf(p.sent).filter((u) => u.kind === 'log').length).toBeGreaterThan(1);
    await expect(host.injectSynthetic({ count: 0, ratePerSecond: 10 })).rejects.toThrow(/count/);
  });

  it('records the session (no key anywhere), shows it as recording, and answers store requests on the asking Port', async () => {
    const d = sessionDeps();
    const backend = new MemoryRecordingsBackend();
    const recordings = new RecordingsService({ store: new RecordingsStore(backend), intervalMs: 60_000 });
    const host = new SessionHost({ ...d, recordings });
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'connect', adapterId: 'gemini-live', apiKey: 'AIzaSyA-0123456789abcdefghijk', model: 'gemini-live-2.5', settings: { voice: 'Puck', api_key: 'AIzaSyA-0123456789abcdefghijk' } });
    await until('connecting', () => host.currentStatus.transportState === 'connecting');
    expect(host.currentStatus.recording).toBe(true);
    const observer = d.transport.setObserver.mock.calls[0][0] as TransportObserver;
    observer.onFrame?.({ id: 1, t: 5, wall: Date.now(), direction: 'in', type: 'setupComplete', bytes: 20, payload: { echo: 'AIzaSyA-0123456789abcdefghijk' } });
    p.send({ type: 'disconnect' });
    await until('not recording', () => host.currentStatus.recording === false);
    const [meta] = [...backend.metas.values()];
    expect(meta).toMatchObject({ adapterId: 'gemini-live', model: 'gemini-live-2.5', complete: true, origin: 'session', settings: { settings: { voice: 'Puck' } } });
    const stored = JSON.stringify([...backend.metas.values(), ...backend.events.values()]);
    expect(stored).toContain('setupComplete');
    expect(stored).not.toContain('AIzaSyA-0123456789abcdefghijk');

    const other = fakePort();
    host.attachPort(other.port);
    p.send({ type: 'recordings', requestId: 7, request: { op: 'list' } });
    await until('the reply', () => p.sent.some((e) => e.type === 'recordings-reply'));
    const reply = p.sent.find((e) => e.type === 'recordings-reply')!;
    expect(reply).toMatchObject({ requestId: 7, ok: true, result: { recordings: [{ id: meta!.id }], activeId: null } });
    expect(other.sent.some((e) => e.type === 'recordings-reply')).toBe(false);
  });

  it('a recording bigger than one Port message part is imported and read back in parts, each part within the bound', async () => {
    const d = sessionDeps();
    const backend = new MemoryRecordingsBackend();
    const recordings = new RecordingsService({ store: new RecordingsStore(backend), intervalMs: 60_000 });
    const host = new SessionHost({ ...d, recordings });
    const p = fakePort();
    host.attachPort(p.port);
    const { recording } = syntheticRecording({ durationMs: 200_000, rawAudioFrames: false });
    const fileBase64 = bytesToBase64(encodeRecordingFile(recording));
    expect(fileBase64.length).toBeGreaterThan(PART_CHARS);
    // Import: the request itself goes in parts, as the panel's RecordingsClient sends it.
    for (const part of splitMessage(1, { type: 'recordings', requestId: 1, request: { op: 'import', fileBase64 } })!) p.send({ type: 'recordings-part', part });
    await until('the import reply', () => p.sent.some((e) => e.type === 'recordings-reply'), 30_000);
    const imported = p.sent.find((e) => e.type === 'recordings-reply') as { ok: boolean; result: { ok: boolean; meta: { id: string } } };
    expect(imported.result.ok).toBe(true);
    // Get: the reply comes back in parts, none bigger than a part, and reassembles to the recording.
    p.send({ type: 'recordings', requestId: 2, request: { op: 'get', id: imported.result.meta.id } });
    const assembler = new PartAssembler();
    let whole: unknown;
    await until('every part of the get reply', () => {
      for (const e of p.sent.splice(0)) {
        // A part is PART_CHARS characters of JSON text; carried as a string its escaping at most
        // doubles it: far under Chrome's 64 MiB per message.
        expect(JSON.stringify(e).length).toBeLessThanOrEqual(2 * PART_CHARS + 1024);
        if (e.type === 'recordings-reply-part') whole = assembler.add((e as { part: MessagePart }).part) ?? whole;
      }
      return whole !== undefined;
    }, 30_000);
    const got = fromWire((whole as { result: WireRecording }).result);
    expect(got.events.length).toBe(recording.events.length);
    expect(got.audio.map((c) => c.data.byteLength)).toEqual(recording.audio.map((c) => c.data.byteLength));
  });

  it('replay: connects with the microphone closed as a linked replay, injects each user turn, answers tools from the source, then ends the session', async () => {
    const d = sessionDeps();
    const injected: Array<{ samples: number; rate: number }> = [];
    Object.assign(d.transport, {
      connectStartedAt: 0,
      mediaManager: { injectUserAudio: vi.fn(async (pcm: Int16Array, rate: number) => void injected.push({ samples: pcm.length, rate })) },
    });
    const backend = new MemoryRecordingsBackend();
    const source = new RecordingBuilder({ id: 'src-1', adapterId: 'gemini-live', model: 'gemini-2.5-flash-native-audio' })
      .mic(0, new Int16Array(16000 * 6).fill(500), 16000)
      .userSpeech(1000, 2000, 'Weather in Paris?')
      .rtvi(2100, 'llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'c1', arguments: { city: 'Paris' } })
      .rtvi(2150, 'llm-function-call-stopped', { function_name: 'get_weather', tool_call_id: 'c1', cancelled: false, result: { sky: 'rain' } })
      .botReply(2300, 2400, 3000, 'Rainy.')
      .userSpeech(3500, 4000, 'Thanks')
      .botReply(4200, 4300, 4600, 'Bye.')
      .build();
    await backend.write({ meta: source.meta, firstIndex: 0, events: source.events, audio: source.audio });
    const host = new SessionHost({ ...d, recordings: new RecordingsService({ store: new RecordingsStore(backend), intervalMs: 60_000 }) });
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'replay', sourceId: 'src-1', connect: { type: 'connect', adapterId: 'openai-realtime', apiKey: 'sk-replay-secret-0000', model: 'gpt-realtime-1.5', settings: {}, enableMic: true } });
    await until('the replay session connecting', () => host.currentStatus.transportState === 'connecting');
    expect((d.createClient as unknown as ReturnType<typeof vi.fn>).mock.calls[0][2], 'enableMic').toBe(false);
    expect(host.currentStatus.replay).toMatchObject({ sourceId: 'src-1', state: 'running', steps: 2 });
    d.callbacks().onTransportStateChanged?.('ready');
    await until('the first turn injected', () => injected.length === 1);
    // From 300 ms before the speech to 800 ms after it (0.7–2.8 s), at the track's rate.
    expect(injected[0]).toEqual({ samples: Math.round(16000 * 2.1), rate: 16000 });
    // The target calls the same tool with the same arguments: the source's result answers.
    expect(await d.handlers.get('get_weather')!({ toolCallId: 'x', functionName: 'get_weather', arguments: { city: 'Paris' } })).toEqual({ sky: 'rain' });
    const observer = d.transport.setObserver.mock.calls[0][0] as TransportObserver;
    const rtvi = (type: string) => observer.onRtvi?.({ t: 0, wall: Date.now(), type, data: {}, sourceFrameIds: [] } as never);
    rtvi('bot-started-speaking');
    rtvi('bot-stopped-speaking');
    await until('the second turn injected', () => injected.length === 2);
    rtvi('bot-started-speaking');
    rtvi('bot-stopped-speaking');
    await until('the replay to finish', () => host.currentStatus.replay?.state === 'finished');
    expect(host.currentStatus.replay).toMatchObject({ sent: 2, tools: [{ name: 'get_weather', answeredBy: 'recording' }] });
    await until('the replay session to end', () => host.currentStatus.recording === false);
    const replayMeta = [...backend.metas.values()].find((m) => m.origin === 'replay');
    expect(replayMeta).toMatchObject({ sourceId: 'src-1', adapterId: 'openai-realtime', complete: true });
    expect(host.historyEvents().filter((e) => e.type === 'replay-step')).toHaveLength(2);
    expect(JSON.stringify(p.sent)).not.toContain('sk-replay-secret-0000');
  }, 15_000);

  it('replay of a recording that is not stored says so and starts nothing', async () => {
    const d = sessionDeps();
    const host = new SessionHost({ ...d, recordings: new RecordingsService({ store: new RecordingsStore(new MemoryRecordingsBackend()), intervalMs: 60_000 }) });
    host.attachPort(fakePort().port);
    await host.enqueue({ type: 'replay', sourceId: 'gone', connect: { type: 'connect', adapterId: 'loopback', settings: {} } });
    expect(host.currentStatus.replay).toMatchObject({ state: 'failed', error: expect.stringMatching(/not found/) });
    expect(d.createTransport).not.toHaveBeenCalled();
  });

  it('a replay or test session is recorded with its origin and source; record: false records nothing', async () => {
    const d = sessionDeps();
    const backend = new MemoryRecordingsBackend();
    const host = new SessionHost({ ...d, recordings: new RecordingsService({ store: new RecordingsStore(backend), intervalMs: 60_000 }) });
    host.attachPort(fakePort().port);
    await host.enqueue({ type: 'connect', adapterId: 'loopback', settings: {}, recording: { origin: 'replay', sourceId: 'src-1' } });
    await host.enqueue({ type: 'disconnect' });
    await host.enqueue({ type: 'connect', adapterId: 'loopback', settings: {}, recording: { record: false } });
    expect(host.currentStatus.recording).toBe(false);
    await host.enqueue({ type: 'disconnect' });
    expect([...backend.metas.values()].map((m) => [m.origin, m.sourceId])).toEqual([['replay', 'src-1']]);
  });
});

describe('SessionHost: the tab as input without a session', () => {
  it('send-image and share-tab before Connect explain that a session is needed and open nothing', async () => {
    const d = deps('granted');
    const getUserMedia = vi.fn();
    const host = new SessionHost({ ...d, tabShare: { getUserMedia, createFrameGrabber: () => ({ grab: async () => null }) } });
    const p = fakePort();
    host.attachPort(p.port);
    p.send({ type: 'send-image', mimeType: 'image/jpeg', data: 'AAAA', thumbnail: 'data:image/jpeg;base64,AAAA' });
    p.send({ type: 'share-tab', streamId: 'sid', tabTitle: 'Tone page', mode: 'mix', videoFps: 0 });
    await until('two errors', () => updatesOf(p.sent).filter((u) => u.kind === 'error').length >= 2);
    const messages = updatesOf(p.sent).flatMap((u) => (u.kind === 'error' ? [u.error.message] : []));
    expect(messages[0]).toMatch(/connect first.*screenshot/i);
    expect(messages[1]).toMatch(/connect first.*tab/i);
    expect(getUserMedia).not.toHaveBeenCalled();
    expect(host.currentStatus.tabShare ?? null).toBeNull();
    expect(updatesOf(p.sent).some((u) => u.kind === 'turn')).toBe(false);
  });
});
