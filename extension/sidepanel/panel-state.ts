import type { TransportState } from '@pipecat-ai/client-js';
import type { HostError, HostEvent, HostUpdate, RecordingsListing, SettingsApplyReport, SnapshotHead } from '../shared/messages.ts';
import { placeTurn } from '../inspector-core/place-turn.ts';

/** What the panel renders: a mirror of the host, fed by snapshots and batches. */
export interface PanelState extends Omit<SnapshotHead, 'lastApply' | 'pages'> {
  /** The Port to the host is open and its snapshot has been replayed. */
  linked: boolean;
  lastApply: SettingsApplyReport | null;
  /** The session host went away during a session; kept across the next snapshot so the panel still says so. */
  hostLost?: HostError;
  /** The recordings list, once asked for or pushed by the host. */
  recordings?: RecordingsListing;
  /** The last recordings notice (budget evictions, failed writes). */
  recordingsNotice?: { notice: string; at: number };
}

export const SESSION_HOST_LOST_MESSAGE =
  "The session ended: Chrome closed the extension's session host (its offscreen document), and the connection to the model closed with it. Press Connect to start a new session.";

export const initialPanelState: PanelState = {
  linked: false,
  status: { transportState: 'disconnected', adapterId: null, micEnabled: true, micTestActive: false, getUserMediaCalls: 0 },
  levels: { mic: 0, bot: 0 },
  stats: {},
  devices: { mics: [], cams: [], speakers: [], selected: {} },
  conversation: [],
  errors: [],
  settings: null,
  lastApply: null,
};

export function applyHostEvent(state: PanelState, event: HostEvent): PanelState {
  switch (event.type) {
    case 'snapshot': {
      const h = event.head;
      return { ...state, linked: false, status: h.status, levels: h.levels, stats: h.stats, devices: h.devices, conversation: h.conversation, errors: state.hostLost ? [...h.errors.slice(-19), state.hostLost] : h.errors, settings: h.settings, lastApply: h.lastApply ?? null, voiceTests: h.voiceTests ?? null, hostLost: undefined };
    }
    case 'snapshot-page':
      return state; // events go to the EventHistory (history-sync.ts)
    case 'snapshot-end':
      return { ...state, linked: true };
    case 'batch':
      return event.updates.reduce(applyUpdate, state);
    case 'recordings-reply':
    case 'recordings-reply-part':
      return state; // answers one request (recordings-client.ts)
  }
}

export function applyUpdate(state: PanelState, u: HostUpdate): PanelState {
  switch (u.kind) {
    case 'status':
      return { ...state, status: u.status };
    case 'levels':
      return { ...state, levels: u.levels };
    case 'stats':
      return { ...state, stats: u.stats };
    case 'devices':
      return { ...state, devices: u.devices };
    case 'log':
    case 'events-cleared':
      return state; // events go to the EventHistory (history-sync.ts)
    case 'turn': {
      return { ...state, conversation: placeTurn(state.conversation, u.turn, u.before) };
    }
    case 'error':
      return { ...state, errors: [...state.errors.slice(-19), u.error] };
    case 'conversation-cleared':
      return { ...state, conversation: [] };
    case 'voice-tests':
      return { ...state, voiceTests: u.run };
    case 'settings-applied':
      return { ...state, lastApply: u.report, settings: u.settings };
    case 'recordings':
      return { ...state, recordings: u.listing };
    case 'recordings-notice':
      return { ...state, recordingsNotice: { notice: u.notice, at: u.at } };
  }
}

/**
 * The Port dropped. It lives as long as the offscreen document, so an open session died with it:
 * say so, and show the session as over rather than the last state the host reported.
 */
export function linkLost(state: PanelState, at = Date.now()): PanelState {
  if (!state.linked || !isSessionOpen(state.status.transportState)) return { ...state, linked: false };
  const hostLost: HostError = { message: SESSION_HOST_LOST_MESSAGE, fatal: true, at };
  return { ...state, linked: false, status: { ...state.status, transportState: 'disconnected' }, errors: [...state.errors.slice(-19), hostLost], hostLost };
}

const IDLE_STATES: ReadonlySet<TransportState> = new Set<TransportState>(['disconnected', 'error']);

/** True while a session is being set up or is open: the toggle then reads `Disconnect`. */
export function isSessionOpen(state: TransportState): boolean {
  return !IDLE_STATES.has(state);
}
