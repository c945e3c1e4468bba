/**
 * The Event log's controls, as memoised components apart from the list. React re-sets `type` and
 * `name` on every <input> it re-renders: with the controls inside the list's component, each batch
 * of rows (20 a second in a conversation) rewrote some 60 inputs' attributes, restyled and re-laid
 * out the toolbar, on the main thread the offscreen capture path shares. Here the controls re-render
 * only when what they show changes; a type's checkbox only when its own count does.
 */
import { memo, useCallback, useLayoutEffect, useRef, type ChangeEvent } from 'react';
import type { DirectionFilter, EventView } from '../../inspector-core/event-filter.ts';
import { CATEGORY_LABELS, type EventCategory } from '../../inspector-core/event-category.ts';

/** A callback whose identity never changes and that always calls the latest `fn`. */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  useLayoutEffect(() => {
    ref.current = fn;
  });
  return useCallback((...args: A) => ref.current(...args), []);
}

const VIEWS: Array<[EventView, string]> = [
  ['rtvi', 'RTVI'],
  ['raw', 'Raw'],
  ['both', 'Both'],
];

export const FilterControls = memo(function FilterControls(p: {
  uid: string;
  text: string;
  onText(text: string): void;
  error: string | null;
  errorId: string;
  direction: DirectionFilter;
  onDirection(d: DirectionFilter): void;
  view: EventView;
  onView(v: EventView): void;
  hideAudio: boolean;
  onHideAudio(hide: boolean): void;
  categories: ReadonlySet<EventCategory>;
  onToggleCategory(c: EventCategory): void;
  readOnly: boolean;
  paused: boolean;
  onTogglePause(): void;
  /** Absent: no `Clear events` (a stored recording's log has nothing to clear). */
  onClear?: () => void;
  onExport(): void;
  /** Absent: no `Import events`. */
  onFile?: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <div className="insp-toolbar">
        <input
          type="search"
          className="insp-search"
          aria-label="Filter events"
          placeholder="Filter: text, /regex/, type:x, dir:out"
          value={p.text}
          onChange={(e) => p.onText(e.target.value)}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={p.error ? p.errorId : undefined}
          spellCheck={false}
        />
        <select aria-label="Direction" value={p.direction} onChange={(e) => p.onDirection(e.target.value as DirectionFilter)}>
          <option value="all">All directions</option>
          <option value="in">In (from provider)</option>
          <option value="out">Out (to provider)</option>
          <option value="local">Local</option>
        </select>
      </div>
      {p.error && (
        <p id={p.errorId} className="insp-error">
          {p.error}
        </p>
      )}
      <div className="insp-toolbar">
        <div role="radiogroup" aria-label="View" className="insp-views">
          {VIEWS.map(([v, label]) => (
            <label key={v} className="insp-radio">
              <input type="radio" name={`${p.uid}-view`} value={v} checked={p.view === v} onChange={() => p.onView(v)} />
              {label}
            </label>
          ))}
        </div>
        <label className="insp-radio">
          <input type="checkbox" checked={p.hideAudio} onChange={(e) => p.onHideAudio(e.target.checked)} />
          Hide audio frames
        </label>
      </div>
      <div className="insp-toolbar">
        <div role="group" aria-label="Quick filters" className="insp-chips">
          {CATEGORY_LABELS.map(([c, label]) => (
            <button key={c} type="button" className="insp-chip" aria-pressed={p.categories.has(c)} onClick={() => p.onToggleCategory(c)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      <div className="insp-toolbar">
        {!p.readOnly && (
          <button type="button" onClick={p.onTogglePause}>
            {p.paused ? 'Resume' : 'Pause'}
          </button>
        )}
        {p.onClear && (
          <button type="button" onClick={p.onClear}>
            Clear events
          </button>
        )}
        <button type="button" onClick={p.onExport}>
          Export events
        </button>
        {p.onFile && (
          <>
            <button type="button" onClick={() => fileInput.current?.click()}>
              Import events
            </button>
            <input ref={fileInput} type="file" accept=".jsonl,.ndjson,application/x-ndjson,application/jsonl,text/plain" hidden tabIndex={-1} onChange={p.onFile} />
          </>
        )}
      </div>
    </>
  );
});

/** One `Event types` entry: re-renders when its count or its checkbox changes, not for other types' rows. */
export const TypeOption = memo(function TypeOption({ type, count, shown, onToggle, onOnly }: { type: string; count: number; shown: boolean; onToggle(type: string): void; onOnly(type: string): void }) {
  return (
    <span className="insp-type">
      <label className="insp-type">
        <input type="checkbox" aria-label={type} checked={shown} onChange={() => onToggle(type)} />
        <span className="insp-type-name">{type}</span> <span className="insp-type-count">{count}</span>
      </label>
      <button type="button" className="insp-only" onClick={() => onOnly(type)}>
        <span aria-hidden="true">only</span>
        <span className="insp-sr">{`Only ${type}`}</span>
      </button>
    </span>
  );
});

/** The `Find event type` box, kept out of the picker's re-render for new counts. */
export const TypeFind = memo(function TypeFind({ value, onChange }: { value: string; onChange(v: string): void }) {
  return <input type="search" className="insp-type-find" aria-label="Find event type" placeholder="Find event type" value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />;
});
