#!/usr/bin/env node
// Build security check: scans the extension build (dist/) and the library build (dist-lib/) for
// remote code, script/worklet blobs and data: URLs, eval, and a manifest that asks for more than the
// extension uses. MV3 refuses remote code and extension CSP refuses blob:/data: worklets, so any hit
// is either a store rejection or a feature that breaks only when loaded; catching it here is cheaper.
//
// Usage: node scripts/check-build-security.mjs [--ext <dir>] [--lib <dir>] [--allow-missing]
// Exit: 0 clean, 1 violations (listed), 2 a build directory is missing or unreadable.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The only permissions the extension uses (design.md: side panel, offscreen session host, key storage). */
export const ALLOWED_PERMISSIONS = ['offscreen', 'sidePanel', 'storage', 'activeTab'];
/** Asked for at first use, never at install (SECURITY.md): tab audio capture. */
export const ALLOWED_OPTIONAL_PERMISSIONS = ['tabCapture'];
/** Asked for at first use (SECURITY.md): screenshots of a tab the extension was not invoked on. */
export const ALLOWED_OPTIONAL_HOST_PERMISSIONS = [
  '<all_urls>',
  // The OpenAI-compatible services' token routes (SECURITY.md, "Optional host permissions").
  'https://api.x.ai/*',
  'https://api.elevenlabs.io/*',
  'https://*.openai.azure.com/*',
  'https://*.cognitiveservices.azure.com/*',
  'https://*.services.ai.azure.com/*',
];

/**
 * Known-safe third-party matches, listed explicitly: `{ rule, file (RegExp on the path relative to
 * the scanned directory), snippet (RegExp the matched text must satisfy), why }`. Empty: nothing in
 * our dependencies needs an exception today.
 */
export const ALLOWLIST = [];

const SCANNED = new Set(['.js', '.mjs', '.cjs', '.html', '.htm', '.css']);

const Q = '[`\'"]';
const REMOTE = '(?:https?:)?//';

/** Rules on file text. `where`: which file kinds a rule applies to. */
const TEXT_RULES = [
  { rule: 'remote-script', where: ['.html', '.htm'], re: new RegExp(`<script\\b[^>]*\\bsrc\\s*=\\s*["']?${REMOTE}`, 'gi'), what: 'an HTML <script> loads remote code' },
  { rule: 'remote-script', where: ['.html', '.htm'], re: new RegExp(`<link\\b[^>]*\\brel\\s*=\\s*["']?(?:modulepreload|preload|stylesheet)[^>]*\\bhref\\s*=\\s*["']?${REMOTE}`, 'gi'), what: 'an HTML <link> pulls a remote module or stylesheet' },
  { rule: 'inline-script', where: ['.html', '.htm'], re: /<script\b(?![^>]*\bsrc\s*=)[^>]*>\s*[^<\s]/gi, what: 'an inline <script> (extension CSP blocks it; ship it as a file)' },
  { rule: 'remote-script', where: ['.js', '.mjs', '.cjs', '.html', '.htm'], re: new RegExp(`\\bimport\\s*\\(\\s*${Q}${REMOTE}`, 'g'), what: 'a dynamic import() of a remote URL' },
  { rule: 'remote-script', where: ['.js', '.mjs', '.cjs'], re: new RegExp(`(?:^|[;\\s}])import\\s*(?:[\\w*{}\\s,$]+from\\s*)?${Q}${REMOTE}`, 'g'), what: 'a static import from a remote URL' },
  { rule: 'remote-script', where: ['.js', '.mjs', '.cjs'], re: new RegExp(`\\bimportScripts\\s*\\([^)]*${Q}${REMOTE}`, 'g'), what: 'importScripts() of a remote URL' },
  { rule: 'remote-script', where: ['.js', '.mjs', '.cjs'], re: new RegExp(`\\b(?:addModule|Worker|SharedWorker|register)\\s*\\(\\s*${Q}${REMOTE}`, 'g'), what: 'a worklet, worker or service worker loaded from a remote URL' },
  { rule: 'remote-script', where: ['.js', '.mjs', '.cjs'], re: new RegExp(`\\.src\\s*=\\s*${Q}${REMOTE}`, 'g'), what: 'an element src set to a remote URL' },
  { rule: 'remote-script', where: ['.css', '.html', '.htm'], re: new RegExp(`@import\\s+(?:url\\(\\s*)?["']?${REMOTE}`, 'gi'), what: 'a CSS @import of a remote stylesheet' },
  { rule: 'blob-or-data-code', where: ['.js', '.mjs', '.cjs'], re: /\b(?:addModule|Worker|SharedWorker|importScripts|import)\s*\(\s*(?:URL\.createObjectURL\s*\(|[`'"](?:blob:|data:))/g, what: 'a worklet, worker or module loaded from a blob: or data: URL' },
  { rule: 'blob-or-data-code', where: ['.js', '.mjs', '.cjs'], re: /\bcreateObjectURL\s*\([^;]{0,300}?\baddModule\s*\(|\baddModule\s*\([^;]{0,300}?\bcreateObjectURL\s*\(/g, what: 'createObjectURL feeding audioWorklet.addModule' },
  { rule: 'blob-or-data-code', where: ['.js', '.mjs', '.cjs'], re: /new\s+Blob\s*\([^)]{0,400}?type\s*:\s*[`'"](?:text|application)\/(?:javascript|ecmascript)/g, what: 'a Blob of JavaScript (the only use of one is running it)' },
  { rule: 'blob-or-data-code', where: ['.js', '.mjs', '.cjs', '.html', '.htm'], re: /[`'"]data:(?:text|application)\/(?:javascript|ecmascript)/g, what: 'a data: URL of JavaScript' },
  { rule: 'blob-or-data-code', where: ['.html', '.htm'], re: /<script\b[^>]*\bsrc\s*=\s*["']?(?:blob:|data:)/gi, what: 'an HTML <script> from a blob: or data: URL' },
  { rule: 'eval', where: ['.js', '.mjs', '.cjs'], re: /(?<![.\w$])eval\s*\(/g, what: 'eval()' },
  { rule: 'eval', where: ['.js', '.mjs', '.cjs'], re: /\bnew\s+Function\s*\(/g, what: 'new Function()' },
  { rule: 'eval', where: ['.js', '.mjs', '.cjs'], re: /\bset(?:Timeout|Interval)\s*\(\s*[`'"]/g, what: 'setTimeout/setInterval with a string (an eval)' },
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function lineOf(text, index) {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function excerpt(text, index, length) {
  const start = Math.max(0, index - 30);
  return text.slice(start, Math.min(text.length, index + length + 30)).replace(/\s+/g, ' ');
}

function allowed(rule, file, snippet, allowlist) {
  return allowlist.some((a) => a.rule === rule && a.file.test(file) && a.snippet.test(snippet));
}

/** Scans one build directory's files; returns violations `{ rule, file, line, message }`. */
export function scanCode(dir, { label = dir, allowlist = ALLOWLIST } = {}) {
  const violations = [];
  for (const path of walk(dir)) {
    const ext = extname(path).toLowerCase();
    if (!SCANNED.has(ext)) continue;
    const text = readFileSync(path, 'utf8');
    const file = relative(dir, path).split('\\').join('/');
    // Several patterns of one rule can match the same code: report each stretch of code once.
    const seen = new Map();
    const overlaps = (rule, start, end) => (seen.get(rule) ?? []).some(([s, e]) => start < e && s < end);
    for (const r of TEXT_RULES) {
      if (!r.where.includes(ext)) continue;
      r.re.lastIndex = 0;
      for (const m of text.matchAll(r.re)) {
        const snippet = excerpt(text, m.index, m[0].length);
        if (allowed(r.rule, file, snippet, allowlist)) continue;
        if (overlaps(r.rule, m.index, m.index + m[0].length)) continue;
        seen.set(r.rule, [...(seen.get(r.rule) ?? []), [m.index, m.index + m[0].length]]);
        violations.push({ rule: r.rule, file: `${label}/${file}`, line: lineOf(text, m.index), message: `${r.what}: …${snippet}…` });
      }
    }
  }
  return violations;
}

function cspDirectives(csp) {
  const map = new Map();
  for (const part of String(csp).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/).filter(Boolean);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

/** Checks the built manifest.json of the extension. */
export function checkManifest(dir, { label = dir } = {}) {
  const file = `${label}/manifest.json`;
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return [{ rule: 'manifest', file, line: 0, message: 'no manifest.json in the extension build' }];
  let m;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return [{ rule: 'manifest', file, line: 0, message: `manifest.json is not valid JSON: ${e.message}` }];
  }
  const v = [];
  const add = (rule, message) => v.push({ rule, file, line: 0, message });
  for (const p of m.permissions ?? []) if (!ALLOWED_PERMISSIONS.includes(p)) add('permissions', `permission "${p}" is not one the extension uses (allowed: ${ALLOWED_PERMISSIONS.join(', ')})`);
  for (const p of m.optional_permissions ?? []) if (!ALLOWED_OPTIONAL_PERMISSIONS.includes(p)) add('permissions', `optional permission "${p}" is not one the extension asks for (allowed: ${ALLOWED_OPTIONAL_PERMISSIONS.join(', ')})`);
  if (Array.isArray(m.host_permissions) ? m.host_permissions.length : m.host_permissions) add('permissions', `host_permissions ${JSON.stringify(m.host_permissions)} (host access is only ever optional, asked at first use)`);
  for (const h of m.optional_host_permissions ?? []) if (!ALLOWED_OPTIONAL_HOST_PERMISSIONS.includes(h)) add('permissions', `optional host permission "${h}" is not one the extension asks for`);
  if (Array.isArray(m.content_scripts) ? m.content_scripts.length : m.content_scripts) add('permissions', 'content_scripts are declared (the extension injects into no page)');
  if (m.externally_connectable) add('permissions', 'externally_connectable lets other extensions or sites message the session host');
  const csp = m.content_security_policy;
  if (typeof csp === 'string') add('csp', 'content_security_policy is an MV2-style string; MV3 takes { extension_pages }');
  if (csp && typeof csp === 'object' && csp.sandbox) add('csp', 'a sandbox CSP is declared (sandboxed pages may run eval and remote code)');
  const pages = csp && typeof csp === 'object' ? csp.extension_pages : undefined;
  if (!pages) add('csp', "no content_security_policy.extension_pages: declare \"script-src 'self'; object-src 'self'\" explicitly");
  else {
    const d = cspDirectives(pages);
    const scripts = d.get('script-src') ?? d.get('default-src');
    if (!scripts) add('csp', `extension_pages CSP has no script-src: ${pages}`);
    else if (scripts.length !== 1 || scripts[0] !== "'self'") add('csp', `script-src allows more than 'self': ${scripts.join(' ')}`);
    for (const name of ['script-src-elem', 'script-src-attr', 'worker-src']) {
      const vals = d.get(name);
      if (vals && vals.some((x) => x !== "'self'" && x !== "'none'")) add('csp', `${name} allows more than 'self': ${vals.join(' ')}`);
    }
    const objects = d.get('object-src');
    if (objects && objects.some((x) => x !== "'self'" && x !== "'none'")) add('csp', `object-src allows more than 'self': ${objects.join(' ')}`);
  }
  return v;
}

/** Checks both builds; `extDir` and `libDir` may be null to skip one. */
export function checkBuildSecurity({ extDir, libDir, allowlist = ALLOWLIST }) {
  const violations = [];
  const label = (dir) => relative(process.cwd(), dir) || dir;
  if (extDir) violations.push(...checkManifest(extDir, { label: label(extDir) }), ...scanCode(extDir, { label: label(extDir), allowlist }));
  if (libDir) violations.push(...scanCode(libDir, { label: label(libDir), allowlist }));
  return violations;
}

export function formatViolations(violations) {
  return violations.map((v) => `  [${v.rule}] ${v.file}${v.line ? `:${v.line}` : ''}: ${v.message}`).join('\n');
}

function main(argv) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const arg = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const allowMissing = argv.includes('--allow-missing');
  const dirs = { extDir: resolve(root, arg('--ext', 'dist')), libDir: resolve(root, arg('--lib', 'dist-lib')) };
  for (const [key, dir] of Object.entries(dirs)) {
    if (existsSync(dir) && statSync(dir).isDirectory()) continue;
    if (allowMissing) {
      console.warn(`! ${dir} does not exist; skipped (--allow-missing).`);
      dirs[key] = null;
      continue;
    }
    console.error(`✗ build security check: ${dir} does not exist. Build first (npm run build, npm run build:lib), or pass --allow-missing.`);
    return 2;
  }
  const violations = checkBuildSecurity(dirs);
  const scanned = [dirs.extDir, dirs.libDir].filter(Boolean).map((d) => relative(root, d) || d).join(' and ');
  if (violations.length) {
    console.error(`✗ build security check: ${violations.length} violation(s) in ${scanned}:\n${formatViolations(violations)}`);
    return 1;
  }
  console.log(`✓ build security check: no remote code, no blob:/data: scripts or worklets, no eval, strict CSP and minimal permissions in ${scanned}.`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
