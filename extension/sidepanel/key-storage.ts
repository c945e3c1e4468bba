/**
 * API keys, one per adapter. By default in browser.storage.session (memory only, gone when the
 * browser closes); in browser.storage.local only when `Remember key on this device` is ticked.
 * A key is only ever in one of the two.
 */
import browser from 'webextension-polyfill';
const keyName = (adapterId: string) => `apiKey:${adapterId}`;

export interface StoredKey {
  key: string;
  remembered: boolean;
}

export async function loadApiKey(adapterId: string): Promise<StoredKey> {
  const name = keyName(adapterId);
  const local = (await browser.storage.local.get(name))[name];
  if (typeof local === 'string' && local) return { key: local, remembered: true };
  const session = (await browser.storage.session.get(name))[name];
  return { key: typeof session === 'string' ? session : '', remembered: false };
}

/** Pasted keys often carry a newline or spaces. */
export function cleanKey(key: string): string {
  return key.trim();
}

// Writes run one after another: a blur-trim save and a Remember toggle issued together must not
// interleave their set/remove pairs (the key could end up in neither area).
let writes: Promise<void> = Promise.resolve();
function serial(job: () => Promise<void>): Promise<void> {
  const run = writes.then(job);
  writes = run.catch(() => undefined);
  return run;
}

export function saveApiKey(adapterId: string, key: string, remember: boolean): Promise<void> {
  return serial(() => writeKey(adapterId, key, remember));
}

export function forgetApiKey(adapterId: string): Promise<void> {
  return serial(() => removeKey(adapterId));
}

async function writeKey(adapterId: string, key: string, remember: boolean): Promise<void> {
  const name = keyName(adapterId);
  const clean = cleanKey(key);
  if (!clean) return removeKey(adapterId);
  if (remember) {
    await browser.storage.local.set({ [name]: clean });
    await browser.storage.session.remove(name);
  } else {
    await browser.storage.session.set({ [name]: clean });
    await browser.storage.local.remove(name);
  }
}

async function removeKey(adapterId: string): Promise<void> {
  const name = keyName(adapterId);
  await Promise.all([browser.storage.local.remove(name), browser.storage.session.remove(name)]);
}
