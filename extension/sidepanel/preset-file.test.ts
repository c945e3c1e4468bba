import { describe, expect, it } from 'vitest';
import { mergePresets, parsePresetFile, serializePresets, type Preset } from './preset-file.ts';

const ADAPTERS = ['loopback', 'openai-realtime'];
const preset: Preset = { name: 'Support bot', adapterId: 'openai-realtime', settings: { voice: 'marin', instructions: 'Be brief.', speed: 1.1, interrupt_response: true }, toolMocks: { lookup: { mode: 'ask', result: '' } } };

describe('preset files', () => {
  it('round-trip identically and never carry keys', () => {
    const text = serializePresets([{ ...preset, settings: { ...preset.settings, api_key: 'sk-secret' } }]);
    expect(text).not.toContain('sk-secret');
    const back = parsePresetFile(text, ADAPTERS);
    expect(back).toEqual({ ok: true, presets: [preset] });
    expect(serializePresets((back as { presets: Preset[] }).presets)).toBe(text);
  });

  it('reject malformed files with a clear reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not JSON/],
      ['[]', /not a presets export/],
      ['{"format":"voice-workbench-presets","version":9,"presets":[]}', /version 9/],
      ['{"format":"voice-workbench-presets","version":1}', /no "presets"/],
      ['{"format":"voice-workbench-presets","version":1,"presets":[{"name":"","adapterId":"loopback","settings":{}}]}', /Preset 1 has no name/],
      ['{"format":"voice-workbench-presets","version":1,"presets":[{"name":"a","adapterId":"nope","settings":{}}]}', /unknown adapter "nope"/],
      ['{"format":"voice-workbench-presets","version":1,"presets":[{"name":"a","adapterId":"loopback","settings":{"x":{}}}]}', /setting "x"/],
      ['{"format":"voice-workbench-presets","version":1,"presets":[{"name":"a","adapterId":"loopback","settings":{},"toolMocks":{"t":{"mode":"maybe","result":""}}}]}', /mock for "t"/],
      ['{"format":"voice-workbench-presets","version":1,"presets":[{"name":"a","adapterId":"loopback","settings":{}},{"name":"a","adapterId":"loopback","settings":{}}]}', /appears twice/],
    ];
    for (const [text, reason] of cases) {
      const r = parsePresetFile(text, ADAPTERS);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error, text).toMatch(reason);
    }
  });

  it('merge replaces same-named presets and keeps the rest', () => {
    const other: Preset = { name: 'Echo', adapterId: 'loopback', settings: {}, toolMocks: {} };
    const updated = { ...preset, settings: { voice: 'cedar' } };
    expect(mergePresets([preset, other], [updated])).toEqual([other, updated]);
  });
});
