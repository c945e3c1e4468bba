import { PERMISSION_PAGE_PATH } from '../shared/messages.ts';

export type MicPermission = PermissionState | 'unknown';

/** Follows the extension origin's microphone permission (the panel and the host share it). */
export function watchMicPermission(onChange: (state: MicPermission) => void): () => void {
  let status: PermissionStatus | null = null;
  let closed = false;
  const listener = () => status && onChange(status.state);
  navigator.permissions
    .query({ name: 'microphone' as PermissionName })
    .then((s) => {
      if (closed) return;
      status = s;
      onChange(s.state);
      s.addEventListener('change', listener);
    })
    .catch(() => onChange('unknown'));
  return () => {
    closed = true;
    status?.removeEventListener('change', listener);
  };
}

/** Opens the grant page in a tab: the side panel cannot show Chrome's permission prompt. */
export function openPermissionPage(): void {
  void chrome.tabs.create({ url: chrome.runtime.getURL(PERMISSION_PAGE_PATH) });
}
