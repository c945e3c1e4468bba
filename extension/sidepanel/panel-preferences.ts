/** Non-secret choices (adapter, endpoint, model; the pane split) kept across panel openings in browser.storage.local. */
import browser from 'webextension-polyfill';
export interface PanelPreferences {
  adapterId: string;
  endpoint: string;
  model: string;
}

const KEY = 'panelPreferences';
// Its own key: the adapter preferences are written whole on every adapter change.
const LAYOUT_KEY = 'panelLayout';

export interface PanelLayout {
  /** The left pane's share of the width in two-pane mode (0..1). */
  split: number;
}

export async function loadPreferences(): Promise<Partial<PanelPreferences>> {
  const got = await browser.storage.local.get(KEY);
  const v = got[KEY];
  return typeof v === 'object' && v !== null ? (v as Partial<PanelPreferences>) : {};
}

export async function savePreferences(p: PanelPreferences): Promise<void> {
  await browser.storage.local.set({ [KEY]: p });
}

export async function loadLayout(): Promise<Partial<PanelLayout>> {
  const got = await browser.storage.local.get(LAYOUT_KEY);
  const v = got[LAYOUT_KEY] as Partial<PanelLayout> | undefined;
  return typeof v === 'object' && v !== null && typeof v.split === 'number' && Number.isFinite(v.split) ? { split: v.split } : {};
}

export async function saveLayout(l: PanelLayout): Promise<void> {
  await browser.storage.local.set({ [LAYOUT_KEY]: l });
}
