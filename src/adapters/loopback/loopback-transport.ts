import type { RTVIMessage } from '@pipecat-ai/client-js';
import type { MediaFormat, MediaManager, PlayedSamples, PlaybackEvent, SpeechEvent } from '../../audio/media-manager.ts';
import { pcm16DurationMs } from '../../audio/pcm.ts';
import { RealTimeWebsocketTransport, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';

export interface LoopbackServiceOptions extends LLMServiceOptions {
  settings?: {
    /** Longest utterance kept for echoing, in seconds. */
    max_echo_seconds?: number;
    /** Delay between the end of the user's turn and the echo, in ms (a stand-in for model latency). */
    response_delay_ms?: number;
  } & Record<string, unknown>;
}

const SAMPLE_RATE = 24_000;
const ECHO_SLICE_MS = 100;
const ECHO_SLICE = (SAMPLE_RATE * ECHO_SLICE_MS) / 1000;
/** Slices pushed at once (500 ms): enough lead that a late timer on a loaded machine causes no underrun. */
const ECHO_LEAD_SLICES = 5;

/**
 * An adapter with no network and no key: it behaves like a realtime voice model so the whole path
 * (capture, VAD, playback, speaking events, interruption, inspector) works offline. The user's
 * utterance, as detected by the local voice-activity detector, is played back as the bot's audio.
 * Its "frames" are synthetic and labelled as such.
 */
export class LoopbackTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Loopback';
  private utterance: Int16Array[] = [];
  private utteranceSamples = 0;
  private capturing = false;
  private turn = 0;
  private playingItem: string | null = null;
  private responseTimer: ReturnType<typeof setTimeout> | undefined;
  private connected = false;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly streamTimers = new Set<ReturnType<typeof setInterval>>();

  constructor(options: LoopbackServiceOptions = {}, manager?: MediaManager) {
    super(options, manager);
  }

  initializeLLM(): void {}
  attachLLMListeners(): void {}

  protected override getMediaFormat(): MediaFormat {
    // Same rate both ways, so the echo is the captured audio itself.
    return { inputSampleRate: SAMPLE_RATE, outputSampleRate: SAMPLE_RATE, chunkMs: 20 };
  }

  async connectLLM(): Promise<void> {
    this.connected = true;
    this.reportFrame('out', 'loopback.session.start', 0, { note: 'synthetic frame: Loopback has no network', settings: this._service_options.settings ?? {} });
  }

  sendReadyMessage(): Promise<void> {
    // Answer asynchronously, like a provider would, after the transport reported `connected`.
    this.readyTimer = setTimeout(() => {
      if (!this.connected) return;
      const id = this.reportFrame('in', 'loopback.session.ready', 0, { note: 'synthetic frame' });
      this.markReady([id]);
    }, 0);
    return this.waitUntilReady();
  }

  async disconnectLLM(): Promise<void> {
    this.connected = false;
    clearTimeout(this.readyTimer);
    clearTimeout(this.responseTimer);
    for (const t of this.streamTimers) clearInterval(t);
    this.streamTimers.clear();
    this.utterance = [];
    this.utteranceSamples = 0;
    this.capturing = false;
    this.playingItem = null;
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    if (!this.connected) return;
    this.reportFrame('out', 'loopback.audio', data.byteLength, { note: 'synthetic frame' }, { audio: { bytes: data.byteLength, durationMs: pcm16DurationMs(data.byteLength, SAMPLE_RATE), sampleRate: SAMPLE_RATE } });
    if (!this.capturing) return;
    const maxSamples = this.maxEchoSeconds() * SAMPLE_RATE;
    if (this.utteranceSamples >= maxSamples) return;
    // PCM16 is whole samples: a stray odd byte (a producer's bug) is dropped rather than thrown on.
    const chunk = new Int16Array(data.slice(0, data.byteLength & ~1));
    this.utterance.push(chunk);
    this.utteranceSamples += chunk.length;
  }

  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    switch (message.type) {
      case 'send-text': {
        const data = (message.data ?? {}) as { content?: unknown };
        const content = typeof data.content === 'string' ? data.content : '';
        const inId = this.reportFrame('out', 'loopback.text', content.length, { text: content });
        const reply = `You wrote: ${content}`;
        const outId = this.reportFrame('in', 'loopback.text', reply.length, { text: reply });
        this.emitRtvi('user-transcription', { text: content, final: true, timestamp: new Date().toISOString(), user_id: 'user' }, { sourceFrameIds: [inId] });
        this.emitRtvi('bot-llm-started', {}, { sourceFrameIds: [outId] });
        this.emitRtvi('bot-llm-text', { text: reply }, { sourceFrameIds: [outId] });
        this.emitRtvi('bot-output', { text: reply, aggregated_by: 'sentence', spoken: false, will_be_spoken: false, spoken_status: 'completed' }, { sourceFrameIds: [outId] });
        this.emitRtvi('bot-llm-stopped', {}, { sourceFrameIds: [outId] });
        return;
      }
      case 'client-message':
      case 'append-to-context':
        this.reportFrame('out', `loopback.${message.type}`, 0, message.data);
        return;
      default:
        this.emitError(`Loopback does not handle "${message.type}" messages.`, false);
    }
  }

  protected override onLocalSpeechChanged(started: boolean, _ev: SpeechEvent): void {
    if (started) {
      clearTimeout(this.responseTimer);
      if (this.playingItem || this._mediaManager.isBotAudioActive) void this.interruptBot();
      this.utterance = [];
      this.utteranceSamples = 0;
      this.capturing = true;
      return;
    }
    this.capturing = false;
    const audio = concat(this.utterance, this.utteranceSamples);
    this.utterance = [];
    this.utteranceSamples = 0;
    if (audio.length === 0) return;
    const seconds = audio.length / SAMPLE_RATE;
    const text = `Echo of ${seconds.toFixed(1)} s of audio.`;
    const heardId = this.reportFrame('in', 'loopback.transcript', 0, { note: 'synthetic: Loopback does not recognise speech', seconds });
    this.emitRtvi('user-transcription', { text: `(${seconds.toFixed(1)} s of speech)`, final: true, timestamp: new Date().toISOString(), user_id: 'user' }, { sourceFrameIds: [heardId] });
    const delay = Math.max(0, Number(this._service_options.settings?.response_delay_ms ?? 0));
    this.responseTimer = setTimeout(() => this.respond(audio, text), delay);
  }

  private respond(audio: Int16Array, text: string): void {
    if (!this.connected) return;
    const itemId = `loopback-turn-${++this.turn}`;
    const id = this.reportFrame('in', 'loopback.echo', audio.byteLength, { item_id: itemId, text }, { audio: { bytes: audio.byteLength, durationMs: (audio.length / SAMPLE_RATE) * 1000, sampleRate: SAMPLE_RATE } });
    this.emitRtvi('bot-llm-started', {}, { sourceFrameIds: [id] });
    this.playingItem = itemId;
    // The whole echo is known up front: the pacer is told its length, so text is released in
    // step with what has played, not ahead of it while the slices are still streaming in.
    this.declareBotAudio(itemId, audio.length);
    this.streamEcho(audio, itemId);
    // Held by the transport until the echo plays (spokenItemId).
    this.emitRtvi('bot-tts-text', { text }, { sourceFrameIds: [id], spokenItemId: itemId });
    this.emitRtvi('bot-output', { text, aggregated_by: 'sentence', segment_id: this.turn, spoken: true, will_be_spoken: true, spoken_status: 'completed' }, { sourceFrameIds: [id], spokenItemId: itemId });
    this.emitRtvi('bot-llm-stopped', {}, { sourceFrameIds: [id] });
  }

  /**
   * 100 ms slices, as a provider streams them: a lead at once, the rest at the audio's own pace.
   * An interrupted echo keeps streaming to its end, as a provider's reply does until it has
   * processed the cancel (OpenAI sends deltas until its cancelled `response.done`; Gemini Live has
   * no cancel): dropping that audio is the media manager's job, and the e2e tests rely on it.
   */
  private streamEcho(audio: Int16Array, itemId: string): void {
    const slices: Int16Array[] = [];
    for (let i = 0; i < audio.length; i += ECHO_SLICE) slices.push(audio.slice(i, i + ECHO_SLICE));
    const lead = slices.splice(0, ECHO_LEAD_SLICES);
    for (const s of lead) this._mediaManager.bufferBotAudio(s, itemId);
    if (slices.length === 0) return;
    const started = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      // Due by the wall clock, so late timers catch up instead of drifting behind playback.
      const due = Math.min(slices.length, Math.floor((performance.now() - started) / ECHO_SLICE_MS) + 1);
      while (this.connected && sent < due) this._mediaManager.bufferBotAudio(slices[sent++], itemId);
      if (!this.connected || sent >= slices.length) {
        clearInterval(timer);
        this.streamTimers.delete(timer);
        if (this.connected) this.reportFrame('in', 'loopback.echo-end', 0, { item_id: itemId, note: 'synthetic: every slice of this echo was sent' });
      }
    }, ECHO_SLICE_MS);
    this.streamTimers.add(timer);
  }

  protected override onLocalInterrupt(played: PlayedSamples): void {
    this.playingItem = null;
    // The player reports every item it flushed; the stopped event may already have cleared playingItem.
    for (const [item, samples] of Object.entries(played)) {
      this.reportFrame('out', 'loopback.interrupt', 0, { item_id: item, played_ms: Math.round((samples / SAMPLE_RATE) * 1000) });
    }
  }

  protected override onBotAudioFinished(ev: PlaybackEvent): void {
    if (ev.itemId === this.playingItem) this.playingItem = null;
  }

  /** Both Loopback settings are read per turn, so they always apply live. */
  override async updateSettings(settings: Record<string, unknown>): Promise<string[]> {
    await super.updateSettings(settings);
    return [];
  }

  private maxEchoSeconds(): number {
    const v = Number(this._service_options.settings?.max_echo_seconds ?? 30);
    return Number.isFinite(v) && v > 0 ? Math.min(v, 120) : 30;
  }
}

function concat(chunks: Int16Array[], total: number): Int16Array {
  const out = new Int16Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c.subarray(0, Math.min(c.length, total - o)), o);
    o += c.length;
    if (o >= total) break;
  }
  return out;
}
