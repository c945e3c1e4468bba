/**
 * Flags every headless Chromium run here needs: root needs --no-sandbox, and the background
 * services must stay off or this machine's closed network refuses their connections
 * (extension-platform.md §5).
 */
export const BASE_CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
