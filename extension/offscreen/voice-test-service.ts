import type { AdapterDescriptor } from '../../src/adapters/adapter-descriptor.ts';
import type { HostUpdate } from '../shared/messages.ts';
import { connectForTarget } from '../voice-tests/connect-for-target.ts';
import type { VoiceTestRunRequest, VoiceTestRunState } from '../voice-tests/run-state.ts';
import { formatProblems, parseScenario } from '../voice-tests/scenario-file.ts';
import { runScenario, TokenBudget, type AudioLoader, type SpeechAudio } from '../voice-tests/scenario-runner.ts';
import type { Scenario } from '../voice-tests/scenario-types.ts';
import { formatTable, summarise } from '../voice-tests/test-results.ts';
import { junitXml } from '../voice-tests/junit-report.ts';
import { askJudge, type FetchLike } from '../voice-tests/judge.ts';
import { estimateScenarioCost, formatScenarioCost } from '../voice-tests/scenario-cost.ts';
import { DEFAULT_PRICE_TABLE } from '../replay/price-table.ts';
import { defaultSettings } from '../../src/adapters/settings-schema.ts';
import { decodeWav } from '../voice-tests/wav-decoder.ts';
import { recordingUserTurn } from '../voice-tests/recording-turn.ts';
import { base64ToBytes } from '../recordings/wire.ts';
import type { Recording } from '../recordings/recording-format.ts';
import type { OpusDecoder } from '../replay/mic-track.ts';
import { HostSessionDriver, type DrivableHost } from './voice-test-driver.ts';

export interface VoiceTestServiceDeps {
  host: DrivableHost;
  adapters: readonly AdapterDescriptor[];
  publish(update: HostUpdate): void;
  /**
   * A recording by id or name from the recordings store, or an exported recording file the run
   * was given (`assets`, by the path the scenario writes); absent where there are no recordings.
   */
  loadRecording?(ref: string, assetBytes: Uint8Array | undefined): Promise<Recording>;
  /** Decodes Opus-compressed tracks (WebCodecs, in the offscreen document). */
  decodeOpus?: OpusDecoder;
  /** The recording the running session is being saved as. */
  activeRecordingId?(): Promise<string | undefined>;
  /** HTTP for judged assertions (default: the document's fetch). */
  fetch?: FetchLike;
}

/**
 * Runs voice tests in the offscreen document, next to the session they drive, so a run goes on
 * when the panel closes. Every file is read and checked before anything runs: one bad file
 * refuses the whole run with its `file:line` reasons.
 */
export class VoiceTestService {
  private current: { state: VoiceTestRunState; abort: AbortController } | null = null;
  private nextId = 1;

  constructor(private readonly deps: VoiceTestServiceDeps) {}

  get state(): VoiceTestRunState | null {
    return this.current?.state ?? null;
  }

  stop(): void {
    this.current?.abort.abort(new Error('stopped by the user'));
  }

  async run(request: VoiceTestRunRequest): Promise<VoiceTestRunState> {
    if (this.current && this.current.state.status === 'running') throw new Error('A voice-test run is already in progress: stop it first.');
    const state: VoiceTestRunState = { id: this.nextId++, status: 'running', results: [], summaries: [], tokens: 0, startedAt: Date.now() };
    const abort = new AbortController();
    this.current = { state, abort };
    const publish = () => this.deps.publish({ kind: 'voice-tests', run: { ...state, results: [...state.results], summaries: [...state.summaries] } });

    const knownAdapters = this.deps.adapters.map((a) => a.id);
    const scenarios: Scenario[] = [];
    const problems: string[] = [];
    for (const f of request.files) {
      const r = parseScenario(f.text, { knownAdapters, ...(request.adapter ? { defaultAdapter: request.adapter } : {}) });
      if (!r.ok) problems.push(formatProblems(f.name, r.problems));
      else scenarios.push(applyOverrides(r.scenario, request));
    }
    if (request.files.length === 0) problems.push('no scenario files given');
    // Audio the steps name must be there before anything runs.
    const decoded = new Map<string, SpeechAudio>();
    scenarios.forEach((s, i) => {
      for (const step of s.steps) {
        const a = step.action;
        const file = a.kind === 'speak' ? a.file : a.kind === 'barge_in' ? a.speak : undefined;
        if (file === undefined || decoded.has(file)) continue;
        const b64 = request.assets[file];
        if (b64 === undefined) {
          problems.push(`${request.files[i]?.name ?? s.name}:${step.line}:1: audio file "${file}" not found`);
          continue;
        }
        try {
          decoded.set(file, decodeWav(base64ToBytes(b64), file));
        } catch (e) {
          problems.push(`${request.files[i]?.name ?? s.name}:${step.line}:1: ${(e as Error).message}`);
        }
      }
    });
    if (problems.length > 0) {
      state.status = 'refused';
      state.problems = problems.join('\n');
      state.endedAt = Date.now();
      publish();
      return state;
    }

    const audio: AudioLoader = {
      file: async (path) => {
        const a = decoded.get(path);
        if (!a) throw new Error(`audio file "${path}" not found`);
        return a;
      },
      recordingTurn: async (recording, turn) => {
        if (!this.deps.loadRecording) throw new Error('recordings are not available here');
        const b64 = request.assets[recording];
        const rec = await this.deps.loadRecording(recording, b64 === undefined ? undefined : base64ToBytes(b64));
        return recordingUserTurn(rec, turn, this.deps.decodeOpus);
      },
    };
    const budget = new TokenBudget(request.maxTokens);
    const driver = new HostSessionDriver(this.deps.host, this.deps.activeRecordingId, (target) => {
      const descriptor = this.deps.adapters.find((a) => a.id === target.adapter);
      if (!descriptor) throw new Error(`unknown adapter "${target.adapter}"`);
      return connectForTarget(target, { descriptor, ...(request.keys[descriptor.id] ? { apiKey: request.keys[descriptor.id] } : {}) });
    }, request.judge === true ? async (target, question, reply, model) => {
      const adapterId = target.adapter ?? '';
      const fetchFn: FetchLike = this.deps.fetch ?? ((url, init) => fetch(url, init));
      const key = request.keys[adapterId];
      const out = await askJudge(fetchFn, { adapterId, ...(target.endpoint ? { endpoint: target.endpoint } : {}), ...(key ? { apiKey: key } : {}) }, question, reply, model);
      return { ...out.verdict, model: out.model, tokens: out.tokens };
    } : undefined);
    const only = request.only ? new Set(request.only) : null;
    const planned = scenarios.map((sc) => ({ ...sc, targets: only ? sc.targets.filter((t) => only.has(`${sc.name}\u0000${t.label}`)) : sc.targets }));
    // Before anything connects: what the run may bill (the command line prints it first).
    state.estimate = formatScenarioCost(
      estimateScenarioCost(planned, {
        table: DEFAULT_PRICE_TABLE,
        defaultModel: (id) => {
          const d = this.deps.adapters.find((a) => a.id === id);
          const m = d ? defaultSettings(d.settings).model : undefined;
          return typeof m === 'string' && m ? m : undefined;
        },
        isFree: (id) => this.deps.adapters.find((a) => a.id === id)?.needsKey === false,
        audioSeconds: (path) => {
          const a = decoded.get(path);
          return a ? a.pcm.length / a.sampleRate : undefined;
        },
      }),
      'default price table',
    );
    publish();
    try {
      for (const scenario of scenarios) {
        const targets = only ? scenario.targets.filter((t) => only.has(`${scenario.name}\u0000${t.label}`)) : scenario.targets;
        if (targets.length === 0) continue;
        await runScenario({ ...scenario, targets }, driver, audio, budget, {
          signal: abort.signal,
          judge: request.judge === true,
          onProgress: (p) => {
            state.progress = p;
            publish();
          },
          onResult: (r) => {
            state.results.push(r);
            state.tokens = budget.used;
            state.summaries = summarise(state.results, (name) => scenarios.find((s) => s.name === name)?.passRate ?? 1);
            if (r.error && /token cap/.test(r.error)) state.stoppedReason = r.error;
            publish();
          },
        });
        if (abort.signal.aborted || state.stoppedReason) break;
      }
    } finally {
      driver.dispose();
    }
    if (abort.signal.aborted) {
      state.status = 'stopped';
      state.stoppedReason ??= (abort.signal.reason as Error | undefined)?.message ?? 'stopped';
    } else state.status = state.stoppedReason ? 'failed' : state.summaries.every((s) => s.passed) ? 'passed' : 'failed';
    state.tokens = budget.used;
    state.endedAt = Date.now();
    state.report = { table: formatTable(state.summaries), junit: junitXml(state.summaries, new Date(state.startedAt)) };
    publish();
    return state;
  }
}

function applyOverrides(s: Scenario, r: VoiceTestRunRequest): Scenario {
  return {
    ...s,
    repeat: r.repeat ?? s.repeat,
    // The endpoint given with an adapter belongs to that adapter's targets only (a matrix may mix providers).
    targets: s.targets.map((t) => ({ ...t, ...(r.endpoint && !t.endpoint && (!r.adapter || t.adapter === r.adapter) ? { endpoint: r.endpoint } : {}) })),
  };
}
