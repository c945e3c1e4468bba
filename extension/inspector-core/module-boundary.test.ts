import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The offscreen host and the panel are separate documents with separate bundles; logic both need
// lives in inspector-core, and no host module may reach into the panel's folder (or vice versa
// into the host's), so a panel refactor can never silently change what the host records.
const root = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

function crossings(fromFolder: string, forbidden: string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(root, fromFolder))) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(file, '..', spec));
      if (forbidden.some((f) => target.startsWith(f + '/'))) {
        found.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  return found;
}

describe('module boundaries between the extension documents', () => {
  it('no offscreen-host module imports from the side panel', () => {
    expect(crossings('offscreen', ['sidepanel'])).toEqual([]);
  });

  it('inspector-core imports neither the panel nor the host', () => {
    expect(crossings('inspector-core', ['sidepanel', 'offscreen'])).toEqual([]);
  });

  it('the panel does not import host modules', () => {
    expect(crossings('sidepanel', ['offscreen'])).toEqual([]);
  });
});
