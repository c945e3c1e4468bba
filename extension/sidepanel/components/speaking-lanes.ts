import type { LogEvent } from '../../shared/log-event.ts';

/** One speaker's spans, in ms since connect, clipped to the window. An open span ends at `now`. */
export type Span = [start: number, end: number];

export interface SpeakingLanes {
  session: number | null;
  /** Window start and end (ms since connect). */
  from: number;
  to: number;
  user: Span[];
  bot: Span[];
}

const LANE: Record<string, { lane: 'user' | 'bot'; start: boolean }> = {
  'user-started-speaking': { lane: 'user', start: true },
  'user-stopped-speaking': { lane: 'user', start: false },
  'bot-started-speaking': { lane: 'bot', start: true },
  'bot-stopped-speaking': { lane: 'bot', start: false },
};

/**
 * Who spoke when over the last `windowMs` of the newest session, from the speaking events (bot
 * speaking events follow actual playback; user ones the detector that reported them). Reads rows
 * newest first through `at(i)` and stops at the window's start, so a long history costs nothing.
 */
export function speakingLanes(size: number, at: (i: number) => LogEvent | undefined, now: number, windowMs: number): SpeakingLanes {
  const newest = at(size - 1);
  const session = newest?.session ?? null;
  const from = now - windowMs;
  const lanes: SpeakingLanes = { session, from, to: now, user: [], bot: [] };
  if (!newest) return lanes;
  // Walking backwards: the end of the span being built, per lane (now if still open).
  const openEnd: Record<'user' | 'bot', number | null> = { user: null, bot: null };
  const seen: Record<'user' | 'bot', boolean> = { user: false, bot: false };
  let i = size - 1;
  for (; i >= 0; i--) {
    const ev = at(i);
    if (!ev || ev.session !== session) break;
    const role = ev.source === 'rtvi' ? LANE[ev.type] : undefined;
    if (!role) {
      // Older than the window with no span waiting for its start: nothing further back matters.
      if (ev.t < from && openEnd.user === null && openEnd.bot === null) break;
      continue;
    }
    const lane = role.lane;
    if (role.start) {
      const end = openEnd[lane] ?? (seen[lane] ? null : now);
      if (end !== null && end > from) lanes[lane].push([Math.max(from, ev.t), Math.min(now, end)]);
      openEnd[lane] = null;
    } else {
      openEnd[lane] = ev.t;
    }
    seen[lane] = true;
    if (ev.t < from) {
      // One older start may still open a span that reaches into the window; after that, stop.
      if (openEnd.user === null && openEnd.bot === null) break;
    }
  }
  lanes.user.reverse();
  lanes.bot.reverse();
  return lanes;
}
