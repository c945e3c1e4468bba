import browser, { type Runtime } from 'webextension-polyfill';
import { SESSION_PORT_NAME, isHostEvent, type BackgroundReply, type BackgroundRequest, type HostEvent, type PanelCommand } from '../shared/messages.ts';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * The panel's one Port to the offscreen session host. Before each (re)connect it asks the service
 * worker to ensure the offscreen document exists; when the Port drops (document closed, extension
 * reloaded) it reconnects by itself with backoff. Commands typed while unlinked wait in a queue
 * and go out after the next snapshot.
 */
export class SessionPort {
  private port: Runtime.Port | null = null;
  private linked = false;
  private queue: PanelCommand[] = [];
  private retryMs = RETRY_MIN_MS;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onEvent: (event: HostEvent) => void,
    private readonly onLinkLost: () => void,
  ) {}

  start(): void {
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.port?.disconnect();
  }

  send(command: PanelCommand): void {
    if (this.port && this.linked) this.port.postMessage(command);
    else this.queue.push(command);
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    try {
      const reply = (await browser.runtime.sendMessage({ target: 'background', type: 'ensure-offscreen' } satisfies BackgroundRequest)) as BackgroundReply | undefined;
      if (!reply?.ok) throw new Error(reply ? reply.error : 'the service worker did not answer');
    } catch (e) {
      console.warn('[panel] could not ensure the session host:', e instanceof Error ? e.message : e);
      return this.retry();
    }
    const port = browser.runtime.connect({ name: SESSION_PORT_NAME });
    this.port = port;
    port.onMessage.addListener((message: unknown) => {
      if (!isHostEvent(message)) return;
      this.onEvent(message);
      if (message.type === 'snapshot-end') {
        this.linked = true;
        this.retryMs = RETRY_MIN_MS;
        for (const c of this.queue.splice(0)) port.postMessage(c);
      }
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      this.linked = false;
      this.onLinkLost();
      this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }
}
