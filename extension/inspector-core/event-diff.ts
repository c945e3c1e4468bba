/**
 * Structural difference of two JSON values (the Diff of two selected events, e.g. the
 * `session.update` sent against the `session.updated` the provider answered). Paths are written
 * `a.b[2].c`; objects compare by key, arrays by index.
 */
export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffEntry {
  path: string;
  kind: DiffKind;
  /** Value in the first event (absent for `added`). */
  before?: unknown;
  /** Value in the second event (absent for `removed`). */
  after?: unknown;
}

/** Entries are capped so two huge frames never build thousands of rows. */
export const MAX_DIFF_ENTRIES = 500;

export function diffJson(a: unknown, b: unknown, max = MAX_DIFF_ENTRIES): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk(a, b, '', out, max);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: DiffEntry[], max: number): void {
  if (out.length >= max) return;
  if (Object.is(a, b)) return;
  const aObj = isContainer(a);
  const bObj = isContainer(b);
  if (aObj && bObj && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n && out.length < max; i++) {
        const p = `${path}[${i}]`;
        if (i >= a.length) out.push({ path: p, kind: 'added', after: b[i] });
        else if (i >= b.length) out.push({ path: p, kind: 'removed', before: a[i] });
        else walk(a[i], b[i], p, out, max);
      }
      return;
    }
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])];
    for (const k of keys) {
      if (out.length >= max) return;
      const p = path === '' ? k : `${path}.${k}`;
      const inA = Object.prototype.hasOwnProperty.call(ao, k);
      const inB = Object.prototype.hasOwnProperty.call(bo, k);
      if (!inA) out.push({ path: p, kind: 'added', after: bo[k] });
      else if (!inB) out.push({ path: p, kind: 'removed', before: ao[k] });
      else walk(ao[k], bo[k], p, out, max);
    }
    return;
  }
  out.push({ path: path === '' ? '(whole value)' : path, kind: 'changed', before: a, after: b });
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

/**
 * The part of a row worth comparing: a provider frame's body without the envelope fields that
 * always differ (`event_id`, and `type` itself when the two types differ only by tense).
 */
export function comparablePayload(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const { event_id: _id, ...rest } = data as Record<string, unknown>;
  return rest;
}
