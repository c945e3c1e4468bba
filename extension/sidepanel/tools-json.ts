/**
 * Validates the `Tools (JSON)` field as the user types: an array of function declarations, each
 * with a `name`. Errors name the line (and column) so a long declaration list can be fixed.
 */
export interface ToolsJsonOk {
  ok: true;
  names: string[];
}

export interface ToolsJsonError {
  ok: false;
  line: number;
  column: number;
  message: string;
}

export type ToolsJsonResult = ToolsJsonOk | ToolsJsonError;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export function validateToolsJson(text: string): ToolsJsonResult {
  if (text.trim() === '') return { ok: true, names: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const at = syntaxErrorOffset(reason, text);
    const { line, column } = lineAndColumn(text, at);
    return { ok: false, line, column, message: `Line ${line}, column ${column}: ${plainReason(reason)}` };
  }
  if (!Array.isArray(value)) return fail(text, 0, 'Tools (JSON) must be an array of function declarations, like [{"name": "get_weather", "parameters": {…}}].');
  const names: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const t = value[i] as unknown;
    const at = offsetOfElement(text, i);
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return fail(text, at, `Tool ${i + 1} must be an object with a "name".`);
    const name = (t as { name?: unknown }).name;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) return fail(text, at, `Tool ${i + 1} needs a "name" of letters, digits, "_", "-" or "." (starting with a letter or "_").`);
    if (names.includes(name)) return fail(text, at, `Tool ${i + 1}: "${name}" is declared twice.`);
    const params = (t as { parameters?: unknown }).parameters;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return fail(text, at, `Tool ${i + 1} ("${name}"): "parameters" must be a JSON Schema object.`);
    names.push(name);
  }
  return { ok: true, names };
}

function fail(text: string, offset: number, message: string): ToolsJsonError {
  const { line, column } = lineAndColumn(text, offset);
  return { ok: false, line, column, message: `Line ${line}: ${message}` };
}

/** V8 reports `at position N` (newer versions add `(line L column C)`); end-of-input errors have none. */
function syntaxErrorOffset(reason: string, text: string): number {
  const lc = /line (\d+) column (\d+)/.exec(reason);
  if (lc) {
    const lines = text.split('\n');
    const line = Math.min(Number(lc[1]), lines.length);
    return lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Number(lc[2]) - 1;
  }
  const pos = /position (\d+)/.exec(reason);
  if (pos) return Number(pos[1]);
  // "Unexpected end of JSON input": the problem is where the text stops.
  return text.trimEnd().length;
}

function plainReason(reason: string): string {
  return reason.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '').replace(/^JSON\.parse: /, '') || 'invalid JSON';
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Offset of the i-th top-level element of a JSON array text (for pointing at a bad tool). */
function offsetOfElement(text: string, index: number): number {
  let depth = 0;
  let inString = false;
  let expecting = false;
  let element = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expecting && !/\s/.test(c) && c !== ']') {
      expecting = false;
      if (++element === index) return i;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return 0;
}

/** What `Insert example tool` adds: one complete declaration to copy the shape from. */
export const EXAMPLE_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name, e.g. Paris' } }, required: ['city'] },
};

/** The tools text with the example appended (or as the whole array when the text is empty or not an array). */
export function withExampleTool(text: string): string {
  let list: unknown[] = [];
  try {
    const v: unknown = text.trim() ? JSON.parse(text) : [];
    if (Array.isArray(v)) list = v;
    else return text;
  } catch {
    return text;
  }
  const taken = new Set(list.map((t) => (t as { name?: unknown })?.name));
  let name = EXAMPLE_TOOL.name;
  for (let i = 2; taken.has(name); i++) name = `${EXAMPLE_TOOL.name}_${i}`;
  return JSON.stringify([...list, { ...EXAMPLE_TOOL, name }], null, 2);
}

/** Pretty-printed JSON, or null when the text does not parse. */
export function formatToolsJson(text: string): string | null {
  if (!text.trim()) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}
