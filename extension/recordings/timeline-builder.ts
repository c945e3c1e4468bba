import type { Recording, TrackId } from './recording-format.ts';
import { TimelineModel } from './timeline-model.ts';
import { decodeOpusChunks, opusDecodingAvailable } from './audio-chunk-decode.ts';

/**
 * Builds a recording's timeline model in slices of at most SLICE_MS of main-thread time, yielding
 * between them, so an hour-long recording (≈ 250,000 events, ≈ 90 million samples) never holds the
 * panel's thread for a long task. Events first (spans and markers appear at once); then the
 * waveforms from every OVERVIEW_STRIDE-th sample (the whole session drawn, `overview`); then every
 * sample, which makes the peaks exact (min/max over a subset never exceed those over the whole).
 * Opus tracks are decoded through WebCodecs where the browser has it.
 */
export const SLICE_MS = 8;
/** 16 kHz read every 16th sample is 1 kHz: a column of the overview spans seconds, thousands of reads. */
export const OVERVIEW_STRIDE = 16;
const EVENTS_PER_CHECK = 500;

export interface BuildProgress {
  model: TimelineModel;
  /** 0…1: events and audio chunks processed. */
  done: number;
  /** Events and the approximate waveforms of the whole recording are in. */
  overview: boolean;
  /** Every sample is in: the peaks are exact. */
  complete: boolean;
  /** Why some audio is not drawn (opus without WebCodecs, a decode error). */
  audioNote: string | null;
}

export interface BuildHandle {
  cancel(): void;
  promise: Promise<BuildProgress>;
}

export function buildTimeline(rec: Recording, onProgress: (p: BuildProgress) => void, yieldNow: () => Promise<void> = defaultYield): BuildHandle {
  let cancelled = false;
  const model = new TimelineModel(rec.events[0]?.session ?? null);
  model.endMs = rec.meta.durationMs;
  const pcm = rec.audio.filter((c) => c.codec === 'pcm16');
  const opus = rec.audio.filter((c) => c.codec === 'opus');
  const total = rec.events.length + rec.audio.length + pcm.length || 1;
  let overview = false;
  let audioNote: string | null = null;
  const run = async (): Promise<BuildProgress> => {
    let processed = 0;
    let sliceStart = performance.now();
    const report = (complete: boolean) => onProgress({ model, done: processed / total, overview, complete, audioNote });
    const maybeYield = async () => {
      if (performance.now() - sliceStart < SLICE_MS) return;
      report(false);
      await yieldNow();
      sliceStart = performance.now();
    };
    for (let i = 0; i < rec.events.length && !cancelled; i += EVENTS_PER_CHECK) {
      model.addEvents(rec.events.slice(i, i + EVENTS_PER_CHECK));
      processed += Math.min(EVENTS_PER_CHECK, rec.events.length - i);
      await maybeYield();
    }
    for (const c of pcm) {
      if (cancelled) break;
      model.addPcm16Chunk(c, OVERVIEW_STRIDE);
      processed++;
      await maybeYield();
    }
    overview = !cancelled;
    if (overview) {
      report(false);
      await yieldNow();
      sliceStart = performance.now();
    }
    for (const c of pcm) {
      if (cancelled) break;
      model.addPcm16Chunk(c);
      processed++;
      await maybeYield();
    }
    if (opus.length > 0 && !cancelled) {
      if (!opusDecodingAvailable()) audioNote = 'The waveform of Opus audio is not drawn: this browser has no WebCodecs AudioDecoder.';
      else {
        for (const track of ['mic', 'bot'] as TrackId[]) {
          const list = opus.filter((c) => c.track === track).sort((a, b) => a.t - b.t);
          // Decoded a minute or so at a time: the decoder works off-thread, drawing the peaks does not.
          for (let i = 0; i < list.length && !cancelled; i += 50) {
            try {
              for (const d of await decodeOpusChunks(list.slice(i, i + 50))) model.addDecoded(track, d.chunk.t, d.sampleRate, d.samples);
            } catch (e) {
              audioNote = `Some Opus audio could not be decoded: ${(e as Error).message}`;
            }
            processed += Math.min(50, list.length - i);
            await maybeYield();
          }
        }
      }
    } else processed += opus.length;
    const result = { model, done: 1, overview, complete: !cancelled, audioNote };
    if (!cancelled) onProgress(result);
    return result;
  };
  return {
    cancel: () => {
      cancelled = true;
    },
    promise: run(),
  };
}

/** A macrotask without setTimeout's ≥ 4 ms clamp for nested timers. */
function defaultYield(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
