// What goes into the extension's zip, and the zip itself (fflate: a small, dependency-free,
// well-kept ZIP implementation; Node has deflate but no ZIP container).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync } from 'fflate';

/**
 * Every file under `dir` with its path inside the zip (`/`-separated), source maps left out (they
 * only help a developer and double the size), `manifest.json` first: the Web Store and unzip both
 * take any order, but a reader listing the archive sees what it is at once.
 * @param {string} dir
 * @returns {Array<{ name: string, data: Uint8Array }>}
 */
export function collectExtensionFiles(dir) {
  const walk = (d) =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.map') ? [] : [p];
    });
  return walk(dir)
    .map((p) => ({ name: relative(dir, p).split(sep).join('/'), data: readFileSync(p) }))
    .sort((a, b) => (a.name === 'manifest.json' ? -1 : b.name === 'manifest.json' ? 1 : a.name < b.name ? -1 : 1));
}

/**
 * The zip bytes. Every entry carries one fixed time, so the same build gives the same bytes.
 * @param {Array<{ name: string, data: Uint8Array }>} files
 * @returns {Uint8Array}
 */
export function zipExtension(files) {
  const mtime = new Date(1980, 0, 1);
  return zipSync(Object.fromEntries(files.map((f) => [f.name, [f.data, { level: 9, mtime }]])));
}
