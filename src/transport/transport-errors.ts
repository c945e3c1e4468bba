import { RTVIError } from '@pipecat-ai/client-js';

/** A provider closed the socket. Code and reason are kept so the panel can show them. */
export class ProviderClosedError extends RTVIError {
  readonly code: number;
  readonly reason: string;
  /** `hint`: a plain sentence that goes first (e.g. the model is unknown), the close details after it. */
  constructor(provider: string, code: number, reason: string, phase: 'setup' | 'session', hint?: string) {
    super(hint ? `${hint} (${describeClose(provider, code, reason, phase)})` : describeClose(provider, code, reason, phase));
    this.name = 'ProviderClosedError';
    this.code = code;
    this.reason = reason;
  }
}

export class SetupTimeoutError extends RTVIError {
  constructor(provider: string, timeoutMs: number, waitingFor: string) {
    super(`${provider} did not become ready within ${formatSeconds(timeoutMs)} (waiting for ${waitingFor}).`);
    this.name = 'SetupTimeoutError';
  }
}

export class MissingKeyError extends RTVIError {
  constructor(provider: string) {
    super(`No API key for ${provider}. Paste a key in "API key" and connect again.`);
    this.name = 'MissingKeyError';
  }
}

export class MicrophoneError extends RTVIError {
  readonly kind: 'permissions' | 'not-found' | 'in-use' | 'constraints' | 'unknown';
  constructor(kind: MicrophoneError['kind'], message: string) {
    super(message);
    this.name = 'MicrophoneError';
    this.kind = kind;
  }
}

const CLOSE_MEANINGS: Record<number, string> = {
  1000: 'normal closure',
  1001: 'the server is going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1006: 'the connection was lost (no close frame)',
  1007: 'invalid payload or credentials',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
  3000: 'authentication failed',
  4000: 'invalid request',
  4004: 'not found',
};

export function describeClose(provider: string, code: number, reason: string, phase: 'setup' | 'session'): string {
  const meaning = CLOSE_MEANINGS[code];
  const when = phase === 'setup' ? 'before the session was ready' : 'during the session';
  const head =
    code === 1006
      ? `Connection to ${provider} was lost ${when} (code 1006, no close frame).`
      : `${provider} closed the connection ${when}: code ${code}${meaning ? ` (${meaning})` : ''}`;
  if (code === 1006) return reason ? `${head} ${reason}` : head;
  return reason ? `${head}, reason "${reason}".` : `${head}, no reason given.`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
