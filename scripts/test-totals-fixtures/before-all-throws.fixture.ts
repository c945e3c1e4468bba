import { beforeAll, describe, expect, it } from 'vitest';

describe('a suite whose setup fails', () => {
  beforeAll(() => {
    throw new Error('fixture: beforeAll threw');
  });
  it('first test under the failed hook', () => expect(1).toBe(1));
  describe('nested', () => {
    it('second test under the failed hook', () => expect(1).toBe(1));
  });
});

describe('a sibling suite', () => {
  it('passes', () => expect(1).toBe(1));
  it.skip('is skipped on purpose', () => undefined);
});
