/**
 * EventLog: the inspector's event list with its controls (names per ui-contract.md "Event log").
 *
 * Props:
 * - `events: EventHistory | readonly LogEvent[]` — a live EventHistory (the log subscribes and
 *   re-renders at most once per animation frame, however fast rows arrive) or a fixed list (an
 *   imported session; wrapped in an unbounded history once per array identity).
 * - `onClear()` — `Clear events` was pressed. The log does not clear anything itself: the owner
 *   clears its EventHistory (and tells the session host); the session keeps running.
 * - `onExport()` — `Export events` was pressed; the owner builds the file (exportJsonl) with the
 *   adapter, model, settings and key it knows, and downloads it (downloadTextFile).
 * - `onImport(file: File)` — a file was chosen after `Import events`; the owner parses it
 *   (parseJsonl) and mounts a read-only log for it, or shows the error via `notice`.
 * - `paused?: boolean`, `onPausedChange?(paused)` — optional control of `Pause`/`Resume`; when
 *   `paused` is omitted the log keeps its own pause state. While paused the list is frozen, rows
 *   keep arriving in the history and their number is shown.
 * - `readOnly?: boolean` — an imported session: no `Pause`, and a visible "Read-only" note.
 * - `notice?: string | null` — a message shown above the list (e.g. an import error), role=alert.
 * - `className?: string`.
 */
import { useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LogEvent } from '../../shared/log-event.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { useHistoryOf, useHistoryRevision } from './use-history.ts';
import { IncrementalFilter, filterKey, warmSearchText, type DirectionFilter, type EventView, type FilterCriteria } from '../../inspector-core/event-filter.ts';
import { EventGrouper, type DisplayItem, type EventGroup } from '../../inspector-core/event-grouping.ts';
import { DIRECTION_ARROW, DIRECTION_WORDS, formatAbsolute, formatBytes, formatMs, formatRelative, summarizeEvent } from '../../inspector-core/event-summary.ts';
import { JsonTree } from './json-tree.tsx';
import './inspector.css';

export interface EventLogProps {
  events: EventHistory | readonly LogEvent[];
  onClear(): void;
  onExport(): void;
  onImport(file: File): void;
  paused?: boolean;
  onPausedChange?(paused: boolean): void;
  readOnly?: boolean;
  notice?: string | null;
  className?: string;
  /** Select (scroll to and focus) this event; a new object each request (the Conversation's "Show events"). */
  jumpRequest?: { seq: number } | null;
}

const VIEWS: Array<[EventView, string]> = [
  ['rtvi', 'RTVI'],
  ['raw', 'Raw'],
  ['both', 'Both'],
];
const ESTIMATED_ROW_PX = 30;
/** Filters whose incremental state is kept (the current one, the unfiltered view, one more). */
const PIPELINES_KEPT = 3;

interface Pipeline {
  key: string;
  /** No `Filter events` text: the view a cleared search box returns to. */
  unfiltered: boolean;
  filter: IncrementalFilter;
  grouper: EventGrouper;
}

export function EventLog(props: EventLogProps) {
  const { onClear, onExport, onImport, readOnly = false, notice = null, className } = props;
  const history = useHistoryOf(props.events);
  const revision = useHistoryRevision(history);
  const uid = useId();

  const [view, setView] = useState<EventView>('both');
  const [text, setText] = useState('');
  const deferredText = useDeferredValue(text);
  const [direction, setDirection] = useState<DirectionFilter>('all');
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(() => new Set());
  const [ownPaused, setOwnPaused] = useState(false);
  const paused = !readOnly && (props.paused ?? ownPaused);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [highlight, setHighlight] = useState<number | null>(null);
  const [pendingJump, setPendingJump] = useState<number | null>(null);
  const [copied, setCopied] = useState<number | null>(null);
  const [frozen, setFrozen] = useState<{ end: number; epoch: number } | null>(null);
  // Freeze point: the end of the history when Pause took effect (controlled or not).
  useEffect(() => {
    if (paused && frozen === null) setFrozen({ end: history.endIndex, epoch: history.epoch });
    else if (!paused && frozen !== null) setFrozen(null);
  }, [paused, frozen, history]);
  // A clear while paused empties the frozen view too.
  const upTo = paused && frozen ? (frozen.epoch === history.epoch ? frozen.end : history.startIndex) : undefined;
  const heldWhilePaused = upTo !== undefined ? history.endIndex - Math.max(upTo, history.startIndex) : 0;

  const criteria = useMemo<FilterCriteria>(() => ({ text: deferredText, view, direction, excludedTypes: excluded }), [deferredText, view, direction, excluded]);

  // The filter and grouper keep state between renders and only process new rows. One pair per
  // filter, the last few kept: clearing `Filter events` (or going back to a query) then catches up
  // on the rows that arrived meanwhile instead of regrouping the whole history, which took a
  // 100-250 ms task over 100,000 rows.
  const pipelines = useRef<{ history: EventHistory; cache: Pipeline[]; active: Pipeline | null; revision: number } | null>(null);
  if (!pipelines.current || pipelines.current.history !== history) pipelines.current = { history, cache: [], active: null, revision: 0 };
  const { filterResult, items, itemsRevision } = useMemo(() => {
    const p = pipelines.current!;
    const key = filterKey(criteria);
    let pipe = p.cache.find((x) => x.key === key);
    if (pipe) p.cache.splice(p.cache.indexOf(pipe), 1);
    else pipe = { key, unfiltered: criteria.text.trim() === '', filter: new IncrementalFilter(history), grouper: new EventGrouper() };
    p.cache.unshift(pipe);
    trimPipelines(p.cache);
    p.active = pipe;
    const { filter, grouper } = pipe;
    const r = filter.run(criteria, upTo);
    if (r.reset) grouper.reset(r.rows);
    else {
      if (r.removed.length > 0) grouper.trimFront(r.removed);
      if (r.appended > 0) grouper.append(r.rows, r.rows.length - r.appended);
    }
    // One counter across pipelines: switching filters must read as a change to the effects below.
    return { filterResult: r, items: grouper.items, itemsRevision: ++p.revision };
    // revision drives re-running on new rows; the refs hold the incremental state.
  }, [criteria, upTo, revision, history]);

  useSearchWarmup(history, revision);

  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLLIElement>({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: 8,
    getItemKey: (i) => items[i]?.key ?? i,
    // The panel shares its renderer's main thread with the offscreen session host: no synchronous
    // re-render on every scroll event while events stream in.
    useFlushSync: false,
  });

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  }, []);

  // Follow the tail while the user is at the bottom: at most one scroll per frame, by offset.
  // scrollToIndex measured the list (forcing layout) on every batch, the panel's top cost at
  // 2,000 events/s; assigning scrollTop lets the browser clamp it in its own layout pass.
  const followFrame = useRef(0);
  useEffect(() => {
    if (!atBottom.current || items.length === 0 || pendingJump !== null || followFrame.current) return;
    followFrame.current = requestAnimationFrame(() => {
      followFrame.current = 0;
      const el = scrollRef.current;
      if (el && atBottom.current) el.scrollTop = virtualizer.getTotalSize();
    });
  }, [itemsRevision, items.length, virtualizer, pendingJump]);
  useEffect(() => () => cancelAnimationFrame(followFrame.current), []);

  // Jump to a linked row once it is in the list.
  useEffect(() => {
    if (pendingJump === null) return;
    const index = items.findIndex((it) => (it.kind === 'event' ? it.event.seq === pendingJump : it.events.some((e) => e.seq === pendingJump)));
    if (index < 0) return;
    const it = items[index];
    if (it.kind === 'group' && !expanded.has(it.key)) {
      setExpanded((s) => new Set(s).add(it.key));
      return;
    }
    atBottom.current = false;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setHighlight(pendingJump);
    setPendingJump(null);
    const target = pendingJump;
    // The virtualizer renders the scrolled-to rows in a later commit (no flushSync), so look for
    // the row over a few frames before giving up.
    let frames = 0;
    const focusTarget = () => {
      // The innermost match: a row inside an expanded group, rather than the group holding it.
      const all = scrollRef.current?.querySelectorAll<HTMLElement>(`[data-seq="${target}"]`);
      const row = all?.[all.length - 1];
      if (row) row.focus({ preventScroll: true });
      else if (++frames < 30) requestAnimationFrame(focusTarget);
    };
    requestAnimationFrame(focusTarget);
  }, [pendingJump, items, itemsRevision, expanded, virtualizer]);

  const jumpTo = useCallback(
    (seq: number) => {
      const inView = (pipelines.current?.active?.grouper.items ?? []).some((it) => (it.kind === 'event' ? it.event.seq === seq : it.events.some((e) => e.seq === seq)));
      if (!inView) {
        // The target is filtered out: show everything so the link can land.
        setText('');
        setView('both');
        setDirection('all');
        setExcluded(new Set());
      }
      setPendingJump(seq);
      // A target outside the frozen (paused) view never lands; stop waiting for it.
      setTimeout(() => setPendingJump((p) => (p === seq ? null : p)), 1500);
    },
    [],
  );
  useEffect(() => {
    if (props.jumpRequest) jumpTo(props.jumpRequest.seq);
  }, [props.jumpRequest, jumpTo]);

  const copyEvent = useCallback(async (ev: LogEvent) => {
    try {
      await navigator.clipboard.writeText(JSON.stringify(ev, null, 2));
      setCopied(ev.seq);
      setTimeout(() => setCopied((c) => (c === ev.seq ? null : c)), 1500);
    } catch {
      setCopied(null);
    }
  }, []);

  const toggleExpanded = useCallback((key: string) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });
  }, []);

  const togglePause = () => {
    const next = !paused;
    if (props.paused === undefined) setOwnPaused(next);
    props.onPausedChange?.(next);
  };

  const fileInput = useRef<HTMLInputElement>(null);
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) onImport(file);
  };

  const typeCounts = useMemo(() => [...history.typeCounts()].sort((a, b) => a[0].localeCompare(b[0])), [history, revision]);
  const toggleType = (type: string) =>
    setExcluded((s) => {
      const n = new Set(s);
      if (n.has(type)) n.delete(type);
      else n.add(type);
      return n;
    });

  const shownRows = filterResult.rows.length;
  const filterErrorId = `${uid}-filter-error`;

  return (
    <div className={`insp ${className ?? ''}`}>
      <div className="insp-toolbar">
        <div role="radiogroup" aria-label="View" className="insp-views">
          {VIEWS.map(([v, label]) => (
            <label key={v} className="insp-radio">
              <input type="radio" name={`${uid}-view`} value={v} checked={view === v} onChange={() => setView(v)} />
              {label}
            </label>
          ))}
        </div>
        <input
          type="search"
          className="insp-search"
          aria-label="Filter events"
          placeholder="Filter events (text or /regex/)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={filterResult.error ? true : undefined}
          aria-describedby={filterResult.error ? filterErrorId : undefined}
          spellCheck={false}
        />
        <select aria-label="Direction" value={direction} onChange={(e) => setDirection(e.target.value as DirectionFilter)}>
          <option value="all">All directions</option>
          <option value="in">In (from provider)</option>
          <option value="out">Out (to provider)</option>
          <option value="local">Local</option>
        </select>
      </div>
      {filterResult.error && (
        <p id={filterErrorId} className="insp-error">
          {filterResult.error}
        </p>
      )}
      <div className="insp-toolbar">
        {!readOnly && (
          <button type="button" onClick={togglePause}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        )}
        <button type="button" onClick={onClear}>
          Clear events
        </button>
        <button type="button" onClick={onExport}>
          Export events
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import events
        </button>
        <input ref={fileInput} type="file" accept=".jsonl,.ndjson,application/x-ndjson,application/jsonl,text/plain" hidden tabIndex={-1} onChange={onFile} />
      </div>
      <div className="insp-counts">
        <span role="status" aria-label="Event count" className="insp-count">
          {history.size} events
        </span>
        <span>
          {' · '}
          {/* Named so tests and assistive tech can read what the view shows, not only what is held. */}
          <span role="status" aria-label="Shown events" aria-live="off">
            showing {shownRows}
          </span>
        </span>
        {history.dropped > 0 && (
          <span className="insp-dropped">
            {' · '}
            {history.dropped} dropped (memory budget {formatBytes(history.budgetBytes)})
          </span>
        )}
        {paused && (
          <span className="insp-held">
            {' · '}paused, {heldWhilePaused} new held
          </span>
        )}
        {readOnly && <span className="insp-readonly"> · Read-only import</span>}
      </div>
      {notice && (
        <p role="alert" className="insp-error">
          {notice}
        </p>
      )}
      <fieldset className="insp-types">
        <legend>Event types</legend>
        {typeCounts.length === 0 && <span className="insp-muted">none yet</span>}
        {typeCounts.map(([type, n]) => (
          <label key={type} className="insp-type">
            <input type="checkbox" aria-label={type} checked={!excluded.has(type)} onChange={() => toggleType(type)} />
            <span className="insp-type-name">{type}</span> <span className="insp-type-count">{n}</span>
          </label>
        ))}
        {[...excluded].filter((t) => !history.typeCounts().has(t)).length > 0 && (
          <button type="button" className="insp-linkish" onClick={() => setExcluded(new Set([...excluded].filter((t) => history.typeCounts().has(t))))}>
            Forget hidden types no longer present
          </button>
        )}
      </fieldset>
      {/* Busy while a typed filter waits for its deferred render: the list still shows the previous query. */}
      <div ref={scrollRef} role="log" aria-label="Event log" aria-live="off" aria-busy={text !== deferredText ? true : undefined} className="insp-scroll" tabIndex={0} onScroll={onScroll}>
        <ul role="list" className="insp-list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((vi) => {
            const item = items[vi.index];
            if (!item) return null;
            return (
              <li key={vi.key} ref={virtualizer.measureElement} data-index={vi.index} data-seq={item.kind === 'event' ? item.event.seq : item.events[0].seq} tabIndex={-1} className="insp-item" style={{ transform: `translateY(${vi.start}px)` }}>
                {item.kind === 'event' ? (
                  <EventRow ev={item.event} history={history} expanded={expanded.has(item.key)} onToggle={toggleExpanded} highlighted={highlight === item.event.seq} copied={copied === item.event.seq} onCopy={copyEvent} onJump={jumpTo} />
                ) : (
                  <GroupRow group={item} history={history} expanded={expanded} onToggle={toggleExpanded} highlight={highlight} copied={copied} onCopy={copyEvent} onJump={jumpTo} />
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}

/**
 * Keeps at most PIPELINES_KEPT pipelines, the active one (first) always. Typing a word makes one
 * per keystroke: those go first, so the latest view without text (what Backspace to empty returns
 * to) stays as long as possible.
 */
function trimPipelines(cache: Pipeline[]): void {
  while (cache.length > PIPELINES_KEPT) {
    let victim = cache.length - 1;
    for (let i = cache.length - 1; i > 0; i--) {
      if (!cache[i].unfiltered) {
        victim = i;
        break;
      }
    }
    cache.splice(victim, 1);
  }
}

/**
 * Builds the rows' search text in idle time, a slice at a time, so the first keystroke in
 * `Filter events` over a long history does not pay for all of it at once.
 */
function useSearchWarmup(history: EventHistory, revision: number): void {
  const warm = useRef({ history, epoch: -1, next: 0, handle: 0 as number, scheduled: false });
  useEffect(() => {
    const w = warm.current;
    if (w.history !== history || w.epoch !== history.epoch) Object.assign(w, { history, epoch: history.epoch, next: history.startIndex });
    if (w.scheduled) return;
    const idle: (cb: (d: { timeRemaining(): number }) => void) => number = typeof requestIdleCallback === 'function' ? (cb) => requestIdleCallback(cb, { timeout: 500 }) : (cb) => window.setTimeout(() => cb({ timeRemaining: () => 8 }), 16);
    const step = (d: { timeRemaining(): number }) => {
      w.scheduled = false;
      if (w.epoch !== w.history.epoch) return;
      if (w.next < w.history.startIndex) w.next = w.history.startIndex;
      const end = w.history.endIndex;
      while (w.next < end && d.timeRemaining() > 1) {
        const stop = Math.min(end, w.next + 500);
        for (; w.next < stop; w.next++) warmSearchText(w.history.atAbsolute(w.next)!);
      }
      if (w.next < end) {
        w.scheduled = true;
        w.handle = idle(step);
      }
    };
    w.scheduled = true;
    w.handle = idle(step);
  }, [history, revision]);
  useEffect(
    () => () => {
      const w = warm.current;
      if (!w.scheduled) return;
      if (typeof cancelIdleCallback === 'function') cancelIdleCallback(w.handle);
      else clearTimeout(w.handle);
    },
    [],
  );
}

interface RowProps {
  history: EventHistory;
  onToggle(key: string): void;
  onCopy(ev: LogEvent): void;
  onJump(seq: number): void;
}

function EventRow({ ev, history, expanded, onToggle, highlighted, copied, onCopy, onJump }: RowProps & { ev: LogEvent; expanded: boolean; highlighted: boolean; copied: boolean }) {
  const key = String(ev.seq);
  const links = ev.source === 'raw' && ev.frameId !== undefined ? history.rtviFor(ev.frameId, ev.session) : null;
  return (
    <div className={`insp-row insp-src-${ev.source}${highlighted ? ' insp-highlight' : ''}${ev.malformed ? ' insp-malformed' : ''}`}>
      <div className="insp-row-head">
        <button type="button" className="insp-expand" aria-expanded={expanded} aria-label={`Details for event ${ev.seq}`} onClick={() => onToggle(key)}>
          {expanded ? '▾' : '▸'}
        </button>
        <span className="insp-time" title={formatAbsolute(ev.wall)}>
          {formatRelative(ev.t)}
        </span>
        <span className={`insp-dir insp-dir-${ev.direction}`} title={DIRECTION_WORDS[ev.direction]}>
          <span aria-hidden="true">{DIRECTION_ARROW[ev.direction]}</span>
          <span className="insp-sr">{DIRECTION_WORDS[ev.direction]}</span>
        </span>
        <code className="insp-type-label">{ev.type}</code>
        <span className="insp-summary">{summarizeEvent(ev)}</span>
        <span className="insp-actions">
          {ev.sourceFrameIds?.map((id) =>
            history.byFrameId(id, ev.session) ? (
              // The name comes from the hidden text: an aria-label that does not contain the visible
              // words fails WCAG 2.5.3 (label in name), and axe reports it as serious.
              <button key={id} type="button" className="insp-link" onClick={() => onJump(history.byFrameId(id, ev.session)!.seq)}>
                <span aria-hidden="true">raw #{id}</span>
                <span className="insp-sr">{`Show raw frame ${id} of event ${ev.seq}`}</span>
              </button>
            ) : (
              <span key={id} className="insp-muted" title="dropped or not recorded">
                raw #{id}
              </span>
            ),
          )}
          {links?.map((r) => (
            <button key={r.seq} type="button" className="insp-link" onClick={() => onJump(r.seq)}>
              <span aria-hidden="true">{r.type}</span>
              <span className="insp-sr">{`Show RTVI event ${r.seq} from frame ${ev.frameId}`}</span>
            </button>
          ))}
          <button type="button" className="insp-copy" aria-label={`Copy event ${ev.seq}`} onClick={() => onCopy(ev)}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </span>
      </div>
      {expanded && <JsonTree value={ev} />}
    </div>
  );
}

function GroupRow({ group, history, expanded, onToggle, highlight, copied, onCopy, onJump }: RowProps & { group: EventGroup; expanded: ReadonlySet<string>; highlight: number | null; copied: number | null }) {
  const first = group.events[0];
  const open = expanded.has(group.key);
  const details = group.groupKind === 'audio' ? `${formatMs(group.audioMs)} audio, ${formatBytes(group.audioBytes)} over ${formatMs(group.spanMs)}` : `“${group.text.length > 200 ? `${group.text.slice(0, 199)}…` : group.text}” over ${formatMs(group.spanMs)}`;
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowRight' && !open) onToggle(group.key);
    if (e.key === 'ArrowLeft' && open) onToggle(group.key);
  };
  return (
    <div className={`insp-row insp-group insp-src-${group.source}`}>
      <div className="insp-row-head">
        <button type="button" className="insp-expand" aria-expanded={open} aria-label={`Group of ${group.events.length} ${group.type} from event ${first.seq}`} onClick={() => onToggle(group.key)} onKeyDown={onKey}>
          {open ? '▾' : '▸'}
        </button>
        <span className="insp-time" title={formatAbsolute(first.wall)}>
          {formatRelative(first.t)}
        </span>
        <span className={`insp-dir insp-dir-${group.direction}`} title={DIRECTION_WORDS[group.direction]}>
          <span aria-hidden="true">{DIRECTION_ARROW[group.direction]}</span>
          <span className="insp-sr">{DIRECTION_WORDS[group.direction]}</span>
        </span>
        <code className="insp-type-label">{group.type}</code>
        <span className="insp-badge">×{group.events.length}</span>
        <span className="insp-summary">{details}</span>
      </div>
      {open && (
        <ul role="list" className="insp-group-list">
          {group.events.map((ev) => (
            <li key={ev.seq} data-seq={ev.seq} tabIndex={-1}>
              <EventRow ev={ev} history={history} expanded={expanded.has(String(ev.seq))} onToggle={onToggle} highlighted={highlight === ev.seq} copied={copied === ev.seq} onCopy={onCopy} onJump={onJump} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export type { DisplayItem };
