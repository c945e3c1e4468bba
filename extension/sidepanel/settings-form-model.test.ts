import { describe, expect, it } from 'vitest';
import { defaultSettings, type SettingField } from '../../src/adapters/settings-schema.ts';
import { buildSettingsForm, changedKeys, isPushToTalk, readFieldInput } from './settings-form-model.ts';

const fields: SettingField[] = [
  { key: 'model', label: 'Model', kind: 'text', default: 'm', apply: 'reconnect', suggestions: ['m', 'n'] },
  { key: 'turn_detection', label: 'Turn detection', kind: 'select', default: 'vad', apply: 'live', options: [{ value: 'vad', label: 'VAD' }, { value: 'push_to_talk', label: 'Push to talk' }] },
  { key: 'threshold', label: 'VAD threshold', kind: 'number', default: 0.5, min: 0, max: 1, apply: 'live', advanced: true, visibleWhen: (s) => s.turn_detection === 'vad' },
  { key: 'tools', label: 'Tools (JSON)', kind: 'json', default: '[]', apply: 'live' },
  { key: 'transcribe', label: 'Transcribe', kind: 'boolean', default: true, apply: 'reconnect' },
];

describe('settings form model', () => {
  it('places fields from the schema and says when each applies', () => {
    const form = buildSettingsForm(fields, defaultSettings(fields));
    expect(form.main.map((v) => v.field.key)).toEqual(['model', 'turn_detection', 'transcribe']);
    expect(form.advanced.map((v) => v.field.key)).toEqual(['threshold']);
    expect(form.tools?.field.key).toBe('tools');
    expect(form.main[0]!.applyNote).toMatch(/next Connect/);
    expect(form.main[1]!.applyNote).toMatch(/live/);
    expect(form.hasLiveFields).toBe(true);
  });

  it('hides fields whose visibleWhen is false for the current values', () => {
    const form = buildSettingsForm(fields, { ...defaultSettings(fields), turn_detection: 'push_to_talk' });
    expect(form.advanced).toEqual([]);
    expect(isPushToTalk({ turn_detection: 'push_to_talk' })).toBe(true);
    expect(isPushToTalk({ turn_detection: 'vad' })).toBe(false);
  });

  it('reads inputs as the field kind, clamping numbers', () => {
    const threshold = fields[2]!;
    expect(readFieldInput(threshold, '0.7')).toBe(0.7);
    expect(readFieldInput(threshold, '5')).toBe(1);
    expect(readFieldInput(threshold, '')).toBe(0.5);
    expect(readFieldInput(fields[4]!, false)).toBe(false);
    expect(readFieldInput(fields[0]!, 'x')).toBe('x');
    expect(changedKeys({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toEqual(['b']);
  });
});
