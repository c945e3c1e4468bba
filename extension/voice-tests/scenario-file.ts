import type { ErrorObject } from 'ajv';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { scrubCredentialShapes } from '../../src/transport/secret-scrubber.ts';
// Compiled ahead of time (scripts/build-scenario-validator.mjs): MV3 pages may not eval.
import { validate as validateGenerated } from './scenario-validator.generated.js';
import type { Scenario, ScenarioProblem, ScenarioStep, ScenarioTarget, StepAction } from './scenario-types.ts';

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

export interface ParseOptions {
  /** Adapter ids the runner knows; a target naming another is refused. */
  knownAdapters: readonly string[];
  /** Adapter used when the file names none (the panel's current one). */
  defaultAdapter?: string;
}

const validate = validateGenerated as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const STEP_KINDS = ['say', 'speak', 'from_recording', 'silence_ms', 'barge_in', 'wait_ms'] as const;
const MOCK_KINDS = ['result', 'error', 'empty', 'never_answers', 'cases'] as const;
/** Field names that hold a credential wherever they appear (outside a tool's parameter schema). */
const SECRET_FIELD = /^(api[_-]?key|key|secret|token|password|authorization|access[_-]?token|client[_-]?secret)$/i;

/**
 * Reads a scenario file. Every refusal names its line: a YAML syntax error, a field the schema
 * does not allow, a step that says two things at once, an unknown adapter, or anything shaped like
 * a key (keys come from the environment or the panel, never from a file that gets committed).
 * Nothing is run unless the whole file is good.
 */
export function parseScenario(text: string, options: ParseOptions): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line: number; column: number } => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };

  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ ...at(e.pos[0]), message: `YAML syntax: ${firstLine(e.message)}` })) };
  }

  const problems: ScenarioProblem[] = [];
  findSecrets(doc.contents as YamlNode | null, [], (node, message) => problems.push({ ...at(node.range?.[0]), message }));
  if (problems.length > 0) return { ok: false, problems };

  const data: unknown = doc.toJS();
  if (!validate(data)) {
    for (const e of conciseErrors(validate.errors ?? [])) problems.push({ ...at(nodeFor(doc, e)?.range?.[0]), message: describe(e) });
    return { ok: false, problems: dedupe(problems) };
  }

  const raw = data as unknown as RawScenario;
  const stepNodes = doc.getIn(['steps'], true);
  const steps: ScenarioStep[] = [];
  raw.steps.forEach((s, i) => {
    const node = isSeq(stepNodes) ? (stepNodes.items[i] as YamlNode | undefined) : undefined;
    const where = at(node?.range?.[0]);
    const kinds = STEP_KINDS.filter((k) => k in s);
    if (kinds.length !== 1) {
      problems.push({ ...where, message: kinds.length === 0 ? `step ${i + 1} does nothing: give one of ${STEP_KINDS.join(', ')}` : `step ${i + 1} has ${kinds.join(' and ')}: one action per step` });
      return;
    }
    const action = toAction(s, kinds[0]!);
    if (action.kind === 'barge_in' && (action.speak === undefined) === (action.say === undefined)) {
      problems.push({ ...where, message: `step ${i + 1}: barge_in needs one of speak or say` });
      return;
    }
    if (s.expect?.transcript?.matches !== undefined) {
      try {
        new RegExp(s.expect.transcript.matches, 'i');
      } catch (e) {
        problems.push({ ...at(doc.getIn(['steps', i, 'expect', 'transcript', 'matches'], true) ? (doc.getIn(['steps', i, 'expect', 'transcript', 'matches'], true) as YamlNode).range?.[0] : node?.range?.[0]), message: `step ${i + 1}: transcript.matches is not a regular expression (${(e as Error).message})` });
        return;
      }
    }
    steps.push({ action, ...(s.expect ? { expect: s.expect } : {}), line: where.line });
  });

  const targets = expandTargets(raw, options.defaultAdapter);
  targets.forEach((t, i) => {
    const path = raw.matrix ? ['matrix', i] : ['target'];
    const node = (doc.getIn([...path, 'adapter'], true) ?? doc.getIn(path, true) ?? doc.contents) as YamlNode | null;
    if (!t.adapter) problems.push({ ...at(node?.range?.[0]), message: 'no adapter: set target.adapter (or pass --adapter)' });
    else if (!options.knownAdapters.includes(t.adapter)) problems.push({ ...at(node?.range?.[0]), message: `unknown adapter "${t.adapter}" (known: ${options.knownAdapters.join(', ')})` });
    (t.tools ?? []).forEach((tool) => {
      const kinds = MOCK_KINDS.filter((k) => tool.mock && k in tool.mock);
      if (tool.mock && kinds.length !== 1) {
        const toolNode = findToolNode(doc, raw.matrix ? ['matrix', i] : ['target'], tool.name) ?? node;
        problems.push({ ...at(toolNode?.range?.[0]), message: `tool ${tool.name}: the mock needs exactly one of ${MOCK_KINDS.join(', ')} (has ${kinds.length === 0 ? 'none' : kinds.join(', ')})` });
      }
    });
  });

  if (problems.length > 0) return { ok: false, problems: dedupe(problems) };
  return {
    ok: true,
    scenario: {
      version: 1,
      name: raw.name,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      targets,
      repeat: raw.repeat ?? 1,
      passRate: raw.pass_rate ?? 1,
      timeoutMs: raw.timeout_ms ?? 30_000,
      ...(raw.max_tokens !== undefined ? { maxTokens: raw.max_tokens } : {}),
      steps,
    },
  };
}

/** `file:line:column: message`, one per problem, as compilers print them. */
export function formatProblems(file: string, problems: readonly ScenarioProblem[]): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

interface RawStep {
  say?: string;
  speak?: string;
  from_recording?: { recording: string; turn: number };
  silence_ms?: number;
  barge_in?: { after_ms: number; speak?: string; say?: string };
  wait_ms?: number;
  expect?: ScenarioStep['expect'];
}

interface RawScenario {
  version: 1;
  name: string;
  description?: string;
  target?: ScenarioTarget;
  matrix?: ScenarioTarget[];
  repeat?: number;
  pass_rate?: number;
  timeout_ms?: number;
  max_tokens?: number;
  steps: RawStep[];
}

function toAction(s: RawStep, kind: (typeof STEP_KINDS)[number]): StepAction {
  switch (kind) {
    case 'say':
      return { kind: 'say', text: s.say! };
    case 'speak':
      return { kind: 'speak', file: s.speak! };
    case 'from_recording':
      return { kind: 'from_recording', recording: s.from_recording!.recording, turn: s.from_recording!.turn };
    case 'silence_ms':
      return { kind: 'silence', ms: s.silence_ms! };
    case 'barge_in':
      return { kind: 'barge_in', afterMs: s.barge_in!.after_ms, ...(s.barge_in!.speak !== undefined ? { speak: s.barge_in!.speak } : {}), ...(s.barge_in!.say !== undefined ? { say: s.barge_in!.say } : {}) };
    case 'wait_ms':
      return { kind: 'wait', ms: s.wait_ms! };
  }
}

/** `target` alone, or `target` with each `matrix` entry laid over it; a label for every row. */
function expandTargets(raw: RawScenario, defaultAdapter: string | undefined): ScenarioTarget[] {
  const base: ScenarioTarget = { ...(defaultAdapter ? { adapter: defaultAdapter } : {}), ...raw.target };
  const rows = raw.matrix ? raw.matrix.map((m) => ({ ...base, ...m })) : [base];
  return rows.map((t) => ({ ...t, label: t.label ?? [t.adapter ?? '?', t.model, t.preset].filter(Boolean).join(' · ') }));
}

function findSecrets(node: YamlNode | null, path: readonly (string | number)[], report: (node: YamlNode, message: string) => void): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      // A tool's parameter schema may well describe an argument called "key" or "token".
      if (path.at(-1) === 'parameters') continue;
      const value = pair.value as YamlNode | null;
      if (SECRET_FIELD.test(key) && isScalar(value) && typeof value.value === 'string' && value.value.trim().length > 0) {
        report(pair.key as YamlNode, `"${key}" looks like a credential: keys never go in a scenario file (use --key-env NAME, or the panel's key)`);
        continue;
      }
      findSecrets(value, [...path, key], report);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => findSecrets(item as YamlNode, [...path, i], report));
  } else if (isScalar(node) && typeof node.value === 'string' && scrubCredentialShapes(node.value) !== node.value) {
    // The value itself is not echoed: it may be a real key.
    report(node, 'this value is shaped like an API key: keys never go in a scenario file (use --key-env NAME, or the panel\'s key)');
  }
}

function findToolNode(doc: Document, targetPath: (string | number)[], name: string): YamlNode | undefined {
  const tools = doc.getIn([...targetPath, 'tools'], true);
  if (!isSeq(tools)) return undefined;
  return tools.items.find((t) => isMap(t) && t.get('name') === name) as YamlNode | undefined;
}

/** Drops the errors ajv adds for every branch of a failed `oneOf` when a plainer one says it. */
function conciseErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath) || e.keyword === 'additionalProperties');
}

function nodeFor(doc: Document, e: ErrorObject): YamlNode | null {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') {
    const parent = path.length ? doc.getIn(path, true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === (e.params as { additionalProperty: string }).additionalProperty);
      if (pair) return pair.key as YamlNode;
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in (node as object)) return node as YamlNode;
  }
  return null;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') : 'the file';
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where === 'the file' ? 'top level' : where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `${where}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'const':
      return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum':
      return `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return `${where} has the wrong shape (see scenario.schema.json)`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => a.line - b.line || a.column - b.column);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
