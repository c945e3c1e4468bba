import { planGeminiEndpoint, withCredential, type GeminiAuthMode } from './gemini-endpoint.ts';
import { mintGeminiToken } from './gemini-token.ts';

/** A spare token may start a session this long after it was minted (the service default is 60 s). */
export const SPARE_TOKEN_NEW_SESSION_MS = 20 * 60_000;
/** A spare this close to its new-session expiry is not trusted any more. */
const SPARE_MARGIN_MS = 30_000;

export interface GeminiCredentialSource {
  apiKey: string;
  endpoint: string | undefined;
  authMode: GeminiAuthMode;
  /** Everything minted is a secret: the scrubber learns it before it can appear anywhere. */
  addSecret(secret: string): void;
}

/**
 * The WebSocket URL for each connection. Tokens are one-use, so every connection (resumptions too)
 * needs a new one; a spare is minted in the background while a connection runs, so a resumption
 * (goAway, or an unexpected close) does not wait for a token request.
 */
export class GeminiCredentials {
  private spare: { url: string; usableUntil: number } | null = null;
  private minting: Promise<void> | null = null;

  constructor(
    private readonly source: () => GeminiCredentialSource,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  async urlForConnection(useSpare: boolean): Promise<string> {
    const { apiKey, endpoint, authMode, addSecret } = this.source();
    addSecret(apiKey);
    const plan = planGeminiEndpoint(endpoint, authMode);
    if (authMode === 'key-in-url') return withCredential(plan.socketUrl, 'key', apiKey);
    // A spare still being minted is nearer than a new request.
    if (useSpare && !this.spare && this.minting) await this.minting;
    const spare = this.spare;
    this.spare = null;
    if (useSpare && spare && Date.now() < spare.usableUntil) return spare.url;
    return this.mint(plan.tokenUrl, plan.socketUrl);
  }

  /** Mints the next connection's token in the background (token auth only). */
  mintSpare(): void {
    const { endpoint, authMode } = this.source();
    if (authMode !== 'token' || this.spare || this.minting) return;
    const plan = planGeminiEndpoint(endpoint, authMode);
    const mintedAt = Date.now();
    const minting: Promise<void> = this.mint(plan.tokenUrl, plan.socketUrl, SPARE_TOKEN_NEW_SESSION_MS).then(
      (url) => {
        if (this.minting === minting) this.spare = { url, usableUntil: mintedAt + SPARE_TOKEN_NEW_SESSION_MS - SPARE_MARGIN_MS };
      },
      () => undefined, // the resumption then mints its own token
    ).finally(() => {
      if (this.minting === minting) this.minting = null;
    });
    this.minting = minting;
  }

  /** Forgets any spare (session over): a late mint is dropped. */
  clear(): void {
    this.spare = null;
    this.minting = null;
  }

  private async mint(tokenUrl: string, socketUrl: string, newSessionExpireMs?: number): Promise<string> {
    const { apiKey, addSecret } = this.source();
    const token = await mintGeminiToken({ tokenUrl, apiKey, newSessionExpireMs, fetchImpl: this.fetchImpl });
    addSecret(token);
    addSecret(token.slice('auth_tokens/'.length));
    return withCredential(socketUrl, 'access_token', token);
  }
}
