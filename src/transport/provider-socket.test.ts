import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderSocket } from './provider-socket.ts';

/** Just enough of the browser WebSocket: records construction and close; the test fires events. */
class FakeWebSocket {
  static created: FakeWebSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  closedWith: [number, string] | null = null;
  onopen: (() => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onmessage: unknown = null;
  onerror: unknown = null;
  constructor(readonly url: string) {
    FakeWebSocket.created.push(this);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeWebSocket.created = [];
});

describe('ProviderSocket with an AbortSignal', () => {
  it('does not even construct a WebSocket when the attempt was already cancelled', async () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const socket = new ProviderSocket({ onMessage: () => undefined, onClose: () => undefined });
    const controller = new AbortController();
    controller.abort();
    await expect(socket.open('wss://example.test/ws', undefined, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeWebSocket.created).toHaveLength(0);
  });

  it('closes a socket still opening when the attempt is cancelled, and rejects without reporting a close', async () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const onClose = vi.fn();
    const socket = new ProviderSocket({ onMessage: () => undefined, onClose });
    const controller = new AbortController();
    const opening = socket.open('wss://example.test/ws', undefined, controller.signal);
    const ws = FakeWebSocket.created[0];
    controller.abort();
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
    expect(ws.closedWith?.[0]).toBe(1000);
    // The late open of the cancelled handshake changes nothing.
    ws.readyState = 1;
    ws.onopen?.();
    expect(socket.isOpen).toBe(false);
    expect(onClose).not.toHaveBeenCalled();
  });
});
