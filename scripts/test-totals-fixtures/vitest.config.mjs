// Scratch fixtures for scripts/test-totals.test.ts: run by a child vitest there, never by the suite.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['*.fixture.ts'], environment: 'node' } });
