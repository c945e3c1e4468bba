import { useEffect, useState } from 'react';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { speakingLanes, type SpeakingLanes, type Span } from './speaking-lanes.ts';
import { panelBeat } from '../redraw-beat.ts';

const WINDOW_MS = 60_000;
/** Early in a session the window is the session so far (at least this long), not a mostly empty minute. */
const MIN_WINDOW_MS = 15_000;
/** The strip slides with time, not only with new rows: redraw at this pace while live, on the panel's beat (redraw-beat.ts). */
const REDRAW_MS = 500;

export interface SpeakingStripProps {
  history: EventHistory;
  /** A session is open: the window follows the clock. */
  live: boolean;
}

/** Two lanes (you / bot) over the last minute of the newest session. */
export function SpeakingStrip({ history, live }: SpeakingStripProps) {
  const [lanes, setLanes] = useState<SpeakingLanes | null>(null);
  useEffect(() => {
    let drawnRevision = -1;
    const draw = () => {
      if (!live && history.revision === drawnRevision) return;
      drawnRevision = history.revision;
      const newest = history.at(history.size - 1);
      // The host's `t` clock, carried forward by wall time since the newest row.
      const now = newest ? newest.t + (live ? Math.max(0, Date.now() - newest.wall) : 0) : 0;
      const windowMs = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, Math.ceil(now / 5_000) * 5_000));
      setLanes(speakingLanes(history.size, (i) => history.at(i), now, windowMs));
    };
    draw();
    const beat = panelBeat();
    const timer = setInterval(() => beat.request(draw, REDRAW_MS), REDRAW_MS);
    return () => {
      clearInterval(timer);
      beat.cancel(draw);
    };
  }, [history, live]);
  if (!lanes || lanes.session === null) return null;
  const span = lanes.to - lanes.from;
  const x = (t: number) => ((t - lanes.from) / span) * 100;
  const bars = (spans: Span[], y: number, cls: string) =>
    spans.map(([a, b]) => <rect key={`${cls}-${a}`} className={cls} x={`${x(a)}%`} y={y} width={`${Math.max(0.4, x(b) - x(a))}%`} height={10} rx={2} />);
  const seconds = Math.round(span / 1000);
  const label = `Who spoke when, last ${seconds} s: you ${count(lanes.user)}, bot ${count(lanes.bot)}`;
  return (
    <div className="speaking-strip">
      <span className="speaking-strip-labels" aria-hidden="true">
        <span>You</span>
        <span>Bot</span>
      </span>
      <svg role="img" aria-label={label} width="100%" height={28} preserveAspectRatio="none">
        <rect className="strip-lane" x="0" y={1} width="100%" height={10} />
        <rect className="strip-lane" x="0" y={16} width="100%" height={10} />
        {bars(lanes.user, 1, 'strip-user')}
        {bars(lanes.bot, 16, 'strip-bot')}
      </svg>
      <span className="speaking-strip-axis muted" aria-hidden="true">
        −{seconds} s … now
      </span>
    </div>
  );
}

function count(spans: Span[]): string {
  return spans.length === 1 ? 'once' : `${spans.length} times`;
}
