import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from './index.ts';

/** The library is what third parties import: measurement helpers and bench hooks stay outside it. */
describe('the library public surface', () => {
  it('exports the transport, the media manager and its helpers, not bench-only code', () => {
    const names = Object.keys(lib);
    expect(names).toEqual(expect.arrayContaining(['RealTimeWebsocketTransport', 'MediaManager', 'AudioWorkletMediaManager', 'Resampler', 'pcm']));
    for (const benchOnly of ['LinearResampler', 'measureResampler', 'AUDIO_OVERRIDES_GLOBAL', 'readAudioOverrides']) expect(names).not.toContain(benchOnly);
  });

  it('no library module reads a global override hook', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(import.meta.dirname);
    const offenders = files.filter((f) => /__realtimeAudioOverrides|AudioOverrides/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
