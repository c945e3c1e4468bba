import { describe, expect, it } from 'vitest';
import { commandAction, isTabInvocation, isTabStreamIdRequest } from './tab-invocation.ts';

describe('tab invocation messages', () => {
  it('maps the manifest commands to panel actions and ignores others', () => {
    expect(commandAction('share-tab')).toBe('share-tab');
    expect(commandAction('send-screenshot')).toBe('send-screenshot');
    expect(commandAction('_execute_action')).toBeNull();
  });

  it('accepts only well-formed invocations and stream-id requests', () => {
    expect(isTabInvocation({ tabId: 3, windowId: 1, action: 'open', at: 1 })).toBe(true);
    expect(isTabInvocation({ tabId: '3', windowId: 1, action: 'open', at: 1 })).toBe(false);
    expect(isTabInvocation({ tabId: 3, windowId: 1, action: 'record', at: 1 })).toBe(false);
    expect(isTabInvocation(null)).toBe(false);
    expect(isTabStreamIdRequest({ target: 'background', type: 'tab-stream-id', tabId: 7 })).toBe(true);
    expect(isTabStreamIdRequest({ target: 'offscreen', type: 'tab-stream-id', tabId: 7 })).toBe(false);
    expect(isTabStreamIdRequest({ target: 'background', type: 'ensure-offscreen' })).toBe(false);
  });
});
