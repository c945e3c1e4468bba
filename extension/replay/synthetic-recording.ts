import { RECORDING_FORMAT_VERSION, type AudioChunk, type Recording, type RecordedEvent } from '../recordings/recording-format.ts';

/**
 * Builds recordings for tests: events on the recording clock and a PCM16 mic track. Not used by
 * the product.
 */
export class RecordingBuilder {
  private readonly events: RecordedEvent[] = [];
  private readonly audio: AudioChunk[] = [];
  private seq = 0;
  private micSeq = 0;

  constructor(
    private readonly meta: { id?: string; adapterId: string; model?: string; origin?: Recording['meta']['origin']; sourceId?: string },
  ) {}

  event(t: number, source: RecordedEvent['source'], direction: RecordedEvent['direction'], type: string, data: unknown = {}, extra: Partial<RecordedEvent> = {}): this {
    this.events.push({ seq: ++this.seq, session: 1, t, wall: 1_700_000_000_000 + t, source, direction, type, data, ...extra });
    return this;
  }

  rtvi(t: number, type: string, data: unknown = {}): this {
    return this.event(t, 'rtvi', 'local', type, data);
  }

  userSpeech(start: number, end: number, text?: string): this {
    this.rtvi(start, 'user-started-speaking', { source: 'local-vad' });
    this.rtvi(end, 'user-stopped-speaking', { source: 'local-vad' });
    if (text) this.rtvi(end + 50, 'user-transcription', { text, final: true, user_id: '', timestamp: '' });
    return this;
  }

  /** A bot reply: provider audio arrives at `audioAt`, plays from `start` to `end`. */
  botReply(audioAt: number, start: number, end: number, text?: string): this {
    this.event(audioAt, 'raw', 'in', 'response.output_audio.delta', {}, { audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } as never });
    this.rtvi(start, 'bot-started-speaking');
    if (text) this.rtvi(start + 10, 'bot-output', { text, spoken: true, aggregated_by: 'sentence' });
    this.rtvi(end, 'bot-stopped-speaking');
    return this;
  }

  /** Mic audio: `samples` at `rate` starting at `t`, cut into 20 ms PCM16 chunks. */
  mic(t: number, samples: Int16Array, rate: number): this {
    const per = Math.round(rate / 50);
    for (let i = 0; i < samples.length; i += per) {
      const part = samples.slice(i, i + per);
      this.audio.push({ track: 'mic', seq: this.micSeq++, t: t + (i / rate) * 1000, sampleRate: rate, samples: part.length, codec: 'pcm16', data: new Uint8Array(part.buffer) });
    }
    return this;
  }

  build(): Recording {
    const last = Math.max(0, ...this.events.map((e) => e.t), ...this.audio.map((c) => c.t + (c.samples / c.sampleRate) * 1000));
    return {
      meta: {
        id: this.meta.id ?? 'rec-1',
        name: 'test recording',
        createdAt: 1_700_000_000_000,
        adapterId: this.meta.adapterId,
        ...(this.meta.model ? { model: this.meta.model } : {}),
        durationMs: last,
        turns: this.events.filter((e) => e.type === 'bot-stopped-speaking').length,
        sizeBytes: 0,
        keep: false,
        origin: this.meta.origin ?? 'session',
        ...(this.meta.sourceId ? { sourceId: this.meta.sourceId } : {}),
        complete: true,
        settings: {},
        formatVersion: RECORDING_FORMAT_VERSION,
      },
      events: [...this.events].sort((a, b) => a.t - b.t || a.seq - b.seq),
      audio: this.audio,
    };
  }
}
