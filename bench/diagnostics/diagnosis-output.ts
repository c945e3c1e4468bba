import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from '../bench-result.ts';

/** Prints a diagnosis's lines and keeps its raw data beside the bench's results. */
export function writeDiagnosis(name: string, data: unknown, lines: string[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `diagnostics-${name}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), ...(data as object) }, null, 1));
  console.log([`${name} (${new Date().toISOString()}):`, ...lines, `raw: ${file}`].join('\n'));
}
