import type { ReactNode } from 'react';

/**
 * An expandable JSON tree built on <details>/<summary>, which are keyboard operable (Enter/Space)
 * and announced as disclosures without any script. Big containers show their first entries only,
 * so opening a large frame never renders thousands of nodes.
 */
const MAX_CHILDREN = 200;

interface JsonTreeProps {
  value: unknown;
  /** Levels open from the start. */
  openDepth?: number;
}

export function JsonTree({ value, openDepth = 1 }: JsonTreeProps) {
  return <div className="insp-json">{renderNode(null, value, 0, openDepth)}</div>;
}

function renderNode(name: string | null, value: unknown, depth: number, openDepth: number): ReactNode {
  const label = name === null ? null : <span className="insp-json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="insp-json-leaf">
        {label}
        <span className={`insp-json-${value === null ? 'null' : typeof value}`}>{formatLeaf(value)}</span>
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  const open = Array.isArray(value) ? '[' : '{';
  const close = Array.isArray(value) ? ']' : '}';
  if (entries.length === 0) {
    return (
      <div className="insp-json-leaf">
        {label}
        <span className="insp-json-punct">{open + close}</span>
      </div>
    );
  }
  const shown = entries.slice(0, MAX_CHILDREN);
  return (
    <details className="insp-json-node" open={depth < openDepth}>
      <summary>
        {label}
        <span className="insp-json-punct">
          {open}
          {entries.length} {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}
          {close}
        </span>
      </summary>
      <div className="insp-json-children">
        {shown.map(([k, v]) => (
          <div key={k}>{renderNode(k, v, depth + 1, openDepth)}</div>
        ))}
        {entries.length > shown.length && <div className="insp-json-more">… {entries.length - shown.length} more</div>}
      </div>
    </details>
  );
}

function formatLeaf(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 2000 ? `${v.slice(0, 2000)}…` : v);
  if (v === undefined) return 'undefined';
  return String(v);
}
