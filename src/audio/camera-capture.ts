import { DeviceError } from '@pipecat-ai/client-js';
import { LOCAL_PARTICIPANT, stopStream, type AudioSession, type MediaHost } from './audio-session.ts';
import { toMicrophoneError } from './microphone-capture.ts';

/** Camera track and its JPEG snapshots, for adapters that take video. */
export class CameraCapture {
  constructor(
    private readonly host: MediaHost,
    private readonly fps: number,
    private readonly wanted: () => boolean,
  ) {}

  async start(s: AudioSession, camId: string | undefined): Promise<void> {
    if (s.camStream) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { ...(camId ? { deviceId: { exact: camId } } : {}), width: { ideal: 640 }, height: { ideal: 480 } } });
    } catch (e) {
      const err = toMicrophoneError(e);
      this.host.callbacks.onDeviceError?.(new DeviceError(['cam'], err.kind, err.message.replace(/microphone/gi, 'camera')));
      return;
    }
    if (this.host.session !== s || !this.wanted()) {
      stopStream(stream);
      return;
    }
    s.camStream = stream;
    const track = stream.getVideoTracks()[0];
    if (track) this.host.callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
    const grabber = new JpegFrameGrabber(stream);
    let busy = false;
    s.camTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      grabber
        .grab()
        .then((jpeg) => {
          if (jpeg && this.host.session === s && s.camStream === stream) this.host.listener.onVideoFrame?.(jpeg);
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, 1000 / Math.max(0.1, this.fps));
  }

  stop(s: AudioSession | null): void {
    if (!s?.camStream) return;
    if (s.camTimer) clearInterval(s.camTimer);
    const track = s.camStream.getVideoTracks()[0];
    stopStream(s.camStream);
    s.camStream = null;
    s.camTimer = null;
    if (track) this.host.callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
  }
}

/** JPEG snapshots of a video track (camera, shared tab), through a canvas fed by a muted <video>. */
export class JpegFrameGrabber {
  private readonly video: HTMLVideoElement;
  private canvas: HTMLCanvasElement | null = null;

  constructor(stream: MediaStream) {
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = stream;
    void this.video.play().catch(() => undefined);
  }

  async grab(): Promise<Uint8Array | null> {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return null;
    this.canvas ??= document.createElement('canvas');
    this.canvas.width = w;
    this.canvas.height = h;
    const g = this.canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(this.video, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((resolve) => this.canvas!.toBlob(resolve, 'image/jpeg', 0.8));
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}
