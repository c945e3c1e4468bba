import browser from 'webextension-polyfill';
import { normalizeSettings, type SettingField, type SettingsValues } from '../../src/adapters/settings-schema.ts';
import type { ToolMocks } from '../shared/messages.ts';

/** Everything the panel keeps per adapter in browser.storage.local (never the key). */
export interface AdapterSettings {
  values: SettingsValues;
  endpoint: string;
  toolMocks: ToolMocks;
  /** Seconds an "Ask me" call waits before the model gets an error result. */
  toolTimeoutS: number;
  /** Seconds without speech or text before the session is warned, then disconnected (0: never). */
  idleTimeoutS: number;
}

export const DEFAULT_TOOL_TIMEOUT_S = 60;
export const DEFAULT_IDLE_TIMEOUT_S = 600;

const storageKey = (adapterId: string) => `adapterSettings:${adapterId}`;

export async function loadAdapterSettings(adapterId: string, fields: SettingField[]): Promise<AdapterSettings> {
  const got = await browser.storage.local.get(storageKey(adapterId));
  const raw = got[storageKey(adapterId)] as Partial<AdapterSettings> | undefined;
  const values = normalizeSettings(fields, typeof raw?.values === 'object' && raw.values !== null ? raw.values : {}).values;
  return {
    values,
    endpoint: typeof raw?.endpoint === 'string' ? raw.endpoint : '',
    toolMocks: typeof raw?.toolMocks === 'object' && raw.toolMocks !== null ? raw.toolMocks : {},
    toolTimeoutS: typeof raw?.toolTimeoutS === 'number' && raw.toolTimeoutS > 0 ? raw.toolTimeoutS : DEFAULT_TOOL_TIMEOUT_S,
    idleTimeoutS: typeof raw?.idleTimeoutS === 'number' && raw.idleTimeoutS >= 0 ? raw.idleTimeoutS : DEFAULT_IDLE_TIMEOUT_S,
  };
}

export async function saveAdapterSettings(adapterId: string, s: AdapterSettings): Promise<void> {
  await browser.storage.local.set({ [storageKey(adapterId)]: s });
}
