import type { BrowserContext, CDPSession } from 'playwright-core';

export interface RecordedWebSocket {
  targetUrl: string;
  /** URL given to `new WebSocket()` (Network.webSocketCreated). */
  url: string;
  /** Handshake request headers (Network.webSocketWillSendHandshakeRequest), `Sec-WebSocket-Protocol` included. */
  headers: Record<string, string>;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/**
 * Records every WebSocket any extension target opens, through the DevTools Network domain: the
 * URL and the handshake headers, where a subprotocol credential travels. Its own browser-level
 * session, attached (non-flat, like ExtensionTargets) to each extension target as it appears;
 * sockets opened before a target is attached are missed, so start it before the session.
 */
export class WebSocketRecorder {
  readonly sockets = new Map<string, RecordedWebSocket>();
  private readonly attached = new Map<string, string>();
  private nextId = 1;

  private constructor(
    private readonly session: CDPSession,
    private readonly origin: string,
  ) {}

  static async start(context: BrowserContext, extensionId: string): Promise<WebSocketRecorder> {
    const session = await context.browser()!.newBrowserCDPSession();
    const r = new WebSocketRecorder(session, `chrome-extension://${extensionId}/`);
    session.on('Target.targetCreated', (e: { targetInfo: TargetInfo }) => void r.attach(e.targetInfo));
    session.on('Target.targetInfoChanged', (e: { targetInfo: TargetInfo }) => void r.attach(e.targetInfo));
    session.on('Target.targetDestroyed', (e: { targetId: string }) => r.attached.delete(e.targetId));
    session.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => r.onMessage(e.sessionId, e.message));
    await session.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    await Promise.all(targetInfos.map((i) => r.attach(i)));
    return r;
  }

  /** True once a target of this type is attached with the Network domain on. */
  isWatching(type: string): boolean {
    return [...this.attached.keys()].some((k) => k.startsWith(`${type}|`));
  }

  /** Every URL and handshake header value, one per line, for secret searches. */
  dump(): string {
    return [...this.sockets.values()].map((s) => [s.url, ...Object.entries(s.headers).map(([k, v]) => `${k}: ${v}`)].join('\n')).join('\n');
  }

  async stop(): Promise<void> {
    await this.session.detach().catch(() => undefined);
  }

  private async attach(info: TargetInfo): Promise<void> {
    if (!info.url.startsWith(this.origin)) return;
    const key = `${info.type}|${info.targetId}`;
    if (this.attached.has(key)) return;
    this.attached.set(key, '');
    try {
      const { sessionId } = (await this.session.send('Target.attachToTarget', { targetId: info.targetId, flatten: false })) as { sessionId: string };
      this.attached.set(key, sessionId);
      await this.session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: this.nextId++, method: 'Network.enable', params: {} }) });
    } catch {
      this.attached.delete(key); // the target went away while attaching
    }
  }

  private onMessage(sessionId: string, raw: string): void {
    const msg = JSON.parse(raw) as { method?: string; params?: Record<string, unknown> };
    const target = [...this.attached.entries()].find(([, s]) => s === sessionId)?.[0] ?? 'unknown';
    if (msg.method === 'Network.webSocketCreated') {
      const p = msg.params as { requestId: string; url: string };
      this.sockets.set(p.requestId, { targetUrl: target, url: p.url, headers: this.sockets.get(p.requestId)?.headers ?? {} });
    } else if (msg.method === 'Network.webSocketWillSendHandshakeRequest') {
      const p = msg.params as { requestId: string; request: { headers: Record<string, string> } };
      const s = this.sockets.get(p.requestId) ?? { targetUrl: target, url: '', headers: {} };
      s.headers = { ...s.headers, ...p.request.headers };
      this.sockets.set(p.requestId, s);
    }
  }
}
