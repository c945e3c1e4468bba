import { describe, expect, it } from 'vitest';
import { lineAndColumn, validateToolsJson } from './tools-json.ts';

describe('validateToolsJson', () => {
  it('accepts empty text and arrays of named declarations', () => {
    expect(validateToolsJson('')).toEqual({ ok: true, names: [] });
    expect(validateToolsJson('[{"name":"get_weather","parameters":{"type":"object"}},\n {"name":"lookup"}]')).toEqual({ ok: true, names: ['get_weather', 'lookup'] });
  });

  it('points a syntax error at its line', () => {
    const text = '[\n  {"name": "a"},\n  {"name": "b" "x": 1}\n]';
    const r = validateToolsJson(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(3);
    expect(r.message).toMatch(/^Line 3, column \d+: /);
  });

  it('points an unterminated document at its last line', () => {
    const r = validateToolsJson('[\n  {"name": "a"},\n  {"name": "b"');
    expect(r).toMatchObject({ ok: false, line: 3 });
  });

  it('points a bad declaration at the line it starts on', () => {
    const text = '[\n  {"name": "ok"},\n  {"description": "no name"}\n]';
    expect(validateToolsJson(text)).toMatchObject({ ok: false, line: 3, message: expect.stringMatching(/^Line 3: Tool 2 needs a "name"/) });
    expect(validateToolsJson('{"name":"x"}')).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('must be an array') });
    expect(validateToolsJson('[{"name":"a"},\n{"name":"a"}]')).toMatchObject({ ok: false, line: 2, message: expect.stringContaining('declared twice') });
    expect(validateToolsJson('[{"name":"a","parameters":[]}]')).toMatchObject({ ok: false, message: expect.stringContaining('JSON Schema object') });
  });

  it('finds elements after nested strings with brackets and escapes', () => {
    const text = '[{"name":"a","description":"has ] and \\" and {"},\n\n 42]';
    expect(validateToolsJson(text)).toMatchObject({ ok: false, line: 3 });
  });

  it('lineAndColumn counts from 1', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('tools editor helpers', () => {
  it('Insert example tool appends a declaration that validates, renaming it when the name is taken', async () => {
    const { withExampleTool } = await import('./tools-json.ts');
    const once = withExampleTool('');
    expect(validateToolsJson(once)).toEqual({ ok: true, names: ['get_weather'] });
    const twice = withExampleTool(once);
    expect(validateToolsJson(twice)).toEqual({ ok: true, names: ['get_weather', 'get_weather_2'] });
    // Text that is not an array is left alone (the user's text is never thrown away).
    expect(withExampleTool('[{"name": ')).toBe('[{"name": ');
    expect(withExampleTool('{"name": "x"}')).toBe('{"name": "x"}');
  });
  it('Format pretty-prints valid JSON and refuses invalid text', async () => {
    const { formatToolsJson } = await import('./tools-json.ts');
    expect(formatToolsJson('[{"name":"a"}]')).toBe('[\n  {\n    "name": "a"\n  }\n]');
    expect(formatToolsJson('[{"name":')).toBeNull();
    expect(formatToolsJson('  ')).toBeNull();
  });
});
