#!/usr/bin/env node
// `npm run screenshots`: builds the extension, then writes a screenshot of every panel view at
// 360 and 1000 px wide, light and dark, into docs/screenshots/ (README links to them).
//   npm run screenshots -- --no-build   reuse dist/
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!process.argv.includes('--no-build')) run('npx', ['vite', 'build']);
run('npx', ['vitest', 'run', '--config', 'scripts/screenshots.vitest.config.ts']);
