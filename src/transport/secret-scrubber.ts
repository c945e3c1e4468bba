import { REDACTED } from './frame-observer.ts';

/**
 * Removes secrets from anything that may be shown, logged or exported. Providers echo a bad key in
 * their error text, and URLs and subprotocols carry tokens, so scrubbing covers the exact secrets
 * we know plus the shapes credentials take on these wires.
 */
export class SecretScrubber {
  private secrets: string[] = [];

  /** Registers an exact secret (trimmed); empty and very short strings are ignored. */
  add(secret: string | undefined | null): void {
    const s = secret?.trim();
    if (!s || s.length < 6 || this.secrets.includes(s)) return;
    this.secrets.push(s);
    // Longest first so a key that contains another secret is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  clear(): void {
    this.secrets = [];
  }

  scrubText(text: string): string {
    let out = text;
    // includes() first: split/join allocates even when the secret is absent, and almost every
    // string of a session (frame types, item ids, transcripts) holds none.
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return scrubCredentialShapes(out);
  }

  /** Deep copy of a JSON-like value with every string scrubbed. */
  scrub<T>(value: T): T {
    return scrubValue(value, (s) => this.scrubText(s)) as T;
  }
}

const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/([?&](?:key|access_token|api_key|api-key|token)=)[^&#\s"']+/gi, `$1${REDACTED}`],
  [/(openai-insecure-api-key\.)[^\s,"']+/gi, `$1${REDACTED}`],
  // xAI's browser subprotocol (docs/protocols-openai-compatible.md).
  [/(xai-client-secret\.)[^\s,"']+/gi, `$1${REDACTED}`],
  [/(Bearer\s+)[A-Za-z0-9._\-~+/]+=*/g, `$1${REDACTED}`],
  [/\bsk-[A-Za-z0-9_\-]{8,}/g, REDACTED],
  [/\bek_[A-Za-z0-9_\-]{6,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_\-]{20,}/g, REDACTED],
  [/\bauth_tokens\/[A-Za-z0-9_\-]+/g, `auth_tokens/${REDACTED}`],
];

/**
 * Matches wherever any of CREDENTIAL_PATTERNS could match (a superset: case-insensitive, and only
 * the fixed prefix of each shape). One scan of a clean string instead of one per pattern: the
 * observer scrubs every string of every frame, 50 audio frames a second each way.
 */
const CREDENTIAL_HINT = /[?&](?:key|access_token|api_key|api-key|token)=|openai-insecure-api-key\.|xai-client-secret\.|bearer\s|sk-|ek_|aiza|auth_tokens\//i;

export function scrubCredentialShapes(text: string): string {
  if (!CREDENTIAL_HINT.test(text)) return text;
  return scrubCredentialShapesFully(text);
}

/** Every pattern, without the pre-check (the reference the pre-check is tested against). */
export function scrubCredentialShapesFully(text: string): string {
  let out = text;
  for (const [re, rep] of CREDENTIAL_PATTERNS) out = out.replace(re, rep);
  return out;
}

const SECRET_KEYS = new Set(['api_key', 'apikey', 'key', 'access_token', 'token', 'client_secret', 'authorization', 'x-goog-api-key']);

/** Deeper than any real provider frame; beyond it a copy would neither scrub nor serialise reliably. */
export const MAX_SCRUB_DEPTH = 64;
export const TOO_DEEP = '[nested too deep]';

function scrubValue(value: unknown, scrubString: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  // Returning the original here would leak unscrubbed strings and hand the observer a value that
  // JSON.stringify and structured clone reject (stack overflow), breaking the inspector's forwarding.
  if (depth > MAX_SCRUB_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrubString, depth + 1));
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (SECRET_KEYS.has(k.toLowerCase()) && typeof v === 'string' && v.length > 0) out[k] = REDACTED;
    else if (k === 'client_secret' && v && typeof v === 'object') out[k] = REDACTED;
    else out[k] = scrubValue(v, scrubString, depth + 1);
  }
  return out;
}
