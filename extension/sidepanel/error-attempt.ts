import type { HostError } from '../shared/messages.ts';

/**
 * The error alert: one per failed attempt (a Connect and what followed), listing every error of
 * it, so a provider's close reason is not replaced by the errors that follow it; a link to its row
 * in the event log; and, for configuration errors, the field to fix.
 */
export type FieldAtFault = 'endpoint' | 'auth' | 'key' | 'model' | 'tools';

/** The contract's (or the settings form's) label of each field, as the link names it. */
export const FIELD_LABELS: Record<FieldAtFault, string> = {
  endpoint: 'Endpoint URL',
  auth: 'Authentication',
  key: 'API key',
  model: 'Model',
  tools: 'Tools (JSON)',
};

export interface PanelErrorItem {
  message: string;
  /** The WebSocket close code, when the error is a close. */
  code?: number;
  /** Row in the event log. */
  seq?: number;
  fatal: boolean;
}

export interface AttemptAlert {
  /** The Connect the errors belong to (0: outside a session, or the panel's own check). */
  session: number;
  heading: string;
  errors: PanelErrorItem[];
  /** Errors of the attempt not listed (the list keeps the first and the latest ones). */
  omitted: number;
  /** The log row `Show in log` goes to: the first error's. */
  showSeq: number | null;
  field: FieldAtFault | null;
  /** Newest error time, for dismissal. */
  at: number;
}

export const MAX_LISTED = 6;

// Order matters: a failed request to an unreachable host names the client secret too.
const FIELD_PATTERNS: Array<[FieldAtFault, RegExp]> = [
  ['endpoint', /Could not reach|Could not open the .* WebSocket|Invalid URL|not a valid (WebSocket )?URL|HTTP 404\b/i],
  ['key', /needs an API key|Incorrect API key|invalid[_ ]api[_ ]key|API key not valid|API_KEY_INVALID|HTTP 40[13]\b|code 3000\b|unauthori[sz]ed|PERMISSION_DENIED/i],
  ['auth', /client[ -]secret|session token|ephemeral/i],
  ['model', /model_not_found|missing_model|model[^.]* (was )?not found|unknown model|is unknown to .+ or retired/i],
  ['tools', /Tools \(JSON\)/],
];

/** The configuration field an error message points at, if any. */
export function fieldAtFault(message: string): FieldAtFault | null {
  for (const [field, re] of FIELD_PATTERNS) if (re.test(message)) return field;
  return null;
}

/**
 * The alert for the newest attempt with errors after `dismissedAt` (a Connect press dismisses
 * older ones), or null. `sessionFailed` (status `error`) words the heading.
 */
export function attemptAlert(errors: readonly HostError[], dismissedAt: number, sessionFailed: boolean): AttemptAlert | null {
  const visible = errors.filter((e) => e.at > dismissedAt);
  const last = visible.at(-1);
  if (!last) return null;
  const session = last.session ?? 0;
  const ofAttempt = visible.filter((e) => (e.session ?? 0) === session);
  const items: PanelErrorItem[] = ofAttempt.map((e) => ({ message: e.message, fatal: e.fatal, ...(e.code !== undefined ? { code: e.code } : {}), ...(e.seq !== undefined ? { seq: e.seq } : {}) }));
  // Identical messages (a repeated malformed frame) are listed once.
  const unique = items.filter((e, i) => items.findIndex((x) => x.message === e.message) === i);
  const listed = unique.length > MAX_LISTED ? [...unique.slice(0, 1), ...unique.slice(-(MAX_LISTED - 1))] : unique;
  const failed = sessionFailed || ofAttempt.some((e) => e.fatal);
  const heading = session > 0 ? (failed ? `Session ${session} failed` : `Errors in session ${session}`) : 'Could not start';
  const field = unique.map((e) => fieldAtFault(e.message)).find((f) => f !== null) ?? null;
  const first = items.find((e) => e.seq !== undefined);
  return { session, heading, errors: listed, omitted: unique.length - listed.length, showSeq: first?.seq ?? null, field, at: last.at };
}

/** A panel-side check that failed before anything reached the host (no key, bad tools JSON). */
export function localAlert(message: string, at: number): AttemptAlert {
  return { session: 0, heading: 'Could not start', errors: [{ message, fatal: false }], omitted: 0, showSeq: null, field: fieldAtFault(message), at };
}
