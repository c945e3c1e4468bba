import { LogLevel, PipecatClient, RTVIMessage, type LLMFunctionCallResult, type RTVIEventCallbacks, type TransportState } from '@pipecat-ai/client-js';
import type { LLMServiceOptions, RealTimeWebsocketTransport } from '../../src/transport/realtime-websocket-transport.ts';
import type { FrameRecord, RtviRecord } from '../../src/transport/frame-observer.ts';
import { registerFunctionCallHandlerSafely, type FunctionCallHandlerWithId } from '../../src/transport/function-call-handlers.ts';
import type { LogEvent } from '../shared/log-event.ts';
import { PartAssembler, splitMessage } from '../shared/message-parts.ts';
import {
  isPanelCommand,
  type ConnectCommand,
  type DeviceList,
  type HostError,
  type HostEvent,
  type HostLevels,
  type HostStats,
  type HostStatus,
  type HostUpdate,
  type PanelCommand,
  type SendImageCommand,
  type RecordingsCommand,
  type RecordingsReply,
  type SettingsApplyReport,
  type ShareTabCommand,
  type SnapshotHead,
  type ToolMocks,
} from '../shared/messages.ts';
import { ConversationBuilder } from './conversation-builder.ts';
import type { MicTestReport } from './mic-test.ts';
import { SelfHearingDetector } from './self-hearing.ts';
import { echoUncancelled } from '../../src/audio/echo-cancellation.ts';
import { makeSyntheticEvents } from '../inspector-core/synthetic-events.ts';
import { paginateEvents, SNAPSHOT_PAGE_BYTES } from './snapshot-pages.ts';
import { UpdateBatcher } from './update-batcher.ts';
import { TabShare, type TabShareDeps } from './tab-share.ts';
import type { HttpRequestRecord } from './http-request-log.ts';
import { answerScriptedMock } from '../voice-tests/scripted-mock.ts';
import type { VoiceTestService } from './voice-test-service.ts';
import { IDLE_ACTIVITY_TYPES, IdleWatch } from './idle-watch.ts';
import type { ToolMock as ScriptedToolMock } from '../voice-tests/scenario-types.ts';
import type { RecordingsService } from '../recordings/recordings-service.ts';
import { fromWire } from '../recordings/wire.ts';
import { assembleTrack } from '../replay/mic-track.ts';
import { decodeOpusAtChunkRate } from '../replay/opus-track-decoder.ts';
import { toolCalls } from '../replay/recording-events.ts';
import { planReplay } from '../replay/replay-plan.ts';
import { ReplayRunner } from '../replay/replay-runner.ts';
import { ReplayToolAnswers } from '../replay/tool-answers.ts';
import type { ReplayCommand, ReplayStatus } from '../shared/messages.ts';

/** What the host needs of an event history (the inspector's memory-budgeted EventHistory fits). */
export interface HostEventHistory {
  append(event: LogEvent): void;
  toArray(): LogEvent[];
  clear(): void;
  readonly size: number;
}

/** The part of chrome.runtime.Port the host uses (a fake in unit tests). */
export interface HostPort {
  postMessage(message: HostEvent): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

export interface MicTestLike {
  readonly active: boolean;
  start(onReport: (r: MicTestReport) => void, deviceId?: string): Promise<void>;
  stop(): Promise<void>;
}

/** The session as the host drives it: a PipecatClient in the extension, a fake in unit tests. */
export interface SessionClient {
  connect(): Promise<unknown>;
  disconnect(): Promise<void>;
  sendText(text: string): Promise<void>;
  enableMic(enable: boolean): void;
  enableCam(enable: boolean): void;
  updateMic(id: string): void | Promise<void>;
  updateCam(id: string): void;
  updateSpeaker(id: string): void;
  getAllMics(): Promise<MediaDeviceInfo[]>;
  getAllCams(): Promise<MediaDeviceInfo[]>;
  getAllSpeakers(): Promise<MediaDeviceInfo[]>;
  readonly isMicEnabled: boolean;
  /** Registers through the library's wrapped registration (throws and timeouts still answer). */
  registerFunctionCallHandler(functionName: string, handler: FunctionCallHandlerWithId): void;
}

export interface SessionHostDeps {
  queryMicPermission(): Promise<PermissionState | 'unsupported'>;
  /** `audio.headphones`: open the microphone without echo cancellation (DeviceList.selected.headphones). */
  createTransport(adapterId: string, options: LLMServiceOptions, audio?: { headphones: boolean }): RealTimeWebsocketTransport;
  createClient(transport: RealTimeWebsocketTransport, callbacks: RTVIEventCallbacks, enableMic: boolean, enableCam: boolean): SessionClient;
  micTest: MicTestLike;
  /** The panel's echo check (echo-check.ts); absent in hosts that do not offer it. */
  runEchoCheck?: (opts: { micId?: string; speakerId?: string; headphones?: boolean }) => Promise<{ verdict: 'echo cancelled' | 'wear headphones'; residueDb: number; backgroundDb: number; path: string; mode: boolean | string | null }>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  getUserMediaCalls(): number;
  history: HostEventHistory;
  /** Tab sharing (getUserMedia for a tab, frame grabbing); absent where there is none (unit tests). */
  tabShare?: Pick<TabShareDeps, 'getUserMedia' | 'createFrameGrabber'>;
  batchIntervalMs?: number;
  pageBytes?: number;
  /** Records sessions and answers the panel's recordings requests (absent: nothing is recorded). */
  recordings?: RecordingsService;
}

/** What a synthetic injection (a measurement hook, see SessionHost.injectSynthetic) did and cost. */
export interface SyntheticInjectionReport {
  injected: number;
  elapsedMs: number;
  /** Rows appended per second of wall time, as achieved. */
  achievedPerSecond: number;
  /** Main-thread time spent making, appending and batching the rows (the host's own cost). */
  appendMs: number;
  /** Main-thread time spent posting batches to the panels' Ports during the injection. */
  broadcastMs: number;
  /** Longest single tick (append and batching of the rows due at once), ms. */
  maxTickMs: number;
  ticks: number;
}

/** Injected frames get ids far above any real session's, so links never point at a real frame. */
const SYNTHETIC_FRAME_ID_BASE = 1_000_000_000;
const SYNTHETIC_TICK_MS = 10;
const SYNTHETIC_MAX_COUNT = 2_000_000;
const SYNTHETIC_MAX_RATE = 200_000;

export const MIC_NOT_GRANTED_MESSAGE =
  'Microphone access is not granted to the extension yet. Use "Grant microphone access" in the panel, choose "Allow" in the tab that opens, then connect again.';
export const MIC_DENIED_MESSAGE =
  'Microphone access is blocked for this extension. Allow it in Chrome\'s site settings for the extension (chrome://settings/content/microphone), then connect again.';

const STATS_INTERVAL_MS = 500;
/**
 * The transport's setup timer starts inside connect(), after the microphone and AudioContexts
 * open; a shorter one keeps the whole Connect (click to settled) within the 10 s bar.
 */
export const HOST_CONNECT_TIMEOUT_MS = 9_000;

/**
 * Owns the session in the offscreen document: the PipecatClient and its transport, the event
 * history, the conversation, the mic test, and the Ports of every open panel. Each new Port gets
 * a snapshot; after that, updates are batched about every 50 ms.
 */
export class SessionHost {
  private readonly ports = new Set<HostPort>();
  private readonly batcher: UpdateBatcher;
  private readonly conversation: ConversationBuilder;
  private client: SessionClient | null = null;
  private transport: RealTimeWebsocketTransport | null = null;
  private session = 0;
  private seq = 0;
  private sessionStartedAt = 0;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private botSpeaking = false;
  private readonly selfHearing = new SelfHearingDetector();
  private status: HostStatus = { transportState: 'disconnected', adapterId: null, micEnabled: true, micTestActive: false, getUserMediaCalls: 0 };
  private levels: HostLevels = { mic: 0, bot: 0 };
  private stats: HostStats = {};
  private devices: DeviceList = { mics: [], cams: [], speakers: [], selected: {} };
  private errors: HostError[] = [];
  private settings: SnapshotHead['settings'] = null;
  private lastApply: SettingsApplyReport | null = null;
  private toolMocks: ToolMocks = {};
  private registeredTools = new Set<string>();
  private commandQueue: Promise<void> = Promise.resolve();
  private injection: { broadcastMs: number; nextFrameId: number } | null = null;
  private idleWatch: IdleWatch | null = null;
  /** Runs voice tests against this host's session (set once the document has built it). */
  voiceTests: VoiceTestService | null = null;
  /** In-document listeners of every new row (the voice-test runner, the recorder). */
  private readonly logListeners = new Set<(e: LogEvent) => void>();
  /** The client whose session failed (connect rejected, or a fatal error): its end reads `error`. */
  private failedClient: SessionClient | null = null;
  private readonly tabShare: TabShare | null;
  /** The replay feeding the current session, if any (startReplay). */
  private replay: { client: SessionClient; runner: ReplayRunner; tools: ReplayToolAnswers; abort: AbortController } | null = null;
  /** The client whose session is being recorded, and that session's number. */
  private recordingFor: { client: SessionClient | null; session: number } | null = null;

  constructor(private readonly deps: SessionHostDeps) {
    this.tabShare = deps.tabShare
      ? new TabShare({
          ...deps.tabShare,
          onLevel: (tab) => this.setLevels({ tab }),
          onEnded: (reason) => {
            this.recordTransportEvent('tab-share-ended', { reason });
            this.setStatus({ tabShare: null });
          },
        })
      : null;
    this.batcher = new UpdateBatcher((updates) => this.broadcast({ type: 'batch', updates }), deps.batchIntervalMs ?? 50);
    deps.recordings?.setNotifier((u) => this.batcher.push(u));
    this.conversation = new ConversationBuilder((turn, before) => this.batcher.push(before === undefined ? { kind: 'turn', turn } : { kind: 'turn', turn, before }), 500, (name) => this.toolMocks[name]?.mode === 'ask');
  }

  get currentStatus(): HostStatus {
    return { ...this.status, getUserMediaCalls: this.deps.getUserMediaCalls() };
  }

  get currentStats(): HostStats {
    return this.stats;
  }

  /** The held history (diagnostics and tests). */
  historyEvents(): LogEvent[] {
    return this.deps.history.toArray();
  }

  get historySize(): number {
    return this.deps.history.size;
  }

  get portCount(): number {
    return this.ports.size;
  }

  /** A panel connected: replay the snapshot, then keep it updated. */
  attachPort(port: HostPort): void {
    // Whatever is pending goes to the panels already attached; the snapshot below includes it.
    this.batcher.flushNow();
    const pages = paginateEvents(this.deps.history.toArray(), this.deps.pageBytes ?? SNAPSHOT_PAGE_BYTES);
    const head: SnapshotHead = {
      status: this.currentStatus,
      levels: this.levels,
      stats: this.stats,
      devices: this.devices,
      conversation: this.conversation.all,
      errors: this.errors,
      settings: this.settings,
      lastApply: this.lastApply,
      pages: pages.length,
      voiceTests: this.voiceTests?.state ?? null,
    };
    try {
      port.postMessage({ type: 'snapshot', head });
      pages.forEach((events, index) => port.postMessage({ type: 'snapshot-page', index, events }));
      port.postMessage({ type: 'snapshot-end' });
    } catch {
      return; // the panel closed while we were replaying
    }
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.ports.delete(port));
    const uploads = new PartAssembler();
    port.onMessage.addListener((message) => {
      if (!isPanelCommand(message)) return;
      // Store requests do not wait behind session commands (a slow Connect).
      if (message.type === 'recordings') return void this.handleRecordings(port, message);
      if (message.type === 'recordings-part') {
        // A request too big for one message (an import of a long recording) comes in parts.
        let whole: unknown;
        try {
          whole = uploads.add(message.part);
        } catch (e) {
          return this.reportError(`A recordings request arrived damaged: ${errorText(e)}.`, false);
        }
        if (whole !== undefined) void this.handleRecordings(port, whole as RecordingsCommand);
        return;
      }
      this.enqueue(message);
    });
    void this.refreshDevices();
  }

  /** Commands run one at a time so a Connect typed during a Disconnect sees a settled client. */
  enqueue(command: PanelCommand): Promise<void> {
    const run = this.commandQueue.then(() => this.handle(command));
    this.commandQueue = run.catch(() => undefined);
    return run;
  }

  private async handle(command: PanelCommand): Promise<void> {
    try {
      switch (command.type) {
        case 'connect':
          return await this.connect(command);
        case 'disconnect':
          return await this.disconnect();
        case 'send-text':
          if (!this.client) return this.reportError('Connect first: there is no session to send text to.', false);
          this.idleWatch?.activity();
          await this.client.sendText(command.text);
          this.conversation.addUserText(command.text);
          return;
        case 'set-mic-enabled':
          this.client?.enableMic(command.enabled);
          this.setStatus({ micEnabled: command.enabled });
          return;
        case 'set-cam-enabled':
          if (!this.client) return this.reportError('Connect first: the camera is sent only during a session.', false);
          this.client.enableCam(command.enabled);
          this.setStatus({ camEnabled: command.enabled });
          return;
        case 'interrupt':
          if (this.transport) await this.transport.interruptBot();
          return;
        case 'select-device':
          return await this.selectDevice(command.kind, command.deviceId);
        case 'set-headphones':
          this.devices = { ...this.devices, selected: { ...this.devices.selected, headphones: command.on === true } };
          this.batcher.push({ kind: 'devices', devices: this.devices });
          return;
        case 'update-settings':
          return await this.applySettings(command.settings);
        case 'update-tool-mocks':
          this.toolMocks = { ...command.toolMocks };
          this.registerToolHandlers();
          if (this.settings) this.settings = { ...this.settings, toolMocks: this.toolMocks };
          return;
        case 'tool-result':
          if (!this.transport) return this.reportError('The session ended before the tool result could be sent.', false);
          this.transport.sendMessage(new RTVIMessage('llm-function-call-result', { tool_call_id: command.toolCallId, result: command.result }));
          return;
        case 'client-message':
          if (!this.transport) return this.reportError('The session ended before the message could be sent.', false);
          this.transport.sendMessage(new RTVIMessage('client-message', { t: command.t, d: command.data }));
          return;
        case 'rtvi-message':
          if (!this.transport || this.status.transportState !== 'ready') return this.reportError(`No session is ready: the RTVI message "${command.messageType}" was not sent.`, false);
          this.transport.sendMessage(new RTVIMessage(command.messageType, command.data as Record<string, unknown>));
          return;
        case 'push-to-talk':
          if (!this.transport) return;
          if (command.phase === 'start') this.transport.startUserTurn();
          else this.transport.endUserTurn();
          return;
        case 'mic-test':
          return command.action === 'start' ? await this.startMicTest() : await this.stopMicTest();
        case 'echo-check':
          return await this.runEchoCheck();
        case 'refresh-devices':
          return await this.refreshDevices();
        case 'clear-conversation':
          this.conversation.clear();
          this.batcher.push({ kind: 'conversation-cleared' });
          return;
        case 'clear-events':
          this.deps.history.clear();
          this.batcher.push({ kind: 'events-cleared' });
          return;
        case 'run-voice-tests': {
          const service = this.voiceTests;
          if (!service) return this.reportError('Voice tests are not available in this document.', false);
          const { type: _t, ...request } = command;
          // Not awaited: the run drives this very queue (Connect, Send, Disconnect) step by step.
          void service.run(request).catch((e: unknown) => this.reportError(`Voice tests: ${errorText(e)}`, false));
          return;
        }
        case 'stop-voice-tests':
          this.voiceTests?.stop();
          return;
        case 'send-image':
          return this.sendImage(command);
        case 'share-tab':
          return await this.shareTab(command);
        case 'stop-tab-share':
          if (this.tabShare?.stop()) this.recordTransportEvent('tab-share-stopped', {});
          this.setStatus({ tabShare: null });
          return;
        case 'recordings':
          return; // answered at once by handleRecordings
        case 'replay':
          return await this.startReplay(command);
      }
    } catch (e) {
      this.reportError(errorText(e), false);
    }
  }

  // ------------------------------------------------------------------ session
  private async connect(command: ConnectCommand): Promise<void> {
    if (this.client) await this.disconnect();
    if (this.deps.micTest.active) await this.stopMicTest();
    this.selfHearing.reset();
    if (this.status.selfHearing) this.setStatus({ selfHearing: null });
    const enableMic = command.enableMic ?? true;
    if (enableMic) {
      const permission = await this.deps.queryMicPermission();
      if (permission !== 'granted') {
        // A getUserMedia here would count as a dismissed prompt (offscreen documents cannot show one).
        this.reportError(permission === 'denied' ? MIC_DENIED_MESSAGE : MIC_NOT_GRANTED_MESSAGE, false);
        return;
      }
    }
    this.session++;
    this.sessionStartedAt = performance.now();
    this.lastApply = null;
    this.toolMocks = { ...(command.toolMocks ?? {}) };
    this.registeredTools.clear();
    const { apiKey, type: _type, recording, ...visible } = command;
    this.settings = { ...visible, ...(visible.endpoint ? { endpoint: redactUrlQuery(visible.endpoint) } : {}) };
    await this.startRecording(command, apiKey, recording);
    const options: LLMServiceOptions = {
      api_key: apiKey || undefined,
      model: command.model || undefined,
      endpoint: command.endpoint || undefined,
      settings: { ...command.settings, ...(command.model ? { model: command.model } : {}) },
      connect_timeout_ms: HOST_CONNECT_TIMEOUT_MS,
      ...(command.functionCallTimeoutMs ? { function_call_timeout_ms: command.functionCallTimeoutMs } : {}),
    };
    let transport: RealTimeWebsocketTransport;
    try {
      transport = this.deps.createTransport(command.adapterId, options, { headphones: this.devices.selected.headphones === true });
    } catch (e) {
      this.reportError(errorText(e), false);
      return;
    }
    // One clock per session whose zero is the Connect command: the transport stamps from its own
    // connect() call, which starts later (after the microphone opens), so its stamps are shifted.
    const zero = this.sessionStartedAt;
    const shift = () => (transport.connectStartedAt > 0 ? transport.connectStartedAt - zero : 0);
    transport.setObserver({ onFrame: (f) => this.recordFrame(f, shift()), onRtvi: (r) => this.recordRtvi(r, shift()) });
    const client = this.deps.createClient(transport, this.clientCallbacks(transport), enableMic, command.enableCam ?? false);
    this.client = client;
    this.startIdleWatch(client, command.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    this.transport = transport;
    if (this.recordingFor?.session === this.session) this.recordingFor.client = client;
    this.registerToolHandlers();
    this.setStatus({
      adapterId: command.adapterId,
      micEnabled: enableMic,
      camEnabled: command.enableCam ?? false,
      sessionLimit: null,
      sessionPushToTalk: command.settings?.turn_detection === 'push_to_talk',
    });
    this.recordTransportEvent('connect-requested', { adapter: command.adapterId, endpoint: command.endpoint ? redactUrlQuery(command.endpoint) : null, model: command.model || null });
    this.statsTimer = setInterval(() => this.pushStats(), STATS_INTERVAL_MS);
    // Not awaited: the command queue must stay free so Disconnect can cut a slow setup short.
    client.connect().then(
      () => void this.refreshDevices(),
      async (e: unknown) => {
        if (this.client !== client) return; // replaced or disconnected on purpose
        this.failedClient = client;
        this.reportError(errorText(e), false, closeCodeOf(e));
        await this.releaseClient(client);
      },
    );
  }

  /** Sends only what changed since the session started (or the last Apply) and reports what took effect. */
  private async applySettings(next: Record<string, unknown>): Promise<void> {
    if (!this.transport || !this.settings) return this.reportError('Connect first: Apply changes a running session. The new values are saved and used on the next Connect.', false);
    const current = this.settings.settings;
    const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v)));
    const keys = Object.keys(changed);
    const transport = this.transport;
    const needReconnect = keys.length ? await transport.updateSettings(changed) : [];
    // An adapter that knows what the server refused or held back says so (OpenAI's
    // `lastSettingsOutcome`); otherwise whatever needs no reconnect counts as applied.
    const outcome = keys.length ? settingsOutcome(transport) : null;
    const failed = outcome?.failed ?? [];
    const deferred = outcome?.deferred ?? [];
    const applied = keys.filter((k) => !needReconnect.includes(k) && !failed.some((f) => f.key === k) && !deferred.includes(k));
    const kept = Object.fromEntries(Object.entries(changed).filter(([k]) => applied.includes(k) || deferred.includes(k)));
    this.settings = { ...this.settings, settings: { ...current, ...kept } };
    this.setStatus({ sessionPushToTalk: this.settings.settings.turn_detection === 'push_to_talk' });
    this.lastApply = { applied, needReconnect, ...(failed.length ? { failed } : {}), ...(deferred.length ? { deferred } : {}), at: Date.now() };
    this.batcher.push({ kind: 'settings-applied', report: this.lastApply, settings: this.settings });
    this.recordTransportEvent('settings-updated', { applied, needReconnect, failed, deferred });
  }

  /** One wrapped handler per declared tool; each reads the current mock, so edits apply to the next call. */
  private registerToolHandlers(): void {
    const client = this.client;
    if (!client) return;
    for (const name of Object.keys(this.toolMocks)) {
      if (this.registeredTools.has(name)) continue;
      this.registeredTools.add(name);
      client.registerFunctionCallHandler(name, (call) => {
        // A replay never waits for a person: the source's result, else the mock, else a default.
        if (this.replay?.client === client) return this.replay.tools.answer(call.functionName, call.arguments).result as ReturnType<typeof parseMockResult>;
        const mock = this.toolMocks[call.functionName];
        // "Ask me": answer nothing now; the panel's Send result (or the transport's timeout) answers.
        if (!mock || mock.mode === 'ask') return undefined;
        if (mock.mode === 'scripted' && mock.script) return answerScripted(mock.script, call.arguments);
        return parseMockResult(mock.result);
      });
    }
  }

  // ------------------------------------------------------------------ the tab as input
  private sendImage(command: SendImageCommand): void {
    if (!this.transport) return this.reportError('Connect first: there is no session to send the screenshot to.', false);
    const data = Uint8Array.from(atob(command.data), (c) => c.charCodeAt(0));
    if (this.transport.sendImage({ data, mimeType: command.mimeType, kind: 'screenshot' })) this.conversation.addUserImage('Screenshot of the tab', command.thumbnail);
  }

  private async shareTab(command: ShareTabCommand): Promise<void> {
    const transport = this.transport;
    if (!transport) return this.reportError('Connect first: a tab is shared only during a session.', false);
    if (!this.tabShare) return this.reportError('Tab sharing is not available here.', false);
    const status = await this.tabShare.start(
      {
        addInputStream: (stream, options) => transport.mediaManager.addInputStream(stream, options),
        sendImage: (image) => transport.sendImage(image),
        acceptsVideo: transport.acceptsVideo,
      },
      command,
    );
    if (this.transport !== transport) {
      this.tabShare.stop();
      return;
    }
    this.recordTransportEvent('tab-share-started', { ...status });
    this.setStatus({ tabShare: status });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await this.releaseClient(client);
  }

  private async releaseClient(client: SessionClient): Promise<void> {
    if (this.client !== client) return;
    const transport = this.transport;
    if (this.replay?.client === client) this.replay.abort.abort();
    // Forget the client first: a connect() rejection or state change caused by this disconnect
    // then belongs to a session that is no longer current and is not reported as live status.
    this.client = null;
    this.transport = null;
    this.idleWatch?.stop();
    this.idleWatch = null;
    if (this.tabShare?.stop()) this.setStatus({ tabShare: null });
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    try {
      await client.disconnect();
    } catch {
      // already torn down
    }
    transport?.setObserver(undefined);
    if (this.recordingFor?.client === client) await this.endRecording();
    if (this.client) return; // a new session started meanwhile; its status stands
    this.levels = { mic: 0, bot: 0 };
    this.botSpeaking = false;
    this.batcher.push({ kind: 'levels', levels: this.levels });
    if (this.status.camEnabled) this.setStatus({ camEnabled: false });
    // A session that failed says so (`error`), not `disconnected`, until the next Connect.
    if (this.failedClient === client) this.setStatus({ transportState: 'error' });
    else if (this.status.transportState !== 'disconnected' && this.status.transportState !== 'error') this.setStatus({ transportState: 'disconnected' });
  }

  /** Callbacks of one session; once it is no longer current they only log. */
  private clientCallbacks(transport: RealTimeWebsocketTransport): RTVIEventCallbacks {
    const live = () => this.transport === transport;
    return {
      onTransportStateChanged: (state: TransportState) => {
        if (live()) this.setStatus({ transportState: state });
        this.recordTransportEvent('transport-state', { state });
      },
      onLocalAudioLevel: (level: number) => {
        if (!live()) return;
        this.setLevels({ mic: level });
        this.selfHearing.micLevel(performance.now(), level);
      },
      onRemoteAudioLevel: (level: number) => {
        if (live() && this.botSpeaking) this.setLevels({ bot: level });
        if (live()) this.selfHearing.botLevel(performance.now(), this.botSpeaking ? level : 0);
      },
      onError: (message: RTVIMessage) => {
        const d = (message.data ?? {}) as { message?: string; error?: string; fatal?: boolean; code?: unknown; phase?: string };
        // A setup failure is also connect()'s rejection, which reports it: one alert, not two.
        if (d.phase === 'setup') return;
        if (d.fatal === true && live() && this.client) this.failedClient = this.client;
        this.reportError(d.message ?? d.error ?? 'The transport reported an error.', d.fatal === true, typeof d.code === 'number' ? d.code : undefined);
      },
      onDeviceError: (error) => this.reportError(error.message ?? 'Device error', false),
      onServerMessage: (data: unknown) => {
        // Gemini Live reports how long the session may last; the panel shows it with a countdown.
        const d = data as { type?: unknown; limit_ms?: unknown; ends_at?: unknown; compression?: unknown; video?: unknown } | null;
        if (!live() || d?.type !== 'session-limit') return;
        const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
        this.setStatus({ sessionLimit: { limitMs: num(d.limit_ms), endsAt: num(d.ends_at), compression: d.compression === true, video: d.video === true } });
      },
      onAvailableMicsUpdated: () => void this.refreshDevices(),
      onAvailableSpeakersUpdated: () => void this.refreshDevices(),
      onAvailableCamsUpdated: () => void this.refreshDevices(),
      onDisconnected: () => {
        const client = this.client;
        if (client) queueMicrotask(() => void this.releaseClient(client));
      },
    };
  }

  private async selectDevice(kind: 'mic' | 'cam' | 'speaker', deviceId: string): Promise<void> {
    this.devices = { ...this.devices, selected: { ...this.devices.selected, [kind]: deviceId } };
    this.batcher.push({ kind: 'devices', devices: this.devices });
    if (!this.client) return;
    if (kind === 'mic') await this.client.updateMic(deviceId);
    else if (kind === 'cam') this.client.updateCam(deviceId);
    else this.client.updateSpeaker(deviceId);
  }

  private async refreshDevices(): Promise<void> {
    try {
      const all = await this.deps.enumerateDevices();
      const pick = (kind: MediaDeviceKind) => all.filter((d) => d.kind === kind).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kindLabel(kind)} ${i + 1}` }));
      this.devices = { mics: pick('audioinput'), cams: pick('videoinput'), speakers: pick('audiooutput'), selected: this.devices.selected };
      this.batcher.push({ kind: 'devices', devices: this.devices });
    } catch (e) {
      this.reportError(`Could not list devices: ${errorText(e)}`, false);
    }
  }

  private pushStats(): void {
    if (!this.transport) return;
    try {
      const s = this.transport.getStats();
      const stats: HostStats = {};
      for (const [k, v] of Object.entries(s)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) stats[k] = v as string | number | boolean | null;
      this.stats = stats;
      this.batcher.push({ kind: 'stats', stats });
    } catch {
      // stats are best effort while the media manager starts or stops
    }
  }

  // ------------------------------------------------------------------ mic test
  private async startMicTest(): Promise<void> {
    if (this.client) return this.reportError('The microphone is already open in the session; its level is shown while connected.', false);
    const permission = await this.deps.queryMicPermission();
    if (permission !== 'granted') return this.reportError(permission === 'denied' ? MIC_DENIED_MESSAGE : MIC_NOT_GRANTED_MESSAGE, false);
    this.setStatus({ micTestActive: true });
    try {
      await this.deps.micTest.start((r) => {
        this.setLevels({ mic: r.level });
        this.stats = { source: 'mic-test', captureRate: r.captureRate, framesCaptured: r.framesCaptured, peak: Number(r.peak.toFixed(4)), trackLabel: r.trackLabel };
        this.batcher.push({ kind: 'stats', stats: this.stats });
      }, this.devices.selected.mic);
      this.recordTransportEvent('mic-test-started', {});
    } catch (e) {
      this.setStatus({ micTestActive: false });
      this.reportError(`Microphone test failed: ${errorText(e)}`, false);
    }
  }

  private async stopMicTest(): Promise<void> {
    await this.deps.micTest.stop();
    this.setStatus({ micTestActive: false });
    this.setLevels({ mic: 0 });
    this.recordTransportEvent('mic-test-stopped', {});
  }

  /** The provider heard the user start while the bot spoke: warn when it was likely the bot's own voice. */
  private checkSelfHearing(): void {
    // With headphones nothing is expected to leak; the level-following check below still catches a user who has none on.
    const uncancelled = echoUncancelled(this.stats as { echoCancellation?: boolean | null; echoCancellationConfirmed?: boolean | null; playbackPath?: string | null }) && this.stats.source !== 'mic-test' && this.devices.selected.headphones !== true;
    const checked = this.status.echoCheck?.state === 'done' && this.status.echoCheck.verdict === 'wear headphones';
    const reason = this.selfHearing.onUserSpeech(performance.now(), { botSpeaking: this.botSpeaking, echoUncancelled: uncancelled || checked });
    if (!reason) return;
    this.setStatus({ selfHearing: { at: Date.now(), reason } });
    this.recordTransportEvent('self-interruption-suspected', { reason });
  }

  // ------------------------------------------------------------------ echo check
  private async runEchoCheck(): Promise<void> {
    const run = this.deps.runEchoCheck;
    if (!run) return this.reportError('The echo check is not available here.', false);
    if (this.client) return this.reportError('The echo check needs the microphone and speakers to itself: disconnect first.', false);
    if (this.status.echoCheck?.state === 'running') return;
    const permission = await this.deps.queryMicPermission();
    if (permission !== 'granted') return this.reportError(permission === 'denied' ? MIC_DENIED_MESSAGE : MIC_NOT_GRANTED_MESSAGE, false);
    if (this.deps.micTest.active) await this.stopMicTest();
    this.setStatus({ echoCheck: { state: 'running' } });
    try {
      const r = await run({ micId: this.devices.selected.mic, speakerId: this.devices.selected.speaker, headphones: this.devices.selected.headphones === true });
      this.setStatus({ echoCheck: { state: 'done', verdict: r.verdict, residueDb: Math.round(r.residueDb * 10) / 10, backgroundDb: Math.round(r.backgroundDb * 10) / 10, path: r.path, mode: r.mode } });
      this.recordTransportEvent('echo-check', { verdict: r.verdict, residueDb: r.residueDb, backgroundDb: r.backgroundDb, path: r.path, mode: r.mode });
    } catch (e) {
      this.setStatus({ echoCheck: { state: 'failed', message: `Echo check failed: ${errorText(e)}` } });
    }
  }

  // ------------------------------------------------------------------ measurement hook
  /**
   * MEASUREMENT HOOK for the benches (issue 9: the inspector at 2,000 events/s in the real
   * panel); nothing in the product calls it. Appends `count` rows of a realistic synthetic mix at
   * `ratePerSecond` through the same path real events take (history append, then the batched Port
   * updates every panel receives), and reports what it cost this document. The rows carry the
   * current session number and fresh seq/time stamps; a transport row announces the injection so
   * the log never passes them off as a real session. One injection at a time.
   */
  injectSynthetic(options: { count: number; ratePerSecond: number }): Promise<SyntheticInjectionReport> {
    const { count, ratePerSecond } = options;
    if (!Number.isInteger(count) || count <= 0 || count > SYNTHETIC_MAX_COUNT) return Promise.reject(new RangeError(`count must be an integer in 1…${SYNTHETIC_MAX_COUNT}, got ${count}`));
    if (!(ratePerSecond > 0 && ratePerSecond <= SYNTHETIC_MAX_RATE)) return Promise.reject(new RangeError(`ratePerSecond must be in (0, ${SYNTHETIC_MAX_RATE}], got ${ratePerSecond}`));
    if (this.injection) return Promise.reject(new Error('A synthetic injection is already running.'));
    const injection = { broadcastMs: 0, nextFrameId: SYNTHETIC_FRAME_ID_BASE + this.seq * 4 };
    this.injection = injection;
    this.recordTransportEvent('synthetic-injection-started', { count, ratePerSecond, note: 'measurement hook: the rows that follow are synthetic' });
    const zero = this.sessionStartedAt;
    const started = performance.now();
    let injected = 0;
    let appendMs = 0;
    let maxTickMs = 0;
    let ticks = 0;
    return new Promise<SyntheticInjectionReport>((resolve) => {
      const tick = () => {
        const t0 = performance.now();
        const due = Math.min(count, Math.floor(((t0 - started) / 1000) * ratePerSecond)) - injected;
        if (due > 0) {
          const frameBase = injection.nextFrameId;
          let maxFrame = 0;
          for (const ev of makeSyntheticEvents(due)) {
            if (ev.frameId !== undefined) {
              maxFrame = Math.max(maxFrame, ev.frameId);
              ev.frameId += frameBase;
            }
            if (ev.sourceFrameIds) ev.sourceFrameIds = ev.sourceFrameIds.map((id) => id + frameBase);
            this.record({ ...ev, seq: ++this.seq, session: this.session, t: performance.now() - zero, wall: Date.now() });
          }
          injection.nextFrameId += maxFrame;
          injected += due;
          ticks++;
          const took = performance.now() - t0;
          appendMs += took;
          maxTickMs = Math.max(maxTickMs, took);
        }
        if (injected < count) {
          setTimeout(tick, SYNTHETIC_TICK_MS);
          return;
        }
        // The last rows leave with the next batch; its broadcast belongs to the injection.
        this.batcher.flushNow();
        this.injection = null;
        const elapsedMs = performance.now() - started;
        resolve({ injected, elapsedMs, achievedPerSecond: (injected / elapsedMs) * 1000, appendMs, broadcastMs: injection.broadcastMs, maxTickMs, ticks });
      };
      setTimeout(tick, SYNTHETIC_TICK_MS);
    });
  }

  // ------------------------------------------------------------------ replay
  /**
   * Replays a recording's user side into a new session: the session connects as `command.connect`
   * asks but with the microphone closed, recorded as a replay linked to its source; once ready,
   * the plan's audio turns go through the media manager's injected source and its typed messages
   * through sendText, anchored on the new bot's speech; tool calls are answered from the source.
   * When the plan is done the session ends (so the recording completes). Runs beside the command
   * queue: Disconnect stops it.
   */
  private async startReplay(command: ReplayCommand): Promise<void> {
    const fail = (error: string) => {
      this.setStatus({ replay: { sourceId: command.sourceId, state: 'failed', sent: 0, steps: 0, tools: [], warnings: [], error } });
      this.reportError(`Replay not started: ${error}`, false);
    };
    const store = this.deps.recordings;
    if (!store) return fail('recordings are not available here.');
    const wire = await store.handle({ op: 'get', id: command.sourceId });
    if (!wire) return fail('the source recording was not found (deleted?).');
    const source = fromWire(wire);
    const plan = planReplay(source);
    if (plan.steps.length === 0) return fail('the source recording has no user turns to replay.');
    const mic = await assembleTrack(source, 'mic', decodeOpusAtChunkRate);
    const sourceCalls = toolCalls(source);
    // Tools the source called are answered even when the target does not declare a mock for them.
    const toolMocks = { ...(command.connect.toolMocks ?? {}) };
    for (const c of sourceCalls) toolMocks[c.name] ??= { mode: 'ask', result: '' };
    await this.connect({ ...command.connect, enableMic: false, toolMocks, recording: { ...(command.connect.recording ?? {}), origin: 'replay', sourceId: command.sourceId } });
    const client = this.client;
    const transport = this.transport;
    if (!client || !transport) return fail('the target session did not start.');
    const abort = new AbortController();
    const tools = new ReplayToolAnswers(sourceCalls, (name) => this.toolMocks[name], parseMockResult);
    const recordingId = (await store.handle({ op: 'list' })).activeId;
    const status: ReplayStatus = { sourceId: command.sourceId, state: 'running', sent: 0, steps: plan.steps.length, tools: [], warnings: plan.warnings, ...(recordingId ? { recordingId } : {}) };
    const update = (patch: Partial<ReplayStatus>) => {
      Object.assign(status, patch, { tools: tools.report.map((r) => ({ name: r.name, answeredBy: r.answeredBy })) });
      this.setStatus({ replay: { ...status } });
    };
    const runner = new ReplayRunner({
      injectAudio: (pcm, rate, signal) => transport.mediaManager.injectUserAudio(pcm, rate, { signal }),
      sendText: async (text) => {
        await client.sendText(text);
        this.conversation.addUserText(text);
      },
      log: (type, data) => {
        this.recordTransportEvent(type, data);
        if (type === 'replay-step') update({ sent: status.sent + 1 });
      },
      setTimeout: (cb, ms) => setTimeout(cb, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    });
    this.replay = { client, runner, tools, abort };
    update({});
    this.recordTransportEvent('replay-started', { sourceId: command.sourceId, steps: plan.steps.length, warnings: plan.warnings });
    void (async () => {
      try {
        const ready = await this.waitForReady(client, abort.signal);
        if (!ready) throw new Error('the target session did not become ready.');
        const report = await runner.run(plan, mic, abort.signal);
        this.recordTransportEvent('replay-finished', { sourceId: command.sourceId, aborted: report.aborted, steps: report.steps, tools: tools.report, warnings: report.warnings });
        update({ state: report.aborted ? 'stopped' : 'finished', warnings: report.warnings });
      } catch (e) {
        this.recordTransportEvent('replay-finished', { sourceId: command.sourceId, error: errorText(e), tools: tools.report });
        update({ state: abort.signal.aborted ? 'stopped' : 'failed', error: errorText(e) });
      } finally {
        if (this.replay?.client === client) this.replay = null;
        // The replay's session ends with it, so its recording is complete.
        if (this.client === client) void this.enqueue({ type: 'disconnect' });
      }
    })();
  }

  /** Resolves true once this client's transport is ready, false if it ends (or is aborted) first. */
  private waitForReady(client: SessionClient, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.client !== client || signal.aborted) return resolve(false);
        if (this.status.transportState === 'ready') return resolve(true);
        setTimeout(check, 50);
      };
      check();
    });
  }

  // ------------------------------------------------------------------ recordings store
  /** Starts this session's recording; a recordings failure never stops the session. */
  private async startRecording(command: ConnectCommand, apiKey: string | undefined, options: ConnectCommand['recording']): Promise<void> {
    const rec = this.deps.recordings;
    if (!rec) return;
    this.recordingFor = null;
    try {
      const on = await rec.start({
        ...(options ?? {}),
        adapterId: command.adapterId,
        ...(command.model ? { model: command.model } : {}),
        settings: { ...(this.settings ?? {}) },
        secrets: [apiKey],
        zero: this.sessionStartedAt,
      });
      if (on) this.recordingFor = { client: null, session: this.session };
      this.setStatus({ recording: on });
    } catch (e) {
      this.setStatus({ recording: false });
      this.reportError(`This session is not being recorded: ${errorText(e)}`, false);
    }
  }

  private async endRecording(): Promise<void> {
    this.recordingFor = null;
    try {
      await this.deps.recordings?.end();
    } catch (e) {
      this.reportError(`The end of the recording could not be written: ${errorText(e)}`, false);
    }
    this.setStatus({ recording: false });
  }

  /** A recordings request from one panel; the reply goes to that panel only. */
  private async handleRecordings(port: HostPort, command: RecordingsCommand): Promise<void> {
    const rec = this.deps.recordings;
    let reply: RecordingsReply;
    if (!rec) reply = { type: 'recordings-reply', requestId: command.requestId, ok: false, error: 'Recordings are not available in this session host.' };
    else {
      try {
        const result = await rec.handle(command.request);
        reply = { type: 'recordings-reply', requestId: command.requestId, ok: true, result };
      } catch (e) {
        reply = { type: 'recordings-reply', requestId: command.requestId, ok: false, error: errorText(e) };
      }
      // Deleting the recording being made stops recording it.
      if (this.status.recording && !rec.recording) {
        this.recordingFor = null;
        this.setStatus({ recording: false });
      }
    }
    try {
      // A reply bigger than a Port message allows (an hour-long recording) goes in parts.
      const parts = splitMessage(command.requestId, reply);
      if (!parts) port.postMessage(reply);
      else for (const part of parts) port.postMessage({ type: 'recordings-reply-part', part });
    } catch {
      // the panel closed meanwhile
    }
  }

  // ------------------------------------------------------------------ recording
  private recordFrame(f: FrameRecord, shift = 0): void {
    const e: LogEvent = { seq: ++this.seq, session: this.session, t: f.t + shift, wall: f.wall, source: 'raw', direction: f.direction, type: f.type, data: f.payload, bytes: f.bytes, frameId: f.id };
    if (f.audio) e.audio = f.audio;
    if (f.malformed) e.malformed = true;
    this.record(e);
  }

  private recordRtvi(r: RtviRecord, shift = 0): void {
    const seq = ++this.seq;
    this.record({
      seq,
      session: this.session,
      t: r.t + shift,
      wall: r.wall,
      source: 'rtvi',
      direction: r.sourceFrameIds.length > 0 ? 'in' : 'local',
      type: r.type,
      data: r.data,
      sourceFrameIds: r.sourceFrameIds,
    });
    this.conversation.onRtvi(r.type, r.data, { seq, t: r.t, session: this.session });
    if (IDLE_ACTIVITY_TYPES.has(r.type)) this.idleWatch?.activity();
    // The player's last level report can trail its stop event: the meter follows the speaking
    // events so it never freezes on a stale non-zero value.
    if (r.type === 'user-started-speaking') this.checkSelfHearing();
    if (r.type === 'bot-started-speaking') this.replay?.runner.onBotStarted();
    if (r.type === 'bot-stopped-speaking') this.replay?.runner.onBotStopped();
    if (r.type === 'bot-started-speaking') this.botSpeaking = true;
    if (r.type === 'bot-stopped-speaking') {
      this.botSpeaking = false;
      this.setLevels({ bot: 0 });
    }
  }

  private recordTransportEvent(type: string, data: unknown): void {
    // Same zero as the transport's frames and RTVI rows (the Connect command), so `Both`
    // interleaves truthfully.
    this.record({ seq: ++this.seq, session: this.session, t: performance.now() - this.sessionStartedAt, wall: Date.now(), source: 'transport', direction: 'local', type, data });
  }

  private record(e: LogEvent): void {
    this.deps.history.append(e);
    if (this.recordingFor?.session === e.session) this.deps.recordings?.addEvent(e);
    this.batcher.push({ kind: 'log', events: [e] });
    for (const l of this.logListeners) l(e);
  }

  /** Warns, then disconnects, a session with no speech or text for `timeoutMs` (0: never). */
  private startIdleWatch(client: SessionClient, timeoutMs: number): void {
    this.idleWatch?.stop();
    this.idleWatch = null;
    if (!(timeoutMs > 0)) return;
    const limit = formatDuration(timeoutMs);
    this.idleWatch = new IdleWatch({
      timeoutMs,
      onWarn: (remainingMs) => {
        if (this.client !== client) return;
        this.recordTransportEvent('idle-warning', { idleMs: timeoutMs - remainingMs, disconnectInMs: remainingMs });
        this.reportError(`No speech or text for ${formatDuration(timeoutMs - remainingMs)}: the session disconnects in ${formatDuration(remainingMs)} so it stops billing. Speak or type to keep it.`, false);
      },
      onIdle: () => {
        if (this.client !== client) return;
        this.recordTransportEvent('idle-disconnect', { idleMs: timeoutMs });
        this.reportError(`Disconnected after ${limit} with no speech or text (the idle limit, set in Settings under "Idle disconnect (seconds)").`, false);
        void this.enqueue({ type: 'disconnect' });
      },
    });
  }

  /** Calls back with every new row from now on; returns the unsubscribe. */
  onLog(listener: (e: LogEvent) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /** Sends an update to every panel with the next batch. */
  publish(update: HostUpdate): void {
    this.batcher.push(update);
  }

  lastErrorMessage(): string | null {
    return this.errors.at(-1)?.message ?? null;
  }

  /** Session number of the current (or last) Connect. */
  get sessionNumber(): number {
    return this.session;
  }

  /**
   * Speaks PCM into the running session's capture path in place of the microphone (voice tests,
   * replays): paced in real time, through the same chunking, local VAD and adapter send.
   */
  async injectUserAudio(pcm: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<void> {
    const transport = this.transport;
    if (!transport || !this.client) throw new Error('Connect first: there is no session to speak into.');
    await transport.mediaManager.injectUserAudio(pcm, sampleRate, signal ? { signal } : {});
  }

  private setStatus(patch: Partial<HostStatus>): void {
    this.status = { ...this.status, ...patch };
    this.batcher.push({ kind: 'status', status: this.currentStatus });
  }

  private setLevels(patch: Partial<HostLevels>): void {
    this.levels = { ...this.levels, ...patch };
    this.batcher.push({ kind: 'levels', levels: this.levels });
  }

  private reportError(message: string, fatal: boolean, code?: number): void {
    // The row first: the alert's `Show in log` points at it.
    this.recordTransportEvent('host-error', { message, fatal, ...(code !== undefined ? { code } : {}) });
    const error: HostError = { message, fatal, at: Date.now(), session: this.session, seq: this.seq, ...(code !== undefined ? { code } : {}) };
    if (this.session > 0) this.conversation.addError(message);
    this.errors = [...this.errors.slice(-19), error];
    this.batcher.push({ kind: 'error', error });
  }

  /**
   * An HTTP request the offscreen document made (the adapters' token / client-secret requests),
   * logged with its redacted URL, status and timing; see http-request-log.ts.
   */
  recordHttpRequest(r: HttpRequestRecord): void {
    const t = this.session > 0 ? r.startedAt - this.sessionStartedAt : 0;
    this.record({
      seq: ++this.seq,
      session: this.session,
      t,
      wall: r.startedWall,
      source: 'transport',
      direction: 'out',
      type: 'token-request',
      data: { method: r.method, url: r.url, status: r.status, ...(r.statusText ? { statusText: r.statusText } : {}), ok: r.ok, durationMs: Math.round(r.durationMs), ...(r.error ? { error: r.error } : {}) },
    });
  }

  private broadcast(event: HostEvent): void {
    const t0 = this.injection ? performance.now() : 0;
    this.postToPorts(event);
    if (this.injection) this.injection.broadcastMs += performance.now() - t0;
  }

  private postToPorts(event: HostEvent): void {
    for (const port of this.ports) {
      try {
        port.postMessage(event);
      } catch {
        this.ports.delete(port);
      }
    }
  }
}

/** The real client: PipecatClient drives the transport. */
export function createPipecatSessionClient(transport: RealTimeWebsocketTransport, callbacks: RTVIEventCallbacks, enableMic: boolean, enableCam: boolean): SessionClient {
  const client = new PipecatClient({ transport, callbacks, enableMic, enableCam });
  // client-js logs every RTVI message at debug level (100+ a second in a conversation, each one
  // formatted for the console); the inspector already records them all. Warnings and errors stay.
  client.setLogLevel(LogLevel.WARN);
  return {
    connect: () => client.connect(),
    disconnect: () => client.disconnect(),
    sendText: (text) => client.sendText(text),
    enableMic: (e) => client.enableMic(e),
    enableCam: (e) => client.enableCam(e),
    updateMic: (id) => client.updateMic(id),
    updateCam: (id) => client.updateCam(id),
    updateSpeaker: (id) => client.updateSpeaker(id),
    getAllMics: () => client.getAllMics(),
    getAllCams: () => client.getAllCams(),
    getAllSpeakers: () => client.getAllSpeakers(),
    registerFunctionCallHandler: (name, handler) => registerFunctionCallHandlerSafely(client, transport, name, handler),
    get isMicEnabled() {
      return client.isMicEnabled;
    },
  };
}

/** Endpoint URLs may carry a key in the query (`?key=`): the log shows parameter names only. */
export function redactUrlQuery(url: string): string {
  try {
    const u = new URL(url);
    for (const k of [...new Set(u.searchParams.keys())]) u.searchParams.set(k, '[redacted]');
    if (u.username || u.password) {
      u.username = '[redacted]';
      u.password = '';
    }
    return u.toString().replace(/%5Bredacted%5D/g, '[redacted]');
  } catch {
    return '[unparsable URL]';
  }
}

/**
 * A mock result: a JSON object or array when it parses as one, else the text itself. client-js
 * sends nothing for a null result, so scalars travel as their text.
 */
export function parseMockResult(text: string): LLMFunctionCallResult {
  const t = text.trim();
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // not JSON: plain text
  }
  return t;
}

function kindLabel(kind: MediaDeviceKind): string {
  return kind === 'audioinput' ? 'Microphone' : kind === 'videoinput' ? 'Camera' : 'Speaker';
}

/** The WebSocket close code a connect() rejection carries (ProviderClosedError and the like). */
function closeCodeOf(e: unknown): number | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'number' && code >= 1000 && code <= 4999 ? code : undefined;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null) {
    const d = e as { message?: unknown; data?: { message?: unknown; error?: unknown } };
    if (typeof d.message === 'string') return d.message;
    if (typeof d.data?.message === 'string') return d.data.message;
    if (typeof d.data?.error === 'string') return d.data.error;
  }
  return String(e);
}

/** The optional field-by-field outcome an adapter keeps for its last settings change. */
function settingsOutcome(transport: object): { failed?: Array<{ key: string; reason: string }>; deferred?: string[] } | null {
  const o = (transport as { lastSettingsOutcome?: unknown }).lastSettingsOutcome;
  return o && typeof o === 'object' ? (o as { failed?: Array<{ key: string; reason: string }>; deferred?: string[] }) : null;
}

/** A voice test's mock: its result after its delay, or never (the transport's timeout answers). */
function answerScripted(script: ScriptedToolMock, args: unknown): Promise<LLMFunctionCallResult> | undefined {
  const answer = answerScriptedMock(script, args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {});
  if (answer.kind === 'never') return undefined;
  const result = answer.result as LLMFunctionCallResult;
  if (answer.delayMs <= 0) return Promise.resolve(result);
  return new Promise((resolve) => setTimeout(() => resolve(result), answer.delayMs));
}

/** Default idle limit: 10 minutes without speech or text. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}
