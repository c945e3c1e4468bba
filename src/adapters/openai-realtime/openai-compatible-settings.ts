import type { SettingField } from '../settings-schema.ts';
import { openAIRealtimeSettings } from './openai-realtime-descriptor.ts';

/**
 * Settings of an OpenAI-compatible service: the OpenAI fields it takes (by key, in OpenAI's order),
 * each with the vendor's own default, choices and help where they differ.
 */
export function compatibleSettings(keys: string[], overrides: Record<string, Partial<SettingField>>, extra: SettingField[] = []): SettingField[] {
  const picked = openAIRealtimeSettings.filter((f) => keys.includes(f.key)).map((f) => ({ ...f, ...(overrides[f.key] ?? {}) }) as SettingField);
  return [...picked, ...extra];
}

/** Turn detection without semantic VAD (a GA OpenAI feature the other services do not document). */
export const SERVER_VAD_OR_PTT: Partial<SettingField> = {
  options: [
    { value: 'server_vad', label: 'Server VAD (silence based)' },
    { value: 'push_to_talk', label: 'Push to talk (manual turns)' },
  ],
};
