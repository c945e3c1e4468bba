import { describe, expect, it } from 'vitest';
import { createOffscreenDocumentManager, type OffscreenApi } from './offscreen-document.ts';

/** A fake of Chrome's rules: one document at most, a second create throws. */
function fakeChrome(opts: { failCreates?: number } = {}) {
  let failuresLeft = opts.failCreates ?? 0;
  const docs = new Set<string>();
  const calls = { create: 0, query: 0 };
  const api: OffscreenApi = {
    getURL: (p) => `chrome-extension://id/${p}`,
    async hasDocument(url) {
      calls.query++;
      await Promise.resolve();
      return docs.has(url);
    },
    async createDocument({ url }) {
      calls.create++;
      await new Promise((r) => setTimeout(r, 5));
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('create failed');
      }
      if (docs.size > 0) throw new Error('Only a single offscreen document may be created.');
      docs.add(`chrome-extension://id/${url}`);
    },
  };
  return { api, docs, calls };
}

describe('ensureOffscreenDocument', () => {
  it('creates exactly one document for five concurrent callers', async () => {
    const f = fakeChrome();
    const m = createOffscreenDocumentManager(f.api, 'extension/offscreen/index.html');
    await Promise.all(Array.from({ length: 5 }, () => m.ensureOffscreenDocument()));
    expect(f.calls.create).toBe(1);
    expect([...f.docs]).toEqual(['chrome-extension://id/extension/offscreen/index.html']);
  });

  it('does not create again once the document exists', async () => {
    const f = fakeChrome();
    const m = createOffscreenDocumentManager(f.api, 'o.html');
    await m.ensureOffscreenDocument();
    await m.ensureOffscreenDocument();
    expect(f.calls.create).toBe(1);
    expect(f.calls.query).toBe(2);
  });

  it('a failed create rejects its callers but does not poison later calls', async () => {
    const f = fakeChrome({ failCreates: 1 });
    const m = createOffscreenDocumentManager(f.api, 'o.html');
    const first = await Promise.allSettled([m.ensureOffscreenDocument(), m.ensureOffscreenDocument()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(f.calls.create).toBe(1);
    await m.ensureOffscreenDocument();
    expect(f.calls.create).toBe(2);
    expect(f.docs.size).toBe(1);
  });
});
