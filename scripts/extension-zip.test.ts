import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExtensionFiles, zipExtension } from './extension-zip.mjs';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fakeDist(): string {
  dir = mkdtempSync(join(tmpdir(), 'ext-zip-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, version: '0.1.0' }));
  writeFileSync(join(dir, 'assets', 'panel.js'), 'console.log(1);'.repeat(50));
  writeFileSync(join(dir, 'assets', 'panel.js.map'), '{"mappings":""}');
  writeFileSync(join(dir, 'assets', 'ünïcode.css'), 'body{}');
  writeFileSync(join(dir, 'empty.bin'), '');
  return dir;
}

describe('the extension zip', () => {
  it('holds every built file but source maps, manifest.json first and at the root, and unzips to the same bytes', () => {
    const files = collectExtensionFiles(fakeDist());
    expect(files.map((f) => f.name)).toEqual(['manifest.json', 'assets/panel.js', 'assets/ünïcode.css', 'empty.bin']);
    const back = unzipSync(zipExtension(files));
    expect(Object.keys(back).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(Buffer.from(back[f.name]!).equals(Buffer.from(f.data))).toBe(true);
    expect(JSON.parse(Buffer.from(back['manifest.json']!).toString('utf8'))).toMatchObject({ version: '0.1.0' });
  });

  it('gives the same bytes for the same build (fixed entry times)', () => {
    const files = collectExtensionFiles(fakeDist());
    expect(Buffer.from(zipExtension(files)).equals(Buffer.from(zipExtension(files)))).toBe(true);
  });
});
