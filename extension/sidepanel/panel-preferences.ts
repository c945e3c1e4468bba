/** Non-secret choices (adapter, endpoint, model) kept across panel openings in chrome.storage.local. */
export interface PanelPreferences {
  adapterId: string;
  endpoint: string;
  model: string;
}

const KEY = 'panelPreferences';

export async function loadPreferences(): Promise<Partial<PanelPreferences>> {
  const got = await chrome.storage.local.get(KEY);
  const v = got[KEY];
  return typeof v === 'object' && v !== null ? (v as Partial<PanelPreferences>) : {};
}

export async function savePreferences(p: PanelPreferences): Promise<void> {
  await chrome.storage.local.set({ [KEY]: p });
}
