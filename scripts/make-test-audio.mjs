#!/usr/bin/env node
// Makes the WAV fixtures the end-to-end tests feed to Chromium's fake microphone:
// espeak-ng speaks a phrase, sox converts it to 48 kHz mono 16-bit and pads it with silence
// (so voice-activity detection sees a clear start and end).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', 'fixtures');

/** name, text, leading silence (s), trailing silence (s) */
const FIXTURES = [
  ['weather-paris-48k.wav', 'What is the weather in Paris', 0.4, 0.8],
  // A long pause after the phrase: Loopback's echo ends before the looping fake microphone speaks again.
  ['weather-paris-16k-pause.wav', 'What is the weather in Paris', 0.4, 4.4, 16000],
  ['hello-16k.wav', 'Hello, this is a microphone test.', 0.3, 0.7, 16000],
];

function need(tool, pkg) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
  } catch {
    console.error(`${tool} is not installed. Install it with: sudo apt-get install -y ${pkg}`);
    process.exit(1);
  }
}

need('espeak-ng', 'espeak-ng');
need('sox', 'sox');

const work = mkdtempSync(join(tmpdir(), 'test-audio-'));
try {
  for (const [name, text, lead, trail, rate = 48000] of FIXTURES) {
    const raw = join(work, `${name}.raw.wav`);
    execFileSync('espeak-ng', ['-s', '165', '-w', raw, text]);
    const out = join(outDir, name);
    execFileSync('sox', [raw, '-r', String(rate), '-c', '1', '-b', '16', out, 'pad', String(lead), String(trail), 'norm', '-3']);
    const kb = (statSync(out).size / 1024).toFixed(0);
    console.log(`wrote ${out} (${kb} KB): "${text}"`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
