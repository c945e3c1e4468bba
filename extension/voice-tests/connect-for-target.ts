import type { AdapterDescriptor } from '../../src/adapters/adapter-descriptor.ts';
import { defaultSettings } from '../../src/adapters/settings-schema.ts';
import type { ConnectCommand, ToolMocks } from '../shared/messages.ts';
import type { ScenarioTarget } from './scenario-types.ts';

/** What a run needs besides the target: the adapter's descriptor and the key (never from the file). */
export interface TargetContext {
  descriptor: AdapterDescriptor;
  apiKey?: string;
  /** Settings of a preset the target names (Tests view), laid under the target's own fields. */
  preset?: Record<string, unknown>;
  /** A call left unanswered this long gets the transport's timeout answer. */
  functionCallTimeoutMs?: number;
}

/**
 * The Connect a voice test sends for one target: the adapter's defaults, then the preset, then
 * what the scenario sets (model, voice, instructions, tools with their scripted mocks). The
 * session takes no microphone: the runner speaks into the capture path itself.
 */
export function connectForTarget(target: ScenarioTarget, ctx: TargetContext): ConnectCommand {
  const { descriptor } = ctx;
  if (descriptor.needsKey && !ctx.apiKey) throw new Error(`${descriptor.label} needs an API key: pass --key-env NAME (the variable holding it), or paste it in the panel`);
  const fields = new Set(descriptor.settings.map((f) => f.key));
  const settings: Record<string, unknown> = { ...defaultSettings(descriptor.settings), ...(ctx.preset ?? {}) };
  for (const [key, value] of Object.entries(target.settings ?? {})) {
    const field = descriptor.settings.find((f) => f.key === key);
    if (!field) continue;
    // A JSON field (a Pipecat bot's start_body) holds JSON text, as the Settings form does.
    settings[key] = field.kind === 'json' && typeof value !== 'string' ? JSON.stringify(value) : value;
  }
  if (target.instructions !== undefined && fields.has('instructions')) settings.instructions = target.instructions;
  if (target.voice !== undefined && fields.has('voice')) settings.voice = target.voice;
  if (target.model !== undefined && fields.has('model')) settings.model = target.model;
  const toolMocks: ToolMocks = {};
  if (target.tools && fields.has('tools')) {
    settings.tools = JSON.stringify(target.tools.map((t) => ({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.parameters ?? { type: 'object', properties: {} } })));
    // A tool the scenario gives no mock answers with an empty result: a test never waits on a person.
    for (const t of target.tools) toolMocks[t.name] = { mode: 'scripted', result: '', script: t.mock ?? { empty: true } };
  }
  const model = typeof settings.model === 'string' && settings.model.trim() ? settings.model.trim() : undefined;
  return {
    type: 'connect',
    adapterId: descriptor.id,
    ...(descriptor.needsKey ? { apiKey: ctx.apiKey } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(model ? { model } : {}),
    settings,
    enableMic: false,
    toolMocks,
    ...(ctx.functionCallTimeoutMs ? { functionCallTimeoutMs: ctx.functionCallTimeoutMs } : {}),
    // Every run is a recording, marked as a test so it never evicts the user's own recordings.
    recording: { origin: 'test', ...(target.preset ? { preset: target.preset } : {}) },
  };
}
