import type { TransportState } from '@pipecat-ai/client-js';
import type { LogEvent } from './log-event.ts';
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
  /** How this session is recorded (recordings section below); absent: a user's own session. */
  recording?: SessionRecordingOptions;
}

/** `fixed`: answer at once with `result` (JSON text, or plain text when it is not JSON); `ask`: wait for the panel. */
export interface ToolMock {
  mode: 'fixed' | 'ask';
  result: string;
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
  | { type: 'update-settings'; settings: Record<string, unknown> }
  | { type: 'update-tool-mocks'; toolMocks: ToolMocks }
  | { type: 'tool-result'; toolCallId: string; result: unknown }
  | { type: 'push-to-talk'; phase: 'start' | 'end' }
  | { type: 'mic-test'; action: 'start' | 'stop' }
  | { type: 'refresh-devices' }
  | { type: 'clear-conversation' }
  | { type: 'clear-events' }
  | RecordingsCommand
  /** Replays a recording's user side into a new session made from `connect` (extension/replay/). */
  | ReplayCommand;

export type PanelCommandType = PanelCommand['type'];

const PANEL_COMMAND_TYPES: ReadonlySet<string> = new Set<PanelCommandType>([
  'connect',
  'disconnect',
  'send-text',
  'set-mic-enabled',
  'set-cam-enabled',
  'interrupt',
  'select-device',
  'update-settings',
  'update-tool-mocks',
  'tool-result',
  'push-to-talk',
  'mic-test',
  'refresh-devices',
  'clear-conversation',
  'clear-events',
  'recordings',
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
  selected: { mic?: string; cam?: string; speaker?: string };
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

export interface ConversationTurn {
  id: string;
  role: 'user' | 'bot' | 'tool' | 'error';
  text: string;
  final: boolean;
  toolCallId?: string;
  tool?: ToolCallCard;
  /** Bot turns: the reply was cut off (interrupted, cancelled) before all of it was heard. */
  cut?: boolean;
  /** Bot turns cut off: the text that was never heard (`text` holds what was). */
  unspoken?: string;
  /** Bot turns: user stopped speaking → first bot audio heard, in ms (absent for replies not to speech). */
  voiceToVoiceMs?: number;
  /** Bot turns: `seq` of the turn's first event in the event log. */
  firstSeq?: number;
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
  /** How many times this document called getUserMedia (a diagnostic; tests assert on it). */
  getUserMediaCalls: number;
  /** The provider's session length limit, when the adapter reports one (Gemini Live `session-limit`). */
  sessionLimit?: SessionLimit | null;
  /** The running session's turn detection is push-to-talk (an Apply that waits for reconnect does not change it). */
  sessionPushToTalk?: boolean;
  /** The running session is being recorded (the session bar shows it). */
  recording?: boolean;
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
}

export type HostEvent =
  | { type: 'snapshot'; head: SnapshotHead }
  | { type: 'snapshot-page'; index: number; events: LogEvent[] }
  | { type: 'snapshot-end' }
  | { type: 'batch'; updates: HostUpdate[] }
  | RecordingsReply;

const HOST_EVENT_TYPES: ReadonlySet<string> = new Set<HostEvent['type']>(['snapshot', 'snapshot-page', 'snapshot-end', 'batch', 'recordings-reply']);

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

function isRecord(m: unknown): m is Record<string, unknown> {
  return typeof m === 'object' && m !== null && !Array.isArray(m);
}
