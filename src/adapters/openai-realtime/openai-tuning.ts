import type {
  AudioTranscription,
  RealtimeAudioInputTurnDetection,
  RealtimeSessionCreateRequest,
  RealtimeToolsConfigUnion,
  RealtimeTracingConfig,
  RealtimeTruncation,
} from 'openai/resources/realtime/realtime';
import type { ResponsePrompt } from 'openai/resources/responses/responses';
import type { SettingField } from '../settings-schema.ts';
import { OPENAI_MCP_CONNECTORS, OPENAI_REASONING_EFFORTS, openAIModelCapabilities, openAITranscriptionCapabilities } from './openai-model-capabilities.ts';

/**
 * The settings developers tune beyond the basics (issue 17 item 2), their form fields, and their
 * translation into the GA session. Shapes follow the SDK types (openai 7.55,
 * resources/realtime/realtime.d.ts); which fields a model takes comes from
 * openai-model-capabilities.ts.
 */
export interface OpenAITuningSettings {
  model?: string;
  turn_detection?: string;
  transcription_model?: string;
  /** '' leaves the model's default. */
  reasoning_effort?: string;
  /** '' leaves the model's default; 'on' / 'off'. */
  parallel_tool_calls?: string;
  /** 0 turns it off. Server VAD only. */
  idle_timeout_ms?: number;
  transcription_language?: string;
  transcription_prompt?: string;
  /** 'off' | 'auto'. */
  tracing?: string;
  tracing_workflow_name?: string;
  tracing_group_id?: string;
  /** 'auto' | 'disabled' | 'retention_ratio'. */
  truncation?: string;
  retention_ratio?: number;
  prompt_id?: string;
  prompt_version?: string;
  /** JSON object of string values. */
  prompt_variables?: string;
  mcp_server_label?: string;
  mcp_server_url?: string;
  mcp_connector_id?: string;
  /** Comma-separated tool names; empty allows all. */
  mcp_allowed_tools?: string;
  /** 'always' | 'never'. */
  mcp_require_approval?: string;
}

export class OpenAITuningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenAITuningError';
  }
}

const reasoningModel = (s: Record<string, unknown>) => openAIModelCapabilities(typeof s.model === 'string' ? s.model : undefined).reasoning;
const serverVad = (s: Record<string, unknown>) => (s.turn_detection ?? 'server_vad') === 'server_vad';
const transcribing = (s: Record<string, unknown>) => typeof s.transcription_model !== 'string' || s.transcription_model.trim() !== '';
const mcpOn = (s: Record<string, unknown>) => typeof s.mcp_server_label === 'string' && s.mcp_server_label.trim() !== '';

export const OPENAI_TUNING_SETTINGS: SettingField[] = [
  {
    key: 'reasoning_effort', label: 'Reasoning effort', kind: 'select', default: '', apply: 'live', advanced: true, visibleWhen: reasoningModel,
    options: [{ value: '', label: 'Model default' }, ...OPENAI_REASONING_EFFORTS.map((v) => ({ value: v, label: v }))],
    help: 'Reasoning models (gpt-realtime-2 family) only.',
  },
  {
    key: 'parallel_tool_calls', label: 'Parallel tool calls', kind: 'select', default: '', apply: 'live', advanced: true, visibleWhen: reasoningModel,
    options: [
      { value: '', label: 'Model default' },
      { value: 'on', label: 'Allowed' },
      { value: 'off', label: 'One call at a time' },
    ],
  },
  {
    key: 'idle_timeout_ms', label: 'Idle timeout (ms)', kind: 'number', default: 0, min: 0, max: 600_000, step: 500, apply: 'live', advanced: true, visibleWhen: serverVad,
    help: '0 is off. After this long without speech (counted from the end of the reply\'s audio) the model prompts you; the log shows input_audio_buffer.timeout_triggered. Server VAD only.',
  },
  { key: 'transcription_language', label: 'Transcription language', kind: 'text', default: '', apply: 'live', advanced: true, visibleWhen: transcribing, help: 'ISO-639-1 code such as en; empty detects it.' },
  {
    key: 'transcription_prompt', label: 'Transcription prompt', kind: 'text', default: '', apply: 'live', advanced: true,
    visibleWhen: (s) => transcribing(s) && openAITranscriptionCapabilities(typeof s.transcription_model === 'string' ? s.transcription_model : undefined).prompt,
    help: 'Words or context to guide transcription (not supported by gpt-realtime-whisper).',
  },
  {
    key: 'tracing', label: 'Tracing', kind: 'select', default: 'off', apply: 'reconnect', advanced: true,
    options: [
      { value: 'off', label: 'Off' },
      { value: 'auto', label: 'On (Traces dashboard)' },
    ],
    help: 'Once tracing is on for a session its configuration cannot change, so it applies on the next Connect.',
  },
  { key: 'tracing_workflow_name', label: 'Trace workflow name', kind: 'text', default: '', apply: 'reconnect', advanced: true, visibleWhen: (s) => s.tracing === 'auto' },
  { key: 'tracing_group_id', label: 'Trace group ID', kind: 'text', default: '', apply: 'reconnect', advanced: true, visibleWhen: (s) => s.tracing === 'auto' },
  {
    key: 'truncation', label: 'Truncation', kind: 'select', default: 'auto', apply: 'live', advanced: true,
    options: [
      { value: 'auto', label: 'Auto (drop oldest when full)' },
      { value: 'retention_ratio', label: 'Keep a fraction (retention ratio)' },
      { value: 'disabled', label: 'Disabled (error when full)' },
    ],
  },
  { key: 'retention_ratio', label: 'Retention ratio', kind: 'number', default: 0.8, min: 0, max: 1, step: 0.05, apply: 'live', advanced: true, visibleWhen: (s) => s.truncation === 'retention_ratio' },
  { key: 'prompt_id', label: 'Stored prompt ID', kind: 'text', default: '', apply: 'live', advanced: true, help: 'A prompt saved in the OpenAI dashboard (pmpt_…); empty sends none.' },
  { key: 'prompt_version', label: 'Stored prompt version', kind: 'text', default: '', apply: 'live', advanced: true, visibleWhen: (s) => typeof s.prompt_id === 'string' && s.prompt_id.trim() !== '' },
  {
    key: 'prompt_variables', label: 'Stored prompt variables (JSON)', kind: 'textarea', default: '{}', apply: 'live', advanced: true,
    visibleWhen: (s) => typeof s.prompt_id === 'string' && s.prompt_id.trim() !== '',
    help: 'An object of variable names to text values.',
  },
  { key: 'mcp_server_label', label: 'MCP server label', kind: 'text', default: '', apply: 'live', advanced: true, help: 'Empty: no MCP server. A label adds one MCP tool to the session.' },
  { key: 'mcp_server_url', label: 'MCP server URL', kind: 'text', default: '', apply: 'live', advanced: true, visibleWhen: mcpOn },
  {
    key: 'mcp_connector_id', label: 'MCP connector', kind: 'select', default: '', apply: 'live', advanced: true, visibleWhen: mcpOn,
    options: [{ value: '', label: 'None (use the server URL)' }, ...OPENAI_MCP_CONNECTORS.map((c) => ({ value: c, label: `${c.replace(/^connector_/, '')} (deprecated by OpenAI)` }))],
  },
  { key: 'mcp_allowed_tools', label: 'MCP allowed tools', kind: 'text', default: '', apply: 'live', advanced: true, visibleWhen: mcpOn, help: 'Comma-separated tool names; empty allows all.' },
  {
    key: 'mcp_require_approval', label: 'MCP approval', kind: 'select', default: 'always', apply: 'live', advanced: true, visibleWhen: mcpOn,
    options: [
      { value: 'always', label: 'Ask me before every call' },
      { value: 'never', label: 'Never ask' },
    ],
  },
];

/** Tuning keys a mid-session `session.update` may carry (tracing cannot change once on: SDK `RealtimeSessionCreateRequest.tracing`). */
export const OPENAI_TUNING_LIVE_KEYS = OPENAI_TUNING_SETTINGS.filter((f) => f.apply === 'live').map((f) => f.key);

/** The `session.update` param paths of the tuning fields, for naming a refused one. */
export const OPENAI_TUNING_PARAMS: Array<[RegExp, string]> = [
  [/^reasoning/, 'reasoning_effort'],
  [/^parallel_tool_calls/, 'parallel_tool_calls'],
  [/^audio\.input\.turn_detection\.idle_timeout_ms/, 'idle_timeout_ms'],
  [/^audio\.input\.transcription\.language/, 'transcription_language'],
  [/^audio\.input\.transcription\.prompt/, 'transcription_prompt'],
  [/^tracing/, 'tracing'],
  [/^truncation/, 'truncation'],
  [/^prompt/, 'prompt_id'],
];

export function buildMcpTool(s: OpenAITuningSettings): RealtimeToolsConfigUnion.Mcp | null {
  const label = s.mcp_server_label?.trim() ?? '';
  if (!label) return null;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(label)) throw new OpenAITuningError('MCP server label must be 1-64 letters, digits, _ or -.');
  const url = s.mcp_server_url?.trim() ?? '';
  const connector = s.mcp_connector_id?.trim() ?? '';
  if (!url && !connector) throw new OpenAITuningError('MCP needs a server URL or a connector.');
  if (url && connector) throw new OpenAITuningError('MCP takes a server URL or a connector, not both.');
  const tool: RealtimeToolsConfigUnion.Mcp = { type: 'mcp', server_label: label };
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OpenAITuningError(`MCP server URL "${url}" is not a URL.`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new OpenAITuningError('MCP server URL must start with https://.');
    tool.server_url = url;
  } else {
    if (!(OPENAI_MCP_CONNECTORS as readonly string[]).includes(connector)) throw new OpenAITuningError(`MCP connector "${connector}" is not one OpenAI knows.`);
    tool.connector_id = connector as NonNullable<RealtimeToolsConfigUnion.Mcp['connector_id']>;
  }
  const allowed = (s.mcp_allowed_tools ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (allowed.length) tool.allowed_tools = allowed;
  tool.require_approval = s.mcp_require_approval === 'never' ? 'never' : 'always';
  return tool;
}

export function buildPrompt(s: OpenAITuningSettings): ResponsePrompt | null {
  const id = s.prompt_id?.trim() ?? '';
  if (!id) return null;
  const prompt: ResponsePrompt = { id };
  const version = s.prompt_version?.trim();
  if (version) prompt.version = version;
  const varsText = (s.prompt_variables ?? '').trim();
  if (varsText && varsText !== '{}') {
    let vars: unknown;
    try {
      vars = JSON.parse(varsText);
    } catch (e) {
      throw new OpenAITuningError(`Stored prompt variables (JSON) is not valid JSON: ${(e as Error).message}`);
    }
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) throw new OpenAITuningError('Stored prompt variables (JSON) must be an object of names to text.');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) {
      if (typeof v !== 'string') throw new OpenAITuningError(`Stored prompt variable "${k}" must be text.`);
      out[k] = v;
    }
    prompt.variables = out;
  }
  return prompt;
}

export function buildTracing(s: OpenAITuningSettings): RealtimeTracingConfig | null {
  if (s.tracing !== 'auto') return null;
  const workflow = s.tracing_workflow_name?.trim();
  const group = s.tracing_group_id?.trim();
  if (!workflow && !group) return 'auto';
  return { ...(workflow ? { workflow_name: workflow } : {}), ...(group ? { group_id: group } : {}) };
}

export function buildTruncation(s: OpenAITuningSettings): RealtimeTruncation {
  if (s.truncation === 'disabled') return 'disabled';
  if (s.truncation === 'retention_ratio') {
    const r = typeof s.retention_ratio === 'number' ? s.retention_ratio : 0.8;
    if (!(r >= 0 && r <= 1)) throw new OpenAITuningError('Retention ratio must be between 0 and 1.');
    return { type: 'retention_ratio', retention_ratio: r };
  }
  return 'auto';
}

/** Adds the tuning fields to a built transcription config (in place). */
export function tuneTranscription(transcription: AudioTranscription, s: OpenAITuningSettings): AudioTranscription {
  const language = s.transcription_language?.trim();
  if (language) {
    if (!/^[a-z]{2,3}$/i.test(language)) throw new OpenAITuningError(`Transcription language "${language}" is not an ISO-639-1 code such as en.`);
    transcription.language = language.toLowerCase();
  }
  const prompt = s.transcription_prompt?.trim();
  if (prompt && openAITranscriptionCapabilities(transcription.model).prompt) transcription.prompt = prompt;
  return transcription;
}

/** Adds the tuning fields to a built turn detection (in place). Idle timeout exists on server VAD only (SDK `ServerVad.idle_timeout_ms`). */
export function tuneTurnDetection(td: RealtimeAudioInputTurnDetection | null, s: OpenAITuningSettings): RealtimeAudioInputTurnDetection | null {
  if (td?.type === 'server_vad') {
    const ms = s.idle_timeout_ms;
    td.idle_timeout_ms = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? Math.round(ms) : null;
  }
  return td;
}

/** Adds the session-level tuning fields to a built session (in place) and returns it. */
export function tuneSession(session: RealtimeSessionCreateRequest, s: OpenAITuningSettings, opts: { includeTracing?: boolean } = {}): RealtimeSessionCreateRequest {
  if (openAIModelCapabilities(s.model).reasoning) {
    const effort = s.reasoning_effort ?? '';
    if (effort) {
      if (!(OPENAI_REASONING_EFFORTS as readonly string[]).includes(effort)) throw new OpenAITuningError(`Reasoning effort "${effort}" is not one of ${OPENAI_REASONING_EFFORTS.join(', ')}.`);
      session.reasoning = { effort: effort as (typeof OPENAI_REASONING_EFFORTS)[number] };
    }
    if (s.parallel_tool_calls === 'on' || s.parallel_tool_calls === 'off') session.parallel_tool_calls = s.parallel_tool_calls === 'on';
  }
  const mcp = buildMcpTool(s);
  if (mcp) session.tools = [...(session.tools ?? []), mcp];
  session.prompt = buildPrompt(s);
  session.truncation = buildTruncation(s);
  // Tracing cannot change once on (SDK `RealtimeSessionCreateRequest.tracing`): it goes out at
  // connect only, and only when on (absent leaves it off).
  const tracing = opts.includeTracing === false ? null : buildTracing(s);
  if (tracing) session.tracing = tracing;
  return session;
}
