import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import type { SnapshotHead } from '../shared/messages.ts';
import { applyHostEvent, initialPanelState, isSessionOpen, type PanelState } from './panel-state.ts';

const ev = (seq: number, type = 'bot-ready'): LogEvent => ({ seq, session: 1, t: seq, wall: 0, source: 'rtvi', direction: 'in', type, data: {} });

const head: SnapshotHead = {
  status: { transportState: 'ready', adapterId: 'loopback', micEnabled: false, micTestActive: false, getUserMediaCalls: 1 },
  levels: { mic: 0.1, bot: 0 },
  stats: { chunksSent: 3 },
  devices: { mics: [{ deviceId: 'a', label: 'Mic' }], cams: [], speakers: [], selected: {} },
  conversation: [{ id: 't1', role: 'user', text: 'hi', final: true }],
  errors: [],
  settings: { adapterId: 'loopback', settings: {} },
  pages: 2,
};

describe('panel state', () => {
  it('replaces its state with a snapshot and is linked only after the last page', () => {
    let s: PanelState = { ...initialPanelState, linked: true };
    s = applyHostEvent(s, { type: 'snapshot', head });
    expect(s.linked).toBe(false);
    s = applyHostEvent(s, { type: 'snapshot-page', index: 0, events: [ev(1), ev(2)] });
    s = applyHostEvent(s, { type: 'snapshot-page', index: 1, events: [ev(3)] });
    s = applyHostEvent(s, { type: 'snapshot-end' });
    expect(s.linked).toBe(true);
    expect(s.status.transportState).toBe('ready');
    expect(s.conversation[0].text).toBe('hi');
  });

  it('applies a batch: turns upsert by id, status replaces, a clear empties the conversation', () => {
    let s = applyHostEvent(initialPanelState, { type: 'snapshot', head });
    s = applyHostEvent(s, {
      type: 'batch',
      updates: [
        { kind: 'log', events: [ev(5)] },
        { kind: 'turn', turn: { id: 't1', role: 'user', text: 'hi there', final: true } },
        { kind: 'turn', turn: { id: 't2', role: 'bot', text: 'echo', final: false } },
        { kind: 'status', status: { ...head.status, transportState: 'disconnected' } },
      ],
    });
    expect(s.conversation.map((t) => t.text)).toEqual(['hi there', 'echo']);
    expect(s.status.transportState).toBe('disconnected');
    s = applyHostEvent(s, { type: 'batch', updates: [{ kind: 'events-cleared' }, { kind: 'conversation-cleared' }] });
    expect(s.conversation).toEqual([]);
  });

  it('the toggle reads Disconnect for every state but disconnected and error', () => {
    expect(isSessionOpen('disconnected')).toBe(false);
    expect(isSessionOpen('error')).toBe(false);
    for (const st of ['initializing', 'initialized', 'connecting', 'connected', 'ready', 'disconnecting'] as const) expect(isSessionOpen(st)).toBe(true);
  });
});
