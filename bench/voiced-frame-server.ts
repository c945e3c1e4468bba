import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { waitFor } from '../e2e/harness/wait-for.ts';

const epochNow = () => performance.timeOrigin + performance.now();
/** The fakes' server-VAD threshold (RMS 0.02), applied to each frame a plain page sends. */
const VOICED_RMS = 0.02;

/**
 * The server side of the rig's plain pages (the floor page, the over-playback diagnosis): it serves
 * the page (and its scripts) over HTTP and takes the microphone's frames, float32 as the page read
 * them from its track, over a WebSocket. `listen()` arms it; the first frame after that over the
 * fakes' VAD threshold is the burst heard, stamped on arrival.
 */
export interface VoicedFrameServer {
  url: string;
  wsUrl: string;
  /** The page's socket, once it connected (null after `forgetClient()`, until it connects again). */
  client(): WsSocket | null;
  forgetClient(): void;
  listen(): void;
  /** Epoch ms of the first voiced frame since `listen()`, or null when none came within `ms`. */
  heardWithin(what: string, ms: number): Promise<number | null>;
  close(): void;
}

export async function startVoicedFrameServer(files: Record<string, string>, page: string): Promise<VoicedFrameServer> {
  const server: Server = createServer((req, res) => {
    const script = req.url ? files[req.url] : undefined;
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' });
    res.end(script ?? page);
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  let client: WsSocket | null = null;
  let armedAt = Infinity;
  let voicedAt: number | null = null;
  wss.on('connection', (ws) => {
    client = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || voicedAt !== null) return;
      const at = epochNow();
      if (at < armedAt) return;
      const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      let sum = 0;
      for (const v of f) sum += v * v;
      if (Math.sqrt(sum / Math.max(1, f.length)) > VOICED_RMS) voicedAt = at;
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    client: () => client,
    forgetClient: () => {
      client = null;
    },
    listen: () => {
      voicedAt = null;
      armedAt = epochNow();
    },
    heardWithin: (what, ms) => waitFor(what, () => voicedAt, { timeoutMs: ms }).catch(() => null),
    close: () => {
      wss.close();
      server.close();
    },
  };
}
