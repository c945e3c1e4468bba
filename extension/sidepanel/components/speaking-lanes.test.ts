import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../shared/log-event.ts';
import { speakingLanes } from './speaking-lanes.ts';

let seq = 0;
const ev = (t: number, type: string, session = 1, source: LogEvent['source'] = 'rtvi'): LogEvent => ({ seq: ++seq, session, t, wall: 0, source, direction: 'local', type, data: null });

function lanes(rows: LogEvent[], now: number, windowMs = 60_000) {
  return speakingLanes(rows.length, (i) => rows[i], now, windowMs);
}

describe('speakingLanes', () => {
  it('pairs starts and stops per lane, keeps an open span open until now, and clips to the window', () => {
    const rows = [
      ev(1_000, 'user-started-speaking'),
      ev(3_000, 'user-stopped-speaking'),
      ev(3_500, 'bot-started-speaking'),
      ev(4_000, 'input_audio_buffer.append', 1, 'raw'),
      ev(6_000, 'bot-stopped-speaking'),
      ev(7_000, 'user-started-speaking'),
    ];
    expect(lanes(rows, 8_000)).toEqual({ session: 1, from: -52_000, to: 8_000, user: [[1_000, 3_000], [7_000, 8_000]], bot: [[3_500, 6_000]] });
    expect(lanes(rows, 8_000, 5_000)).toMatchObject({ user: [[7_000, 8_000]], bot: [[3_500, 6_000]] });
    expect(lanes(rows, 8_000, 2_000)).toMatchObject({ user: [[7_000, 8_000]], bot: [] });
  });

  it('shows only the newest session', () => {
    const rows = [ev(1_000, 'bot-started-speaking', 1), ev(2_000, 'bot-stopped-speaking', 1), ev(500, 'user-started-speaking', 2), ev(900, 'user-stopped-speaking', 2)];
    expect(lanes(rows, 1_000)).toMatchObject({ session: 2, user: [[500, 900]], bot: [] });
  });

  it('stops reading at the window start', () => {
    const rows: LogEvent[] = [];
    for (let t = 0; t < 100_000; t += 10) rows.push(ev(t, 'input_audio_buffer.append', 1, 'raw'));
    rows.push(ev(100_000, 'bot-started-speaking'), ev(100_500, 'bot-stopped-speaking'));
    let reads = 0;
    const out = speakingLanes(rows.length, (i) => (reads++, rows[i]), 101_000, 60_000);
    expect(out.bot).toEqual([[100_000, 100_500]]);
    expect(reads).toBeLessThan(6_200);
  });

  it('an empty history has empty lanes', () => {
    expect(lanes([], 0)).toEqual({ session: null, from: -60_000, to: 0, user: [], bot: [] });
  });
});
