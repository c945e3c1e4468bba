/**
 * The host-permission pattern for an adapter's token request: the HTTPS origin of its endpoint
 * when that host matches one of the patterns the manifest offers as optional, else null (a local
 * fake or proxy relies on CORS instead).
 */
export function tokenHostPermission(endpoint: string | undefined, fallback: string | null, offered: string[]): string | null {
  const raw = endpoint?.trim() || fallback;
  if (!raw) return null;
  let host: string;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'wss:' && u.protocol !== 'https:') return null;
    host = u.hostname;
  } catch {
    return null;
  }
  for (const pattern of offered) {
    const m = /^https:\/\/(\*\.)?([^/]+)\/\*$/.exec(pattern);
    if (!m) continue;
    const [, wildcard, base] = m;
    if (host === base || (wildcard && host.endsWith(`.${base}`))) return `https://${host}/*`;
  }
  return null;
}

/** Mirrors manifest.json `optional_host_permissions` (a unit test keeps them equal). */
export const TOKEN_HOST_PATTERNS = ['https://api.x.ai/*', 'https://api.elevenlabs.io/*', 'https://*.openai.azure.com/*', 'https://*.cognitiveservices.azure.com/*', 'https://*.services.ai.azure.com/*'];
