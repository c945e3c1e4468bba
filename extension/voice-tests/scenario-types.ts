/**
 * A voice test scenario as the runner uses it: the YAML file (scenario.schema.json) after
 * validation, with snake_case kept as written so error messages and results name the fields the
 * user wrote.
 */

export interface ToolMockCase {
  when: Record<string, unknown>;
  result?: unknown;
  error?: string;
}

export interface ToolMock {
  result?: unknown;
  error?: string;
  empty?: true;
  never_answers?: true;
  cases?: ToolMockCase[];
  default?: unknown;
  delay_ms?: number;
}

export interface ScenarioTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  mock?: ToolMock;
}

export interface ScenarioTarget {
  adapter?: string;
  model?: string;
  voice?: string;
  preset?: string;
  instructions?: string;
  endpoint?: string;
  /** Other adapter settings by key (a Pipecat bot's start_body, sample rates); JSON-kind values may be objects. */
  settings?: Record<string, unknown>;
  label?: string;
  tools?: ScenarioTool[];
}

export interface TextMatch {
  contains?: string | string[];
  not_contains?: string | string[];
  matches?: string;
}

export interface Bounds {
  min?: number;
  max?: number;
}

export interface ToolExpectation {
  name: string;
  args?: Record<string, unknown>;
}

export interface Expectations {
  transcript?: TextMatch;
  tool_called?: ToolExpectation | ToolExpectation[];
  tool_not_called?: string | string[];
  tool_calls?: number | Bounds;
  latency_ms?: Bounds;
  audio_ms?: Bounds;
  no_error?: boolean;
  ready?: boolean;
  judge?: { question: string; expect?: 'yes' | 'no'; model?: string };
}

export type StepAction =
  | { kind: 'say'; text: string }
  | { kind: 'speak'; file: string }
  | { kind: 'from_recording'; recording: string; turn: number }
  | { kind: 'silence'; ms: number }
  | { kind: 'barge_in'; afterMs: number; speak?: string; say?: string }
  | { kind: 'wait'; ms: number };

export interface ScenarioStep {
  action: StepAction;
  expect?: Expectations;
  /** 1-based line of the step in the file, for results that point back at it. */
  line: number;
}

export interface Scenario {
  version: 1;
  name: string;
  description?: string;
  /** One entry per target to run: `target` merged with each `matrix` entry (or `target` alone). */
  targets: ScenarioTarget[];
  repeat: number;
  passRate: number;
  timeoutMs: number;
  maxTokens?: number;
  steps: ScenarioStep[];
}

/** A reason a file was refused, with the 1-based line (and column) it points at. */
export interface ScenarioProblem {
  line: number;
  column: number;
  message: string;
}
