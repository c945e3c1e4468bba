import { OFFSCREEN_DOCUMENT_PATH, isBackgroundRequest, type BackgroundReply } from '../shared/messages.ts';
import { chromeOffscreenApi, createOffscreenDocumentManager } from './offscreen-document.ts';
import { TAB_INVOCATION_KEY, commandAction, isTabStreamIdRequest, type TabInvocation, type TabStreamIdReply } from '../shared/tab-invocation.ts';

// The service worker holds no session state (Chrome may stop it at any time): it opens the panel
// on the toolbar click and creates the offscreen document that hosts the session.

const offscreen = createOffscreenDocumentManager(chromeOffscreenApi(), OFFSCREEN_DOCUMENT_PATH);

// The toolbar click opens the panel from action.onClicked rather than through
// openPanelOnActionClick: only a click that reaches onClicked invokes the extension on the tab
// (the activeTab grant that tabCapture and captureVisibleTab need); with openPanelOnActionClick
// the panel opens but the tab is not granted (README, "Screenshots and tab audio").
chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch((e: unknown) => {
  console.warn('[background] setPanelBehavior failed', e);
});

function recordInvocation(tab: chrome.tabs.Tab | undefined, action: TabInvocation['action']): void {
  if (tab?.id === undefined || tab.windowId === undefined) return;
  const invocation: TabInvocation = { tabId: tab.id, windowId: tab.windowId, action, at: Date.now() };
  chrome.storage.session.set({ [TAB_INVOCATION_KEY]: invocation }).catch((e: unknown) => console.warn('[background] could not record the invocation', e));
}

/** sidePanel.open must run synchronously inside the user's gesture: no await before it. */
function openPanel(tab: chrome.tabs.Tab | undefined): void {
  if (tab?.windowId === undefined) return;
  chrome.sidePanel.open({ windowId: tab.windowId }).catch((e: unknown) => console.warn('[background] sidePanel.open failed', e));
}

chrome.action.onClicked.addListener((tab) => {
  openPanel(tab);
  recordInvocation(tab, 'open');
});

chrome.commands.onCommand.addListener((command, tab) => {
  const action = commandAction(command);
  if (!action) return;
  openPanel(tab);
  recordInvocation(tab, action);
});

// Synchronous listener: returning a Promise for a foreign message would answer it with null
// and beat the real recipient (extension-platform.md §3).
chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (reply: BackgroundReply) => void) => {
  if (!isBackgroundRequest(message)) return undefined;
  offscreen.ensureOffscreenDocument().then(
    () => sendResponse({ ok: true }),
    (e: unknown) => sendResponse({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
  return true;
});

// A tab capture stream id for the offscreen document (no consumerTabId: usable by this
// extension's offscreen document). Chrome refuses unless the user invoked the extension on the tab.
chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (reply: TabStreamIdReply) => void) => {
  if (!isTabStreamIdRequest(message)) return undefined;
  chrome.tabCapture.getMediaStreamId({ targetTabId: message.tabId }).then(
    (streamId) => sendResponse({ ok: true, streamId }),
    (e: unknown) => sendResponse({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
  return true;
});
