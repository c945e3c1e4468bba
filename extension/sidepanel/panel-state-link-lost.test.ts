import { describe, expect, it } from 'vitest';
import type { SnapshotHead } from '../shared/messages.ts';
import { applyHostEvent, initialPanelState, linkLost, SESSION_HOST_LOST_MESSAGE, type PanelState } from './panel-state.ts';
import { attemptAlert } from './error-attempt.ts';

/** The last error the panel's alert shows, as the panel computes it. */
const shownError = (s: PanelState, dismissedAt: number) => attemptAlert(s.errors, dismissedAt, false)?.errors.at(-1);

const head = (transportState: SnapshotHead['status']['transportState']): SnapshotHead => ({
  status: { transportState, adapterId: 'loopback', micEnabled: true, micTestActive: false, getUserMediaCalls: 0 },
  levels: { mic: 0, bot: 0 },
  stats: {},
  devices: { mics: [], cams: [], speakers: [], selected: {} },
  conversation: [],
  errors: [],
  settings: null,
  pages: 0,
});

function linkedTo(transportState: SnapshotHead['status']['transportState']): PanelState {
  const s = applyHostEvent(initialPanelState, { type: 'snapshot', head: head(transportState) });
  return applyHostEvent(s, { type: 'snapshot-end' });
}

describe('panel state when the session host goes away', () => {
  it('during a session: the session shows as over and an error says why, even after the new host snapshot', () => {
    let s = linkLost(linkedTo('ready'), 1_000);
    expect(s.linked).toBe(false);
    expect(s.status.transportState).toBe('disconnected');
    expect(shownError(s, 0)?.message).toBe(SESSION_HOST_LOST_MESSAGE);
    s = applyHostEvent(s, { type: 'snapshot', head: head('disconnected') });
    s = applyHostEvent(s, { type: 'snapshot-end' });
    expect(s.linked).toBe(true);
    expect(shownError(s, 0)?.message).toBe(SESSION_HOST_LOST_MESSAGE);
    expect(shownError(s, 1_000)).toBeUndefined();
    // A later relink with no session open carries nothing over: the new host's errors only.
    s = applyHostEvent(linkLost(s), { type: 'snapshot', head: head('disconnected') });
    expect(s.errors).toEqual([]);
  });

  it('with no session open, or before the first link: no error, state kept', () => {
    const idle = linkLost(linkedTo('disconnected'));
    expect(idle.errors).toEqual([]);
    expect(idle.status.transportState).toBe('disconnected');
    expect(linkLost(initialPanelState).errors).toEqual([]);
  });
});
