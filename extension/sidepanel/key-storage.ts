/**
 * API keys live in chrome.storage.session: in memory, gone when the browser closes, and never
 * written to disk. One key per adapter.
 */
const keyName = (adapterId: string) => `apiKey:${adapterId}`;

export async function loadApiKey(adapterId: string): Promise<string> {
  const got = await chrome.storage.session.get(keyName(adapterId));
  const v = got[keyName(adapterId)];
  return typeof v === 'string' ? v : '';
}

export async function saveApiKey(adapterId: string, key: string): Promise<void> {
  if (key) await chrome.storage.session.set({ [keyName(adapterId)]: key });
  else await chrome.storage.session.remove(keyName(adapterId));
}
