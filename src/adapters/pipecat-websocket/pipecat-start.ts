import { TransportStartError } from '@pipecat-ai/client-js';

/** The socket to open: the bot's WebSocket URL, with the token the start endpoint handed out (if any). */
export interface BotSocketPlan {
  wsUrl: string;
  /** Secrets to scrub from anything shown (token). */
  secrets: string[];
  /** What the start endpoint answered, for the raw view (token already replaced by the caller's scrubber). */
  startAnswer?: unknown;
}

export interface StartRequest {
  startUrl: string;
  body: unknown;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** HTTP refusal from the start endpoint: status and the body's first 500 characters. */
export class BotStartError extends TransportStartError {
  override readonly status: number;
  readonly body: string;
  constructor(status: number, statusText: string, body: string) {
    super(`The Pipecat bot's start endpoint refused: HTTP ${status}${statusText ? ` ${statusText}` : ''}${body ? `: ${body}` : ' (empty body)'}`);
    this.name = 'BotStartError';
    this.status = status;
    this.body = body;
  }
}

/**
 * Pipecat's runner (src/pipecat/runner/run.py, pipecat-server.md §2 "Via /start"): `POST /start
 * {transport: "websocket", ...}` answers `{wsUrl, sessionId, token}` (`token` null unless the
 * runner uses token auth). Other servers built on the same pattern answer `ws_url`; both are read.
 */
export async function startBot(req: StartRequest): Promise<BotSocketPlan & { startAnswer: unknown }> {
  let res: Response;
  try {
    res = await fetch(req.startUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...req.headers }, body: JSON.stringify(req.body ?? {}), signal: req.signal });
  } catch (e) {
    if (req.signal.aborted) throw e;
    // fetch's TypeError says nothing useful ("Failed to fetch"): name the likely causes.
    throw new TransportStartError(`Could not reach the Pipecat bot's start endpoint ${originOf(req.startUrl)} (${e instanceof Error ? e.message : String(e)}). Is the bot running? If it sends no CORS headers, allow this extension to access the host when Chrome asks, then connect again.`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new BotStartError(res.status, res.statusText, text.slice(0, 500));
  let answer: unknown;
  try {
    answer = JSON.parse(text) as unknown;
  } catch {
    throw new TransportStartError(`The Pipecat bot's start endpoint answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  const a = (answer ?? {}) as Record<string, unknown>;
  const url = typeof a.wsUrl === 'string' ? a.wsUrl : typeof a.ws_url === 'string' ? a.ws_url : '';
  if (!url) throw new TransportStartError(`The Pipecat bot's start endpoint answered without a WebSocket URL (expected "wsUrl" or "ws_url"): ${text.slice(0, 200)}`);
  const token = typeof a.token === 'string' && a.token ? a.token : '';
  return { wsUrl: withToken(url, token), secrets: token ? [token] : [], startAnswer: answer };
}

/**
 * Pipecat's web client sends its token as `?token=` (websocket-transport 1.7.1); the runner's
 * FastAPI endpoint accepts it there as well as in a header or path (pipecat-server.md §1).
 * Browsers cannot set headers on a WebSocket, so the query is the one way that works here.
 */
export function withToken(wsUrl: string, token: string): string {
  if (!token) return wsUrl;
  const u = new URL(wsUrl);
  u.searchParams.set('token', token);
  return u.toString();
}

/**
 * Pipecat's runner answers `wss://<--host>:<port>/ws-client` for any --host other than "localhost"
 * (run.py:864-870) while it serves plain HTTP, so with --host 0.0.0.0 or 127.0.0.1 its own answer
 * cannot be opened. When the start URL is http:// and the answer is wss:// on the same port and on
 * the start URL's host or a wildcard address, the socket that works is ws:// at the start URL's
 * host. Anything else is used as answered. `note` says what was changed and why.
 */
export function reachableSocketUrl(startUrl: string, wsUrl: string): { url: string; note?: string } {
  let start: URL;
  let ws: URL;
  try {
    start = new URL(startUrl);
    ws = new URL(wsUrl);
  } catch {
    return { url: wsUrl };
  }
  const wildcard = ['0.0.0.0', '[::]', '::'].includes(ws.hostname);
  const port = (u: URL, dflt: string) => u.port || dflt;
  if (start.protocol !== 'http:' || ws.protocol !== 'wss:') return { url: wsUrl };
  if (!(wildcard || ws.hostname === start.hostname) || port(ws, '443') !== port(start, '80')) return { url: wsUrl };
  const fixed = new URL(wsUrl);
  fixed.protocol = 'ws:';
  fixed.host = start.host;
  return {
    url: fixed.toString(),
    note: `The start endpoint answered ${stripSearch(ws)} although it is served over plain http:// (Pipecat's runner answers wss:// for any --host other than "localhost"); connecting to ${stripSearch(fixed)} instead.`,
  };
}

function stripSearch(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'URL';
  }
}
