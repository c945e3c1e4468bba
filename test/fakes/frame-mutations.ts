import fc from 'fast-check';

/**
 * Shared fast-check arbitraries for fuzzing an adapter's inbound path with mutated REAL provider
 * frames (provider-protocols.md C.1 for OpenAI, C.2 for Gemini). Arbitraries produce small,
 * printable specs (so a failing case reads well and shrinks); `renderFrames` turns a spec into the
 * bytes and opcode that go on the wire, plus what the adapter must do with it.
 */
export type FuzzProviderName = 'openai' | 'gemini';

export type MutationKind =
  | 'valid'
  | 'truncated'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-type'
  | 'bad-base64'
  | 'other-opcode'
  | 'random-bytes'
  | 'random-text'
  | 'empty'
  | 'deep'
  | 'non-object'
  | 'huge';

export interface FrameSpec {
  kind: MutationKind;
  /** Index into the provider's corpus (taken modulo its length). */
  base: number;
  /** Chooses a JSON path, a cut point, a replacement, a variant… depending on the kind. */
  pick: number;
  pick2: number;
  /** Arbitrary bytes for random-bytes / random-text. */
  bytes?: number[];
}

export interface RenderedFrame {
  data: string | Buffer;
  binary: boolean;
  /** Bytes on the wire. */
  bytes: number;
  spec: FrameSpec | 'helper';
  /** The adapter must answer this frame with a non-fatal RTVI `error` linked to it. */
  mustError: boolean;
  /** The type the frame observer must record, when it is predictable. */
  expectType?: string;
  /** A JSON value nested far deeper than any real frame (the observer record must still serialise). */
  deep?: boolean;
}

// ------------------------------------------------------------------ realistic frames

/** 20 ms of a 330 Hz tone at 24 kHz, PCM16 LE, base64: real-looking audio for the corpora. */
export const TONE_B64 = (() => {
  const n = 480;
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 330 * i) / 24000)), i * 2);
  return buf.toString('base64');
})();

const OA_AUDIO_FMT = { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' };

/** Server events from transcript C.1 (GA), audio filled with real base64. */
export const OPENAI_CORPUS: Array<Record<string, unknown>> = [
  { type: 'input_audio_buffer.speech_started', event_id: 'event_1516', audio_start_ms: 1000, item_id: 'item_003' },
  { type: 'input_audio_buffer.speech_stopped', event_id: 'event_1718', audio_end_ms: 2000, item_id: 'item_003' },
  { type: 'input_audio_buffer.committed', event_id: 'event_1121', previous_item_id: null, item_id: 'item_003' },
  { type: 'conversation.item.added', event_id: 'event_1122', previous_item_id: null, item: { id: 'item_003', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } },
  {
    type: 'response.created',
    event_id: 'event_1124',
    response: { object: 'realtime.response', id: 'resp_001', status: 'in_progress', status_details: null, output: [], conversation_id: 'conv_001', output_modalities: ['audio'], max_output_tokens: 'inf', audio: { output: OA_AUDIO_FMT }, usage: null, metadata: null },
  },
  { type: 'response.output_item.added', event_id: 'event_1125', response_id: 'resp_001', output_index: 0, item: { id: 'item_004', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
  { type: 'response.content_part.added', event_id: 'event_1127', response_id: 'resp_001', item_id: 'item_004', output_index: 0, content_index: 0, part: { type: 'audio', transcript: '' } },
  { type: 'response.output_audio_transcript.delta', event_id: 'event_1128', response_id: 'resp_001', item_id: 'item_004', output_index: 0, content_index: 0, delta: 'Hi! How can' },
  { type: 'response.output_audio.delta', event_id: 'event_1129', response_id: 'resp_001', item_id: 'item_004', output_index: 0, content_index: 0, delta: TONE_B64 },
  { type: 'conversation.item.input_audio_transcription.delta', event_id: 'event_1130', item_id: 'item_003', content_index: 0, delta: 'Hello there' },
  {
    type: 'conversation.item.input_audio_transcription.completed',
    event_id: 'event_1131',
    item_id: 'item_003',
    content_index: 0,
    transcript: 'Hello there.',
    usage: { type: 'tokens', total_tokens: 22, input_tokens: 13, input_token_details: { text_tokens: 0, audio_tokens: 13 }, output_tokens: 9 },
  },
  { type: 'response.output_audio.done', event_id: 'event_1134', response_id: 'resp_001', item_id: 'item_004', output_index: 0, content_index: 0 },
  { type: 'response.output_audio_transcript.done', event_id: 'event_1135', response_id: 'resp_001', item_id: 'item_004', output_index: 0, content_index: 0, transcript: 'Hi! How can I help?' },
  {
    type: 'response.done',
    event_id: 'event_1139',
    response: {
      object: 'realtime.response',
      id: 'resp_001',
      status: 'completed',
      status_details: null,
      output: [{ id: 'item_004', object: 'realtime.item', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_audio', transcript: 'Hi! How can I help?' }] }],
      conversation_id: 'conv_001',
      output_modalities: ['audio'],
      max_output_tokens: 'inf',
      audio: { output: OA_AUDIO_FMT },
      usage: { total_tokens: 253, input_tokens: 132, output_tokens: 121, input_token_details: { text_tokens: 119, audio_tokens: 13, image_tokens: 0, cached_tokens: 64 }, output_token_details: { text_tokens: 30, audio_tokens: 91 } },
      metadata: null,
    },
  },
  { type: 'rate_limits.updated', event_id: 'event_1140', rate_limits: [{ name: 'tokens', limit: 15000000, remaining: 14999716, reset_seconds: 0.001 }] },
  { type: 'conversation.item.truncated', event_id: 'event_1209', item_id: 'item_006', content_index: 0, audio_end_ms: 1450 },
  { type: 'response.function_call_arguments.delta', event_id: 'event_1304', response_id: 'resp_004', item_id: 'item_010', output_index: 0, call_id: 'call_ZgH8qk2vY1nP4rTs', delta: '{"city":' },
  { type: 'response.function_call_arguments.done', event_id: 'event_1306', response_id: 'resp_004', item_id: 'item_010', output_index: 0, call_id: 'call_ZgH8qk2vY1nP4rTs', name: 'get_weather', arguments: '{"city":"Paris"}' },
  { type: 'response.output_text.delta', event_id: 'event_1401', response_id: 'resp_005', item_id: 'item_012', output_index: 0, content_index: 0, delta: 'Paris is sunny.' },
  {
    type: 'error',
    event_id: 'event_1501',
    error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'Conversation already has an active response in progress: resp_001', param: null, event_id: null },
  },
];

/** Server messages from transcript C.2 (resumable handles left out: resuming would open a second socket). */
export const GEMINI_CORPUS: Array<Record<string, unknown>> = [
  { serverContent: { inputTranscription: { text: "What's the weather" } } },
  { serverContent: { inputTranscription: { text: ' in Paris?' } } },
  { serverContent: {}, usageMetadata: { promptTokenCount: 1093, totalTokenCount: 1093, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 789 }, { modality: 'AUDIO', tokenCount: 304 }] } },
  { toolCall: { functionCalls: [{ id: 'function-call-14336847574026984983', name: 'get_weather', args: { city: 'Paris' } }] } },
  { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: TONE_B64 } }] } } },
  { serverContent: { outputTranscription: { text: "It's 18 degrees" } } },
  { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: TONE_B64 } }] }, outputTranscription: { text: ' and cloudy in Paris.' } } },
  { serverContent: { generationComplete: true } },
  {
    serverContent: { turnComplete: true },
    usageMetadata: {
      promptTokenCount: 1180,
      responseTokenCount: 96,
      totalTokenCount: 1276,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 876 }, { modality: 'AUDIO', tokenCount: 304 }],
      responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 96 }],
    },
  },
  { sessionResumptionUpdate: { resumable: false } },
  { serverContent: { interrupted: true } },
  { serverContent: { turnComplete: true }, usageMetadata: {} },
  { toolCallCancellation: { ids: ['function-call-14336847574026984983'] } },
  { serverContent: {}, voiceActivity: { type: 'ACTIVITY_START' } },
  { serverContent: { modelTurn: { parts: [{ text: 'Thinking about the weather', thought: true }, { text: 'Paris is cloudy.' }] } } },
  { goAway: { timeLeft: '50s' } },
];

export function corpusFor(provider: FuzzProviderName): Array<Record<string, unknown>> {
  return provider === 'openai' ? OPENAI_CORPUS : GEMINI_CORPUS;
}

/** The frame the provider sends on its own wire format (Gemini: binary; OpenAI: text). */
export function nativeFrame(provider: FuzzProviderName, json: unknown, spec: RenderedFrame['spec'] = 'helper'): RenderedFrame {
  const text = JSON.stringify(json);
  return provider === 'gemini'
    ? { data: Buffer.from(text, 'utf8'), binary: true, bytes: Buffer.byteLength(text), spec, mustError: false }
    : { data: text, binary: false, bytes: Buffer.byteLength(text), spec, mustError: false };
}

// ------------------------------------------------------------------ JSON path helpers

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) {
      const p = [...prefix, k];
      out.push(p);
      pathsOf(v, p, out);
    }
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function setAt(root: unknown, path: Path, value: unknown, remove = false): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (!remove) node[last] = value;
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
}

/** Values of every JSON type, for wrong-type mutations (fixed, so no random key ever forms a valid field). */
export const WRONG_TYPE_VALUES: unknown[] = [0, -1, 1.5e308, '', 'x', '0', true, false, null, [], {}, [1, 'a', null], { nested: { deeper: [] } }, 'A'.repeat(300)];

const BAD_BASE64 = ['!!!!', 'A', 'abc$def', '====AAAA', '€€€€', 'AAAA AAAA%', '\u0000\u0001\u0002\u0003', 'data:audio/pcm;base64,AAAA'];

const NON_OBJECT_JSON = ['42', '"a string"', 'null', 'true', '[]', '[{"type":"error"}]', '-0', '1e999'];

const CLOSE_OPENAI_NO_TYPE = (p: Path) => p.length === 1 && p[0] === 'type';

let uniqueSeq = 0;

// ------------------------------------------------------------------ huge payloads (built once)

const HUGE_CHARS = 2_500_000;
let hugeText: string | undefined;
let hugeAudio: string | undefined;
function hugeSentenceText(): string {
  hugeText ??= 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(HUGE_CHARS / 45)).slice(0, HUGE_CHARS);
  return hugeText;
}
function hugeAudioB64(): string {
  // ~1.9 MB of PCM: about 39 s at 24 kHz.
  hugeAudio ??= TONE_B64.repeat(Math.ceil(HUGE_CHARS / TONE_B64.length)).slice(0, Math.floor(HUGE_CHARS / 4) * 4);
  return hugeAudio;
}

function deepValue(depth: number, useObjects: boolean): string {
  return useObjects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

// ------------------------------------------------------------------ rendering

function otherOpcode(provider: FuzzProviderName, text: string, spec: FrameSpec, extra: Partial<RenderedFrame> = {}): RenderedFrame {
  // Gemini sends binary, so here it gets text; OpenAI sends text, so here it gets binary.
  return provider === 'gemini'
    ? { data: text, binary: false, bytes: Buffer.byteLength(text), spec, mustError: false, ...extra }
    : { data: Buffer.from(text, 'utf8'), binary: true, bytes: Buffer.byteLength(text), spec, mustError: false, ...extra };
}

function rawText(provider: FuzzProviderName, text: string, spec: FrameSpec, mustError: boolean, binary = provider === 'gemini'): RenderedFrame {
  return binary
    ? { data: Buffer.from(text, 'utf8'), binary: true, bytes: Buffer.byteLength(text), spec, mustError }
    : { data: text, binary: false, bytes: Buffer.byteLength(text), spec, mustError };
}

function frameType(provider: FuzzProviderName, json: Record<string, unknown>): string | undefined {
  return provider === 'openai' ? (typeof json.type === 'string' ? json.type : undefined) : undefined;
}

/**
 * Turns a spec into what goes on the wire (one or two frames: a bad-audio frame on Gemini is
 * preceded by a turn end, so the audio is not one the adapter drops for an interrupted turn).
 */
export function renderFrames(provider: FuzzProviderName, spec: FrameSpec): RenderedFrame[] {
  const corpus = corpusFor(provider);
  const base = corpus[spec.base % corpus.length];
  const baseText = JSON.stringify(base);
  switch (spec.kind) {
    case 'valid':
      return [{ ...nativeFrame(provider, base, spec), expectType: frameType(provider, base) }];
    case 'truncated': {
      // Any strict prefix of a JSON object's text is invalid JSON.
      const cut = spec.pick % baseText.length;
      return [rawText(provider, baseText.slice(0, cut), spec, true)];
    }
    case 'wrong-type':
    case 'missing-field': {
      const json = clone(base);
      const paths = pathsOf(json);
      const path = paths[spec.pick % paths.length];
      const replacement = clone(WRONG_TYPE_VALUES[spec.pick2 % WRONG_TYPE_VALUES.length]);
      setAt(json, path, replacement, spec.kind === 'missing-field');
      // OpenAI events without a string `type` are not events at all.
      const mustError = provider === 'openai' && CLOSE_OPENAI_NO_TYPE(path) && (spec.kind === 'missing-field' || typeof replacement !== 'string');
      return [{ ...nativeFrame(provider, json, spec), mustError }];
    }
    case 'unknown-type': {
      const name = `fuzz.unknown_${spec.pick % 1000}`;
      if (provider === 'openai') {
        const json = { ...clone(base), type: name };
        return [{ ...nativeFrame(provider, json, spec), expectType: name }];
      }
      const json: Record<string, unknown> = { [`fuzzUnknown${spec.pick % 1000}`]: clone(Object.values(base)[0] ?? {}) };
      return [{ ...nativeFrame(provider, json, spec), expectType: `fuzzUnknown${spec.pick % 1000}` }];
    }
    case 'bad-base64': {
      const bad = spec.pick2 % 7 === 6 ? `${BAD_BASE64[spec.pick % BAD_BASE64.length]}${'!'.repeat(HUGE_CHARS)}` : BAD_BASE64[spec.pick % BAD_BASE64.length];
      if (provider === 'openai') {
        const item = `item_fuzzaudio_${++uniqueSeq}`;
        const json = { type: 'response.output_audio.delta', event_id: `event_fuzz_${uniqueSeq}`, response_id: 'resp_fuzz', item_id: item, output_index: 0, content_index: 0, delta: bad };
        return [{ ...nativeFrame(provider, json, spec), mustError: true, expectType: 'response.output_audio.delta' }];
      }
      return [
        nativeFrame(provider, { serverContent: { turnComplete: true } }),
        { ...nativeFrame(provider, { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: bad } }] } } }, spec), mustError: true, expectType: 'serverContent' },
      ];
    }
    case 'other-opcode':
      return [otherOpcode(provider, baseText, spec, { expectType: frameType(provider, base) })];
    case 'random-bytes': {
      // 0xFF never occurs in UTF-8, so the frame can never decode to a JSON value by chance.
      const bytes = Buffer.from([0xff, ...(spec.bytes ?? [])]);
      return [{ data: bytes, binary: true, bytes: bytes.length, spec, mustError: true }];
    }
    case 'random-text': {
      const text = `#${Buffer.from(spec.bytes ?? []).toString('latin1')}`;
      return [rawText(provider, text, spec, true, false)];
    }
    case 'empty':
      return [spec.pick % 2 ? { data: Buffer.alloc(0), binary: true, bytes: 0, spec, mustError: true } : { data: '', binary: false, bytes: 0, spec, mustError: true }];
    case 'deep': {
      const depth = [3_000, 20_000, 100_000][spec.pick % 3];
      const objects = spec.pick2 % 2 === 1;
      const inner = deepValue(depth, objects);
      // A bare nested array is no message at all; a bare nested object is one only Gemini accepts (type: its key).
      if (spec.pick2 % 3 === 2) return [{ ...rawText(provider, inner, spec, !objects || provider === 'openai'), deep: true }];
      const text = provider === 'openai' ? `{"type":"response.output_item.added","event_id":"event_deep","response_id":"resp_deep","output_index":0,"item":${inner}}` : `{"serverContent":{"fuzzDeep":${inner}}}`;
      return [{ ...rawText(provider, text, spec, false), deep: true }];
    }
    case 'non-object':
      return [rawText(provider, NON_OBJECT_JSON[spec.pick % NON_OBJECT_JSON.length], spec, true)];
    case 'huge': {
      const variant = spec.pick % 4;
      if (variant === 0) {
        const json = provider === 'openai' ? { type: 'response.output_audio_transcript.delta', event_id: 'event_huge', response_id: 'resp_huge', item_id: 'item_huge', output_index: 0, content_index: 0, delta: hugeSentenceText() } : { serverContent: { outputTranscription: { text: hugeSentenceText() } } };
        return [nativeFrame(provider, json, spec)];
      }
      if (variant === 1) {
        const json = provider === 'openai' ? { type: 'response.output_audio.delta', event_id: 'event_huge', response_id: 'resp_huge', item_id: 'item_huge_audio', output_index: 0, content_index: 0, delta: hugeAudioB64() } : { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: hugeAudioB64() } }] } } };
        return [nativeFrame(provider, json, spec)];
      }
      if (variant === 2) return [rawText(provider, `{"garbage":${'9'.repeat(HUGE_CHARS)}`, spec, true)];
      return [{ ...nativeFrame(provider, { ...clone(base), fuzzPadding: 'x'.repeat(HUGE_CHARS) }, spec), expectType: frameType(provider, base) }];
    }
  }
}

// ------------------------------------------------------------------ arbitraries

const smallBytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 });

function specOf(kind: MutationKind, withBytes = false): fc.Arbitrary<FrameSpec> {
  return fc.record({
    kind: fc.constant(kind),
    base: fc.nat({ max: 999 }),
    pick: fc.nat({ max: 9_999 }),
    pick2: fc.nat({ max: 999 }),
    ...(withBytes ? { bytes: smallBytes } : {}),
  }) as fc.Arbitrary<FrameSpec>;
}

/** One frame spec: mostly valid and lightly broken frames, sometimes pathological ones. */
export function frameSpecArb(opts: { huge?: boolean } = {}): fc.Arbitrary<FrameSpec> {
  const choices: Array<{ weight: number; arbitrary: fc.Arbitrary<FrameSpec> }> = [
    { weight: 6, arbitrary: specOf('valid') },
    { weight: 3, arbitrary: specOf('truncated') },
    { weight: 5, arbitrary: specOf('wrong-type') },
    { weight: 3, arbitrary: specOf('missing-field') },
    { weight: 2, arbitrary: specOf('unknown-type') },
    { weight: 2, arbitrary: specOf('bad-base64') },
    { weight: 2, arbitrary: specOf('other-opcode') },
    { weight: 1, arbitrary: specOf('random-bytes', true) },
    { weight: 1, arbitrary: specOf('random-text', true) },
    { weight: 1, arbitrary: specOf('empty') },
    { weight: 1, arbitrary: specOf('deep') },
    { weight: 1, arbitrary: specOf('non-object') },
  ];
  if (opts.huge) choices.push({ weight: 2, arbitrary: specOf('huge') });
  return fc.oneof(...choices);
}

export type SessionEnding = { kind: 'none' } | { kind: 'close'; code: number; reason: string } | { kind: 'drop' };

/** Real close codes and reason texts (provider-protocols.md A.9, B.6, C.2). */
export const PROVIDER_CLOSES: Record<FuzzProviderName, Array<{ code: number; reason: string }>> = {
  openai: [
    { code: 3000, reason: 'invalid_request_error.invalid_api_key' },
    { code: 4000, reason: 'invalid_request_error.beta_api_shape_disabled' },
    { code: 4004, reason: 'invalid_request_error.model_not_found' },
    { code: 1011, reason: 'server_error' },
    { code: 1000, reason: 'OK' },
  ],
  gemini: [
    { code: 1007, reason: 'Request contains an invalid argument.' },
    { code: 1008, reason: 'Connection aborted because the client failed to close the connection after receiving a GoAway signal once the session durat' },
    { code: 1011, reason: 'Internal error encountered.' },
    { code: 1000, reason: '' },
  ],
};

export function sessionEndingArb(provider: FuzzProviderName): fc.Arbitrary<SessionEnding> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<SessionEnding>({ kind: 'none' }) },
    { weight: 2, arbitrary: fc.constantFrom(...PROVIDER_CLOSES[provider]).map((c): SessionEnding => ({ kind: 'close', ...c })) },
    { weight: 1, arbitrary: fc.constant<SessionEnding>({ kind: 'drop' }) },
  );
}

/** Fixed seed (override with FUZZ_SEED=…) so a failure reproduces; fast-check prints seed and path on failure. */
export function fuzzSeed(): number {
  const env = Number(process.env.FUZZ_SEED);
  return Number.isFinite(env) && process.env.FUZZ_SEED ? env : 0x5eed_f00d;
}
