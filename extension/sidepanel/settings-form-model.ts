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

/**
 * Which apply kind gets a tag beside its fields: the minority one, so the form reads quietly (one
 * section note says what most fields do; only the exceptions are marked). Null: nothing to tag.
 */
export function exceptionApplyKind(views: FieldView[]): 'live' | 'reconnect' | null {
  const live = views.filter((v) => v.field.apply === 'live').length;
  const reconnect = views.length - live;
  if (live === 0 || reconnect === 0) return null;
  return live <= reconnect ? 'live' : 'reconnect';
}

/** The one note for a section: what applies when, naming the tag the exceptions carry. */
export function sectionApplyNote(views: FieldView[]): string {
  const kind = exceptionApplyKind(views);
  const allLive = views.length > 0 && views.every((v) => v.field.apply === 'live');
  if (kind === null) return allLive ? 'These apply mid-session with Apply.' : 'These apply on the next Connect.';
  return kind === 'live' ? 'These apply on the next Connect; those tagged “live” also mid-session with Apply.' : 'These apply mid-session with Apply; those tagged “reconnect” only on the next Connect.';
}

/** True when a value differs from the field's default (the changed-value mark and its Reset). */
export function isChanged(view: FieldView): boolean {
  return JSON.stringify(view.value) !== JSON.stringify(view.field.default);
}

export interface PendingChanges {
  /** Labels of fields (and the endpoint) that differ from the running session and need a reconnect. */
  reconnect: string[];
  /** Labels of live fields that differ from the running session: Apply sends them. */
  live: string[];
}

/**
 * What the form holds that the running session does not: compared with the settings the session
 * was started with (and applied since). Visible fields only, in form order.
 */
export function pendingChanges(fields: SettingField[], values: SettingsValues, session: { settings: Record<string, unknown>; endpoint?: string } | null, endpoint: string): PendingChanges {
  const out: PendingChanges = { reconnect: [], live: [] };
  if (!session) return out;
  for (const f of fields) {
    if (f.visibleWhen && !f.visibleWhen(values)) continue;
    const now = values[f.key] ?? f.default;
    const then = session.settings[f.key] ?? f.default;
    if (JSON.stringify(now) === JSON.stringify(then)) continue;
    (f.apply === 'live' ? out.live : out.reconnect).push(f.label);
  }
  if ((session.endpoint ?? '') !== endpoint.trim()) out.reconnect.push('Endpoint URL');
  return out;
}
