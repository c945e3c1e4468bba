import { describe, expect, it } from 'vitest';
import { readSection, replaceSection } from './markdown-sections.mjs';

describe('BENCHMARKS.md sections', () => {
  const doc = ['# Benchmarks', '', 'intro by hand', '', '<!-- bench:audio:start -->', 'old audio', '<!-- bench:audio:end -->', '', 'between', '', '<!-- bench:inspector:start -->', 'inspector figures', '<!-- bench:inspector:end -->', 'tail', ''].join('\n');

  it('replaces only the named section, byte for byte elsewhere', () => {
    const out = replaceSection(doc, 'audio', 'new audio\n| a | b |');
    expect(readSection(out, 'audio')).toBe('new audio\n| a | b |');
    expect(readSection(out, 'inspector')).toBe('inspector figures');
    const outside = (s: string) => s.replace(/<!-- bench:audio:start -->[\s\S]*<!-- bench:audio:end -->/, '@');
    expect(outside(out)).toBe(outside(doc));
  });

  it('appends a section that does not exist yet and keeps the others', () => {
    const out = replaceSection(doc, 'browser', 'browser figures');
    expect(out.startsWith(doc.trimEnd())).toBe(true);
    expect(readSection(out, 'browser')).toBe('browser figures');
    expect(readSection(out, 'audio')).toBe('old audio');
  });

  it('is idempotent: replacing twice gives the same document', () => {
    const once = replaceSection(doc, 'inspector', 'x');
    expect(replaceSection(once, 'inspector', 'x')).toBe(once);
  });

  it('refuses unbalanced or duplicated markers instead of guessing', () => {
    expect(() => replaceSection('<!-- bench:audio:start -->\nno end', 'audio', 'x')).toThrow(/unbalanced/);
    expect(() => replaceSection(doc + '\n<!-- bench:audio:start -->\n<!-- bench:audio:end -->', 'audio', 'x')).toThrow(/twice/);
    expect(() => replaceSection(doc, 'Bad Name', 'x')).toThrow(/kebab-case/);
  });
});
