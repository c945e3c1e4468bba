/**
 * A thin WebSocket wrapper for adapters. Binary frames are received as ArrayBuffer and decoded
 * synchronously, so messages are handled strictly in arrival order (the old transport decoded Blobs
 * with async FileReaders, which could reorder them).
 */
export interface ProviderSocketHandlers {
  /** Text frames arrive as strings; binary frames as their bytes plus a best-effort UTF-8 decoding. */
  onMessage(message: { text: string; binary: boolean; bytes: number; data?: Uint8Array }): void;
  /** The socket closed (any side). `wasOpen` tells whether the handshake had completed. */
  onClose(code: number, reason: string, wasOpen: boolean): void;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export class ProviderSocket {
  private ws: WebSocket | null = null;
  private opened = false;
  private closedByUs = false;
  private closedAt: Promise<void> = Promise.resolve();

  constructor(private readonly handlers: ProviderSocketHandlers) {}

  /**
   * Resolves on open; rejects with code/reason if the socket closes first. With a `signal` (the
   * transport's `connectSignal`), a cancelled attempt opens nothing: no WebSocket is constructed
   * after the abort, and one still in its handshake is closed and never reported as open.
   */
  open(url: string, protocols?: string[], signal?: AbortSignal): Promise<void> {
    this.closedByUs = false;
    this.opened = false;
    if (signal?.aborted) return Promise.reject(abortError());
    const Impl = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (!Impl) return Promise.reject(new Error('No WebSocket implementation in this environment.'));
    let ws: WebSocket;
    try {
      ws = protocols && protocols.length ? new Impl(url, protocols) : new Impl(url);
    } catch (e) {
      // The browser quotes the URL and protocols in this error: callers scrub it.
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let markClosed!: () => void;
    this.closedAt = new Promise<void>((r) => (markClosed = r));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.opened || this.ws !== ws) return;
        this.close(1000, 'cancelled');
        ws.onopen = null;
        ws.onclose = null;
        markClosed();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.onopen = () => {
        signal?.removeEventListener('abort', onAbort);
        this.opened = true;
        resolve();
      };
      ws.onmessage = (ev: MessageEvent) => {
        const data = ev.data as unknown;
        if (typeof data === 'string') {
          this.handlers.onMessage({ text: data, binary: false, bytes: utf8Length(data) });
        } else if (data instanceof ArrayBuffer) {
          this.handlers.onMessage({ text: decoder.decode(data), binary: true, bytes: data.byteLength, data: new Uint8Array(data) });
        } else if (ArrayBuffer.isView(data)) {
          const view = data as ArrayBufferView;
          this.handlers.onMessage({ text: decoder.decode(view), binary: true, bytes: view.byteLength, data: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) });
        } else {
          this.handlers.onMessage({ text: String(data), binary: true, bytes: 0 });
        }
      };
      ws.onerror = () => {
        // The close event that always follows carries the code; nothing to do here.
      };
      ws.onclose = (ev: CloseEvent) => {
        markClosed();
        signal?.removeEventListener('abort', onAbort);
        const wasOpen = this.opened;
        if (this.ws === ws) this.ws = null;
        if (!wasOpen) reject(Object.assign(new Error(`WebSocket closed before opening (code ${ev.code})`), { code: ev.code, reason: ev.reason ?? '' }));
        if (!this.closedByUs) this.handlers.onClose(ev.code, ev.reason ?? '', wasOpen);
      };
    });
  }

  get isOpen(): boolean {
    return !!this.ws && this.ws.readyState === 1;
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /** Sends a text frame; returns false when the socket is not open. */
  send(text: string): boolean {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(text);
    return true;
  }

  /** Sends a binary frame (Pipecat's protobuf frames); returns false when the socket is not open. */
  sendBytes(bytes: Uint8Array): boolean {
    if (!this.ws || this.ws.readyState !== 1) return false;
    // Encoders return views over plain ArrayBuffers; the DOM type only rules out SharedArrayBuffer.
    this.ws.send(bytes as Uint8Array<ArrayBuffer>);
    return true;
  }

  /**
   * Resolves true once the socket has really closed (its close handshake done), false after
   * `timeoutMs`. A provider that rejects a second socket for the same session while the first is
   * open (Gemini resumption, provider-protocols.md E) needs this before reconnecting.
   */
  whenClosed(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      this.closedAt.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  }

  /** Closes without reporting the close to the handlers (our own close is not an event). */
  close(code = 1000, reason = ''): void {
    this.closedByUs = true;
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onmessage = null;
    try {
      if (ws.readyState === 0 || ws.readyState === 1) ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }
}

function abortError(): Error {
  return typeof DOMException === 'function' ? new DOMException('The connect attempt was cancelled.', 'AbortError') : Object.assign(new Error('The connect attempt was cancelled.'), { name: 'AbortError' });
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Token/secret requests go to the same host and port as the WebSocket endpoint. */
export function httpOriginFor(wsUrl: string): string {
  const u = new URL(wsUrl);
  const scheme = u.protocol === 'ws:' ? 'http:' : 'https:';
  return `${scheme}//${u.host}`;
}

/** Refuse to send credentials in clear text except to this machine. */
export function assertSecureEndpoint(wsUrl: string, provider: string): void {
  let u: URL;
  try {
    u = new URL(wsUrl);
  } catch {
    throw new Error(`Endpoint URL for ${provider} is not a valid URL.`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`Endpoint URL for ${provider} must start with wss:// (or ws:// for a local server).`);
  if (u.protocol === 'ws:' && !isLoopbackHost(u.hostname)) {
    throw new Error(`Refusing to send a key for ${provider} over unencrypted ws:// to ${u.hostname}; use wss://, or ws:// only for localhost.`);
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
