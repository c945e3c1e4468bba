import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { payloadText, rawFrameText, rowJsonText } from './raw-frame-text.ts';

const base: LogEvent = { seq: 7, session: 1, t: 5, wall: 1, source: 'raw', direction: 'out', type: 'session.update', data: { type: 'session.update', session: { voice: 'marin' } }, frameId: 3, bytes: 53 };

describe('rawFrameText', () => {
  it('is the compact JSON of the frame, saying nothing was replaced when nothing was', () => {
    const r = rawFrameText(base);
    expect(r.text).toBe('{"type":"session.update","session":{"voice":"marin"}}');
    expect(r.notes).toEqual([]);
    expect(r.isWireFrame).toBe(true);
  });

  it('says the layout differs when the wire frame had another size (indented JSON, as Gemini sends)', () => {
    const indented = JSON.stringify(base.data, null, 2);
    const r = rawFrameText({ ...base, bytes: new TextEncoder().encode(indented).length });
    expect(r.text).toBe('{"type":"session.update","session":{"voice":"marin"}}');
    expect(r.notes.join(' ')).toMatch(/the frame on the wire was 71 bytes, this text is 53; only whitespace or escaping differ/);
  });

  it('says so when audio was summarised or a secret redacted', () => {
    const audio = { ...base, type: 'input_audio_buffer.append', data: { type: 'input_audio_buffer.append', audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } } };
    expect(rawFrameText(audio).notes.join(' ')).toMatch(/Audio payloads are replaced by their summary/);
    const secret = { ...base, data: { url: 'wss://x/?key=[redacted]' } };
    expect(rawFrameText(secret).notes.join(' ')).toMatch(/Secrets show as \[redacted\]/);
  });

  it('RTVI rows show their message and say they are not wire frames', () => {
    const r = rawFrameText({ ...base, source: 'rtvi', direction: 'local', type: 'bot-output', data: { text: 'Hi' } });
    expect(JSON.parse(r.text)).toEqual({ type: 'bot-output', data: { text: 'Hi' } });
    expect(r.isWireFrame).toBe(false);
    expect(r.notes.join(' ')).toMatch(/not a wire frame/);
  });

  it('Copy payload is the payload alone; Copy as JSON the whole row', () => {
    expect(JSON.parse(payloadText(base))).toEqual(base.data);
    expect(JSON.parse(rowJsonText(base))).toEqual(base);
  });
});
