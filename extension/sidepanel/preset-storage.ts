import browser from 'webextension-polyfill';
import type { Preset } from './preset-file.ts';

const KEY = 'presets';

export async function loadPresets(): Promise<Preset[]> {
  const v = (await browser.storage.local.get(KEY))[KEY];
  return Array.isArray(v) ? (v as Preset[]) : [];
}

export async function savePresets(presets: Preset[]): Promise<void> {
  await browser.storage.local.set({ [KEY]: presets });
}
