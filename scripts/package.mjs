#!/usr/bin/env node
// `npm run package`: builds the extension, runs the build security check, and writes
// release/realtime-voice-workbench-<version>.zip with manifest.json at its root: the file the
// Chrome Web Store's "Upload new package" takes, and what a teammate unzips and loads unpacked.
// The version comes from package.json; manifest.json must carry the same one.
//   npm run package -- --no-build   zip the existing dist/
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectExtensionFiles, zipExtension } from './extension-zip.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT_DIR = join(ROOT, 'release');

const fail = (msg) => {
  console.error(`package: ${msg}`);
  process.exit(1);
};
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed`);
};

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const manifestVersion = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')).version;
// The store refuses an upload whose manifest version is not higher than the published one: one
// number, set in both files, keeps the zip's name and its manifest telling the same story.
if (manifestVersion !== pkg.version) fail(`package.json says ${pkg.version} but manifest.json says ${manifestVersion}; make them equal.`);

if (!process.argv.includes('--no-build')) run('npx', ['vite', 'build']);
run('node', ['scripts/check-build-security.mjs', '--ext', 'dist', '--allow-missing']);

const built = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8'));
if (built.version !== pkg.version) fail(`dist/manifest.json has version ${built.version}, expected ${pkg.version}: rebuild.`);

const files = collectExtensionFiles(DIST);

mkdirSync(OUT_DIR, { recursive: true });
const out = join(OUT_DIR, `${pkg.name}-${pkg.version}.zip`);
const zip = zipExtension(files);
writeFileSync(out, zip);
console.log(`package: wrote ${relative(ROOT, out)} (${files.length} files, ${(zip.length / 1024).toFixed(0)} KB)`);
