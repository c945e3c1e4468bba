import type { LogEvent } from '../shared/log-event.ts';
import { tokensOf } from '../inspector-core/session-metrics.ts';
import { checkExpectations, type AssertionResult, type JudgeVerdict } from './expectations.ts';
import { observeReply, type ReplyObservation } from './reply-observation.ts';
import type { Expectations, Scenario, ScenarioStep, ScenarioTarget } from './scenario-types.ts';

/** Mono PCM to speak into the session's capture path. */
export interface SpeechAudio {
  pcm: Int16Array;
  sampleRate: number;
}

/**
 * The session a scenario drives: in the extension, the session host (the very session the panel
 * uses); in unit tests, a scripted stand-in. Audio goes through the capture path (chunker, local
 * VAD, the adapter's send), paced in real time, so a barge-in lands at the moment it is spoken.
 */
export interface SessionDriver {
  /** Connects with this target's settings and mocks; resolves when ready, rejects with a plain reason. */
  start(target: ScenarioTarget, run: { scenario: string; run: number }): Promise<void>;
  stop(): Promise<void>;
  sendText(text: string): void;
  speak(audio: SpeechAudio, signal: AbortSignal): Promise<void>;
  /** Rows of the current session so far, in order. */
  events(): readonly LogEvent[];
  /** Calls back on each new row of the current session; returns the unsubscribe. */
  onEvent(listener: (ev: LogEvent) => void): () => void;
  isReady(): boolean;
  /** The recording this run was saved as, when recording is on. */
  recordingId?(): string | undefined;
  /** Asks the judge model; present only when judged assertions were asked for. */
  judge?(question: string, reply: string, model?: string): Promise<JudgeVerdict>;
}

/** Loads the audio a step names (a file beside the scenario, or a recording's user turn). */
export interface AudioLoader {
  file(path: string): Promise<SpeechAudio>;
  recordingTurn(recording: string, turn: number): Promise<SpeechAudio>;
}

export interface RunResult {
  scenario: string;
  target: string;
  /** 1-based repeat number. */
  run: number;
  assertions: AssertionResult[];
  /** Voice-to-voice latency of each spoken reply in the run (ms). */
  latencies: number[];
  tokens: number;
  /** A run that could not finish: connect failed, a step's audio was missing, the token cap. */
  error?: string;
  recordingId?: string;
}

export interface RunProgress {
  scenario: string;
  target: string;
  run: number;
  runs: number;
  step: number;
  steps: number;
  phase: 'connecting' | 'step' | 'done';
}

export interface RunOptions {
  /** Stops the whole run (the panel's Stop, the CLI's Ctrl-C). */
  signal?: AbortSignal;
  onProgress?(p: RunProgress): void;
  onResult?(r: RunResult): void;
  /** Whether judged assertions are asked (they cost tokens): off unless the user asked. */
  judge?: boolean;
  /** After a reply stops, how long nothing new must happen for it to count as finished. */
  settleMs?: number;
  /** Token cap for the whole invocation (all scenarios); the scenario's own `max_tokens` also applies. */
  maxTokens?: number;
}

export class TokenCapReached extends Error {
  constructor(readonly cap: number, readonly used: number) {
    super(`token cap of ${cap} reached (${used} used): run stopped`);
  }
}

/** Token use across one invocation, shared by every scenario and run in it. */
export class TokenBudget {
  used = 0;
  constructor(readonly cap: number | undefined) {}
  add(n: number): void {
    this.used += n;
  }
  exceeded(extraCap?: number, usedHere = this.used): TokenCapReached | null {
    if (this.cap !== undefined && this.used >= this.cap) return new TokenCapReached(this.cap, this.used);
    if (extraCap !== undefined && usedHere >= extraCap) return new TokenCapReached(extraCap, usedHere);
    return null;
  }
}

const USER_TURN = new Set(['say', 'speak', 'from_recording', 'barge_in']);

/**
 * Runs a scenario: every target × `repeat`, each run a fresh session. After a user turn the
 * runner waits for the bot's reply to finish (or, when the next step barges in, only for it to
 * start) and checks that step's expectations on the rows in between. A run stops early on a
 * failed connect, the token cap, or the caller's signal; what it had checked is kept.
 */
export async function runScenario(scenario: Scenario, driver: SessionDriver, audio: AudioLoader, budget: TokenBudget, options: RunOptions = {}): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const scenarioStart = budget.used;
  for (const target of scenario.targets) {
    for (let run = 1; run <= scenario.repeat; run++) {
      if (options.signal?.aborted) return results;
      const capped = budget.exceeded(scenario.maxTokens, budget.used - scenarioStart);
      if (capped) {
        const r: RunResult = { scenario: scenario.name, target: target.label ?? '', run, assertions: [], latencies: [], tokens: 0, error: capped.message };
        results.push(r);
        options.onResult?.(r);
        return results;
      }
      const r = await runOnce(scenario, target, run, driver, audio, budget, scenarioStart, options);
      results.push(r);
      options.onResult?.(r);
      if (r.error && /token cap/.test(r.error)) return results;
    }
  }
  return results;
}

async function runOnce(scenario: Scenario, target: ScenarioTarget, run: number, driver: SessionDriver, audio: AudioLoader, budget: TokenBudget, scenarioStart: number, options: RunOptions): Promise<RunResult> {
  const label = target.label ?? target.adapter ?? '';
  const result: RunResult = { scenario: scenario.name, target: label, run, assertions: [], latencies: [], tokens: 0 };
  const progress = (step: number, phase: RunProgress['phase']) => options.onProgress?.({ scenario: scenario.name, target: label, run, runs: scenario.repeat, step, steps: scenario.steps.length, phase });
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal?.reason ?? new Error('stopped'));
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const unsubscribe = driver.onEvent((ev) => {
    if (ev.source !== 'rtvi' || ev.type !== 'metrics') return;
    const t = tokensOf(ev.data);
    if (!t) return;
    result.tokens += t.total;
    budget.add(t.total);
    const capped = budget.exceeded(scenario.maxTokens, budget.used - scenarioStart);
    if (capped) stop.abort(capped);
  });

  progress(0, 'connecting');
  try {
    await raceAbort(driver.start(target, { scenario: scenario.name, run }), stop.signal);
    const steps = scenario.steps;
    for (let i = 0; i < steps.length; i++) {
      progress(i + 1, 'step');
      const step = steps[i]!;
      const next = steps[i + 1];
      const mark = driver.events().length;
      await perform(step, driver, audio, scenario.timeoutMs, stop.signal);
      if (!USER_TURN.has(step.action.kind)) {
        if (step.expect) await check(step, i + 1, driver, mark, result, options, budget);
        continue;
      }
      if (next?.action.kind === 'barge_in') {
        // Speak over this reply: wait for it to be heard, then let the next step time its entry.
        await waitFor(driver, mark, (ev) => ev.source === 'rtvi' && ev.type === 'bot-started-speaking', scenario.timeoutMs, stop.signal, 'the bot to start its reply (for the barge-in that follows)');
        await sleep(next.action.afterMs, stop.signal);
      } else {
        await waitForReplyEnd(driver, mark, scenario.timeoutMs, options.settleMs ?? 1200, stop.signal);
      }
      if (step.expect) await check(step, i + 1, driver, mark, result, options, budget);
    }
  } catch (e) {
    const reason = stop.signal.aborted ? stop.signal.reason : e;
    result.error = reason instanceof Error ? reason.message : String(reason);
  } finally {
    unsubscribe();
    options.signal?.removeEventListener('abort', onOuterAbort);
    const id = driver.recordingId?.();
    if (id) result.recordingId = id;
    try {
      await driver.stop();
    } catch {
      // A session that already ended needs no stop; the run's result stands.
    }
    progress(scenario.steps.length, 'done');
  }
  return result;
}

async function check(step: ScenarioStep, n: number, driver: SessionDriver, mark: number, result: RunResult, options: RunOptions, budget: TokenBudget): Promise<void> {
  const all = driver.events();
  const window = all.slice(mark);
  const obs: ReplyObservation = observeReply(window, all.slice(Math.max(0, mark - 200), mark));
  if (obs.latencyMs !== null) result.latencies.push(obs.latencyMs);
  const expect: Expectations = step.expect!;
  let judge: JudgeVerdict | undefined;
  if (expect.judge && options.judge && driver.judge) {
    try {
      judge = await driver.judge(expect.judge.question, obs.transcript, expect.judge.model);
      // The judge bills the same key: its tokens count toward the run's total and the cap.
      if (judge.tokens) {
        result.tokens += judge.tokens;
        budget.add(judge.tokens);
      }
    } catch (e) {
      judge = { answer: 'unclear', reasoning: `the judge could not be asked: ${(e as Error).message}` };
    }
  }
  result.assertions.push(...checkExpectations(expect, obs, { step: n, readyAfter: driver.isReady(), ...(judge ? { judge } : {}) }));
}

async function perform(step: ScenarioStep, driver: SessionDriver, audio: AudioLoader, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const a = step.action;
  switch (a.kind) {
    case 'say':
      driver.sendText(a.text);
      return;
    case 'speak':
      await driver.speak(await audio.file(a.file), signal);
      return;
    case 'from_recording':
      await driver.speak(await audio.recordingTurn(a.recording, a.turn), signal);
      return;
    case 'silence': {
      const rate = 16_000;
      await driver.speak({ pcm: new Int16Array(Math.round((a.ms / 1000) * rate)), sampleRate: rate }, signal);
      return;
    }
    case 'barge_in':
      if (a.say !== undefined) driver.sendText(a.say);
      else await driver.speak(await audio.file(a.speak!), signal);
      return;
    case 'wait':
      await sleep(a.ms, signal);
      return;
  }
  void timeoutMs;
}

/**
 * A reply is finished when the bot has answered (spoken, or a text-only reply ended) and nothing
 * new began for `settleMs`: a tool call's follow-up reply starts after its result, so the first
 * stop is not the end. A reply that never finishes ends the wait at `timeoutMs` without failing
 * the run: the step's expectations say whether that was wanted (a tool that never answers).
 */
async function waitForReplyEnd(driver: SessionDriver, mark: number, timeoutMs: number, settleMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    let speaking = false;
    let answered = false;
    let pendingCalls = 0;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const finish = (err?: unknown) => {
      clearTimeout(settle);
      clearTimeout(hard);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const arm = () => {
      clearTimeout(settle);
      if (answered && !speaking && pendingCalls === 0) settle = setTimeout(() => finish(), Math.min(settleMs, Math.max(0, deadline - Date.now())));
    };
    const see = (ev: LogEvent) => {
      if (ev.source !== 'rtvi') return;
      switch (ev.type) {
        case 'bot-started-speaking':
          speaking = true;
          clearTimeout(settle);
          break;
        case 'bot-stopped-speaking':
          speaking = false;
          answered = true;
          arm();
          break;
        case 'bot-llm-started':
        case 'bot-tts-text':
        case 'bot-output':
          clearTimeout(settle);
          if (!speaking) arm();
          break;
        case 'bot-llm-stopped':
          // A typed reply with no audio ends with the LLM.
          if (!speaking) answered = true;
          arm();
          break;
        case 'llm-function-call-in-progress':
          pendingCalls++;
          clearTimeout(settle);
          break;
        case 'llm-function-call-stopped':
          pendingCalls = Math.max(0, pendingCalls - 1);
          arm();
          break;
        case 'error':
          if ((ev.data as { fatal?: unknown } | null)?.fatal === true) finish();
          break;
      }
    };
    const onAbort = () => finish(signal.reason);
    const hard = setTimeout(() => finish(), Math.max(0, deadline - Date.now()));
    signal.addEventListener('abort', onAbort, { once: true });
    for (const ev of driver.events().slice(mark)) see(ev);
    const unsubscribe = driver.onEvent(see);
    if (signal.aborted) onAbort();
  });
}

async function waitFor(driver: SessionDriver, mark: number, pred: (ev: LogEvent) => boolean, timeoutMs: number, signal: AbortSignal, what: string): Promise<void> {
  if (driver.events().slice(mark).some(pred)) return;
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason);
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const unsubscribe = driver.onEvent((ev) => {
      if (pred(ev)) done();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }, (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}
