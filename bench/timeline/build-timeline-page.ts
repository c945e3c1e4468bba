import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import react from '@vitejs/plugin-react';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface TimelinePage {
  /** URL of the page; add `?minutes=…&view=…`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds bench/timeline/index.html (the Timeline on a synthetic recording) with the product's own
 * modules into a temporary directory and serves it on 127.0.0.1. Production build: what the
 * extension ships, not a dev server's unbundled modules.
 */
export async function serveTimelinePage(): Promise<TimelinePage> {
  const outDir = mkdtempSync(join(tmpdir(), 'timeline-page-'));
  // Vitest runs with NODE_ENV=test, which makes the React plugin and React itself use their
  // development builds (jsxDEV, console.createTask per element): several times slower than what
  // the extension ships. Build as `vite build` does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await buildPage(outDir);
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return servePage(outDir);
}

async function buildPage(outDir: string): Promise<void> {
  await build({
    mode: 'production',
    define: { 'process.env.NODE_ENV': '"production"' },
    configFile: false,
    root: ROOT,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, minify: process.env.TIMELINE_PAGE_MINIFY !== '0', rolldownOptions: { input: { timeline: join(ROOT, 'bench/timeline/index.html') } } },
  });
}

async function servePage(outDir: string): Promise<TimelinePage> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.set('/' + relative(outDir, p).split('\\').join('/'), p);
    }
  };
  walk(outDir);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = files.get(path === '/' ? '/bench/timeline/index.html' : path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bench/timeline/index.html`,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
