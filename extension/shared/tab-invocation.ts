/**
 * Chrome lets an extension capture a tab (tabCapture, captureVisibleTab) only after the user
 * invoked the extension on that tab: the toolbar icon, a keyboard shortcut from `commands`, a
 * context-menu item. A button inside the side panel is not an invocation. The service worker
 * records each invocation here (chrome.storage.session) so the panel knows which tab holds the
 * grant, and what the user asked for when the invocation was a shortcut.
 */
export const TAB_INVOCATION_KEY = 'tab-invocation';

/** Keyboard shortcuts (manifest `commands`): each one is also an invocation on the active tab. */
export const SHARE_TAB_COMMAND = 'share-tab';
export const SEND_SCREENSHOT_COMMAND = 'send-screenshot';

export interface TabInvocation {
  tabId: number;
  windowId: number;
  /** What the shortcut asked for; `open` for the toolbar icon. */
  action: 'open' | 'share-tab' | 'send-screenshot';
  /** Date.now() of the invocation: a panel acts on a shortcut only while it is fresh. */
  at: number;
}

/** How long a shortcut's request waits for the panel to pick it up. */
export const INVOCATION_ACTION_TTL_MS = 15_000;

export function isTabInvocation(v: unknown): v is TabInvocation {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.tabId === 'number' && typeof r.windowId === 'number' && typeof r.at === 'number' && (r.action === 'open' || r.action === 'share-tab' || r.action === 'send-screenshot');
}

export function commandAction(command: string): TabInvocation['action'] | null {
  return command === SHARE_TAB_COMMAND ? 'share-tab' : command === SEND_SCREENSHOT_COMMAND ? 'send-screenshot' : null;
}

/**
 * Panel → service worker: make a tab capture stream id. It has to be made in the service worker:
 * an id made by a page (the side panel, or the panel open as a tab) is bound to that page's frame,
 * and the offscreen document that opens the stream then gets "Requested device not found".
 */
export interface TabStreamIdRequest {
  target: 'background';
  type: 'tab-stream-id';
  tabId: number;
}

export type TabStreamIdReply = { ok: true; streamId: string } | { ok: false; error: string };

export function isTabStreamIdRequest(m: unknown): m is TabStreamIdRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return r.target === 'background' && r.type === 'tab-stream-id' && typeof r.tabId === 'number';
}
