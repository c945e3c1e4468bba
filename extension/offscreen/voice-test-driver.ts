import type { LogEvent } from '../shared/log-event.ts';
import type { ConnectCommand, HostStatus, PanelCommand } from '../shared/messages.ts';
import type { JudgeVerdict } from '../voice-tests/expectations.ts';
import type { SessionDriver, SpeechAudio } from '../voice-tests/scenario-runner.ts';
import type { ScenarioTarget } from '../voice-tests/scenario-types.ts';

/** The parts of the session host a voice test drives (the very session the panel shows). */
export interface DrivableHost {
  enqueue(command: PanelCommand): Promise<void>;
  onLog(listener: (e: LogEvent) => void): () => void;
  injectUserAudio(pcm: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<void>;
  readonly currentStatus: HostStatus;
  readonly sessionNumber: number;
  /** The newest error the host reported, to say why a connect failed. */
  lastErrorMessage(): string | null;
}

const READY_TIMEOUT_MS = 20_000;

/**
 * Runs a voice test's session on the session host: the Connect goes through the same command
 * queue the panel uses, rows arrive through the host's own log, and speech is injected into the
 * transport's capture path.
 */
export class HostSessionDriver implements SessionDriver {
  private rows: LogEvent[] = [];
  private readonly listeners = new Set<(e: LogEvent) => void>();
  private session = -1;
  private recording: string | undefined;
  private target: ScenarioTarget | undefined;
  judge?: SessionDriver['judge'];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly host: DrivableHost,
    /** The recording the running session is saved as (every test run is a recording). */
    private readonly activeRecordingId: (() => Promise<string | undefined>) | undefined,
    private readonly connectFor: (target: ScenarioTarget) => ConnectCommand,
    /** Asks a judged assertion for the current target; given only when the run asked for judging. */
    judgeFor?: (target: ScenarioTarget, question: string, reply: string, model?: string) => Promise<JudgeVerdict>,
  ) {
    if (judgeFor) {
      this.judge = (question, reply, model) => {
        if (!this.target) return Promise.reject(new Error('no session is running'));
        return judgeFor(this.target, question, reply, model);
      };
    }
    this.unsubscribe = host.onLog((e) => {
      if (e.session !== this.session) return;
      this.rows.push(e);
      for (const l of this.listeners) l(e);
    });
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  async start(target: ScenarioTarget): Promise<void> {
    const command = this.connectFor(target);
    this.target = target;
    this.rows = [];
    this.recording = undefined;
    const errorBefore = this.host.lastErrorMessage();
    this.session = this.host.sessionNumber + 1;
    await this.host.enqueue(command);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // connect() has settled when enqueue resolves; the state says how.
    while (Date.now() < deadline) {
      const state = this.host.currentStatus.transportState;
      if (state === 'ready') {
        this.recording = await this.activeRecordingId?.().catch(() => undefined);
        return;
      }
      if (state === 'error' || state === 'disconnected') {
        const err = this.host.lastErrorMessage();
        throw new Error(err && err !== errorBefore ? err : `the session did not become ready (state: ${state})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out after ${READY_TIMEOUT_MS} ms waiting for the session to be ready (state: ${this.host.currentStatus.transportState})`);
  }

  async stop(): Promise<void> {
    await this.host.enqueue({ type: 'disconnect' });
  }

  sendText(text: string): void {
    void this.host.enqueue({ type: 'send-text', text });
  }

  speak(audio: SpeechAudio, signal: AbortSignal): Promise<void> {
    return this.host.injectUserAudio(audio.pcm, audio.sampleRate, signal);
  }

  events(): readonly LogEvent[] {
    return this.rows;
  }

  onEvent(listener: (ev: LogEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recordingId(): string | undefined {
    return this.recording;
  }

  isReady(): boolean {
    return this.host.currentStatus.transportState === 'ready';
  }
}
