import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { generateValidator } from './build-scenario-validator.mjs';

describe('the generated scenario validator', () => {
  it('is up to date with scenario.schema.json (regenerate with node scripts/build-scenario-validator.mjs)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../extension/voice-tests/scenario-validator.generated.js'), 'utf8');
    expect(committed === (generateValidator() as string)).toBe(true);
  });

  it('has no run-time code generation and no CommonJS require (MV3 pages load ES modules, no eval)', () => {
    const code = generateValidator() as string;
    expect(code).not.toMatch(/\brequire\(|new Function|\beval\(/);
  });
});
