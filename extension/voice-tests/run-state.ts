import type { RunProgress, RunResult } from './scenario-runner.ts';
import type { TargetSummary } from './test-results.ts';

/** A scenario file sent to run: its name (for `file:line` messages) and text. */
export interface ScenarioFileInput {
  name: string;
  text: string;
}

export interface VoiceTestRunRequest {
  files: ScenarioFileInput[];
  /** Audio files the scenarios name, by the path written in the file: base64 of the bytes. */
  assets: Record<string, string>;
  /** Keys by adapter id (from the environment or the panel's key; never from a file). */
  keys: Record<string, string>;
  /** Overrides from the command line or the Tests view. */
  adapter?: string;
  endpoint?: string;
  repeat?: number;
  /** Token cap for the whole run. */
  maxTokens?: number;
  /** Ask judged assertions (they cost tokens). */
  judge?: boolean;
  /** Only these `scenario\u0000target` rows (Re-run failed). */
  only?: string[];
}

export type VoiceTestRunStatus = 'running' | 'passed' | 'failed' | 'refused' | 'stopped';

/** What the Tests view and the command line see of a run, updated as it goes. */
export interface VoiceTestRunState {
  id: number;
  status: VoiceTestRunStatus;
  /** `file:line:column: message` lines when a file was refused (nothing ran). */
  problems?: string;
  progress?: RunProgress;
  results: RunResult[];
  summaries: TargetSummary[];
  tokens: number;
  /** The estimated cost, stated before the first session connects (default price table). */
  estimate?: string;
  /** Why a run ended early (token cap, stopped). */
  stoppedReason?: string;
  startedAt: number;
  endedAt?: number;
  /** When the run ended: the terminal table and the JUnit XML, made where the results are. */
  report?: { table: string; junit: string };
}
