import { INVOCATION_ACTION_TTL_MS, TAB_INVOCATION_KEY, isTabInvocation, type TabInvocation, type TabStreamIdReply, type TabStreamIdRequest } from '../shared/tab-invocation.ts';

/**
 * The panel's half of "Send screenshot" and "Share this tab": which tab, the Chrome calls that need
 * the user's invocation on it, and the permissions asked for at first use. The stream itself is
 * opened in the offscreen document (the session host) from the id made here.
 */

export const NOT_INVOKED_MESSAGE =
  'Chrome lets the extension capture a tab only after you invoke it on that tab: click the extension\'s toolbar icon while the tab is in front, or press Alt+Shift+S (share) / Alt+Shift+I (screenshot) there. Then try again.';
const RESTRICTED_MESSAGE = 'Chrome does not let extensions capture this page (chrome:// pages, the Web Store, other extensions).';

export interface TargetTab {
  tabId: number;
  windowId: number;
  title: string;
}

async function readInvocation(): Promise<TabInvocation | null> {
  const got = (await chrome.storage.session.get(TAB_INVOCATION_KEY))[TAB_INVOCATION_KEY];
  return isTabInvocation(got) ? got : null;
}

/**
 * The tab to capture. In the side panel: the active tab of the panel's window. When the panel page
 * is itself open as a tab, that would be the panel: use the tab the extension was last invoked on.
 */
export async function targetTab(): Promise<TargetTab> {
  const self = await chrome.tabs.getCurrent();
  let tab: chrome.tabs.Tab | undefined;
  if (!self) {
    [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  } else {
    const inv = await readInvocation();
    if (inv) tab = await chrome.tabs.get(inv.tabId).catch(() => undefined);
  }
  if (tab?.id === undefined || tab.windowId === undefined) throw new Error(NOT_INVOKED_MESSAGE);
  // The title is readable only with the grant; "the tab" otherwise.
  return { tabId: tab.id, windowId: tab.windowId, title: tab.title || 'the tab' };
}

export interface Screenshot {
  mimeType: 'image/jpeg';
  /** base64, no data: prefix */
  data: string;
  thumbnail: string;
}

/**
 * The visible area of the target tab as JPEG. Needs the activeTab grant (an invocation) or the
 * optional `<all_urls>` host permission, which is asked for here, at first use, when the grant is
 * missing (permissions.request must run inside the click, so it is asked before any other await
 * when the permission is known to be absent).
 */
export async function captureScreenshot(): Promise<Screenshot> {
  const tab = await targetTab();
  let dataUrl: string;
  try {
    dataUrl = await chrome.tabs.captureVisibleTab(tab.windowId, { format: 'jpeg', quality: 80 });
  } catch (e) {
    if (/cannot be scripted|chrome:\/\/|extensions gallery/i.test(String((e as Error)?.message ?? e))) throw new Error(RESTRICTED_MESSAGE);
    const granted = await chrome.permissions.request({ origins: ['<all_urls>'] }).catch(() => false);
    if (!granted) throw new Error(NOT_INVOKED_MESSAGE);
    dataUrl = await chrome.tabs.captureVisibleTab(tab.windowId, { format: 'jpeg', quality: 80 });
  }
  const comma = dataUrl.indexOf(',');
  return { mimeType: 'image/jpeg', data: dataUrl.slice(comma + 1), thumbnail: await thumbnailOf(dataUrl) };
}

/** A small JPEG (at most 240 px wide) for the conversation. */
async function thumbnailOf(dataUrl: string): Promise<string> {
  const blob = await (await fetch(dataUrl)).blob();
  const bitmap = await createImageBitmap(blob);
  const scale = Math.min(1, 240 / bitmap.width);
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const small = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
  return await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('thumbnail failed'));
    r.readAsDataURL(small);
  });
}

/**
 * A stream id for the target tab's audio (and video), for the offscreen document to open. The
 * optional tabCapture permission is asked for here at first use; Chrome then still requires the
 * user's invocation on the tab (getMediaStreamId refuses otherwise).
 */
export async function tabStreamId(): Promise<{ streamId: string; title: string }> {
  // Asked first, while the click's user activation is certainly still valid.
  const has = await chrome.permissions.contains({ permissions: ['tabCapture'] });
  if (!has) {
    const granted = await chrome.permissions.request({ permissions: ['tabCapture'] }).catch(() => false);
    if (!granted) throw new Error('Sharing a tab needs the "capture tab content" permission; it was not granted.');
  }
  const tab = await targetTab();
  const reply = (await chrome.runtime.sendMessage({ target: 'background', type: 'tab-stream-id', tabId: tab.tabId } satisfies TabStreamIdRequest)) as TabStreamIdReply | undefined;
  if (reply?.ok) return { streamId: reply.streamId, title: tab.title };
  const text = reply ? reply.error : 'the service worker did not answer';
  if (/not been invoked/i.test(text)) throw new Error(NOT_INVOKED_MESSAGE);
  if (/chrome pages|cannot be captured/i.test(text)) throw new Error(RESTRICTED_MESSAGE);
  throw new Error(`The tab could not be captured: ${text}`);
}

/** A shortcut's request (share / screenshot) the panel has not acted on yet; consumed on read. */
export async function takePendingShortcut(): Promise<TabInvocation['action'] | null> {
  const inv = await readInvocation();
  if (!inv || inv.action === 'open' || Date.now() - inv.at > INVOCATION_ACTION_TTL_MS) return null;
  await chrome.storage.session.set({ [TAB_INVOCATION_KEY]: { ...inv, action: 'open' } });
  return inv.action;
}

/** Calls back when a keyboard shortcut asks the panel to share or screenshot. */
export function watchShortcuts(onAction: (action: 'share-tab' | 'send-screenshot') => void): () => void {
  const check = () => {
    void takePendingShortcut().then((a) => {
      if (a === 'share-tab' || a === 'send-screenshot') onAction(a);
    });
  };
  const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area === 'session' && TAB_INVOCATION_KEY in changes) check();
  };
  chrome.storage.onChanged.addListener(listener);
  check();
  return () => chrome.storage.onChanged.removeListener(listener);
}
