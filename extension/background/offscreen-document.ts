/**
 * Creates the one offscreen document that hosts the session. Chrome allows a single offscreen
 * document per extension and throws on a second createDocument, so concurrent callers share one
 * pending creation; it is reset in `finally` so a failed create does not block later attempts.
 */
export interface OffscreenApi {
  /** True when an offscreen document with this URL exists (runtime.getContexts). */
  hasDocument(url: string): Promise<boolean>;
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
  /** Absolute URL of an extension path (runtime.getURL). */
  getURL(path: string): string;
}

export interface OffscreenDocumentManager {
  ensureOffscreenDocument(): Promise<void>;
}

export function createOffscreenDocumentManager(api: OffscreenApi, path: string): OffscreenDocumentManager {
  let creating: Promise<void> | null = null;
  async function create(): Promise<void> {
    const url = api.getURL(path);
    if (await api.hasDocument(url)) return;
    await api.createDocument({
      url: path,
      // USER_MEDIA: a document with AUDIO_PLAYBACK alone is closed after ~30 s of silence.
      reasons: ['USER_MEDIA'],
      justification: 'Runs the voice session: microphone capture, audio playback and the WebSocket to the model.',
    });
  }
  return {
    ensureOffscreenDocument(): Promise<void> {
      if (!creating) {
        creating = create().finally(() => {
          creating = null;
        });
      }
      return creating;
    },
  };
}

/** The real Chrome functions. */
export function chromeOffscreenApi(): OffscreenApi {
  return {
    async hasDocument(url) {
      const contexts = await chrome.runtime.getContexts({
        contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
        documentUrls: [url],
      });
      return contexts.length > 0;
    },
    async createDocument(params) {
      await chrome.offscreen.createDocument({
        url: params.url,
        reasons: params.reasons as chrome.offscreen.Reason[],
        justification: params.justification,
      });
    },
    getURL: (path) => chrome.runtime.getURL(path),
  };
}
