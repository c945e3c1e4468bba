import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

/**
 * A minimal provider stand-in for fuzzing: it completes a real handshake (OpenAI: `realtime`
 * subprotocol echoed, `session.created`, `session.updated` in answer to `session.update`; Gemini:
 * `setupComplete` as a binary frame in answer to `setup`) and then sends nothing on its own, so
 * every inbound frame the adapter sees after the handshake is one the test chose. The full fakes
 * (fake-openai-server, fake-gemini-server) react to what the client sends, which would make the
 * frame count of a fuzzed sequence unpredictable.
 */
export type FuzzProvider = 'openai' | 'gemini';

export interface FuzzConnection {
  /** Sends one raw frame exactly as given. */
  send(data: string | Buffer, binary: boolean): Promise<void>;
  close(code: number, reason: string): void;
  /** Destroys the TCP connection without a close frame (the client sees 1006). */
  drop(): void;
  /** Client frames received (text). */
  received: string[];
}

export interface FuzzFrameServer {
  /** WebSocket URL to give the adapter as `endpoint`. */
  url: string;
  /** Resolves with the connection once the handshake (session or setup) is complete. */
  nextConnection(timeoutMs?: number): Promise<FuzzConnection>;
  close(): Promise<void>;
}

export async function startFuzzFrameServer(provider: FuzzProvider): Promise<FuzzFrameServer> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: (protocols) => (provider === 'openai' && protocols.has('realtime') ? 'realtime' : false),
  });
  const waiting: Array<(c: FuzzConnection) => void> = [];
  const ready: FuzzConnection[] = [];
  const sockets = new Set<WebSocket>();

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
    const received: string[] = [];
    let handshakeDone = false;
    const conn: FuzzConnection = {
      received,
      send: (data, binary) =>
        new Promise<void>((resolve, reject) => {
          if (ws.readyState !== ws.OPEN) return reject(new Error('fuzz server: socket not open'));
          ws.send(data, { binary }, (err) => (err ? reject(err) : resolve()));
        }),
      close: (code, reason) => ws.close(code, reason),
      drop: () => ws.terminate(),
    };
    const handshakeComplete = () => {
      handshakeDone = true;
      const w = waiting.shift();
      if (w) w(conn);
      else ready.push(conn);
    };
    if (provider === 'openai') {
      ws.send(JSON.stringify({ type: 'session.created', event_id: 'event_fuzz_created', session: { type: 'realtime', object: 'realtime.session', id: 'sess_fuzz', model: 'gpt-realtime', expires_at: 0 } }));
    }
    ws.on('message', (data: RawData) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
      received.push(text);
      if (handshakeDone) return;
      let msg: Record<string, unknown> = {};
      try {
        msg = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (provider === 'openai' && msg.type === 'session.update') {
        ws.send(JSON.stringify({ type: 'session.updated', event_id: 'event_fuzz_updated', session: msg.session ?? {} }), () => handshakeComplete());
      } else if (provider === 'gemini' && 'setup' in msg) {
        ws.send(Buffer.from(JSON.stringify({ setupComplete: {} })), { binary: true }, () => handshakeComplete());
      }
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: provider === 'openai' ? `ws://127.0.0.1:${port}/v1/realtime` : `ws://127.0.0.1:${port}`,
    nextConnection(timeoutMs = 5000) {
      const c = ready.shift();
      if (c) return Promise.resolve(c);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fuzz server: timed out after ${timeoutMs} ms waiting for a ${provider} handshake`)), timeoutMs);
        waiting.push((conn) => {
          clearTimeout(timer);
          resolve(conn);
        });
      });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
