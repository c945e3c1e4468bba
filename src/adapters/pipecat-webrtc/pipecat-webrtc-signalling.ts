import { TransportStartError } from '@pipecat-ai/client-js';

/**
 * SmallWebRTC signalling over HTTP, as Pipecat's server expects it (pipecat-server.md §2, from
 * src/pipecat/transports/smallwebrtc/request_handler.py and src/pipecat/runner/run.py):
 * - offer: `POST <offer URL> {sdp, type: "offer", pc_id, restart_pc}` → `{sdp, type: "answer", pc_id}`;
 * - trickle ICE: `PATCH <offer URL> {pc_id, candidates: [{candidate, sdp_mid, sdp_mline_index}]}`;
 * - via a start endpoint: `POST /start {transport: "webrtc", ...}` → `{sessionId, iceConfig?}`, and
 *   the offer URL is the start URL with `/start` replaced by `/sessions/<sessionId>/api/offer`.
 */

/** An HTTP refusal from the bot's start or offer endpoint: status and the body's first 500 characters. */
export class BotHttpError extends TransportStartError {
  override readonly status: number;
  readonly body: string;
  constructor(what: 'start' | 'offer' | 'ICE candidate', status: number, statusText: string, body: string) {
    super(`The Pipecat bot's ${what} endpoint refused: HTTP ${status}${statusText ? ` ${statusText}` : ''}${body ? `: ${body}` : ' (empty body)'}`);
    this.name = 'BotHttpError';
    this.status = status;
    this.body = body;
  }
}

export interface HttpCall {
  url: string;
  body: unknown;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** POSTs (or PATCHes) JSON and returns the parsed answer; refusals and unreachable hosts become clear errors. */
export async function callBot(what: 'start' | 'offer' | 'ICE candidate', method: 'POST' | 'PATCH', req: HttpCall): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(req.url, { method, headers: { 'content-type': 'application/json', ...req.headers }, body: JSON.stringify(req.body ?? {}), signal: req.signal });
  } catch (e) {
    if (req.signal.aborted) throw e;
    // fetch's TypeError says nothing useful ("Failed to fetch"): name the likely causes.
    throw new TransportStartError(`Could not reach the Pipecat bot's ${what} endpoint ${originOf(req.url)} (${e instanceof Error ? e.message : String(e)}). Is the bot running? If it sends no CORS headers, allow this extension to access the host when Chrome asks, then connect again.`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new BotHttpError(what, res.status, res.statusText, text.slice(0, 500));
  let answer: unknown;
  try {
    answer = JSON.parse(text) as unknown;
  } catch {
    throw new TransportStartError(`The Pipecat bot's ${what} endpoint answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw new TransportStartError(`The Pipecat bot's ${what} endpoint answered with JSON that is not an object: ${text.slice(0, 200)}`);
  return answer as Record<string, unknown>;
}

/** A start URL is one whose path ends in `/start` (the runner's); anything else is the offer URL itself. */
export function isStartUrl(url: string): boolean {
  try {
    return /\/start\/?$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** client-js's derivation: `/start` → `/sessions/<sessionId>/api/offer` (pipecat-server.md §2 "Via /start"). */
export function offerUrlForSession(startUrl: string, sessionId: string): string {
  const u = new URL(startUrl);
  u.pathname = u.pathname.replace(/\/start\/?$/, `/sessions/${encodeURIComponent(sessionId)}/api/offer`);
  u.search = '';
  return u.toString();
}

/** ICE servers from a start answer's `iceConfig` (`{iceServers: [...]}`), when it has any. */
export function iceServersFrom(answer: Record<string, unknown>): RTCIceServer[] {
  const cfg = (answer.iceConfig ?? answer.ice_config) as { iceServers?: unknown } | undefined;
  const list = cfg && Array.isArray(cfg.iceServers) ? cfg.iceServers : [];
  return list.filter((s): s is RTCIceServer => !!s && typeof s === 'object' && ('urls' in (s as object)));
}

/**
 * The SDP as shown in the raw view: ICE passwords (a=ice-pwd) are the session's short-lived
 * credentials, so they are replaced; everything else (codecs, candidates, fingerprints) is kept.
 */
export function redactSdp(sdp: string): string {
  return sdp.replace(/^(a=ice-pwd:).*$/gm, '$1[redacted]');
}

/** One trickled candidate in the server's field names (request_handler.py's IceCandidate). */
export function candidateForServer(c: RTCIceCandidate | RTCIceCandidateInit): { candidate: string; sdp_mid: string | null; sdp_mline_index: number | null } {
  return { candidate: c.candidate ?? '', sdp_mid: c.sdpMid ?? null, sdp_mline_index: c.sdpMLineIndex ?? null };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'URL';
  }
}
