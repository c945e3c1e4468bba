import { WebSocket as NodeWebSocket } from 'ws';

/**
 * client-js reads `window.navigator` at PipecatClient construction, and adapters use the global
 * WebSocket; Node 20 has neither. Call once per test file, before constructing a client.
 */
export function installNodeBrowserGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.window === 'undefined') g.window = globalThis;
  g.WebSocket = NodeWebSocket;
}
