import { httpOriginFor } from '../../transport/provider-socket.ts';

/**
 * Where the adapter connects and where it asks for tokens.
 *
 * `Endpoint URL` rules:
 * - empty: Google's default (`v1beta` … `BidiGenerateContent`);
 * - a bare host (`ws://127.0.0.1:8080`, path empty or `/`): the standard path is appended;
 * - a URL whose path ends with the standard `…GenerativeService.BidiGenerateContent[Constrained]`:
 *   token auth swaps it to the `v1alpha` … `BidiGenerateContentConstrained` variant (tokens work
 *   only there), key-in-URL auth uses the unconstrained name with the version given;
 * - any other path (a proxy's own route) is used as given in both modes.
 * Anything before `/ws/` in the path (a proxy prefix) is kept, and the token request goes to that
 * prefix + `/v1alpha/auth_tokens` on the same host and port (`https` for `wss:`, `http` for `ws:`).
 */
export const GEMINI_DEFAULT_ENDPOINT =
  'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

export type GeminiAuthMode = 'token' | 'key-in-url';

const STANDARD_PATH = /^(.*?)\/+ws\/google\.ai\.generativelanguage\.(v1|v1beta|v1alpha)\.GenerativeService\.BidiGenerateContent(Constrained)?\/?$/;
const CREDENTIAL_PARAMS = ['key', 'access_token'];

export interface GeminiEndpointPlan {
  /** WebSocket URL without the credential parameter. */
  socketUrl: string;
  /** Token endpoint for `token` auth. */
  tokenUrl: string;
}

export function planGeminiEndpoint(endpoint: string | undefined, auth: GeminiAuthMode): GeminiEndpointPlan {
  const raw = endpoint?.trim() || GEMINI_DEFAULT_ENDPOINT;
  const u = new URL(raw);
  // A key pasted into the override must not travel on: the adapter adds its own credential.
  for (const p of CREDENTIAL_PARAMS) u.searchParams.delete(p);
  const path = u.pathname;
  let prefix = '';
  const m = STANDARD_PATH.exec(path);
  if (m) {
    prefix = m[1];
    const version = auth === 'token' ? 'v1alpha' : m[2];
    const method = auth === 'token' ? 'BidiGenerateContentConstrained' : 'BidiGenerateContent';
    u.pathname = `${prefix}/ws/google.ai.generativelanguage.${version}.GenerativeService.${method}`;
  } else if (path === '' || path === '/') {
    u.pathname =
      auth === 'token'
        ? '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained'
        : '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
  } else {
    const wsAt = path.indexOf('/ws/');
    prefix = wsAt > 0 ? path.slice(0, wsAt) : '';
  }
  const socketUrl = u.toString();
  return { socketUrl, tokenUrl: `${httpOriginFor(socketUrl)}${prefix.replace(/\/+$/, '')}/v1alpha/auth_tokens` };
}

/** Appends the credential parameter: `access_token=auth_tokens/…` or `key=…`. */
export function withCredential(socketUrl: string, param: 'key' | 'access_token', value: string): string {
  const u = new URL(socketUrl);
  u.searchParams.set(param, value);
  return u.toString();
}
