import { describe, expect, it } from 'vitest';
import { isBackgroundRequest, isHostEvent, isPanelCommand } from './messages.ts';

describe('message guards', () => {
  it('recognise their own messages only', () => {
    expect(isBackgroundRequest({ target: 'background', type: 'ensure-offscreen' })).toBe(true);
    expect(isBackgroundRequest({ target: 'offscreen', type: 'ensure-offscreen' })).toBe(false);
    expect(isBackgroundRequest({ type: 'ensure-offscreen' })).toBe(false);
    expect(isPanelCommand({ type: 'connect', adapterId: 'loopback', settings: {} })).toBe(true);
    expect(isPanelCommand({ type: 'mic-test', action: 'start' })).toBe(true);
    expect(isPanelCommand({ type: 'batch', updates: [] })).toBe(false);
    expect(isHostEvent({ type: 'batch', updates: [] })).toBe(true);
    expect(isHostEvent({ type: 'connect' })).toBe(false);
    for (const junk of [null, undefined, 'connect', 42, [], [{ type: 'connect' }]]) {
      expect(isPanelCommand(junk)).toBe(false);
      expect(isHostEvent(junk)).toBe(false);
      expect(isBackgroundRequest(junk)).toBe(false);
    }
  });
});
