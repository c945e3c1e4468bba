/**
 * Strict GA `session` validation for the fake OpenAI Realtime server, following
 * `shared/reference/provider-protocols.md` A.5 and A.8: beta fields are unknown parameters, a
 * missing `session.type` is a missing required parameter, and messages use the live wording.
 */
export interface FakeOpenAIError {
  type: string;
  code: string;
  message: string;
  param: string | null;
}

const SESSION_KEYS = new Set([
  'type',
  'model',
  'output_modalities',
  'instructions',
  'audio',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'include',
  'tracing',
  'prompt',
  'truncation',
  'reasoning',
  'parallel_tool_calls',
]);
const AUDIO_KEYS = new Set(['input', 'output']);
const INPUT_KEYS = new Set(['format', 'noise_reduction', 'transcription', 'turn_detection']);
const OUTPUT_KEYS = new Set(['format', 'voice', 'speed']);
const SERVER_VAD_KEYS = new Set(['type', 'threshold', 'prefix_padding_ms', 'silence_duration_ms', 'idle_timeout_ms', 'create_response', 'interrupt_response']);
const SEMANTIC_VAD_KEYS = new Set(['type', 'eagerness', 'create_response', 'interrupt_response']);
const VOICES = new Set(['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar']);

export function unknownParameter(param: string): FakeOpenAIError {
  return { type: 'invalid_request_error', code: 'unknown_parameter', message: `Unknown parameter: '${param}'.`, param };
}

export function missingParameter(param: string): FakeOpenAIError {
  return { type: 'invalid_request_error', code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.`, param };
}

export function invalidValue(param: string, message: string): FakeOpenAIError {
  return { type: 'invalid_request_error', code: 'invalid_value', message, param };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function firstUnknown(obj: Record<string, unknown>, allowed: Set<string>, prefix: string): FakeOpenAIError | null {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) return unknownParameter(`${prefix}.${k}`);
  return null;
}

function validateFormat(format: unknown, param: string): FakeOpenAIError | null {
  if (format === undefined) return null;
  if (!isObject(format)) return invalidValue(param, `Invalid type for '${param}': expected an object.`);
  const unknown = firstUnknown(format, new Set(['type', 'rate']), param);
  if (unknown) return unknown;
  if (format.type !== undefined && !['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(String(format.type))) {
    return invalidValue(`${param}.type`, `Invalid value: '${String(format.type)}'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.`);
  }
  if (format.rate !== undefined && format.rate !== 24000) return invalidValue(`${param}.rate`, `Invalid value: ${String(format.rate)}. Supported values are: 24000.`);
  return null;
}

/** Returns the first problem with a GA session object (as a session.update or client_secrets body carries it), or null. */
/** `voices`: the vendor's voice names (default OpenAI's); null accepts any id (ElevenLabs voice ids). */
export function validateGaSession(session: unknown, prefix = 'session', voices: ReadonlySet<string> | null = VOICES): FakeOpenAIError | null {
  if (session === undefined) return missingParameter(prefix);
  if (!isObject(session)) return invalidValue(prefix, `Invalid type for '${prefix}': expected an object, but got ${Array.isArray(session) ? 'an array' : typeof session} instead.`);
  // Beta-era fields first, as the live service reports the first unknown parameter it meets.
  const unknown = firstUnknown(session, SESSION_KEYS, prefix);
  if (unknown) return unknown;
  if (session.type === undefined) return missingParameter(`${prefix}.type`);
  if (session.type !== 'realtime') return invalidValue(`${prefix}.type`, `Invalid value: '${String(session.type)}'. Supported values are: 'realtime' and 'transcription'.`);
  if (session.output_modalities !== undefined) {
    const m = session.output_modalities;
    if (!Array.isArray(m) || m.length !== 1 || (m[0] !== 'audio' && m[0] !== 'text')) {
      return invalidValue(`${prefix}.output_modalities`, `Invalid value for '${prefix}.output_modalities': expected ['audio'] or ['text'].`);
    }
  }
  if (session.instructions !== undefined && typeof session.instructions !== 'string') return invalidValue(`${prefix}.instructions`, `Invalid type for '${prefix}.instructions': expected a string.`);
  if (session.max_output_tokens !== undefined) {
    const v = session.max_output_tokens;
    if (!(v === 'inf' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4096))) {
      return invalidValue(`${prefix}.max_output_tokens`, `Invalid value for '${prefix}.max_output_tokens': expected an integer between 1 and 4096, or 'inf'.`);
    }
  }
  if (session.audio !== undefined) {
    const audio = session.audio;
    if (!isObject(audio)) return invalidValue(`${prefix}.audio`, `Invalid type for '${prefix}.audio': expected an object.`);
    const ua = firstUnknown(audio, AUDIO_KEYS, `${prefix}.audio`);
    if (ua) return ua;
    if (audio.input !== undefined) {
      const input = audio.input;
      if (!isObject(input)) return invalidValue(`${prefix}.audio.input`, `Invalid type for '${prefix}.audio.input': expected an object.`);
      const ui = firstUnknown(input, INPUT_KEYS, `${prefix}.audio.input`);
      if (ui) return ui;
      const f = validateFormat(input.format, `${prefix}.audio.input.format`);
      if (f) return f;
      const td = input.turn_detection;
      if (td !== undefined && td !== null) {
        if (!isObject(td)) return invalidValue(`${prefix}.audio.input.turn_detection`, 'Invalid type for turn_detection: expected an object or null.');
        if (td.type === 'server_vad') {
          const u = firstUnknown(td, SERVER_VAD_KEYS, `${prefix}.audio.input.turn_detection`);
          if (u) return u;
          if (td.threshold !== undefined && (typeof td.threshold !== 'number' || td.threshold < 0 || td.threshold > 1)) {
            return invalidValue(`${prefix}.audio.input.turn_detection.threshold`, 'Invalid value for threshold: expected a number between 0 and 1.');
          }
        } else if (td.type === 'semantic_vad') {
          const u = firstUnknown(td, SEMANTIC_VAD_KEYS, `${prefix}.audio.input.turn_detection`);
          if (u) return u;
          if (td.eagerness !== undefined && !['low', 'medium', 'high', 'auto'].includes(String(td.eagerness))) {
            return invalidValue(`${prefix}.audio.input.turn_detection.eagerness`, `Invalid value: '${String(td.eagerness)}'. Supported values are: 'low', 'medium', 'high', and 'auto'.`);
          }
        } else {
          return invalidValue(`${prefix}.audio.input.turn_detection.type`, `Invalid value: '${String(td.type)}'. Supported values are: 'server_vad' and 'semantic_vad'.`);
        }
      }
      const tr = input.transcription;
      if (tr !== undefined && tr !== null && (!isObject(tr) || typeof tr.model !== 'string')) {
        return invalidValue(`${prefix}.audio.input.transcription`, 'Invalid value for transcription: expected an object with a model, or null.');
      }
      const nr = input.noise_reduction;
      if (nr !== undefined && nr !== null && (!isObject(nr) || !['near_field', 'far_field'].includes(String(nr.type)))) {
        return invalidValue(`${prefix}.audio.input.noise_reduction.type`, "Invalid value for noise_reduction.type. Supported values are: 'near_field' and 'far_field'.");
      }
    }
    if (audio.output !== undefined) {
      const output = audio.output;
      if (!isObject(output)) return invalidValue(`${prefix}.audio.output`, `Invalid type for '${prefix}.audio.output': expected an object.`);
      const uo = firstUnknown(output, OUTPUT_KEYS, `${prefix}.audio.output`);
      if (uo) return uo;
      const f = validateFormat(output.format, `${prefix}.audio.output.format`);
      if (f) return f;
      if (voices && output.voice !== undefined && !(typeof output.voice === 'string' && voices.has(output.voice)) && !(isObject(output.voice) && typeof output.voice.id === 'string')) {
        return invalidValue(`${prefix}.audio.output.voice`, `Invalid value: '${String(output.voice)}'. Supported values are: ${[...voices].map((v) => `'${v}'`).join(', ')}.`);
      }
      if (output.speed !== undefined && (typeof output.speed !== 'number' || output.speed < 0.25 || output.speed > 1.5)) {
        return invalidValue(`${prefix}.audio.output.speed`, 'Invalid value for speed: expected a number between 0.25 and 1.5.');
      }
    }
  }
  if (session.tools !== undefined) {
    if (!Array.isArray(session.tools)) return invalidValue(`${prefix}.tools`, `Invalid type for '${prefix}.tools': expected an array.`);
    for (let i = 0; i < session.tools.length; i++) {
      const t = session.tools[i] as unknown;
      if (!isObject(t)) return invalidValue(`${prefix}.tools[${i}]`, `Invalid type for '${prefix}.tools[${i}]': expected an object.`);
      if (t.type === 'mcp') {
        const problem = validateMcpTool(t, `${prefix}.tools[${i}]`);
        if (problem) return problem;
        continue;
      }
      if (t.type !== 'function') return invalidValue(`${prefix}.tools[${i}].type`, `Invalid value: '${String(t.type)}'. Supported values are: 'function' and 'mcp'.`);
      const u = firstUnknown(t, new Set(['type', 'name', 'description', 'parameters']), `${prefix}.tools[${i}]`);
      if (u) return u;
      if (typeof t.name !== 'string' || !t.name) return missingParameter(`${prefix}.tools[${i}].name`);
    }
  }
  const tuned = validateTuning(session, prefix);
  if (tuned) return tuned;
  if (session.tool_choice !== undefined) {
    const c = session.tool_choice;
    const ok = c === 'auto' || c === 'none' || c === 'required' || (isObject(c) && c.type === 'function' && typeof c.name === 'string');
    if (!ok) return invalidValue(`${prefix}.tool_choice`, `Invalid value for '${prefix}.tool_choice'.`);
  }
  return null;
}

/** SDK `RealtimeToolsConfigUnion.Mcp`: its keys; `server_label` required; one of `server_url`, `connector_id`, `tunnel_id`. */
const MCP_KEYS = new Set(['type', 'server_label', 'allowed_callers', 'allowed_tools', 'authorization', 'connector_id', 'defer_loading', 'headers', 'require_approval', 'server_description', 'server_url', 'tunnel_id']);

function validateMcpTool(t: Record<string, unknown>, prefix: string): FakeOpenAIError | null {
  const u = firstUnknown(t, MCP_KEYS, prefix);
  if (u) return u;
  if (typeof t.server_label !== 'string' || !t.server_label) return missingParameter(`${prefix}.server_label`);
  const targets = ['server_url', 'connector_id', 'tunnel_id'].filter((k) => t[k] !== undefined);
  if (targets.length !== 1) return invalidValue(prefix, `Invalid value for '${prefix}': provide exactly one of 'server_url', 'connector_id' or 'tunnel_id'.`);
  const ra = t.require_approval;
  if (ra !== undefined && ra !== null && ra !== 'always' && ra !== 'never' && !isObject(ra)) {
    return invalidValue(`${prefix}.require_approval`, `Invalid value: '${String(ra)}'. Supported values are: 'always' and 'never'.`);
  }
  if (t.allowed_tools !== undefined && t.allowed_tools !== null && !Array.isArray(t.allowed_tools) && !isObject(t.allowed_tools)) {
    return invalidValue(`${prefix}.allowed_tools`, `Invalid type for '${prefix}.allowed_tools': expected an array of tool names or a filter object.`);
  }
  return null;
}

/**
 * The tuning fields' shapes (SDK `RealtimeSessionCreateRequest`): `reasoning.effort` one of
 * `RealtimeReasoningEffort`; `truncation` `auto` / `disabled` / `{type:'retention_ratio',
 * retention_ratio 0..1}`; `tracing` `auto` / null / a `TracingConfiguration`; `prompt` `{id,
 * version?, variables?}` (`ResponsePrompt`); `parallel_tool_calls` a boolean.
 */
function validateTuning(session: Record<string, unknown>, prefix: string): FakeOpenAIError | null {
  const r = session.reasoning;
  if (r !== undefined && (!isObject(r) || (r.effort !== undefined && !['minimal', 'low', 'medium', 'high', 'xhigh'].includes(String(r.effort))))) {
    return invalidValue(`${prefix}.reasoning.effort`, "Invalid value for reasoning.effort. Supported values are: 'minimal', 'low', 'medium', 'high', and 'xhigh'.");
  }
  if (session.parallel_tool_calls !== undefined && typeof session.parallel_tool_calls !== 'boolean') return invalidValue(`${prefix}.parallel_tool_calls`, 'Invalid type for parallel_tool_calls: expected a boolean.');
  const tr = session.truncation;
  if (tr !== undefined && tr !== 'auto' && tr !== 'disabled') {
    if (!isObject(tr) || tr.type !== 'retention_ratio' || typeof tr.retention_ratio !== 'number' || tr.retention_ratio < 0 || tr.retention_ratio > 1) {
      return invalidValue(`${prefix}.truncation`, "Invalid value for truncation: expected 'auto', 'disabled' or {type: 'retention_ratio', retention_ratio: 0..1}.");
    }
  }
  const tc = session.tracing;
  if (tc !== undefined && tc !== null && tc !== 'auto') {
    if (!isObject(tc)) return invalidValue(`${prefix}.tracing`, "Invalid value for tracing: expected 'auto', null or an object.");
    const u = firstUnknown(tc, new Set(['workflow_name', 'group_id', 'metadata']), `${prefix}.tracing`);
    if (u) return u;
  }
  const p = session.prompt;
  if (p !== undefined && p !== null) {
    if (!isObject(p) || typeof p.id !== 'string' || !p.id) return missingParameter(`${prefix}.prompt.id`);
    const u = firstUnknown(p, new Set(['id', 'version', 'variables']), `${prefix}.prompt`);
    if (u) return u;
  }
  const tr2 = (session.audio as { input?: { transcription?: unknown } } | undefined)?.input?.transcription;
  if (isObject(tr2)) {
    const u = firstUnknown(tr2, new Set(['model', 'language', 'prompt', 'keywords', 'languages', 'delay']), `${prefix}.audio.input.transcription`);
    if (u) return u;
  }
  return null;
}

/** Merges an update into the effective session: only fields present change (A.5). */
export function mergeSession(current: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (k === 'audio' && isObject(v)) {
      const cur = isObject(current.audio) ? current.audio : {};
      const audio: Record<string, unknown> = { ...cur };
      for (const side of ['input', 'output'] as const) {
        if (isObject(v[side])) audio[side] = { ...(isObject(cur[side]) ? cur[side] : {}), ...v[side] };
      }
      out.audio = audio;
    } else {
      out[k] = v;
    }
  }
  return out;
}
