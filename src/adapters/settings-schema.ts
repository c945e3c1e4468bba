/**
 * Each adapter declares its settings as data; the side panel renders the form from it, so no
 * provider gets a hand-written form. Labels that the UI contract fixes (`Model`, `Voice`,
 * `System instructions`, `Turn detection`, `Tools (JSON)`) are used verbatim as field labels.
 */
export type SettingKind = 'text' | 'textarea' | 'select' | 'number' | 'boolean' | 'json';

export interface SettingOption {
  value: string;
  label: string;
}

export interface SettingField {
  /** Key in the adapter's `settings` object (`model`, `voice`, `instructions`, …). */
  key: string;
  /** Visible label and accessible name. */
  label: string;
  kind: SettingKind;
  default: string | number | boolean;
  /** Choices for `select`; suggestions (datalist) for free-text `text`. */
  options?: SettingOption[];
  suggestions?: string[];
  min?: number;
  max?: number;
  step?: number;
  /** `live`: Apply sends it mid-session; `reconnect`: takes effect on the next Connect. */
  apply: 'live' | 'reconnect';
  /** Shown beside the field. */
  help?: string;
  /** Rendered inside `Advanced settings`. */
  advanced?: boolean;
  /** Only offered when this returns true for the current settings (model capabilities, turn mode). */
  visibleWhen?: (settings: Record<string, unknown>) => boolean;
}

export type SettingsValues = Record<string, string | number | boolean>;

export function defaultSettings(fields: SettingField[]): SettingsValues {
  const out: SettingsValues = {};
  for (const f of fields) out[f.key] = f.default;
  return out;
}

export interface SettingsIssue {
  key: string;
  message: string;
}

/** Coerces stored values to each field's kind, dropping unknown keys; reports what it had to fix. */
export function normalizeSettings(fields: SettingField[], input: Record<string, unknown>): { values: SettingsValues; issues: SettingsIssue[] } {
  const values = defaultSettings(fields);
  const issues: SettingsIssue[] = [];
  for (const f of fields) {
    if (!(f.key in input)) continue;
    const raw = input[f.key];
    switch (f.kind) {
      case 'number': {
        const n = typeof raw === 'number' ? raw : Number(raw);
        if (!Number.isFinite(n)) issues.push({ key: f.key, message: `${f.label} must be a number.` });
        else if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) issues.push({ key: f.key, message: `${f.label} must be between ${f.min} and ${f.max}.` });
        else values[f.key] = n;
        break;
      }
      case 'boolean':
        if (typeof raw === 'boolean') values[f.key] = raw;
        else issues.push({ key: f.key, message: `${f.label} must be true or false.` });
        break;
      case 'select':
        if (typeof raw === 'string' && f.options?.some((o) => o.value === raw)) values[f.key] = raw;
        else issues.push({ key: f.key, message: `${f.label}: unknown choice ${JSON.stringify(raw)}.` });
        break;
      default:
        if (typeof raw === 'string') values[f.key] = raw;
        else issues.push({ key: f.key, message: `${f.label} must be text.` });
    }
  }
  return { values, issues };
}
