import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VoiceTestRunState } from '../../extension/voice-tests/run-state.ts';
import { DIST_DIR, REPO_ROOT } from './extension-harness.ts';

export interface VoiceTestCliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: VoiceTestRunState | null;
  junit: string | null;
}

/**
 * Runs `voice-test test <args>` as a user's CI would: a child process with its own headless
 * Chromium and the built extension, keys in the environment only (`env`), the JSON and JUnit
 * reports written to a fresh temporary folder and read back. Bounded: killed after `timeoutMs`.
 */
export function runVoiceTestCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<VoiceTestCliRun> {
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const dir = mkdtempSync(join(tmpdir(), 'voice-test-e2e-'));
  const json = join(dir, 'out.json');
  const junit = join(dir, 'out.xml');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'voice-test.mjs'), 'test', ...args, '--extension', DIST_DIR, '--json', json, '--junit', junit], { cwd: REPO_ROOT, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`voice-test did not exit within ${timeoutMs} ms (waiting for: ${args.join(' ')})\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, json: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as VoiceTestRunState) : null, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : null });
    });
  });
}
