/**
 * EventLog: the inspector's event list with its controls (names per ui-contract.md "Event log").
 * Rows read like DevTools' WebSocket frames table: one line each (time since Connect, delta to the
 * row above, direction arrow, type, a cut-off summary), actions shown on hover or focus, a
 * separator where a new Connect starts, and a detail pane under the list for the selected row.
 *
 * Props:
 * - `events: EventHistory | readonly LogEvent[]` — a live EventHistory (the log subscribes and
 *   re-renders at most once per animation frame, however fast rows arrive) or a fixed list (an
 *   imported session; wrapped in an unbounded history once per array identity).
 * - `onClear?()` — `Clear events` was pressed (no button without it: a stored recording's log). The log does not clear anything itself: the owner
 *   clears its EventHistory (and tells the session host); the session keeps running.
 * - `onExport()` — `Export events` was pressed; the owner builds the file (exportJsonl) with the
 *   adapter, model, settings and key it knows, and downloads it (downloadTextFile).
 * - `onImport?(file: File)` — a file was chosen after `Import events`; the owner parses it
 *   (parseJsonl) and mounts a read-only log for it, or shows the error via `notice`.
 * - `paused?: boolean`, `onPausedChange?(paused)` — optional control of `Pause`/`Resume`; when
 *   `paused` is omitted the log keeps its own pause state. While paused the list is frozen, rows
 *   keep arriving in the history and their number is shown.
 * - `readOnly?: boolean` — an imported session: no `Pause`, and a visible "Read-only" note.
 * - `notice?: string | null` — a message shown above the list (e.g. an import error), role=alert.
 * - `showSeq?: { seq: number; nonce: number } | null` — scroll to, select and focus that row (the
 *   error alert's `Show in log`); a new nonce repeats the jump.
 * - `className?: string`.
 *
 * Keyboard in the list (one Tab stop; roving tabindex): ↑/↓ move between rows, Home/End, →
 * opens a group or the selected row's detail, ← closes it, Enter shows the detail, `c` copies the
 * row as JSON, `p` pins it.
 */
import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type FocusEvent, type KeyboardEvent } from 'react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { LogEvent } from '../../shared/log-event.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { useHistoryOf, useHistoryRevision } from './use-history.ts';
import { IncrementalFilter, filterKey, warmSearchText, type DirectionFilter, type EventView, type FilterCriteria } from '../../inspector-core/event-filter.ts';
import { EventGrouper, type DisplayItem, type EventGroup } from '../../inspector-core/event-grouping.ts';
import { DIRECTION_ARROW, DIRECTION_WORDS, formatBytes, formatMs, summarizeEvent } from '../../inspector-core/event-summary.ts';
import { isAudioFrame, isErrorEvent, type EventCategory } from '../../inspector-core/event-category.ts';
import { DisplayClock, formatSinceConnect, formatWallClock } from '../../inspector-core/display-clock.ts';
import { payloadText, rowJsonText } from '../../inspector-core/raw-frame-text.ts';
import { EventDetail } from './event-detail.tsx';
import { FilterControls, TypeFind, TypeOption, useStableCallback } from './event-log-controls.tsx';
import './inspector.css';

export interface EventLogProps {
  events: EventHistory | readonly LogEvent[];
  onClear?(): void;
  onExport(): void;
  onImport?(file: File): void;
  paused?: boolean;
  onPausedChange?(paused: boolean): void;
  readOnly?: boolean;
  notice?: string | null;
  showSeq?: { seq: number; nonce: number } | null;
  className?: string;
  /**
   * Select (scroll to and focus) this event; a new object each request (the Conversation's "Show
   * events"). `focus: false` scrolls to and selects it without taking focus (the timeline's
   * "reveal the event nearest t": the keyboard stays on the playhead).
   */
  jumpRequest?: { seq: number; focus?: boolean } | null;
  /** The selected event (its detail shown) changed: the timeline marks it. */
  onSelectedChange?(seq: number | null): void;
}

/** How long after a wheel, touch, pointer press or key a scroll away from the end counts as the user's. */
const USER_SCROLL_WINDOW_MS = 400;
const ESTIMATED_ROW_PX = 24;
/** Filters whose incremental state is kept (the current one, the unfiltered view, one more). */
const PIPELINES_KEPT = 3;

interface Pipeline {
  key: string;
  /** No `Filter events` text: the view a cleared search box returns to. */
  unfiltered: boolean;
  filter: IncrementalFilter;
  grouper: EventGrouper;
}

/** One focusable row: a top-level item, or an event inside an opened group. */
interface NavRow {
  key: string;
  /** Index of the top-level item holding it (what the virtualizer scrolls to). */
  index: number;
  seq: number;
  event: LogEvent | null;
  group: EventGroup | null;
  /** Key of the group holding a nested row. */
  parent: string | null;
}

/**
 * The time column's clock over a history, fed in history (arrival) order, and the types whose rows
 * are audio frames (their `Event types` boxes follow `Hide audio frames`).
 */
function useDisplayClock(history: EventHistory, revision: number) {
  const state = useRef<{ history: EventHistory; epoch: number; next: number; clock: DisplayClock; audioTypes: Set<string> } | null>(null);
  if (!state.current || state.current.history !== history || state.current.epoch !== history.epoch) {
    state.current = { history, epoch: history.epoch, next: history.startIndex, clock: new DisplayClock(), audioTypes: new Set() };
  }
  const s = state.current;
  if (s.next < history.startIndex) s.next = history.startIndex;
  for (const end = history.endIndex; s.next < end; s.next++) {
    const ev = history.atAbsolute(s.next)!;
    s.clock.observe(ev);
    if (ev.audio !== undefined && !s.audioTypes.has(ev.type) && isAudioFrame(ev)) s.audioTypes.add(ev.type);
  }
  void revision;
  return s;
}

export function EventLog(props: EventLogProps) {
  const { onClear, onExport, onImport, readOnly = false, notice = null, className, showSeq = null } = props;
  const history = useHistoryOf(props.events);
  const revision = useHistoryRevision(history);
  const uid = useId();
  const clockState = useDisplayClock(history, revision);
  const clock = clockState.clock;

  const [view, setView] = useState<EventView>('both');
  const [text, setText] = useState('');
  const deferredText = useDeferredValue(text);
  const [direction, setDirection] = useState<DirectionFilter>('all');
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(() => new Set());
  const [shownTypes, setShownTypes] = useState<ReadonlySet<string>>(() => new Set());
  const [hideAudio, setHideAudio] = useState(true);
  const [categories, setCategories] = useState<ReadonlySet<EventCategory>>(() => new Set());
  const [typeQuery, setTypeQuery] = useState('');
  const [ownPaused, setOwnPaused] = useState(false);
  const paused = !readOnly && (props.paused ?? ownPaused);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [highlight, setHighlight] = useState<number | null>(null);
  const [pendingJump, setPendingJump] = useState<number | null>(null);
  const jumpFocus = useRef(true);
  const [copied, setCopied] = useState<{ seq: number; what: string } | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [detailSeq, setDetailSeq] = useState<number | null>(null);
  const [marked, setMarked] = useState<number | null>(null);
  const [pinned, setPinned] = useState<readonly number[]>([]);
  const [following, setFollowing] = useState(true);
  const [frozen, setFrozen] = useState<{ end: number; epoch: number } | null>(null);
  // Freeze point: the end of the history when Pause took effect (controlled or not).
  useEffect(() => {
    if (paused && frozen === null) setFrozen({ end: history.endIndex, epoch: history.epoch });
    else if (!paused && frozen !== null) setFrozen(null);
  }, [paused, frozen, history]);
  // A clear while paused empties the frozen view too.
  const upTo = paused && frozen ? (frozen.epoch === history.epoch ? frozen.end : history.startIndex) : undefined;
  const heldWhilePaused = upTo !== undefined ? history.endIndex - Math.max(upTo, history.startIndex) : 0;

  const typeCountsMap = history.typeCounts();
  const criteria = useMemo<FilterCriteria>(
    () => ({ text: deferredText, view, direction, excludedTypes: excluded, knownTypes: typeCountsMap, categories, hideAudio, shownTypes }),
    // The known types matter only for whether the query is one of them; filterKey reads that.
    [deferredText, view, direction, excluded, categories, hideAudio, shownTypes, typeCountsMap.has(deferredText.trim())],
  );

  // The filter and grouper keep state between renders and only process new rows. One pair per
  // filter, the last few kept: clearing `Filter events` (or going back to a query) then catches up
  // on the rows that arrived meanwhile instead of regrouping the whole history, which took a
  // 100-250 ms task over 100,000 rows.
  const pipelines = useRef<{ history: EventHistory; cache: Pipeline[]; active: Pipeline | null; revision: number } | null>(null);
  if (!pipelines.current || pipelines.current.history !== history) pipelines.current = { history, cache: [], active: null, revision: 0 };
  const { filterResult, items, itemsRevision } = useMemo(() => {
    const p = pipelines.current!;
    const key = filterKey(criteria);
    // The query before this one: a longer text searches only its matches (IncrementalFilter.run's seed).
    const previous = p.active;
    let pipe = p.cache.find((x) => x.key === key);
    if (pipe) p.cache.splice(p.cache.indexOf(pipe), 1);
    else pipe = { key, unfiltered: criteria.text.trim() === '', filter: new IncrementalFilter(history), grouper: new EventGrouper() };
    p.cache.unshift(pipe);
    trimPipelines(p.cache);
    p.active = pipe;
    const { filter, grouper } = pipe;
    const r = filter.run(criteria, upTo, previous?.filter);
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
  // True while a row in the list has focus: the user is reading it, so the list stops following
  // the tail (a screen reader's row must not run away under new events).
  const rowFocused = useRef(false);
  // The active row stays mounted even when scrolled out of view: unmounting the focused element
  // would drop keyboard focus to the page.
  const activeIndexHint = useRef(-1);
  const activeItemIndex = (): number => {
    if (activeKey === null) return -1;
    const holds = (it: (typeof items)[number] | undefined) => !!it && (it.key === activeKey || (it.kind === 'group' && it.events.some((ev) => String(ev.seq) === activeKey)));
    if (holds(items[activeIndexHint.current])) return activeIndexHint.current;
    activeIndexHint.current = items.findIndex(holds);
    return activeIndexHint.current;
  };
  const activeIndex = activeItemIndex();
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex < 0 || activeIndex >= range.count || indexes.includes(activeIndex)) return indexes;
      return [...indexes, activeIndex].sort((a, b) => a - b);
    },
    [activeIndex],
  );
  // A stable key function: the virtualizer recomputes every item's position whenever it changes
  // identity, a pass over the whole list; a new closure per render made each keystroke pay that pass
  // twice (the urgent render with the old list, then the filtered one).
  const getItemKey = useCallback((i: number) => items[i]?.key ?? i, [items, itemsRevision]);
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLLIElement>({
    rangeExtractor,
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: 8,
    getItemKey,
    // The panel shares its renderer's main thread with the offscreen session host: no synchronous
    // re-render on every scroll event while events stream in.
    useFlushSync: false,
  });

  // Only the user stops the follow. Scroll events also come from our own follow and from the
  // virtualizer correcting its offsets as rows are measured taller than estimated (a panel opened
  // mid-conversation measures a screenful at once); read as "the user scrolled away", those left a
  // fresh panel stuck short of its end. So leaving the end counts only shortly after a wheel, touch,
  // pointer press (the scrollbar) or key in the list, or as a move up over an unchanged list;
  // otherwise the follow goes on.
  const userScrollUntil = useRef(0);
  const noteUserScroll = useCallback(() => {
    if (userScrollUntil.current !== Infinity) userScrollUntil.current = performance.now() + USER_SCROLL_WINDOW_MS;
  }, []);
  // A scrollbar drag lasts as long as the button is held.
  const notePointerScroll = useCallback(() => {
    userScrollUntil.current = Infinity;
    const release = () => {
      userScrollUntil.current = performance.now() + USER_SCROLL_WINDOW_MS;
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
    };
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
  }, []);
  const followFrame = useRef(0);
  const followSoon = useCallback(() => {
    if (followFrame.current) return;
    followFrame.current = requestAnimationFrame(() => {
      followFrame.current = 0;
      const el = scrollRef.current;
      if (el && atBottom.current) el.scrollTop = el.scrollHeight;
    });
  }, []);
  const lastScroll = useRef({ top: 0, height: 0 });
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = !rowFocused.current && el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    // A move up over an unchanged list is someone scrolling (a script, find in page, assistive
    // technology), even without input we saw; a list that grew under us is not.
    const movedUp = el.scrollTop < lastScroll.current.top && el.scrollHeight === lastScroll.current.height;
    lastScroll.current = { top: el.scrollTop, height: el.scrollHeight };
    if (!bottom && !rowFocused.current && atBottom.current && !movedUp && performance.now() > userScrollUntil.current) {
      followSoon();
      return;
    }
    atBottom.current = bottom;
    setFollowing((f) => (f === bottom ? f : bottom));
  }, [followSoon]);

  // Follow the tail while the user is at the bottom: at most one scroll per frame, by offset.
  // scrollToIndex measured the list (forcing layout) on every batch, the panel's top cost at
  // 2,000 events/s; assigning scrollTop lets the browser clamp it in its own layout pass.
  useEffect(() => {
    if (!atBottom.current || items.length === 0 || pendingJump !== null) return;
    followSoon();
  }, [itemsRevision, items.length, followSoon, pendingJump]);
  useEffect(() => () => cancelAnimationFrame(followFrame.current), []);

  const jumpToLatest = () => {
    rowFocused.current = false;
    atBottom.current = true;
    setFollowing(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
    if (items.length > 0) virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
  };

  // Rows a keyboard user moves through: top-level items and the rows of opened groups. Built on
  // a key press only: rebuilding it for every batch of rows cost a pass over the whole list per frame.
  const buildNavRows = (): NavRow[] => {
    const out: NavRow[] = [];
    items.forEach((it, index) => {
      if (it.kind === 'event') out.push({ key: it.key, index, seq: it.event.seq, event: it.event, group: null, parent: null });
      else {
        out.push({ key: it.key, index, seq: it.events[0].seq, event: null, group: it, parent: null });
        if (expanded.has(it.key)) for (const ev of it.events) out.push({ key: String(ev.seq), index, seq: ev.seq, event: ev, group: null, parent: it.key });
      }
    });
    return out;
  };

  /** Focuses the row with `key` once the virtualizer renders it (a few frames at most). */
  const focusRow = useCallback(
    (row: NavRow) => {
      setActiveKey(row.key);
      const el = scrollRef.current;
      const find = () => el?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(row.key)}"]`) ?? null;
      const now = find();
      if (now) {
        now.focus({ preventScroll: false });
        return;
      }
      atBottom.current = false;
      virtualizer.scrollToIndex(row.index, { align: 'auto' });
      let frames = 0;
      const retry = () => {
        const r = find();
        if (r) r.focus({ preventScroll: true });
        else if (++frames < 30) requestAnimationFrame(retry);
      };
      requestAnimationFrame(retry);
    },
    [virtualizer],
  );

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
    setFollowing(false);
    virtualizer.scrollToIndex(index, { align: 'center' });
    setHighlight(pendingJump);
    setPendingJump(null);
    const target = pendingJump;
    setActiveKey(it.kind === 'event' ? it.key : String(target));
    setDetailSeq(target);
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
    if (jumpFocus.current) requestAnimationFrame(focusTarget);
  }, [pendingJump, items, itemsRevision, expanded, virtualizer]);

  const jumpTo = useCallback((seq: number, focus = true) => {
    jumpFocus.current = focus;
    const active = pipelines.current?.active;
    const inView = (active?.grouper.items ?? []).some((it) => (it.kind === 'event' ? it.event.seq === seq : it.events.some((e) => e.seq === seq)));
    if (!inView) {
      // The target is filtered out: show everything so the link can land.
      setText('');
      setView('both');
      setDirection('all');
      setExcluded(new Set());
      setCategories(new Set());
      setHideAudio(false);
    }
    setPendingJump(seq);
    // A target outside the frozen (paused) view never lands; stop waiting for it.
    setTimeout(() => setPendingJump((p) => (p === seq ? null : p)), 1500);
  }, []);
  useEffect(() => {
    if (!props.jumpRequest) return;
    jumpTo(props.jumpRequest.seq, props.jumpRequest.focus !== false);
  }, [props.jumpRequest, jumpTo]);
  const onSelectedChange = props.onSelectedChange;
  useEffect(() => {
    onSelectedChange?.(detailSeq);
  }, [detailSeq, onSelectedChange]);

  // `Show in log` from an error alert.
  useEffect(() => {
    if (!showSeq) return;
    scrollRef.current?.scrollIntoView({ block: 'nearest' });
    jumpTo(showSeq.seq);
  }, [showSeq, jumpTo]);

  const copyText = useCallback(async (seq: number, what: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied({ seq, what });
      setTimeout(() => setCopied((c) => (c?.seq === seq && c.what === what ? null : c)), 1500);
    } catch {
      setCopied(null);
    }
  }, []);
  const copyEvent = useCallback((ev: LogEvent) => void copyText(ev.seq, 'row', rowJsonText(ev)), [copyText]);

  const togglePin = useCallback((seq: number) => setPinned((p) => (p.includes(seq) ? p.filter((x) => x !== seq) : [...p, seq])), []);

  const toggleExpanded = useCallback((key: string) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });
  }, []);

  const selectEvent = useCallback((seq: number, key: string) => {
    setActiveKey(key);
    setDetailSeq(seq);
  }, []);

  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target instanceof HTMLElement && e.target.matches('input, textarea, select')) return;
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End', 'ArrowRight', 'ArrowLeft', 'Enter', 'c', 'p'].includes(e.key)) return;
    const navRows = buildNavRows();
    const i = navRows.findIndex((r) => r.key === activeKey);
    const cur = i >= 0 ? navRows[i] : null;
    const move = (to: number) => {
      const row = navRows[Math.max(0, Math.min(navRows.length - 1, to))];
      if (!row) return;
      e.preventDefault();
      focusRow(row);
      if (row.event && detailSeq !== null) setDetailSeq(row.seq);
    };
    switch (e.key) {
      case 'ArrowDown':
        return move(cur ? i + 1 : following ? navRows.length - 1 : 0);
      case 'ArrowUp':
        return move(cur ? i - 1 : navRows.length - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(navRows.length - 1);
      case 'ArrowRight':
        if (!cur) return;
        e.preventDefault();
        if (cur.group) {
          if (!expanded.has(cur.key)) toggleExpanded(cur.key);
        } else setDetailSeq(cur.seq);
        return;
      case 'ArrowLeft':
        if (!cur) return;
        e.preventDefault();
        if (cur.group && expanded.has(cur.key)) toggleExpanded(cur.key);
        else if (cur.event && detailSeq === cur.seq) setDetailSeq(null);
        else if (cur.parent) {
          const parent = navRows.find((r) => r.key === cur.parent);
          if (parent) focusRow(parent);
        }
        return;
      case 'Enter':
        if (!cur || e.target !== e.currentTarget.querySelector(`[data-row-key="${CSS.escape(cur.key)}"]`)) return;
        e.preventDefault();
        if (cur.group) toggleExpanded(cur.key);
        else setDetailSeq(detailSeq === cur.seq ? null : cur.seq);
        return;
      case 'c':
        if (!cur) return;
        e.preventDefault();
        copyEvent(cur.event ?? cur.group!.events[0]);
        return;
      case 'p':
        if (!cur) return;
        e.preventDefault();
        togglePin(cur.seq);
        return;
    }
  };

  const onListFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target === e.currentTarget || !(e.target instanceof HTMLElement) || !e.target.closest('li[data-row-key]')) return;
    rowFocused.current = true;
    if (atBottom.current) {
      atBottom.current = false;
      setFollowing(false);
    }
  };
  const onListBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget)) rowFocused.current = false;
  };

  const togglePause = () => {
    const next = !paused;
    if (props.paused === undefined) setOwnPaused(next);
    props.onPausedChange?.(next);
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) onImport?.(file);
  };

  const typeCounts = useMemo(() => [...history.typeCounts()].sort((a, b) => a[0].localeCompare(b[0])), [history, revision]);
  const audioTypes = clockState.audioTypes;
  const typeShown = (type: string) => !excluded.has(type) && !(hideAudio && audioTypes.has(type) && !shownTypes.has(type));
  const toggleType = (type: string) => {
    const on = typeShown(type);
    if (on) {
      if (shownTypes.has(type)) setShownTypes(without(shownTypes, type));
      if (!hideAudio || !audioTypes.has(type) || !shownTypes.has(type)) setExcluded(withItem(excluded, type));
    } else {
      setExcluded(without(excluded, type));
      if (hideAudio && audioTypes.has(type)) setShownTypes(withItem(shownTypes, type));
    }
  };
  const onlyType = (type: string) => {
    setExcluded(new Set(typeCounts.map(([t]) => t).filter((t) => t !== type)));
    setShownTypes(audioTypes.has(type) ? new Set([type]) : new Set());
    setCategories(new Set());
  };
  const showAllTypes = () => {
    setExcluded(new Set());
    setShownTypes(new Set());
  };
  const typeNeedle = typeQuery.trim().toLowerCase();
  const pickerTypes = typeNeedle ? typeCounts.filter(([t]) => t.toLowerCase().includes(typeNeedle)) : typeCounts;

  const toggleCategory = (c: EventCategory) => setCategories((s) => (s.has(c) ? without(s, c) : withItem(s, c)));
  // Stable identities, so the memoised controls skip the re-render every batch of rows causes.
  const onToggleCategory = useStableCallback(toggleCategory);
  const onToggleType = useStableCallback(toggleType);
  const onOnlyType = useStableCallback(onlyType);
  const onTogglePause = useStableCallback(togglePause);
  const onClearStable = useStableCallback(() => onClear?.());
  const onExportStable = useStableCallback(onExport);
  const onFileStable = useStableCallback(onFile);

  const shownRows = filterResult.rows.length;
  const filterErrorId = `${uid}-filter-error`;
  const detailEvent = detailSeq !== null ? history.bySeq(detailSeq) ?? null : null;
  const markedEvent = marked !== null ? history.bySeq(marked) ?? null : null;
  const pinnedEvents = pinned.map((s) => history.bySeq(s)).filter((e): e is LogEvent => e !== undefined);
  const virtualItems = virtualizer.getVirtualItems();
  // The list's one Tab stop is the active row while it is rendered, else the list itself.
  const activeRendered =
    activeKey !== null &&
    virtualItems.some((v) => {
      const it = items[v.index];
      return it !== undefined && (it.key === activeKey || (it.kind === 'group' && expanded.has(it.key) && it.events.some((ev) => String(ev.seq) === activeKey)));
    });
  const rowProps: RowCommon = { history, clock, onToggle: toggleExpanded, onCopy: copyEvent, onJump: jumpTo, onPin: togglePin, onSelect: selectEvent, pinned, copiedSeq: copied?.what === 'row' ? copied.seq : null, highlight, activeKey: activeRendered ? activeKey : null, detailSeq };

  return (
    <div className={`insp ${className ?? ''}`}>
      <FilterControls
        uid={uid}
        text={text}
        onText={setText}
        error={filterResult.error ?? null}
        errorId={filterErrorId}
        direction={direction}
        onDirection={setDirection}
        view={view}
        onView={setView}
        hideAudio={hideAudio}
        onHideAudio={setHideAudio}
        categories={categories}
        onToggleCategory={onToggleCategory}
        readOnly={readOnly}
        paused={paused}
        onTogglePause={onTogglePause}
        onClear={onClear ? onClearStable : undefined}
        onExport={onExportStable}
        onFile={onImport ? onFileStable : undefined}
      />
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
        {hideAudio && audioTypes.size > 0 && <span className="insp-muted"> · audio frames hidden</span>}
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
        {typeCounts.length > 6 && (
          <TypeFind value={typeQuery} onChange={setTypeQuery} />
        )}
        {(excluded.size > 0 || shownTypes.size > 0) && (
          <button type="button" className="insp-linkish" onClick={showAllTypes}>
            Show all types
          </button>
        )}
        {typeCounts.length === 0 && <span className="insp-muted">none yet</span>}
        {pickerTypes.map(([type, n]) => (
          <TypeOption key={type} type={type} count={n} shown={typeShown(type)} onToggle={onToggleType} onOnly={onOnlyType} />
        ))}
        {[...excluded].filter((t) => !history.typeCounts().has(t)).length > 0 && (
          <button type="button" className="insp-linkish" onClick={() => setExcluded(new Set([...excluded].filter((t) => history.typeCounts().has(t))))}>
            Forget hidden types no longer present
          </button>
        )}
      </fieldset>
      {pinnedEvents.length > 0 && (
        <section className="insp-pins" aria-label="Pinned events">
          <ul role="list">
            {pinnedEvents.map((ev) => (
              <li key={ev.seq}>
                <button type="button" className="insp-link" onClick={() => jumpTo(ev.seq)}>
                  {`${formatSinceConnect(clock.displayMs(ev))} ${ev.type} #${ev.seq}`}
                </button>
                <button type="button" className="insp-copy" onClick={() => togglePin(ev.seq)}>
                  <span aria-hidden="true">×</span>
                  <span className="insp-sr">{`Unpin event ${ev.seq}`}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {/* Busy while a typed filter waits for its deferred render: the list still shows the previous query. */}
      <div className="insp-scroll-wrap">
        <div ref={scrollRef} role="log" aria-label="Event log" aria-live="off" aria-busy={text !== deferredText ? true : undefined} className="insp-scroll" tabIndex={activeRendered ? -1 : 0} onScroll={onScroll} onWheel={noteUserScroll} onTouchMove={noteUserScroll} onPointerDown={notePointerScroll} onKeyDownCapture={noteUserScroll} onKeyDown={onListKey} onFocus={onListFocus} onBlur={onListBlur}>
          <ul role="list" className="insp-list" style={{ height: virtualizer.getTotalSize() }}>
            {virtualItems.map((vi) => {
              const item = items[vi.index];
              if (!item) return null;
              const prev = vi.index > 0 ? items[vi.index - 1] : null;
              const first = item.kind === 'event' ? item.event : item.events[0];
              const prevEv = prev ? (prev.kind === 'event' ? prev.event : prev.events[0]) : null;
              const newSession = !prevEv || prevEv.session !== first.session;
              const ms = clock.displayMs(first);
              const delta = newSession || !prevEv ? null : ms - clock.displayMs(prevEv);
              const isActive = rowProps.activeKey === item.key;
              return (
                <li
                  key={vi.key}
                  ref={virtualizer.measureElement}
                  data-index={vi.index}
                  data-seq={first.seq}
                  data-row-key={item.key}
                  data-ms={ms}
                  tabIndex={isActive ? 0 : -1}
                  className={`insp-item${isActive ? ' insp-active' : ''}`}
                  style={{ transform: `translateY(${vi.start}px)` }}
                  onFocus={(e) => {
                    if (e.target === e.currentTarget) setActiveKey(item.key);
                  }}
                >
                  {newSession && (
                    <div className="insp-sep">
                      Connect {first.session} · {formatWallClock(first.wall - ms)}
                    </div>
                  )}
                  {item.kind === 'event' ? <EventRow ev={item.event} delta={delta} {...rowProps} /> : <GroupRow group={item} delta={delta} expanded={expanded} version={`${item.events.length}:${item.spanMs}:${item.text.length}:${item.audioMs}`} {...rowProps} />}
                </li>
              );
            })}
          </ul>
        </div>
        {!following && items.length > 0 && (
          <button type="button" className="insp-jump" onClick={jumpToLatest}>
            Jump to latest
          </button>
        )}
      </div>
      {detailEvent && (
        <EventDetail
          ev={detailEvent}
          history={history}
          displayMs={clock.displayMs(detailEvent)}
          marked={markedEvent}
          pinned={pinned.includes(detailEvent.seq)}
          onMark={setMarked}
          onPin={togglePin}
          onCopyPayload={(ev) => void copyText(ev.seq, 'payload', payloadText(ev))}
          onCopyJson={(ev) => void copyText(ev.seq, 'json', rowJsonText(ev))}
          copied={copied?.seq === detailEvent.seq ? copied.what : null}
          onJump={jumpTo}
          onClose={() => setDetailSeq(null)}
        />
      )}
    </div>
  );
}

function without<T>(s: ReadonlySet<T>, v: T): Set<T> {
  const n = new Set(s);
  n.delete(v);
  return n;
}

function withItem<T>(s: ReadonlySet<T>, v: T): Set<T> {
  return new Set(s).add(v);
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

interface RowCommon {
  history: EventHistory;
  clock: DisplayClock;
  onToggle(key: string): void;
  onCopy(ev: LogEvent): void;
  onJump(seq: number): void;
  onPin(seq: number): void;
  onSelect(seq: number, key: string): void;
  pinned: readonly number[];
  copiedSeq: number | null;
  highlight: number | null;
  activeKey: string | null;
  detailSeq: number | null;
}

function TimeCells({ ms, delta }: { ms: number; delta: number | null }) {
  return (
    <>
      <span className="insp-time">{formatSinceConnect(ms)}</span>
      <span className="insp-delta" aria-label={delta === null ? undefined : `${delta} ms after the row above`}>
        {delta === null ? '' : `+${delta}`}
      </span>
    </>
  );
}

function Direction({ dir }: { dir: LogEvent['direction'] }) {
  return (
    <span className={`insp-dir insp-dir-${dir}`} title={DIRECTION_WORDS[dir]}>
      <span aria-hidden="true">{DIRECTION_ARROW[dir]}</span>
      <span className="insp-sr">{DIRECTION_WORDS[dir]}</span>
    </span>
  );
}

// Rows are memoised: a batch of new rows re-renders the new ones, not every row in view (each
// re-render rewrote the rows' attributes, the panel's largest script cost during a conversation).
const EventRow = memo(function EventRow({ ev, delta, history, clock, onCopy, onJump, onPin, onSelect, pinned, copiedSeq, highlight, activeKey, detailSeq, rowKey }: RowCommon & { ev: LogEvent; delta: number | null; rowKey?: string }) {
  const key = rowKey ?? String(ev.seq);
  const links = ev.source === 'raw' && ev.frameId !== undefined ? history.rtviFor(ev.frameId, ev.session) : null;
  // Buttons of rows other than the active one leave the Tab order: the list is one stop (roving tabindex).
  const tab = activeKey === key ? 0 : -1;
  const isPinned = pinned.includes(ev.seq);
  const selected = detailSeq === ev.seq;
  return (
    <div
      className={`insp-row insp-src-${ev.source}${highlight === ev.seq ? ' insp-highlight' : ''}${ev.malformed ? ' insp-malformed' : ''}${isErrorEvent(ev) ? ' insp-row-error' : ''}${selected ? ' insp-selected' : ''}`}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('button')) return;
        onSelect(ev.seq, key);
      }}
    >
      <div className="insp-row-head">
        <button type="button" className="insp-expand" tabIndex={tab} aria-expanded={selected} aria-label={`Details for event ${ev.seq}`} onClick={() => onSelect(ev.seq, key)}>
          {selected ? '▾' : '▸'}
        </button>
        <TimeCells ms={clock.displayMs(ev)} delta={delta} />
        <Direction dir={ev.direction} />
        <code className="insp-type-label">{ev.type}</code>
        <span className="insp-summary">{summarizeEvent(ev)}</span>
        {isPinned && <span className="insp-pin-mark" title="pinned">📌</span>}
        <span className="insp-actions">
          {ev.sourceFrameIds?.map((id) =>
            history.byFrameId(id, ev.session) ? (
              // The name comes from the hidden text: an aria-label that does not contain the visible
              // words fails WCAG 2.5.3 (label in name), and axe reports it as serious.
              <button key={id} type="button" tabIndex={tab} className="insp-link" onClick={() => onJump(history.byFrameId(id, ev.session)!.seq)}>
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
            <button key={r.seq} type="button" tabIndex={tab} className="insp-link" onClick={() => onJump(r.seq)}>
              <span aria-hidden="true">{r.type}</span>
              <span className="insp-sr">{`Show RTVI event ${r.seq} from frame ${ev.frameId}`}</span>
            </button>
          ))}
          <button type="button" tabIndex={tab} className="insp-copy" aria-pressed={isPinned} onClick={() => onPin(ev.seq)}>
            <span aria-hidden="true">Pin</span>
            <span className="insp-sr">{`Pin event ${ev.seq}`}</span>
          </button>
          <button type="button" tabIndex={tab} className="insp-copy" aria-label={`Copy event ${ev.seq}`} onClick={() => onCopy(ev)}>
            {copiedSeq === ev.seq ? 'Copied' : 'Copy'}
          </button>
        </span>
      </div>
    </div>
  );
});

/**
 * The grouper grows a group in place (same object, more rows), so `version` carries what changes
 * (its size, span and text) for the memo to see.
 */
const GroupRow = memo(function GroupRow(props: RowCommon & { group: EventGroup; delta: number | null; expanded: ReadonlySet<string>; version: string }) {
  const { group, delta, expanded, clock, onToggle, activeKey } = props;
  const { group: _g, delta: _d, expanded: _e, version: _v, ...rest } = props;
  const first = group.events[0];
  const open = expanded.has(group.key);
  const details =
    group.groupKind === 'audio'
      ? `${formatMs(group.audioMs)} audio, ${formatBytes(group.audioBytes)} over ${formatMs(group.spanMs)}`
      : group.groupKind === 'failure'
        ? `${group.text || 'failed'} (${group.events.length} rows: ${[...new Set(group.events.map(failureStep))].join(', ')})`
        : `“${group.text.length > 200 ? `${group.text.slice(0, 199)}…` : group.text}” over ${formatMs(group.spanMs)}`;
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowRight' && !open) onToggle(group.key);
    if (e.key === 'ArrowLeft' && open) onToggle(group.key);
  };
  let prev: LogEvent | null = null;
  return (
    <div className={`insp-row insp-group insp-src-${group.source}${group.groupKind === 'failure' ? ' insp-row-error' : ''}`} onClick={(e) => !(e.target as HTMLElement).closest('button, li li') && onToggle(group.key)}>
      <div className="insp-row-head">
        <button type="button" className="insp-expand" tabIndex={activeKey === group.key ? 0 : -1} aria-expanded={open} aria-label={`Group of ${group.events.length} ${group.type} from event ${first.seq}`} onClick={() => onToggle(group.key)} onKeyDown={onKey}>
          {open ? '▾' : '▸'}
        </button>
        <TimeCells ms={clock.displayMs(first)} delta={delta} />
        <Direction dir={group.direction} />
        <code className="insp-type-label">{group.type}</code>
        <span className="insp-badge">×{group.events.length}</span>
        <span className="insp-summary">{details}</span>
      </div>
      {open && (
        <ul role="list" className="insp-group-list">
          {group.events.map((ev) => {
            const d = prev ? clock.displayMs(ev) - clock.displayMs(prev) : null;
            prev = ev;
            const key = String(ev.seq);
            return (
              <li key={ev.seq} data-seq={ev.seq} data-row-key={key} data-ms={clock.displayMs(ev)} tabIndex={activeKey === key ? 0 : -1} className={activeKey === key ? 'insp-active' : undefined}>
                <EventRow {...rest} ev={ev} delta={d} rowKey={key} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
});

/** What one row of a folded failure was: `error state`, `host-error`, `disconnected`, … */
function failureStep(ev: LogEvent): string {
  const state = (ev.data as { state?: unknown } | null)?.state;
  return ev.type === 'transport-state' && typeof state === 'string' ? state : ev.type;
}

export type { DisplayItem };
