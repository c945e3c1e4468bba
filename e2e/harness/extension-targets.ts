import type { CDPSession } from 'playwright-core';

export interface ConsoleEntry {
  /** CDP target type: `service_worker`, `background_page` (the offscreen document), `page`, … */
  targetType: string;
  url: string;
  /** `log`, `info`, `warning`, `error`, … (console API) or the Log domain level. */
  level: string;
  text: string;
  /** `console` (Runtime.consoleAPICalled), `log` (Log.entryAdded) or `exception`. */
  kind: 'console' | 'log' | 'exception';
  at: number;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

interface Attached {
  sessionId: string;
  info: TargetInfo;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

/**
 * Watches every target of one extension through a browser-level DevTools session: attaches to
 * each (the offscreen document is a `background_page` target that Playwright does not expose),
 * records console output and log entries, and evaluates expressions inside a target. Browser-level
 * auto-attach only supports the flat protocol, which Playwright's CDPSession cannot address, so
 * this uses target discovery + attachToTarget(flatten: false) + sendMessageToTarget.
 */
export class ExtensionTargets {
  readonly console: ConsoleEntry[] = [];
  private readonly attached = new Map<string, Attached>();
  private readonly attaching = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  private constructor(
    private readonly session: CDPSession,
    private readonly origin: string,
  ) {}

  static async start(session: CDPSession, extensionId: string): Promise<ExtensionTargets> {
    const t = new ExtensionTargets(session, `chrome-extension://${extensionId}/`);
    session.on('Target.targetCreated', (e: { targetInfo: TargetInfo }) => void t.maybeAttach(e.targetInfo));
    session.on('Target.targetInfoChanged', (e: { targetInfo: TargetInfo }) => void t.maybeAttach(e.targetInfo));
    session.on('Target.targetDestroyed', (e: { targetId: string }) => t.attached.delete(e.targetId));
    session.on('Target.detachedFromTarget', (e: { targetId?: string; sessionId: string }) => {
      for (const [id, a] of t.attached) if (a.sessionId === e.sessionId || id === e.targetId) t.attached.delete(id);
    });
    session.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string; targetId?: string }) => t.onMessage(e.sessionId, e.message));
    await session.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    await Promise.all(targetInfos.map((i) => t.maybeAttach(i)));
    return t;
  }

  /** Current extension targets (type and URL). */
  async targets(): Promise<TargetInfo[]> {
    const { targetInfos } = (await this.session.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    return targetInfos.filter((i) => i.url.startsWith(this.origin));
  }

  /** Targets of the offscreen document(s): `background_page` targets at `path`. */
  async offscreenTargets(path: string): Promise<TargetInfo[]> {
    return (await this.targets()).filter((i) => i.type === 'background_page' && new URL(i.url).pathname === `/${path}`);
  }

  /** Evaluates `expression` (awaiting promises) in the first target whose URL ends with `path`; returns its JSON value. */
  async evaluate<T>(path: string, expression: string): Promise<T> {
    const target = [...this.attached.values()].find((a) => new URL(a.info.url).pathname === `/${path}`);
    if (!target) throw new Error(`No attached extension target at /${path} (attached: ${[...this.attached.values()].map((a) => a.info.url).join(', ') || 'none'})`);
    const r = (await this.call(target.sessionId, 'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(`Evaluation in /${path} threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Sends a raw DevTools command (e.g. `Memory.getDOMCounters`) to the first target whose URL ends with `path`. */
  async send<T>(path: string, method: string, params: unknown = {}): Promise<T> {
    const target = [...this.attached.values()].find((a) => new URL(a.info.url).pathname === `/${path}`);
    if (!target) throw new Error(`No attached extension target at /${path}`);
    return (await this.call(target.sessionId, method, params)) as T;
  }

  /** Console entries whose text matches. */
  find(pattern: RegExp | string, filter: Partial<Pick<ConsoleEntry, 'targetType' | 'level'>> = {}): ConsoleEntry[] {
    return this.console.filter(
      (e) =>
        (typeof pattern === 'string' ? e.text.includes(pattern) : pattern.test(e.text)) &&
        (!filter.targetType || e.targetType === filter.targetType) &&
        (!filter.level || e.level === filter.level),
    );
  }

  /** All console text, one line per entry, for failure messages and secret checks. */
  dump(): string {
    return this.console.map((e) => `[${e.targetType} ${e.level}] ${e.text}`).join('\n');
  }

  private async maybeAttach(info: TargetInfo): Promise<void> {
    if (!info.url.startsWith(this.origin)) return;
    const existing = this.attached.get(info.targetId);
    if (existing) {
      existing.info = info;
      return;
    }
    if (this.attaching.has(info.targetId)) return;
    this.attaching.add(info.targetId);
    try {
      const { sessionId } = (await this.session.send('Target.attachToTarget', { targetId: info.targetId, flatten: false })) as { sessionId: string };
      this.attached.set(info.targetId, { sessionId, info });
      await Promise.all([this.call(sessionId, 'Runtime.enable', {}), this.call(sessionId, 'Log.enable', {}).catch(() => undefined)]);
    } catch {
      // The target went away while we attached (a stopped worker, a closed page).
    } finally {
      this.attaching.delete(info.targetId);
    }
  }

  private call(sessionId: string, method: string, params: unknown, timeoutMs = 15_000): Promise<unknown> {
    const id = this.nextId++;
    const key = `${sessionId}:${id}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new Error(`DevTools call ${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(key, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((e: Error) => {
        this.pending.delete(key);
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private onMessage(sessionId: string, raw: string): void {
    const msg = JSON.parse(raw) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    if (msg.id !== undefined) {
      const key = `${sessionId}:${msg.id}`;
      const p = this.pending.get(key);
      if (!p) return;
      this.pending.delete(key);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
      return;
    }
    const target = [...this.attached.values()].find((a) => a.sessionId === sessionId);
    const base = { targetType: target?.info.type ?? 'unknown', url: target?.info.url ?? '', at: Date.now() };
    if (msg.method === 'Runtime.consoleAPICalled') {
      const p = msg.params as { type: string; args: Array<{ value?: unknown; description?: string; type: string }> };
      const text = p.args.map((a) => (a.value !== undefined ? (typeof a.value === 'string' ? a.value : JSON.stringify(a.value)) : (a.description ?? a.type))).join(' ');
      this.console.push({ ...base, level: p.type, text, kind: 'console' });
    } else if (msg.method === 'Log.entryAdded') {
      const e = (msg.params as { entry: { level: string; text: string; url?: string } }).entry;
      this.console.push({ ...base, level: e.level, text: e.url ? `${e.text} (${e.url})` : e.text, kind: 'log' });
    } else if (msg.method === 'Runtime.exceptionThrown') {
      const d = (msg.params as { exceptionDetails: { text: string; exception?: { description?: string } } }).exceptionDetails;
      this.console.push({ ...base, level: 'error', text: d.exception?.description ?? d.text, kind: 'exception' });
    }
  }
}
