import type { InputStreamHandle } from '../../src/audio/input-stream-mixer.ts';
import type { ImageInput } from '../../src/transport/realtime-websocket-transport.ts';
import type { ShareTabCommand, TabShareStatus } from '../shared/messages.ts';

/** What a tab share needs from the session: mixing its audio in, and sending its frames. */
export interface TabShareSession {
  addInputStream(stream: MediaStream, options: { replaceMicrophone: boolean; monitor: boolean; onEnded: () => void }): InputStreamHandle;
  sendImage(image: ImageInput): boolean;
  readonly acceptsVideo: boolean;
}

export interface TabShareDeps {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Grabs JPEG frames of a video track (the camera's grabber). */
  createFrameGrabber(stream: MediaStream): { grab(): Promise<Uint8Array | null> };
  onLevel(level: number): void;
  /** The share ended by itself (tab closed, capture revoked). */
  onEnded(reason: string): void;
}

const LEVELS_PER_SECOND = 20;

/**
 * Constraints of a tab capture stream in the offscreen document: the legacy `mandatory` form
 * with chromeMediaSource 'tab' and the id from chrome.tabCapture.getMediaStreamId (Chrome's
 * "Audio recording and screen capture" guide; the standard constraint names do not select a tab).
 */
export function tabCaptureConstraints(streamId: string, video: boolean): MediaStreamConstraints {
  const source = { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId } } as unknown as MediaTrackConstraints;
  return { audio: source, video: video ? source : false };
}

/**
 * One shared tab: its audio mixed into the capture graph (and played back out, since Chrome mutes
 * a captured tab for the user), its level at 20 Hz, and its frames at the chosen rate for
 * adapters that take video. Stops on one call, or by itself when the tab's track ends.
 */
export class TabShare {
  private input: InputStreamHandle | null = null;
  private stream: MediaStream | null = null;
  private levelTimer: ReturnType<typeof setInterval> | undefined;
  private frameTimer: ReturnType<typeof setInterval> | undefined;
  private current: TabShareStatus | null = null;

  constructor(private readonly deps: TabShareDeps) {}

  get status(): TabShareStatus | null {
    return this.current;
  }

  async start(session: TabShareSession, command: ShareTabCommand): Promise<TabShareStatus> {
    this.stop();
    const videoFps = session.acceptsVideo ? Math.max(0, Math.min(5, command.videoFps)) : 0;
    const stream = await this.deps.getUserMedia(tabCaptureConstraints(command.streamId, videoFps > 0));
    if (stream.getAudioTracks().length === 0) {
      for (const t of stream.getTracks()) t.stop();
      throw new Error('The tab capture has no audio track.');
    }
    let input: InputStreamHandle;
    try {
      input = session.addInputStream(stream, { replaceMicrophone: command.mode === 'replace', monitor: true, onEnded: () => this.ended('the shared tab was closed or stopped') });
    } catch (e) {
      for (const t of stream.getTracks()) t.stop();
      throw e;
    }
    this.stream = stream;
    this.input = input;
    this.levelTimer = setInterval(() => this.deps.onLevel(input.level()), 1000 / LEVELS_PER_SECOND);
    const videoTrack = stream.getVideoTracks()[0];
    if (videoTrack && videoFps > 0) {
      const grabber = this.deps.createFrameGrabber(new MediaStream([videoTrack]));
      let busy = false;
      this.frameTimer = setInterval(() => {
        if (busy) return;
        busy = true;
        grabber
          .grab()
          .then((jpeg) => {
            if (jpeg && this.input === input) session.sendImage({ data: jpeg, mimeType: 'image/jpeg', kind: 'frame' });
          })
          .catch(() => undefined)
          .finally(() => {
            busy = false;
          });
      }, 1000 / videoFps);
    }
    this.current = { title: command.tabTitle, mode: command.mode, videoFps };
    return this.current;
  }

  /** Stops sharing; true when something was shared. */
  stop(): boolean {
    if (!this.input) return false;
    clearInterval(this.levelTimer);
    clearInterval(this.frameTimer);
    this.levelTimer = undefined;
    this.frameTimer = undefined;
    this.input.stop();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.input = null;
    this.stream = null;
    this.current = null;
    this.deps.onLevel(0);
    return true;
  }

  private ended(reason: string): void {
    if (this.stop()) this.deps.onEnded(reason);
  }
}
