import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { EventGrouper, classifyEvent, groupEvents, type EventGroup } from './event-grouping.ts';

let seq = 0;
const mk = (over: Partial<LogEvent>): LogEvent => ({ seq: ++seq, session: 1, t: seq * 10, wall: seq, source: 'raw', direction: 'in', type: 'x', data: {}, ...over });
const audioIn = () => mk({ type: 'response.output_audio.delta', data: { type: 'response.output_audio.delta', delta: { bytes: 4800, durationMs: 100, sampleRate: 24000 } }, audio: { bytes: 4800, durationMs: 100, sampleRate: 24000 } });
const audioOut = () => mk({ direction: 'out', type: 'input_audio_buffer.append', data: {}, audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } });
const trDelta = (d: string) => mk({ type: 'response.output_audio_transcript.delta', data: { delta: d } });
const tts = (text: string) => mk({ source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text } });
const plain = (type: string) => mk({ source: 'rtvi', direction: 'local', type });

describe('classifyEvent', () => {
  it('recognises audio and transcript deltas of both providers', () => {
    expect(classifyEvent(audioIn())?.groupKind).toBe('audio');
    expect(classifyEvent(audioOut())?.groupKind).toBe('audio');
    expect(classifyEvent(mk({ direction: 'out', type: 'realtimeInput', data: { realtimeInput: { audio: { bytes: 640, durationMs: 20 } } } }))?.groupKind).toBe('audio');
    expect(classifyEvent(mk({ direction: 'out', type: 'realtimeInput', data: { realtimeInput: { text: 'hi' } } }))).toBeNull();
    expect(classifyEvent(mk({ type: 'serverContent', data: { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: { bytes: 1 } } }] } } } }))?.groupKind).toBe('audio');
    expect(classifyEvent(mk({ type: 'serverContent', data: { serverContent: { modelTurn: { parts: [{ text: 'hi' }] } } } }))).toBeNull();
    expect(classifyEvent(mk({ type: 'serverContent', data: { serverContent: { turnComplete: true } } }))).toBeNull();
    expect(classifyEvent(mk({ type: 'serverContent', data: { serverContent: { outputTranscription: { text: 'Hel' } } } }))).toMatchObject({ groupKind: 'transcript', text: 'Hel' });
    expect(classifyEvent(tts('Hi'))).toMatchObject({ groupKind: 'transcript', textMode: 'delta', text: 'Hi' });
    expect(classifyEvent(mk({ source: 'rtvi', direction: 'local', type: 'user-transcription', data: { text: 'so far', final: false } }))).toMatchObject({ textMode: 'so-far' });
    expect(classifyEvent(mk({ source: 'rtvi', direction: 'local', type: 'user-transcription', data: { text: 'done', final: true } }))).toBeNull();
    expect(classifyEvent(plain('bot-ready'))).toBeNull();
  });
});

describe('groupEvents', () => {
  it('collapses interleaved audio and transcript deltas into groups with count, duration and text', () => {
    const rows = [plain('bot-started-speaking'), trDelta('Hi!'), tts('Hi!'), audioIn(), trDelta(' How'), tts(' How'), audioIn(), trDelta(' can I help?'), tts(' can I help?'), audioIn(), plain('bot-stopped-speaking')];
    const items = groupEvents(rows);
    expect(items.map((i) => (i.kind === 'group' ? `${i.type}×${i.events.length}` : i.event.type))).toEqual([
      'bot-started-speaking',
      'response.output_audio_transcript.delta×3',
      'bot-tts-text×3',
      'response.output_audio.delta×3',
      'bot-stopped-speaking',
    ]);
    const [, tr, bt, au] = items as EventGroup[];
    expect(tr.text).toBe('Hi! How can I help?');
    expect(bt.text).toBe('Hi! How can I help?');
    expect(au.audioMs).toBe(300);
    expect(au.audioBytes).toBe(14400);
    expect(au.spanMs).toBe(au.events[2].t - au.events[0].t);
    // Every row appears exactly once.
    const flat = items.flatMap((i) => (i.kind === 'group' ? i.events : [i.event]));
    expect(flat.map((r) => r.seq).sort((a, b) => a - b)).toEqual(rows.map((r) => r.seq));
  });

  it('a non-groupable row ends the run; a lone delta stays a single row', () => {
    const items = groupEvents([audioOut(), audioOut(), plain('user-started-speaking'), audioOut(), plain('x')]);
    expect(items.map((i) => i.kind)).toEqual(['group', 'event', 'event', 'event']);
    expect((items[0] as EventGroup).events).toHaveLength(2);
  });

  it('user transcription partials assemble to the latest text so far', () => {
    const p = (text: string) => mk({ source: 'rtvi', direction: 'local', type: 'user-transcription', data: { text, final: false } });
    const items = groupEvents([p('What'), p('What is'), p('What is the weather')]);
    expect(items).toHaveLength(1);
    expect((items[0] as EventGroup).text).toBe('What is the weather');
  });

  it('incremental append and trimFront agree with a full regroup', () => {
    const rows: LogEvent[] = [];
    for (let i = 0; i < 40; i++) rows.push(i % 7 === 0 ? plain('metrics') : i % 2 ? audioIn() : trDelta(`w${i} `));
    const g = new EventGrouper();
    g.reset(rows.slice(0, 15));
    g.append(rows, 15);
    const full = groupEvents(rows);
    expect(g.items.map((i) => (i.kind === 'group' ? i.events.map((e) => e.seq) : [i.event.seq]))).toEqual(full.map((i) => (i.kind === 'group' ? i.events.map((e) => e.seq) : [i.event.seq])));
    g.trimFront(rows.slice(0, 10));
    const remaining = g.items.flatMap((i) => (i.kind === 'group' ? i.events : [i.event]));
    expect(remaining.map((r) => r.seq).sort((a, b) => a - b)).toEqual(rows.slice(10).map((r) => r.seq));
    for (const it of g.items) if (it.kind === 'group') expect(it.audioMs).toBe(it.events.reduce((s, e) => s + (e.audio?.durationMs ?? 0), 0));
    // Appending after a trim still extends the open run.
    const before = g.items.length;
    g.append([...rows, audioIn()], rows.length);
    expect(g.items.length).toBe(before);
  });
});

describe('classification results stay independent', () => {
  it('two transcript rows classified one after the other keep their own text and mode', () => {
    const a = classifyEvent(mk({ source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: ' one' } }));
    const b = classifyEvent(mk({ source: 'rtvi', direction: 'local', type: 'user-transcription', data: { text: 'two so far', final: false } }));
    expect(a).toEqual({ groupKind: 'transcript', textMode: 'delta', text: ' one' });
    expect(b).toEqual({ groupKind: 'transcript', textMode: 'so-far', text: 'two so far' });
  });

  it('a transcript group assembles the text of every row, its first row included, across interleaved audio', () => {
    const rows = [
      mk({ seq: 1, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: 'Hello' } }),
      mk({ seq: 2, type: 'response.output_audio.delta', data: {}, audio: { bytes: 10, durationMs: 5, sampleRate: 24000 } }),
      mk({ seq: 3, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: ' there' } }),
      mk({ seq: 4, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: ' friend' } }),
    ];
    const items = groupEvents(rows);
    const text = items.find((i): i is EventGroup => i.kind === 'group' && i.groupKind === 'transcript');
    expect(text?.text).toBe('Hello there friend');
    expect(text?.events.map((e) => e.seq)).toEqual([1, 3, 4]);
  });

  it('Loopback audio frames group like the other audio frames', () => {
    const a = { bytes: 640, durationMs: 20, sampleRate: 16000 };
    const rows = [1, 2, 3].map((seq) => mk({ seq, direction: 'out', type: 'loopback.audio', data: { note: 'synthetic frame' }, audio: a }));
    const items = groupEvents(rows);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'group', groupKind: 'audio', audioMs: 60, audioBytes: 1920 });
  });

  it('the rows of a failed attempt fold into one failure row named by the host error', () => {
    const st = (state: string) => mk({ source: 'transport', direction: 'local', type: 'transport-state', data: { state } });
    const rows = [
      mk({ source: 'transport', direction: 'local', type: 'connect-requested', data: {} }),
      st('connecting'),
      st('error'),
      st('disconnecting'),
      st('disconnected'),
      mk({ source: 'transport', direction: 'local', type: 'host-error', data: { message: 'OpenAI closed the connection before the session was ready (code 1008: Quota exceeded).', fatal: false } }),
      mk({ source: 'transport', direction: 'local', type: 'connect-requested', data: {} }),
      st('disconnecting'),
    ];
    const items = groupEvents(rows);
    expect(items.map((i) => (i.kind === 'group' ? `${i.groupKind}:${i.type}×${i.events.length}` : i.event.type))).toEqual(['connect-requested', 'transport-state', 'failure:host-error×4', 'connect-requested', 'transport-state']);
    const failure = items[2] as EventGroup;
    expect(failure.text).toMatch(/code 1008: Quota exceeded/);
    // A plain Disconnect's teardown rows stay as they were.
    expect(items[4].kind).toBe('event');
  });

  it('a fatal RTVI error mid-session folds with the host error it causes', () => {
    const rows = [
      mk({ source: 'rtvi', direction: 'local', type: 'error', data: { message: 'closed (code 1011: Internal error)', fatal: true } }),
      mk({ source: 'transport', direction: 'local', type: 'host-error', data: { message: 'closed (code 1011: Internal error)', fatal: true } }),
      mk({ source: 'transport', direction: 'local', type: 'transport-state', data: { state: 'disconnected' } }),
    ];
    const items = groupEvents(rows);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'group', groupKind: 'failure', type: 'host-error' });
  });
});
