import type { SettingField, SettingsValues } from '../../src/adapters/settings-schema.ts';

/**
 * The settings form, derived from an adapter's schema: which fields show (visibleWhen on the
 * current values), where (main or `Advanced settings`), and what each one says about when it
 * takes effect. No provider gets a hand-written form.
 */
export interface FieldView {
  field: SettingField;
  value: string | number | boolean;
  /** Beside the field: when a change takes effect. */
  applyNote: string;
}

export interface SettingsFormModel {
  main: FieldView[];
  advanced: FieldView[];
  /** The adapter's `Tools (JSON)` field, rendered in the Tools section. */
  tools: FieldView | null;
  hasLiveFields: boolean;
}

export const TOOLS_KEY = 'tools';

export function buildSettingsForm(fields: SettingField[], values: SettingsValues): SettingsFormModel {
  const main: FieldView[] = [];
  const advanced: FieldView[] = [];
  let tools: FieldView | null = null;
  for (const field of fields) {
    if (field.visibleWhen && !field.visibleWhen(values)) continue;
    const view: FieldView = { field, value: values[field.key] ?? field.default, applyNote: field.apply === 'live' ? 'Applies live with Apply.' : 'Applies on the next Connect.' };
    if (field.kind === 'json' && field.key === TOOLS_KEY) tools = view;
    else if (field.advanced) advanced.push(view);
    else main.push(view);
  }
  return { main, advanced, tools, hasLiveFields: fields.some((f) => f.apply === 'live') };
}

/** Converts what an input holds to the field's kind; numbers outside min/max are clamped. */
export function readFieldInput(field: SettingField, raw: string | boolean): string | number | boolean {
  switch (field.kind) {
    case 'boolean':
      return raw === true || raw === 'true';
    case 'number': {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) return field.default;
      return Math.min(field.max ?? Infinity, Math.max(field.min ?? -Infinity, n));
    }
    default:
      return String(raw);
  }
}

/** Push to talk is chosen when the turn detection setting says so. */
export function isPushToTalk(values: Record<string, unknown>): boolean {
  return values.turn_detection === 'push_to_talk';
}

/** Keys whose values differ (for Apply). */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
