import { describe, expect, it } from 'vitest';
import type { SettingField } from '../../src/adapters/settings-schema.ts';
import { buildSettingsForm, exceptionApplyKind, isChanged, pendingChanges, sectionApplyNote } from './settings-form-model.ts';

const field = (key: string, apply: 'live' | 'reconnect', extra: Partial<SettingField> = {}): SettingField => ({ key, label: key.toUpperCase(), kind: 'text', default: '', apply, ...extra });

describe('quiet settings: one note per section, tags on the exceptions', () => {
  it('tags the minority kind and says so in the note', () => {
    const form = buildSettingsForm([field('a', 'reconnect'), field('b', 'reconnect'), field('c', 'live')], {});
    expect(exceptionApplyKind(form.main)).toBe('live');
    expect(sectionApplyNote(form.main)).toMatch(/next Connect.*tagged “live”/);
    const mostlyLive = buildSettingsForm([field('a', 'live'), field('b', 'live'), field('c', 'reconnect')], {});
    expect(exceptionApplyKind(mostlyLive.main)).toBe('reconnect');
  });
  it('tags nothing when every field applies the same way (Gemini: all on reconnect)', () => {
    const form = buildSettingsForm([field('a', 'reconnect'), field('b', 'reconnect')], {});
    expect(exceptionApplyKind(form.main)).toBeNull();
    expect(sectionApplyNote(form.main)).toBe('These apply on the next Connect.');
  });
});

describe('isChanged', () => {
  it('compares with the default', () => {
    const [v] = buildSettingsForm([field('voice', 'live', { default: 'alloy' })], { voice: 'alloy' }).main;
    expect(isChanged(v!)).toBe(false);
    const [w] = buildSettingsForm([field('voice', 'live', { default: 'alloy' })], { voice: 'verse' }).main;
    expect(isChanged(w!)).toBe(true);
  });
});

describe('pendingChanges', () => {
  const fields = [field('model', 'reconnect', { default: 'm1' }), field('voice', 'live', { default: 'alloy' }), field('hidden', 'reconnect', { visibleWhen: () => false })];
  it('lists what differs from the running session, split by how it applies', () => {
    const p = pendingChanges(fields, { model: 'm2', voice: 'verse', hidden: 'x' }, { settings: { model: 'm1', voice: 'alloy', hidden: 'y' } }, '');
    expect(p).toEqual({ reconnect: ['MODEL'], live: ['VOICE'] });
  });
  it('counts a changed endpoint as a reconnect change, and nothing without a session', () => {
    expect(pendingChanges(fields, { model: 'm1' }, { settings: { model: 'm1' }, endpoint: 'ws://a' }, 'ws://b').reconnect).toEqual(['Endpoint URL']);
    expect(pendingChanges(fields, { model: 'm2' }, null, '')).toEqual({ reconnect: [], live: [] });
  });
});
