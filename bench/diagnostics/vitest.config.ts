import { defineConfig } from 'vitest/config';

/**
 * `npm run bench:diagnose`: the capture diagnoses behind BENCHMARKS.md's external-latency notes.
 * They print what they measured and write it to bench/results/diagnostics-*.json; they assert nothing.
 * One file at a time (they share the PulseAudio rig's machine).
 */
export default defineConfig({
  test: {
    include: ['bench/diagnostics/*.diag.ts'],
    environment: 'node',
    testTimeout: 900_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
