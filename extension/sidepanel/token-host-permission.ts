/**
 * Asks for the optional host permission a vendor's token request needs (manifest
 * `optional_host_permissions`), at the first Connect with that vendor, never at install.
 * `permissions.request` needs the user's gesture, so it is called straight from the Connect click;
 * once granted it answers true without asking again.
 */
import browser from 'webextension-polyfill';

export function requestTokenHost(pattern: string | null | undefined): Promise<boolean> {
  if (!pattern) return Promise.resolve(true);
  return browser.permissions.request({ origins: [pattern] }).catch(() => false);
}
