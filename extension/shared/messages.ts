import type { TransportState } from '@pipecat-ai/client-js';
import type { LogEvent } from './log-event.ts';
import type { MessagePart } from './message-parts.ts';
import type { ToolMock as ScriptedToolMock } from '../voice-tests/scenario-types.ts';
import type { VoiceTestRunRequest, VoiceTestRunState } from '../voice-tests/run-state.ts';
import type { RecordingMeta, RecordingOrigin } from '../recordings/recording-format.ts';
import type { WireRecording } from '../recordings/wire.ts';

/**
 * Every message that crosses an extension context boundary. Chrome serialises runtime messages
 * as JSON-like values, so everything here is plain data (no typed arrays, no class instances).
 */

/** Name of the one Port the side panel opens to the offscreen session host. */
export const SESSION_PORT_NAME = 'session-host';

/** Path of the offscreen document, relative to the extension root (same as in the sources). */
export const OFFSCREEN_DOCUMENT_PATH = 'extension/offscreen/index.html';

/** Path of the microphone grant page, opened in a tab. */
export const PERMISSION_PAGE_PATH = 'extension/permission/index.html';

// ------------------------------------------------------------------ panel → service worker

/** `runtime.sendMessage` to the service worker. `target` keeps other pages from answering. */
export type BackgroundRequest = { target: 'background'; type: 'ensure-offscreen' };

export type BackgroundReply = { ok: true } | { ok: false; error: string };

export function isBackgroundRequest(m: unknown): m is BackgroundRequest {
  return isRecord(m) && m.target === 'background' && m.type === 'ensure-offscreen';
}

// ------------------------------------------------------------------ panel → host (over the Port)

export type DeviceKind = 'mic' | 'cam' | 'speaker';

export interface ConnectCommand {
  type: 'connect';
  adapterId: string;
  /** Never logged, never echoed back; held only by the live transport. */
  apiKey?: string;
  /** Empty or absent means the provider's default endpoint. */
  endpoint?: string;
  model?: string;
  settings: Record<string, unknown>;
  enableMic?: boolean;
  enableCam?: boolean;
  /** How the host answers each declared tool (by function name). */
  toolMocks?: ToolMocks;
  /** A call left unanswered this long gets `{error: 'timeout'}` (transport default when absent). */
  functionCallTimeoutMs?: number;
  /** No speech or text for this long warns, then disconnects (default 10 min; 0 never). */
  idleTimeoutMs?: number;
  /** How this session is recorded (recordings section below); absent: a user's own session. */
  recording?: SessionRecordingOptions;
}

/**
 * `fixed`: answer at once with `result` (JSON text, or plain text when it is not JSON); `ask`: wait
 * for the panel; `scripted`: a voice test's mock (`script`: result, error, cases, delay, never).
 */
export interface ToolMock {
  mode: 'fixed' | 'ask' | 'scripted';
  result: string;
  script?: ScriptedToolMock;
}

export type ToolMocks = Record<string, ToolMock>;

export type PanelCommand =
  | ConnectCommand
  | { type: 'disconnect' }
  | { type: 'send-text'; text: string }
  | { type: 'set-mic-enabled'; enabled: boolean }
  | { type: 'set-cam-enabled'; enabled: boolean }
  | { type: 'interrupt' }
  | { type: 'select-device'; kind: DeviceKind; deviceId: string }
  /** The user wears headphones: the next sessions (and the echo check) open the microphone without echo cancellation. */
  | { type: 'set-headphones'; on: boolean }
  | { type: 'update-settings'; settings: Record<string, unknown> }
  | { type: 'update-tool-mocks'; toolMocks: ToolMocks }
  | { type: 'tool-result'; toolCallId: string; result: unknown }
  /** An RTVI client-message to the transport (e.g. `mcp-approval-response`). */
  | { type: 'client-message'; t: string; data: unknown }
  /** Any RTVI message as typed in `Send RTVI message` (a Pipecat bot routes what it knows, and answers the rest with an error-response). */
  | { type: 'rtvi-message'; messageType: string; data: unknown }
  | { type: 'push-to-talk'; phase: 'start' | 'end' }
  | { type: 'mic-test'; action: 'start' | 'stop' }
  | { type: 'echo-check' }
  | { type: 'refresh-devices' }
  | { type: 'clear-conversation' }
  | { type: 'clear-events' }
  | ({ type: 'run-voice-tests' } & VoiceTestRunRequest)
  | { type: 'stop-voice-tests' }
  | SendImageCommand
  | ShareTabCommand
  | { type: 'stop-tab-share' }
  | RecordingsCommand
  | RecordingsCommandPart
  /** Replays a recording's user side into a new session made from `connect` (extension/replay/). */
  | ReplayCommand;

/** A screenshot for the model: the image as base64 (no data: prefix) and a small thumbnail for the conversation. */
export interface SendImageCommand {
  type: 'send-image';
  mimeType: 'image/jpeg' | 'image/png';
  data: string;
  /** data: URL of a small JPEG shown in the conversation. */
  thumbnail: string;
}

/** Share a tab's audio (and frames) into the session: the stream id comes from chrome.tabCapture.getMediaStreamId. */
export interface ShareTabCommand {
  type: 'share-tab';
  streamId: string;
  tabTitle: string;
  /** `mix`: beside the microphone; `replace`: instead of it. */
  mode: TabAudioMode;
  /** Frames per second sent to adapters that take video; 0 sends none. */
  videoFps: number;
}

export type TabAudioMode = 'mix' | 'replace';

export type PanelCommandType = PanelCommand['type'];

const PANEL_COMMAND_TYPES: ReadonlySet<string> = new Set<PanelCommandType>([
  'connect',
  'disconnect',
  'send-text',
  'set-mic-enabled',
  'set-cam-enabled',
  'interrupt',
  'select-device',
  'set-headphones',
  'update-settings',
  'update-tool-mocks',
  'tool-result',
  'client-message',
  'rtvi-message',
  'push-to-talk',
  'mic-test',
  'echo-check',
  'refresh-devices',
  'clear-conversation',
  'clear-events',
  'run-voice-tests',
  'stop-voice-tests',
  'send-image',
  'share-tab',
  'stop-tab-share',
  'recordings',
  'recordings-part',
  'replay',
]);

export function isPanelCommand(m: unknown): m is PanelCommand {
  return isRecord(m) && typeof m.type === 'string' && PANEL_COMMAND_TYPES.has(m.type);
}

// ------------------------------------------------------------------ host → panel (over the Port)

export interface DeviceList {
  mics: DeviceSummary[];
  cams: DeviceSummary[];
  speakers: DeviceSummary[];
  selected: {
    mic?: string;
    cam?: string;
    speaker?: string;
    /**
     * Headphones on: nothing the speakers play reaches the microphone, so echo cancellation is off for
     * the next Connect. Chromium's canceller holds back the start of speech said over the bot's voice
     * (60-80 ms on the latency rig, BENCHMARKS.md); without it a barge-in reaches the provider sooner.
     */
    headphones?: boolean;
  };
}

export interface DeviceSummary {
  deviceId: string;
  label: string;
}

export type ToolCallStatus = 'running' | 'awaiting' | 'answered' | 'cancelled' | 'timed-out';

export interface ToolCallCard {
  name: string;
  /** Arguments as compact JSON. */
  args: string;
  status: ToolCallStatus;
  /** The result sent, as compact JSON (absent until answered). */
  result?: string;
}

/** An MCP tool call waiting for (or given) the user's approval (OpenAI `mcp_approval_request`). */
export interface McpApprovalCard {
  requestId: string;
  server: string;
  name: string;
  args: string;
  status: 'pending' | 'approved' | 'denied';
  /** 1-based, per session: names the card's buttons (`Approve MCP call 1`). */
  number: number;
  /** The MCP server's output once the approved call ran. */
  output?: string;
}

/** Search grounding the model used for a reply (Gemini `groundingMetadata`). */
export interface GroundingCard {
  queries: string[];
  sources: Array<{ title: string; uri: string }>;
}

export interface ConversationTurn {
  id: string;
  role: 'user' | 'bot' | 'tool' | 'error';
  text: string;
  final: boolean;
  toolCallId?: string;
  tool?: ToolCallCard;
  approval?: McpApprovalCard;
  grounding?: GroundingCard;
  /** Bot turns: the reply was cut off (interrupted, cancelled) before all of it was heard. */
  cut?: boolean;
  /** Bot turns cut off: the text that was never heard (`text` holds what was). */
  unspoken?: string;
  /** Bot turns: user stopped speaking → first bot audio heard, in ms (absent for replies not to speech). */
  voiceToVoiceMs?: number;
  /** Bot turns: `seq` of the turn's first event in the event log. */
  firstSeq?: number;
  /** User turns that sent an image: a data: URL of its thumbnail. */
  image?: string;
}

/** What Apply changed: keys applied mid-session and keys that wait for the next Connect. */
export interface SettingsApplyReport {
  applied: string[];
  needReconnect: string[];
  /** Refused by the provider (nothing of a refused update took effect), with its reason. */
  failed?: Array<{ key: string; reason: string }>;
  /** Allowed only between turns: applied when the current reply ends. */
  deferred?: string[];
  at: number;
}

export interface HostStatus {
  transportState: TransportState;
  /** Adapter of the current (or last) session. */
  adapterId: string | null;
  micEnabled: boolean;
  /** Camera frames are being sent (adapters that take video). */
  camEnabled?: boolean;
  micTestActive: boolean;
  /** The panel's echo check (speakers → microphone), last run or running. */
  echoCheck?: EchoCheckStatus | null;
  /** This session's provider heard "the user" while the bot spoke, and it was likely the bot itself. */
  selfHearing?: { at: number; reason: string } | null;
  /** How many times this document called getUserMedia (a diagnostic; tests assert on it). */
  getUserMediaCalls: number;
  /** The provider's session length limit, when the adapter reports one (Gemini Live `session-limit`). */
  sessionLimit?: SessionLimit | null;
  /** The running session's turn detection is push-to-talk (an Apply that waits for reconnect does not change it). */
  sessionPushToTalk?: boolean;
  /** The running session is being recorded (the session bar shows it). */
  recording?: boolean;
  /** A tab whose audio (and frames) the session hears, or null. */
  tabShare?: TabShareStatus | null;
  /** The last replay started here: its progress, then its outcome. */
  replay?: ReplayStatus | null;
}

// ------------------------------------------------------------------ replay (panel → host)
export interface ReplayCommand {
  type: 'replay';
  /** The recording whose user side is replayed. */
  sourceId: string;
  /** The target session, as the panel's Connect would start it (the microphone stays closed). */
  connect: ConnectCommand;
}

export interface ReplayStatus {
  sourceId: string;
  state: 'running' | 'finished' | 'failed' | 'stopped';
  /** User turns sent so far, of how many. */
  sent: number;
  steps: number;
  /** The recording this replay makes, once known. */
  recordingId?: string;
  /** Who answered each tool call: the source recording, the target's mock, or a default answer. */
  tools: Array<{ name: string; answeredBy: 'recording' | 'mock' | 'default' }>;
  warnings: string[];
  error?: string;
}

export interface TabShareStatus {
  title: string;
  mode: TabAudioMode;
  /** Frames per second actually sent (0 when the adapter takes no video). */
  videoFps: number;
}

export type EchoCheckStatus =
  | { state: 'running' }
  | { state: 'done'; verdict: 'echo cancelled' | 'wear headphones'; residueDb: number; backgroundDb: number; path: string; mode: boolean | string | null }
  | { state: 'failed'; message: string };

export interface SessionLimit {
  /** null: no limit (e.g. context-window compression on). */
  limitMs: number | null;
  /** Wall-clock end of the session, or null. */
  endsAt: number | null;
  compression: boolean;
  video: boolean;
}

export interface HostLevels {
  mic: number;
  bot: number;
  /** A shared tab's audio level, while one is shared. */
  tab?: number;
}

/** Capture facts for the panel: the media manager's stats, or the mic test's own. */
export type HostStats = Record<string, string | number | boolean | null>;

export interface HostError {
  message: string;
  fatal: boolean;
  at: number;
  /** The Connect (session number) the error belongs to; 0 or absent outside any session. */
  session?: number;
  /** seq of the error's row in the event log (`Show in log`). */
  seq?: number;
  /** A provider's WebSocket close code, when the error is a close. */
  code?: number;
}

/** Coalesced updates in one batch; `log` and `turn` accumulate, the rest keep the latest value. */
export type HostUpdate =
  | { kind: 'status'; status: HostStatus }
  | { kind: 'levels'; levels: HostLevels }
  | { kind: 'stats'; stats: HostStats }
  | { kind: 'devices'; devices: DeviceList }
  | { kind: 'log'; events: LogEvent[] }
  /** `before`: a new turn is shown in front of that turn (a transcript that arrived after its reply). */
  | { kind: 'turn'; turn: ConversationTurn; before?: string }
  | { kind: 'error'; error: HostError }
  | { kind: 'conversation-cleared' }
  | { kind: 'settings-applied'; report: SettingsApplyReport; settings: SnapshotHead['settings'] }
  | { kind: 'events-cleared' }
  | { kind: 'voice-tests'; run: VoiceTestRunState }
  | { kind: 'recordings'; listing: RecordingsListing }
  /** Something the user must be told about recordings (oldest dropped for the budget, a failed write). */
  | { kind: 'recordings-notice'; notice: string; at: number };

/** The state a new Port gets before any update, sent first, then the history in pages. */
export interface SnapshotHead {
  status: HostStatus;
  levels: HostLevels;
  stats: HostStats;
  devices: DeviceList;
  conversation: ConversationTurn[];
  errors: HostError[];
  /** Settings of the current or last session (no key). */
  settings: Omit<ConnectCommand, 'type' | 'apiKey'> | null;
  /** Result of the last Apply in this session, if any. */
  lastApply?: SettingsApplyReport | null;
  /** Number of history pages that follow. */
  pages: number;
  /** The voice-test run in progress or last finished, if any. */
  voiceTests?: VoiceTestRunState | null;
}

export type HostEvent =
  | { type: 'snapshot'; head: SnapshotHead }
  | { type: 'snapshot-page'; index: number; events: LogEvent[] }
  | { type: 'snapshot-end' }
  | { type: 'batch'; updates: HostUpdate[] }
  | RecordingsReply
  | RecordingsReplyPart;

const HOST_EVENT_TYPES: ReadonlySet<string> = new Set<HostEvent['type']>(['snapshot', 'snapshot-page', 'snapshot-end', 'batch', 'recordings-reply', 'recordings-reply-part']);

export function isHostEvent(m: unknown): m is HostEvent {
  return isRecord(m) && typeof m.type === 'string' && HOST_EVENT_TYPES.has(m.type);
}

// ------------------------------------------------------------------ recordings (panel ⇄ host)

/** Set by whoever starts a session that is not a user's own (replay, tests). */
export interface SessionRecordingOptions {
  /** false: do not record this session (the `Record sessions` setting still applies when absent). */
  record?: boolean;
  origin?: RecordingOrigin;
  /** The recording a replay replays. */
  sourceId?: string;
  /** Name of the preset the session was started from, shown in the list. */
  preset?: string;
}

/** One request to the recordings store in the offscreen document; the reply goes to the asking Port only. */
export type RecordingsRequest =
  | { op: 'list' }
  | { op: 'get'; id: string }
  | { op: 'rename'; id: string; name: string }
  | { op: 'set-keep'; id: string; keep: boolean }
  | { op: 'delete'; id: string }
  | { op: 'delete-all' }
  | { op: 'export'; id: string }
  | { op: 'import'; fileBase64: string }
  | { op: 'configure'; enabled?: boolean; budgetBytes?: number };

/** One part of a recordings request too big for one Port message (message-parts.ts). */
export interface RecordingsCommandPart {
  type: 'recordings-part';
  part: MessagePart;
}

export interface RecordingsCommand {
  type: 'recordings';
  /** Chosen by the panel; echoed in the reply. */
  requestId: number;
  request: RecordingsRequest;
}

export interface RecordingsListing {
  /** Newest first. */
  recordings: RecordingMeta[];
  config: { enabled: boolean; budgetBytes: number };
  usedBytes: number;
  /** navigator.storage.persist()'s answer (null: not asked or not available). */
  persisted: boolean | null;
  /** The recording being made now, if any. */
  activeId: string | null;
}

/** What each request's reply carries. */
export interface RecordingsResults {
  list: RecordingsListing;
  get: WireRecording | null;
  rename: RecordingMeta;
  'set-keep': RecordingMeta;
  delete: RecordingsListing;
  'delete-all': RecordingsListing;
  export: { fileName: string; fileBase64: string };
  /** Import never throws for a bad file: it answers ok with the reason (no change to the store). */
  import: { ok: true; meta: RecordingMeta } | { ok: false; error: string };
  configure: RecordingsListing;
}

export type RecordingsReply =
  | { type: 'recordings-reply'; requestId: number; ok: true; result: RecordingsResults[RecordingsRequest['op']] }
  | { type: 'recordings-reply'; requestId: number; ok: false; error: string };

/** One part of a recordings reply too big for one Port message (message-parts.ts). */
export interface RecordingsReplyPart {
  type: 'recordings-reply-part';
  part: MessagePart;
}

function isRecord(m: unknown): m is Record<string, unknown> {
  return typeof m === 'object' && m !== null && !Array.isArray(m);
}
