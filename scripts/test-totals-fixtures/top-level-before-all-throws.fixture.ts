import { beforeAll, expect, it } from 'vitest';

beforeAll(() => {
  throw new Error('fixture: top-level beforeAll threw');
});
it('first test of the file', () => expect(1).toBe(1));
it('second test of the file', () => expect(1).toBe(1));
