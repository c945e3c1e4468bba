import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { exportFileName, exportJsonl, parseJsonl } from './jsonl-export.ts';
import { makeSyntheticEvents } from './synthetic-events.ts';

const KEY = 'AIzaSyD-test-key-0123456789abcdefghij';
const OPENAI_KEY = 'myproxy-secret-4f9a8b7c';

function leakyEvents(): LogEvent[] {
  return [
    { seq: 1, session: 1, t: 0, wall: 1, source: 'transport', direction: 'local', type: 'socket-opening', data: { url: `wss://generativelanguage.googleapis.com/ws/x?key=${KEY}&alt=1`, protocols: ['realtime', `openai-insecure-api-key.${OPENAI_KEY}`] } },
    { seq: 2, session: 1, t: 5, wall: 2, source: 'raw', direction: 'in', type: 'error', data: { error: { message: `Incorrect API key provided: ${OPENAI_KEY}` } }, bytes: 80, frameId: 1 },
    { seq: 3, session: 1, t: 6, wall: 3, source: 'rtvi', direction: 'local', type: 'error', data: { message: `bad ${KEY}`, headers: { Authorization: 'Bearer ek_abcdef123456' } }, sourceFrameIds: [1] },
    { seq: 4, session: 1, t: 7, wall: 4, source: 'raw', direction: 'out', type: 'session.update', data: { session: { instructions: 'be nice' }, [KEY]: 'key as a field name' }, bytes: 50, frameId: 2 },
  ];
}

describe('exportJsonl', () => {
  it('writes a session header then one event per line, in order', () => {
    const events = makeSyntheticEvents(50);
    const text = exportJsonl({ adapter: 'openai-realtime', model: 'gpt-realtime', settings: { voice: 'marin', apiKey: 'zzz-secret-zzz' }, appVersion: '0.1.0', events, now: new Date('2026-01-02T03:04:05Z') });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(51);
    const header = JSON.parse(lines[0]);
    expect(header).toEqual({ type: 'session', adapter: 'openai-realtime', model: 'gpt-realtime', settings: { voice: 'marin' }, exportedAt: '2026-01-02T03:04:05.000Z', appVersion: '0.1.0', eventCount: 50 });
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual(events);
    expect(text).not.toContain('zzz-secret-zzz');
  });

  it('leaves no trace of the key: payloads, URLs, subprotocols, headers, object keys', () => {
    const text = exportJsonl({ adapter: 'gemini-live', settings: { endpoint: `wss://h/ws?access_token=${KEY}`, key: KEY }, appVersion: '0.1.0', events: leakyEvents(), secrets: [KEY, OPENAI_KEY] });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain('ek_abcdef123456');
    expect(text).not.toContain(KEY.slice(0, 20));
    expect(text).toContain('[redacted]');
    expect(text).toContain('be nice');
    // Still valid JSONL that imports to the same rows (with secrets redacted).
    const parsed = parseJsonl(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.session.events.map((e) => [e.seq, e.type])).toEqual(leakyEvents().map((e) => [e.seq, e.type]));
      expect(JSON.stringify(parsed.session.events[0].data)).toContain('openai-insecure-api-key.[redacted]');
    }
  });

  it('redacts credential shapes even when the exact key is not given', () => {
    const text = exportJsonl({ adapter: 'gemini-live', appVersion: '0.1.0', events: leakyEvents() });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(`openai-insecure-api-key.${OPENAI_KEY}`);
    expect(text).not.toContain('ek_abcdef123456');
  });

  it('file name is safe', () => {
    expect(exportFileName('openai realtime/x', new Date('2026-01-02T03:04:05Z'))).toBe('voice-session-openai-realtime-x-2026-01-02T03-04-05-000Z.jsonl');
  });
});

describe('parseJsonl', () => {
  const good = () => exportJsonl({ adapter: 'loopback', appVersion: '0.1.0', events: makeSyntheticEvents(20) });

  it('round-trips an export into a read-only session', () => {
    const r = parseJsonl(good());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.session.header.adapter).toBe('loopback');
    expect(r.session.events).toEqual(makeSyntheticEvents(20));
    expect(Object.isFrozen(r.session.events)).toBe(true);
    expect(Object.isFrozen(r.session.events[0])).toBe(true);
    expect(() => (r.session.events as LogEvent[]).push(makeSyntheticEvents(1)[0])).toThrow();
  });

  it('accepts CRLF and blank lines', () => {
    const r = parseJsonl(good().replace(/\n/g, '\r\n\r\n'));
    expect(r.ok && r.session.events.length).toBe(20);
  });

  it('reports the first bad line with its number and applies nothing', () => {
    const lines = good().trimEnd().split('\n');
    const cases: Array<[string, number, RegExp]> = [
      [[...lines.slice(0, 5), '{not json', ...lines.slice(5)].join('\n'), 6, /not valid JSON/],
      [[...lines.slice(0, 3), JSON.stringify({ ...JSON.parse(lines[3]), seq: 'x' }), ...lines.slice(4)].join('\n'), 4, /"seq"/],
      [[...lines.slice(0, 3), JSON.stringify({ ...JSON.parse(lines[3]), source: 'other' }), ...lines.slice(4)].join('\n'), 4, /"source"/],
      [[...lines.slice(0, 3), JSON.stringify({ ...JSON.parse(lines[3]), direction: 'up' }), ...lines.slice(4)].join('\n'), 4, /"direction"/],
      [[...lines.slice(0, 2), JSON.stringify({ ...JSON.parse(lines[2]), audio: { bytes: 1 } }), ...lines.slice(3)].join('\n'), 3, /"audio"/],
      [[...lines.slice(0, 2), JSON.stringify({ ...JSON.parse(lines[2]), sourceFrameIds: ['a'] }), ...lines.slice(3)].join('\n'), 3, /sourceFrameIds/],
      [lines.slice(1).join('\n'), 1, /"type":"session"/],
      [[lines[0], lines[0]].join('\n'), 2, /second/],
      ['', 1, /empty/],
      ['[1,2]', 1, /"type":"session"/],
    ];
    for (const [text, line, msg] of cases) {
      const r = parseJsonl(text);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.line).toBe(line);
      expect(r.error).toMatch(new RegExp(`^Line ${line}:`));
      expect(r.error).toMatch(msg);
    }
  });
});
