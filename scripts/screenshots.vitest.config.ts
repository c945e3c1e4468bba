import { defineConfig } from 'vitest/config';

/** `npm run screenshots`: runs scripts/screenshots.shots.ts through vitest (it imports the TypeScript e2e harness). */
export default defineConfig({
  test: {
    include: ['scripts/**/*.shots.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
