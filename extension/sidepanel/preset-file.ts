import type { ToolMocks } from '../shared/messages.ts';

/**
 * A named set of session settings (instructions and tools included) and tool mocks for one
 * adapter. Never a key: keys are not part of a preset, and anything key-like is dropped on the
 * way in and out.
 */
export interface Preset {
  name: string;
  adapterId: string;
  settings: Record<string, string | number | boolean>;
  toolMocks: ToolMocks;
}

export const PRESET_FILE_FORMAT = 'voice-workbench-presets';
export const PRESET_FILE_VERSION = 1;

const SECRET_KEYS = /^(api_?key|apikey|key|token|secret|client_secret|authorization|password)$/i;

export function stripSecrets(settings: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => !SECRET_KEYS.test(k)));
}

export function serializePresets(presets: Preset[]): string {
  const clean = presets.map((p) => ({ name: p.name, adapterId: p.adapterId, settings: stripSecrets(p.settings), toolMocks: p.toolMocks }));
  return `${JSON.stringify({ format: PRESET_FILE_FORMAT, version: PRESET_FILE_VERSION, presets: clean }, null, 2)}\n`;
}

export type PresetFileResult = { ok: true; presets: Preset[] } | { ok: false; error: string };

/** Validates a whole file before anything is changed: one bad preset rejects the file. */
export function parsePresetFile(text: string, knownAdapters: readonly string[]): PresetFileResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The file is not JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  if (!isRecord(doc) || doc.format !== PRESET_FILE_FORMAT) return { ok: false, error: `The file is not a presets export (expected "format": "${PRESET_FILE_FORMAT}").` };
  if (doc.version !== PRESET_FILE_VERSION) return { ok: false, error: `Unsupported presets file version ${JSON.stringify(doc.version)} (this panel reads version ${PRESET_FILE_VERSION}).` };
  if (!Array.isArray(doc.presets)) return { ok: false, error: 'The file has no "presets" list.' };
  const presets: Preset[] = [];
  const names = new Set<string>();
  for (let i = 0; i < doc.presets.length; i++) {
    const p = doc.presets[i] as unknown;
    const where = `Preset ${i + 1}`;
    if (!isRecord(p)) return { ok: false, error: `${where} is not an object.` };
    if (typeof p.name !== 'string' || p.name.trim() === '') return { ok: false, error: `${where} has no name.` };
    if (names.has(p.name)) return { ok: false, error: `${where}: the name "${p.name}" appears twice.` };
    if (typeof p.adapterId !== 'string' || !knownAdapters.includes(p.adapterId)) return { ok: false, error: `${where} ("${p.name}"): unknown adapter ${JSON.stringify(p.adapterId)}.` };
    if (!isRecord(p.settings)) return { ok: false, error: `${where} ("${p.name}") has no settings object.` };
    const settings: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(p.settings)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return { ok: false, error: `${where} ("${p.name}"): setting "${k}" must be text, a number or true/false.` };
      settings[k] = v;
    }
    const toolMocks: ToolMocks = {};
    if (p.toolMocks !== undefined) {
      if (!isRecord(p.toolMocks)) return { ok: false, error: `${where} ("${p.name}"): "toolMocks" must be an object.` };
      for (const [tool, m] of Object.entries(p.toolMocks)) {
        if (!isRecord(m) || (m.mode !== 'fixed' && m.mode !== 'ask') || typeof m.result !== 'string') return { ok: false, error: `${where} ("${p.name}"): the mock for "${tool}" needs "mode" ("fixed" or "ask") and a "result" text.` };
        toolMocks[tool] = { mode: m.mode, result: m.result };
      }
    }
    names.add(p.name);
    presets.push({ name: p.name, adapterId: p.adapterId, settings: stripSecrets(settings), toolMocks });
  }
  return { ok: true, presets };
}

/** Imported presets replace same-named ones; the others stay. */
export function mergePresets(existing: Preset[], incoming: Preset[]): Preset[] {
  const byName = new Map(existing.map((p) => [p.name, p]));
  for (const p of incoming) byName.set(p.name, p);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
