import type { AudioSession } from './audio-session.ts';

export interface InputStreamOptions {
  /** true: the stream is heard instead of the microphone (the microphone is unplugged from the graph). */
  replaceMicrophone: boolean;
  /**
   * Also play the stream to the speakers. Chrome silences a captured tab for the user; routing the
   * capture back out is how the tab stays audible.
   */
  monitor: boolean;
  /** The stream's audio track ended (for a tab: the tab closed or navigated away from capture). */
  onEnded?: () => void;
}

/** A running extra input: its level (RMS, 0–1) on demand, and one call to take it out again. */
export interface InputStreamHandle {
  level(): number;
  stop(): void;
  readonly stopped: boolean;
}

/**
 * Mixes another audio stream into the capture graph, beside (or instead of) the microphone: Web
 * Audio sums every connection into the capture worklet's input, so the model hears both through
 * the same resampler, chunker and voice-activity detector. Its level comes from its own analyser.
 */
export function mixInputStream(s: AudioSession, stream: MediaStream, options: InputStreamOptions): InputStreamHandle {
  const ctx = s.captureContext;
  const node = s.captureNode;
  if (!ctx || !node) throw new Error('There is no capture graph to mix into.');
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(node);
  source.connect(analyser);
  if (options.monitor) source.connect(ctx.destination);
  const mic = s.captureSource;
  if (options.replaceMicrophone && mic) safely(() => mic.disconnect(node));
  const buf = new Float32Array(analyser.fftSize);
  let stopped = false;
  const track = stream.getAudioTracks()[0];
  const onEnded = () => {
    handle.stop();
    options.onEnded?.();
  };
  track?.addEventListener('ended', onEnded);
  const handle: InputStreamHandle = {
    level() {
      if (stopped) return 0;
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      return Math.sqrt(sum / buf.length);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      track?.removeEventListener('ended', onEnded);
      safely(() => source.disconnect());
      safely(() => analyser.disconnect());
      // Plug the microphone back in, if it is still the session's and the context still runs.
      if (options.replaceMicrophone && mic && s.captureSource === mic && ctx.state !== 'closed') safely(() => mic.connect(node));
      for (const t of stream.getTracks()) t.stop();
    },
    get stopped() {
      return stopped;
    },
  };
  return handle;
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    /* already disconnected or closed */
  }
}
