import type { MediaEventsListener, MediaFormat, MediaManager, PlaybackEvent, PlayedSamples } from '../../src/audio/media-manager.ts';

/** What a recorder hears from a media manager. */
export interface MediaTapSink {
  /** A microphone chunk exactly as handed to the adapter to send (PCM16 at the adapter's input rate). */
  micChunk(pcm: Int16Array, sampleRate: number): void;
  /** Bot audio the player accepted (not audio it discarded because its reply was interrupted). */
  botQueued(itemId: string, pcm: Int16Array, sampleRate: number): void;
  botStarted(ev: PlaybackEvent): void;
  botStopped(ev: PlaybackEvent): void;
  botProgress(played: PlayedSamples): void;
  botFlushed(played: PlayedSamples): void;
}

const DEFAULT_ITEM_ID = 'default';

/**
 * Wraps one media manager instance so a recorder sees what the adapter sends and what the player
 * plays, without the library knowing about recordings: the user-audio callback, the queueing of
 * bot audio and the playback listener are intercepted on the instance and passed on unchanged.
 * Copies are taken before the originals run, because both paths transfer their buffers.
 */
export function tapMediaManager<M extends MediaManager>(manager: M, sink: () => MediaTapSink | null): M {
  let format: MediaFormat = { inputSampleRate: 16000, outputSampleRate: 24000 };
  const configure = manager.configure.bind(manager);
  manager.configure = (f: MediaFormat) => {
    format = { ...f };
    configure(f);
  };
  const setUserAudioCallback = manager.setUserAudioCallback.bind(manager);
  manager.setUserAudioCallback = (cb: (data: ArrayBuffer) => void) =>
    setUserAudioCallback((data: ArrayBuffer) => {
      const s = sink();
      if (s) s.micChunk(new Int16Array(data.slice(0, data.byteLength & ~1)), format.inputSampleRate);
      cb(data);
    });
  const bufferBotAudio = manager.bufferBotAudio.bind(manager);
  manager.bufferBotAudio = (data: ArrayBuffer | Int16Array, id?: string) => {
    const s = sink();
    if (!s) return bufferBotAudio(data, id);
    const copy = data instanceof Int16Array ? data.slice() : new Int16Array(data.slice(0, data.byteLength & ~1));
    const queued = bufferBotAudio(data, id);
    if (queued) s.botQueued(id ?? DEFAULT_ITEM_ID, copy, format.outputSampleRate);
    return queued;
  };
  const setEventsListener = manager.setEventsListener.bind(manager);
  manager.setEventsListener = (listener: MediaEventsListener) =>
    setEventsListener({
      ...listener,
      onBotAudioStarted: (ev) => {
        sink()?.botStarted(ev);
        listener.onBotAudioStarted?.(ev);
      },
      onBotAudioStopped: (ev) => {
        sink()?.botStopped(ev);
        listener.onBotAudioStopped?.(ev);
      },
      onBotAudioProgress: (played) => {
        sink()?.botProgress(played);
        listener.onBotAudioProgress?.(played);
      },
      onBotAudioFlushed: (played) => {
        sink()?.botFlushed(played);
        listener.onBotAudioFlushed?.(played);
      },
    });
  return manager;
}
