import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBuildSecurity, type BuildViolation } from './check-build-security.mjs';

const script = resolve(dirname(fileURLToPath(import.meta.url)), 'check-build-security.mjs');
const root = mkdtempSync(join(tmpdir(), 'build-security-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CLEAN_MANIFEST = {
  manifest_version: 3,
  name: 'Fixture',
  version: '0.0.1',
  background: { service_worker: 'service-worker-loader.js', type: 'module' },
  side_panel: { default_path: 'extension/sidepanel/index.html' },
  permissions: ['offscreen', 'sidePanel', 'storage'],
  content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" },
};

/** A small build that looks like ours: manifest, panel HTML, chunks, a worklet, CSS, and a library. */
const CLEAN_FILES: Record<string, string> = {
  'ext/service-worker-loader.js': "import './assets/index.ts-abc.js';\n",
  'ext/extension/sidepanel/index.html':
    '<!doctype html><html><head><script type="module" crossorigin src="/assets/index.html-abc.js"></script><link rel="stylesheet" href="/assets/index.css"></head><body><div id="root"></div></body></html>',
  // Realistic look-alikes that must NOT trip the checker: React's error URL, SVG namespaces, a JSONL
  // export through createObjectURL (a download, not code), `.eval(` as a method, a worklet by file URL.
  'ext/assets/index.html-abc.js':
    'var t=`https://react.dev/errors/`+e;o=s.createElementNS(`http://www.w3.org/2000/svg`,a);' +
    'function pe(e,t,n=`application/x-ndjson`){let r=URL.createObjectURL(new Blob([t],{type:n}));a.href=r;a.download=`session.jsonl`}' +
    'page.eval(x);const data={data:null};\n',
  'ext/assets/offscreen-abc.js': 'await ctx.audioWorklet.addModule(new URL(`./pcm-capture-processor.js`,import.meta.url).href);const m=await import(`./chunk-x.js`);\n',
  'ext/assets/pcm-capture-processor-abc.js': 'registerProcessor(`pcm-capture`,class extends AudioWorkletProcessor{process(){return!0}});\n',
  'ext/assets/index.css': '@import "./fonts.css";body{background:url(data:image/png;base64,AAAA)}\n',
  'lib/index.js': 'export const defaultCaptureWorkletUrl=new URL(`./pcm-capture-processor.js`,import.meta.url).href;\n',
  'lib/pcm-capture-processor.js': 'registerProcessor(`pcm-capture`,class{});\n',
  // Source maps are not executed and carry comments that mention every forbidden thing.
  'lib/index.js.map': '{"sourcesContent":["// never addModule(URL.createObjectURL(blob)) or eval(\'x\') or import(\\"https://cdn.example/x.js\\")"]}',
};

function makeBuild(name: string, change: (files: Record<string, string>, manifest: Record<string, unknown>) => void = () => undefined): { ext: string; lib: string } {
  const files = { ...CLEAN_FILES };
  const manifest = structuredClone(CLEAN_MANIFEST) as Record<string, unknown>;
  change(files, manifest);
  const dir = join(root, name);
  files['ext/manifest.json'] = JSON.stringify(manifest, null, 2);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return { ext: join(dir, 'ext'), lib: join(dir, 'lib') };
}

function violationsOf(build: { ext: string; lib: string }): BuildViolation[] {
  return checkBuildSecurity({ extDir: build.ext, libDir: build.lib });
}

function runCli(build: { ext: string; lib: string }) {
  return spawnSync(process.execPath, [script, '--ext', build.ext, '--lib', build.lib], { encoding: 'utf8' });
}

const CASES: Array<{ name: string; rule: BuildViolation['rule']; file: string; change: Parameters<typeof makeBuild>[1] }> = [
  { name: 'remote <script src>', rule: 'remote-script', file: 'index.html', change: (f) => void (f['ext/extension/sidepanel/index.html'] = f['ext/extension/sidepanel/index.html'].replace('</head>', '<script src="https://cdn.example.com/sdk.js"></script></head>')) },
  { name: 'protocol-relative <script src>', rule: 'remote-script', file: 'index.html', change: (f) => void (f['ext/extension/sidepanel/index.html'] = f['ext/extension/sidepanel/index.html'].replace('</head>', "<script src='//cdn.example.com/sdk.js'></script></head>")) },
  { name: 'remote modulepreload', rule: 'remote-script', file: 'index.html', change: (f) => void (f['ext/extension/sidepanel/index.html'] = f['ext/extension/sidepanel/index.html'].replace('</head>', '<link rel="modulepreload" href="https://esm.sh/react">\n</head>')) },
  { name: 'inline <script>', rule: 'inline-script', file: 'index.html', change: (f) => void (f['ext/extension/sidepanel/index.html'] = f['ext/extension/sidepanel/index.html'].replace('</head>', '<script>window.x=1</script></head>')) },
  { name: 'import("http…")', rule: 'remote-script', file: 'offscreen-abc.js', change: (f) => void (f['ext/assets/offscreen-abc.js'] += 'const d=await import("https://unpkg.com/@daily-co/daily-js");\n') },
  { name: 'static import from a URL', rule: 'remote-script', file: 'lib/index.js', change: (f) => void (f['lib/index.js'] = `import{x}from"https://cdn.example.com/m.js";${f['lib/index.js']}`) },
  { name: "importScripts('http…')", rule: 'remote-script', file: 'pcm-capture-processor-abc.js', change: (f) => void (f['ext/assets/pcm-capture-processor-abc.js'] += "importScripts('https://cdn.example.com/w.js');\n") },
  { name: 'remote worklet module', rule: 'remote-script', file: 'offscreen-abc.js', change: (f) => void (f['ext/assets/offscreen-abc.js'] += 'ctx.audioWorklet.addModule(`https://cdn.example.com/proc.js`);\n') },
  { name: 'remote CSS @import', rule: 'remote-script', file: 'index.css', change: (f) => void (f['ext/assets/index.css'] = `@import url("https://fonts.example.com/x.css");${f['ext/assets/index.css']}`) },
  { name: 'addModule(URL.createObjectURL(…))', rule: 'blob-or-data-code', file: 'offscreen-abc.js', change: (f) => void (f['ext/assets/offscreen-abc.js'] += 'await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([src])));\n') },
  { name: 'createObjectURL then addModule', rule: 'blob-or-data-code', file: 'lib/index.js', change: (f) => void (f['lib/index.js'] += 'const u=URL.createObjectURL(b),p=ctx.audioWorklet.addModule(u);\n') },
  { name: 'blob: literal worklet', rule: 'blob-or-data-code', file: 'offscreen-abc.js', change: (f) => void (f['ext/assets/offscreen-abc.js'] += "new Worker('blob:chrome-extension://abc/123');\n") },
  { name: 'data: JavaScript worklet', rule: 'blob-or-data-code', file: 'lib/index.js', change: (f) => void (f['lib/index.js'] += 'ctx.audioWorklet.addModule(`data:text/javascript;base64,cmVnaXN0ZXI=`);\n') },
  { name: 'Blob of JavaScript', rule: 'blob-or-data-code', file: 'lib/index.js', change: (f) => void (f['lib/index.js'] += 'const b=new Blob([code],{type:"application/javascript"});\n') },
  { name: 'eval(', rule: 'eval', file: 'index.html-abc.js', change: (f) => void (f['ext/assets/index.html-abc.js'] += 'var r=eval(s);\n') },
  { name: 'new Function(', rule: 'eval', file: 'lib/index.js', change: (f) => void (f['lib/index.js'] += 'const g=new Function("return this")();\n') },
  { name: 'setTimeout with a string', rule: 'eval', file: 'offscreen-abc.js', change: (f) => void (f['ext/assets/offscreen-abc.js'] += 'setTimeout("tick()",10);\n') },
  { name: "script-src beyond 'self'", rule: 'csp', file: 'manifest.json', change: (_f, m) => void (m.content_security_policy = { extension_pages: "script-src 'self' 'wasm-unsafe-eval' https://cdn.example.com; object-src 'self'" }) },
  { name: 'CSP missing', rule: 'csp', file: 'manifest.json', change: (_f, m) => void delete m.content_security_policy },
  { name: 'sandbox CSP', rule: 'csp', file: 'manifest.json', change: (_f, m) => void (m.content_security_policy = { extension_pages: "script-src 'self'; object-src 'self'", sandbox: "sandbox allow-scripts; script-src 'self' 'unsafe-eval'" }) },
  { name: 'an extra permission', rule: 'permissions', file: 'manifest.json', change: (_f, m) => void (m.permissions = ['offscreen', 'sidePanel', 'storage', 'tabs']) },
  { name: 'host_permissions', rule: 'permissions', file: 'manifest.json', change: (_f, m) => void (m.host_permissions = ['<all_urls>']) },
  { name: 'an optional permission not asked for', rule: 'permissions', file: 'manifest.json', change: (_f, m) => void (m.optional_permissions = ['tabCapture', 'history']) },
  { name: 'an optional host not asked for', rule: 'permissions', file: 'manifest.json', change: (_f, m) => void (m.optional_host_permissions = ['https://example.com/*']) },
  { name: 'content_scripts', rule: 'permissions', file: 'manifest.json', change: (_f, m) => void (m.content_scripts = [{ matches: ['https://*/*'], js: ['c.js'] }]) },
];

describe('check-build-security', () => {
  it('passes a clean build, including realistic look-alikes, and exits 0', () => {
    const build = makeBuild('clean');
    expect(violationsOf(build)).toEqual([]);
    const r = runCli(build);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ build security check/);
  });

  for (const c of CASES) {
    it(`flags ${c.name}`, () => {
      const v = violationsOf(makeBuild(c.name.replace(/\W+/g, '-'), c.change));
      expect(v.length, JSON.stringify(v)).toBeGreaterThan(0);
      expect(v.every((x) => x.rule === c.rule && x.file.endsWith(c.file)), JSON.stringify(v)).toBe(true);
    });
  }

  it('exits 1 listing every violation with rule, file and line', () => {
    const build = makeBuild('many', (f, m) => {
      f['ext/assets/offscreen-abc.js'] += 'var r=eval(s);\n';
      f['lib/index.js'] += 'ctx.audioWorklet.addModule(URL.createObjectURL(b));\n';
      m.permissions = ['offscreen', 'sidePanel', 'storage', 'scripting'];
    });
    const r = runCli(build);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/3 violation\(s\)/);
    expect(r.stderr).toMatch(/\[eval\] .*offscreen-abc\.js:2: eval\(\)/);
    expect(r.stderr).toMatch(/\[blob-or-data-code\] .*lib\/index\.js:2:/);
    expect(r.stderr).toMatch(/\[permissions\] .*manifest\.json: permission "scripting"/);
  });

  it('exits 2 when a build directory is missing, unless told to skip it', () => {
    const build = makeBuild('missing-lib');
    const missing = spawnSync(process.execPath, [script, '--ext', build.ext, '--lib', join(root, 'nope')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    const skipped = spawnSync(process.execPath, [script, '--ext', build.ext, '--lib', join(root, 'nope'), '--allow-missing'], { encoding: 'utf8' });
    expect(skipped.status).toBe(0);
  });
});
