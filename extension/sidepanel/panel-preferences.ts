/** Non-secret choices (adapter, endpoint, model) kept across panel openings in browser.storage.local. */
import browser from 'webextension-polyfill';
export interface PanelPreferences {
  adapterId: string;
  endpoint: string;
  model: string;
}

const KEY = 'panelPreferences';

export async function loadPreferences(): Promise<Partial<PanelPreferences>> {
  const got = await browser.storage.local.get(KEY);
  const v = got[KEY];
  return typeof v === 'object' && v !== null ? (v as Partial<PanelPreferences>) : {};
}

export async function savePreferences(p: PanelPreferences): Promise<void> {
  await browser.storage.local.set({ [KEY]: p });
}
