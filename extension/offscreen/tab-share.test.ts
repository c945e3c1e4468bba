import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InputStreamHandle } from '../../src/audio/input-stream-mixer.ts';
import { TabShare, tabCaptureConstraints, type TabShareSession } from './tab-share.ts';

function fakeStream(kinds: Array<'audio' | 'video'>) {
  const tracks = kinds.map((kind) => ({ kind, stopped: false, stop() { this.stopped = true; } }));
  return {
    tracks,
    stream: {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
      getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    } as unknown as MediaStream,
  };
}

function fakeSession(acceptsVideo = false) {
  let ended: (() => void) | undefined;
  const input = { stopCalls: 0, level: () => 0.25, stop() { this.stopCalls++; }, stopped: false };
  const session: TabShareSession & { options?: { replaceMicrophone: boolean; monitor: boolean } } = {
    acceptsVideo,
    addInputStream: (_s, options) => {
      session.options = { replaceMicrophone: options.replaceMicrophone, monitor: options.monitor };
      ended = options.onEnded;
      return input as unknown as InputStreamHandle;
    },
    sendImage: () => true,
  };
  return { session, input, end: () => ended?.() };
}

describe('TabShare', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens the tab by its stream id, mixes it with monitoring on, reports levels at 20 Hz, and sends no frames to an audio-only adapter', async () => {
    const { stream } = fakeStream(['audio']);
    const getUserMedia = vi.fn(async () => stream);
    const levels: number[] = [];
    const share = new TabShare({ getUserMedia, createFrameGrabber: () => ({ grab: async () => null }), onLevel: (l) => levels.push(l), onEnded: () => undefined });
    const { session } = fakeSession(false);
    const status = await share.start(session, { type: 'share-tab', streamId: 'sid-1', tabTitle: 'Tone page', mode: 'replace', videoFps: 2 });
    expect(getUserMedia).toHaveBeenCalledWith(tabCaptureConstraints('sid-1', false));
    expect(session.options).toEqual({ replaceMicrophone: true, monitor: true });
    expect(status).toEqual({ title: 'Tone page', mode: 'replace', videoFps: 0 });
    vi.advanceTimersByTime(1000);
    expect(levels.length).toBeGreaterThanOrEqual(19);
    expect(levels.every((l) => l === 0.25)).toBe(true);
    share.stop();
  });

  it('when the tab closes (track ended) it stops once, reports the end once, and the level drops to 0', async () => {
    const { stream, tracks } = fakeStream(['audio']);
    const onEnded = vi.fn();
    const levels: number[] = [];
    const share = new TabShare({ getUserMedia: async () => stream, createFrameGrabber: () => ({ grab: async () => null }), onLevel: (l) => levels.push(l), onEnded });
    const { session, input, end } = fakeSession();
    await share.start(session, { type: 'share-tab', streamId: 'x', tabTitle: 't', mode: 'mix', videoFps: 0 });
    end();
    end();
    expect(onEnded).toHaveBeenCalledTimes(1);
    expect(input.stopCalls).toBe(1);
    expect(tracks[0].stopped).toBe(true);
    expect(share.status).toBeNull();
    expect(levels.at(-1)).toBe(0);
    const before = levels.length;
    vi.advanceTimersByTime(500);
    expect(levels.length).toBe(before);
    expect(share.stop()).toBe(false);
  });

  it('a capture without audio, or a manager that cannot mix, releases the tab and fails', async () => {
    const videoOnly = fakeStream(['video']);
    const share = new TabShare({ getUserMedia: async () => videoOnly.stream, createFrameGrabber: () => ({ grab: async () => null }), onLevel: () => undefined, onEnded: () => undefined });
    await expect(share.start(fakeSession().session, { type: 'share-tab', streamId: 'x', tabTitle: 't', mode: 'mix', videoFps: 0 })).rejects.toThrow(/no audio/);
    expect(videoOnly.tracks[0].stopped).toBe(true);

    const audio = fakeStream(['audio']);
    const refusing = new TabShare({ getUserMedia: async () => audio.stream, createFrameGrabber: () => ({ grab: async () => null }), onLevel: () => undefined, onEnded: () => undefined });
    const session: TabShareSession = { acceptsVideo: false, sendImage: () => false, addInputStream: () => { throw new Error('turn the microphone on'); } };
    await expect(refusing.start(session, { type: 'share-tab', streamId: 'x', tabTitle: 't', mode: 'mix', videoFps: 0 })).rejects.toThrow(/microphone/);
    expect(audio.tracks[0].stopped).toBe(true);
    expect(refusing.status).toBeNull();
  });

  it('asks for video only when the adapter takes frames and a rate is chosen', () => {
    expect(tabCaptureConstraints('id', false).video).toBe(false);
    expect(tabCaptureConstraints('id', true).video).toEqual({ mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: 'id' } });
    expect(tabCaptureConstraints('id', true).audio).toEqual({ mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: 'id' } });
  });
});
