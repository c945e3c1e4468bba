export interface BuildViolation {
  rule: 'remote-script' | 'inline-script' | 'blob-or-data-code' | 'eval' | 'manifest' | 'permissions' | 'csp';
  file: string;
  line: number;
  message: string;
}
export interface AllowlistEntry {
  rule: BuildViolation['rule'];
  file: RegExp;
  snippet: RegExp;
  why: string;
}
export const ALLOWED_PERMISSIONS: string[];
export const ALLOWLIST: AllowlistEntry[];
export function scanCode(dir: string, opts?: { label?: string; allowlist?: AllowlistEntry[] }): BuildViolation[];
export function checkManifest(dir: string, opts?: { label?: string }): BuildViolation[];
export function checkBuildSecurity(opts: { extDir: string | null; libDir: string | null; allowlist?: AllowlistEntry[] }): BuildViolation[];
export function formatViolations(violations: BuildViolation[]): string;
