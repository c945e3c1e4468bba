import { OFFSCREEN_DOCUMENT_PATH, isBackgroundRequest, type BackgroundReply } from '../shared/messages.ts';
import { chromeOffscreenApi, createOffscreenDocumentManager } from './offscreen-document.ts';

// The service worker holds no session state (Chrome may stop it at any time): it opens the panel
// on the toolbar click and creates the offscreen document that hosts the session.

const offscreen = createOffscreenDocumentManager(chromeOffscreenApi(), OFFSCREEN_DOCUMENT_PATH);

chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((e: unknown) => {
  console.warn('[background] setPanelBehavior failed', e);
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
