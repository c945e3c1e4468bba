// Finds the Chromium the tests and `npm start` drive. Shared by scripts/*.mjs and the e2e harness.
import { existsSync, realpathSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

export const INSTALL_HINT = 'Install Chromium with: sudo apt-get update && sudo apt-get install -y chromium   (or set CHROME_PATH to a Chromium binary)';

/** CHROME_PATH wins; then Debian's and other common Chromium locations. */
export function findBrowser(env = process.env) {
  if (env.CHROME_PATH) {
    if (!existsSync(env.CHROME_PATH)) return { path: null, reason: `CHROME_PATH=${env.CHROME_PATH} does not exist.` };
    return { path: env.CHROME_PATH, reason: null };
  }
  for (const c of CANDIDATES) if (existsSync(c)) return { path: c, reason: null };
  return { path: null, reason: 'No Chromium found (looked at CHROME_PATH and ' + CANDIDATES.join(', ') + ').' };
}

/** Branded Google Chrome ignores --load-extension since version 137; Chromium does not. */
export function isBrandedChrome(path) {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the given path
  }
  return /google[-_ ]?chrome|Google Chrome\.app|\/opt\/google\/chrome/i.test(real) || /google[-_ ]?chrome/i.test(path);
}
