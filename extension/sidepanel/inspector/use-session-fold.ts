import { useEffect, useRef, useState } from 'react';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import type { LogEvent } from '../../shared/log-event.ts';
import { panelBeat } from '../redraw-beat.ts';

/** An accumulator over one session's rows (SessionMetricsAccumulator, ServiceMetricsAccumulator). */
export interface SessionFold<S> {
  readonly session: number | null;
  add(ev: LogEvent): void;
  snapshot(): S;
}

/**
 * Folds new history rows into an accumulator for `session` (default: the newest session in the
 * stream, restarting when a newer one begins) and re-renders at most every `refreshMs`, on the
 * panel's beat (redraw-beat.ts). Only rows not yet read are folded; a clear (new epoch) starts over.
 */
export function useSessionFold<S>(history: EventHistory, session: number | undefined, refreshMs: number, create: (session: number) => SessionFold<S>, empty: S): S {
  const [value, setValue] = useState<S>(empty);
  const state = useRef<{ acc: SessionFold<S> | null; next: number; epoch: number }>({ acc: null, next: 0, epoch: -1 });
  // The factory and the empty value are fixed per caller; reading them through a ref keeps the effect's deps honest.
  const make = useRef({ create, empty });
  make.current = { create, empty };
  useEffect(() => {
    state.current = { acc: null, next: 0, epoch: -1 };
    const fold = () => {
      const s = state.current;
      if (s.epoch !== history.epoch) {
        s.acc = null;
        s.next = history.startIndex;
        s.epoch = history.epoch;
      }
      if (s.next < history.startIndex) s.next = history.startIndex;
      const end = history.endIndex;
      for (let a = s.next; a < end; a++) {
        const ev = history.atAbsolute(a)!;
        if (session !== undefined && ev.session !== session) continue;
        if (!s.acc || (session === undefined && ev.session > (s.acc.session ?? -Infinity))) s.acc = make.current.create(ev.session);
        s.acc.add(ev);
      }
      s.next = end;
      setValue(s.acc ? s.acc.snapshot() : make.current.empty);
    };
    fold();
    const beat = panelBeat();
    const off = history.subscribe(() => beat.request(fold, refreshMs));
    return () => {
      off();
      beat.cancel(fold);
    };
  }, [history, session, refreshMs]);
  return value;
}
