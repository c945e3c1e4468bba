import { defineConfig } from 'vitest/config';

/**
 * `npm run bench` runs these files through vitest only because they import TypeScript modules
 * (the product's pure audio and inspector code, the fake provider servers) and Node 20 cannot
 * run TypeScript by itself. They measure; they do not assert. One file at a time, one worker:
 * timings on a 2-core machine are meaningless when benches compete with each other.
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    // Lets the inspector bench measure the heap after a forced collection.
    execArgv: ['--expose-gc'],
  },
});
