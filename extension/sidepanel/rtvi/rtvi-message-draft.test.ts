import { describe, expect, it } from 'vitest';
import { parseRtviDraft, RTVI_MESSAGE_TEMPLATES, templateFor } from './rtvi-message-draft.ts';

describe('parseRtviDraft', () => {
  it('every template is a valid draft as it stands', () => {
    for (const tpl of RTVI_MESSAGE_TEMPLATES) expect(parseRtviDraft(tpl.type, tpl.data), tpl.type).toMatchObject({ ok: true, type: tpl.type });
  });

  it('passes a custom type and its JSON through; empty data means none', () => {
    expect(parseRtviDraft(' my-app.ping ', '{"n": 1}')).toEqual({ ok: true, type: 'my-app.ping', data: { n: 1 } });
    expect(parseRtviDraft('disconnect-bot', '  ')).toEqual({ ok: true, type: 'disconnect-bot', data: undefined });
  });

  it('refuses a missing or malformed type, naming the field', () => {
    expect(parseRtviDraft('', '{}')).toMatchObject({ ok: false, field: 'type' });
    expect(parseRtviDraft('Client Message', '{}')).toMatchObject({ ok: false, field: 'type', error: expect.stringContaining('"Client Message" is not an RTVI message type') });
  });

  it('refuses data that is not JSON, with the parser\'s reason', () => {
    const r = parseRtviDraft('client-message', '{"t": "x",');
    expect(r).toMatchObject({ ok: false, field: 'data' });
    if (!r.ok) expect(r.error).toMatch(/^The message data is not valid JSON: /);
  });

  it('a client-message needs a "t" and a send-text a content, as Pipecat routes them', () => {
    expect(parseRtviDraft('client-message', '{"d": {}}')).toMatchObject({ ok: false, field: 'data', error: expect.stringContaining('"t"') });
    expect(parseRtviDraft('client-message', '[1]')).toMatchObject({ ok: false, field: 'data' });
    expect(parseRtviDraft('send-text', '{"content": "  "}')).toMatchObject({ ok: false, field: 'data' });
  });

  it('templateFor finds the standard types only', () => {
    expect(templateFor('send-text')?.data).toContain('"content"');
    expect(templateFor('my-event')).toBeUndefined();
  });
});
