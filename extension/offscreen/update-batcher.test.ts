import { describe, expect, it } from 'vitest';
import type { HostUpdate } from '../shared/messages.ts';
import type { LogEvent } from '../shared/log-event.ts';
import { UpdateBatcher } from './update-batcher.ts';

function ev(seq: number): LogEvent {
  return { seq, session: 1, t: seq, wall: 0, source: 'rtvi', direction: 'local', type: `e${seq}`, data: {} };
}

function manualScheduler() {
  const pending: Array<() => void> = [];
  return {
    schedule: (fn: () => void) => {
      pending.push(fn);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    },
    run: () => pending.splice(0).forEach((f) => f()),
    get count() {
      return pending.length;
    },
  };
}

describe('UpdateBatcher', () => {
  it('schedules one flush per batch and keeps only the latest levels and status', () => {
    const sent: HostUpdate[][] = [];
    const s = manualScheduler();
    const b = new UpdateBatcher((u) => sent.push(u), 50, s.schedule);
    b.push({ kind: 'levels', levels: { mic: 0.1, bot: 0 } });
    b.push({ kind: 'levels', levels: { mic: 0.3, bot: 0.2 } });
    b.push({ kind: 'log', events: [ev(1)] });
    b.push({ kind: 'log', events: [ev(2), ev(3)] });
    expect(s.count).toBe(1);
    expect(sent).toHaveLength(0);
    s.run();
    expect(sent).toHaveLength(1);
    const levels = sent[0].filter((u) => u.kind === 'levels');
    expect(levels).toEqual([{ kind: 'levels', levels: { mic: 0.3, bot: 0.2 } }]);
    const logs = sent[0].flatMap((u) => (u.kind === 'log' ? u.events.map((e) => e.seq) : []));
    expect(logs).toEqual([1, 2, 3]);
  });

  it('coalesces conversation turns by id', () => {
    const sent: HostUpdate[][] = [];
    const s = manualScheduler();
    const b = new UpdateBatcher((u) => sent.push(u), 50, s.schedule);
    b.push({ kind: 'turn', turn: { id: 'a', role: 'user', text: 'he', final: false } });
    b.push({ kind: 'turn', turn: { id: 'a', role: 'user', text: 'hello', final: true } });
    b.push({ kind: 'turn', turn: { id: 'b', role: 'bot', text: 'hi', final: false } });
    s.run();
    expect(sent[0].filter((u) => u.kind === 'turn')).toEqual([
      { kind: 'turn', turn: { id: 'a', role: 'user', text: 'hello', final: true } },
      { kind: 'turn', turn: { id: 'b', role: 'bot', text: 'hi', final: false } },
    ]);
  });

  it('a clear drops log events queued before it', () => {
    const sent: HostUpdate[][] = [];
    const s = manualScheduler();
    const b = new UpdateBatcher((u) => sent.push(u), 50, s.schedule);
    b.push({ kind: 'log', events: [ev(1)] });
    b.push({ kind: 'events-cleared' });
    b.push({ kind: 'log', events: [ev(2)] });
    s.run();
    expect(sent[0][0]).toEqual({ kind: 'events-cleared' });
    expect(sent[0].flatMap((u) => (u.kind === 'log' ? u.events.map((e) => e.seq) : []))).toEqual([2]);
  });

  it('sends nothing when nothing is pending and discard drops the batch', () => {
    const sent: HostUpdate[][] = [];
    const s = manualScheduler();
    const b = new UpdateBatcher((u) => sent.push(u), 50, s.schedule);
    b.flushNow();
    b.push({ kind: 'log', events: [ev(1)] });
    b.discard();
    s.run();
    b.flushNow();
    expect(sent).toEqual([]);
  });
});
