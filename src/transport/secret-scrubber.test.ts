import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED } from './frame-observer.ts';
import { SecretScrubber, scrubCredentialShapes, scrubCredentialShapesFully } from './secret-scrubber.ts';

/** Pieces that build strings near every credential shape, in any case, so the pre-check is really exercised. */
const FRAGMENTS = [
  '?key=', '&api-key=', 'xai-client-secret.', 'XAI-CLIENT-SECRET.', '&KEY=', '?access_token=', '&api_key=', '?Token=', 'openai-insecure-api-key.', 'OPENAI-INSECURE-API-KEY.', 'Bearer ', 'bearer\t', 'BEARER  ',
  'sk-', 'SK-', 'ek_', 'EK_', 'AIza', 'aiza', 'AIZA', 'auth_tokens/', 'Auth_Tokens/', 'abcDEF012_-', 'x', '9', ' ', '"', "'", '#', '&', '?', '=', '/', '.', '-', '_', '\n',
];
const shapeLike = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 14 }).map((parts) => parts.join(''));

describe('SecretScrubber', () => {
  it('scrubs credential shapes exactly as the full pattern list does, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(shapeLike, fc.string(), fc.string({ unit: 'grapheme' })), (text) => {
        expect(scrubCredentialShapes(text)).toBe(scrubCredentialShapesFully(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('redacts every known credential shape', () => {
    const cases: Array<[string, string]> = [
      ['wss://h/ws?key=AIzaSyA1234567890abcdefghij&x=1', `wss://h/ws?key=${REDACTED}&x=1`],
      ['Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
      ['openai-insecure-api-key.sk-proj-abcdef12345', `openai-insecure-api-key.${REDACTED}`],
      ['key sk-abcdefgh123 is wrong', `key ${REDACTED} is wrong`],
      ['ephemeral ek_abcdef9 expired', `ephemeral ${REDACTED} expired`],
      ['API key AIzaSyA1234567890abcdefghij not valid', `API key ${REDACTED} not valid`],
      ['name auth_tokens/abc-123 gone', `name auth_tokens/${REDACTED} gone`],
      ['wss://r.openai.azure.com/openai/v1/realtime?model=d&api-key=abc123XYZ', `wss://r.openai.azure.com/openai/v1/realtime?model=d&api-key=${REDACTED}`],
      ['protocols xai-client-secret.tok_9f8e7d6c refused', `protocols xai-client-secret.${REDACTED} refused`],
    ];
    for (const [text, want] of cases) expect(new SecretScrubber().scrubText(text)).toBe(want);
  });

  it('replaces a registered secret wherever it occurs, and leaves text without it as it was', () => {
    const s = new SecretScrubber();
    s.add('  my-secret-value  ');
    expect(s.scrubText('a my-secret-value b my-secret-value')).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(s.scrubText('nothing secret here')).toBe('nothing secret here');
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const out = s.scrubText(`${a}my-secret-value${b}`);
        expect(out).not.toContain('my-secret-value');
      }),
      { numRuns: 500 },
    );
  });

  it('deep-copies payloads: same shape, secret-named fields redacted, the original untouched', () => {
    const s = new SecretScrubber();
    s.add('k-123456789');
    const payload = { type: 'input_audio_buffer.append', audio: { bytes: 960 }, list: ['k-123456789', 3, null, true], api_key: 'anything', nested: { Token: 'x' } };
    const out = s.scrub(payload);
    expect(out).toEqual({ type: 'input_audio_buffer.append', audio: { bytes: 960 }, list: [REDACTED, 3, null, true], api_key: REDACTED, nested: { Token: REDACTED } });
    expect(out).not.toBe(payload);
    expect(out.audio).not.toBe(payload.audio);
    expect(payload.list[0]).toBe('k-123456789');
  });
});
