import { DeviceError } from '@pipecat-ai/client-js';
import { errorMessage } from '../transport/transport-errors.ts';
import { hasDom, type MediaHost } from './audio-session.ts';

const DEVICE_RECHECK_MS = [500, 1500, 3500];
/**
 * Chrome sends no devicechange to a hidden document (the extension's offscreen document is never
 * visible: unloading a PulseAudio source there produced no event within 6 s), so while a
 * microphone is open the device list is also re-read on this period.
 */
const DEVICE_POLL_MS = 2000;

/** The device lists, the user's choices, and following plug/unplug events. */
export class DeviceRegistry {
  mics: MediaDeviceInfo[] = [];
  cams: MediaDeviceInfo[] = [];
  speakers: MediaDeviceInfo[] = [];
  micId: string | undefined;
  camId: string | undefined;
  speakerId: string | undefined;

  private readonly unpluggedStreams = new WeakSet<MediaStream>();
  private recheckTimers: Array<ReturnType<typeof setTimeout>> = [];
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private listener: (() => void) | null = null;

  constructor(private readonly host: MediaHost) {}

  /** Starts following devicechange (once; undone by stopWatching()). */
  watch(): void {
    if (this.listener || !hasDom()) return;
    // Chrome fires devicechange before the device list has settled (seen with PulseAudio, where
    // the list still held an unplugged source at the event): look again shortly after.
    this.listener = () => {
      void this.refresh();
      for (const t of this.recheckTimers) clearTimeout(t);
      this.recheckTimers = DEVICE_RECHECK_MS.map((ms) => setTimeout(() => void this.refresh(), ms));
    };
    navigator.mediaDevices.addEventListener('devicechange', this.listener);
  }

  /** True while a devicechange listener is installed (tests count leaks with it). */
  get watching(): boolean {
    return !!this.listener;
  }

  stopWatching(): void {
    this.stopPolling();
    for (const t of this.recheckTimers) clearTimeout(t);
    this.recheckTimers = [];
    if (this.listener && hasDom()) navigator.mediaDevices.removeEventListener('devicechange', this.listener);
    this.listener = null;
  }

  /** Polls while `stillOpen()` holds (a microphone is open in a hidden document). */
  startPolling(stillOpen: () => boolean): void {
    this.stopPolling();
    this.pollTimer = setInterval(() => {
      if (stillOpen()) void this.refresh();
    }, DEVICE_POLL_MS);
  }

  stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  async refresh(): Promise<void> {
    if (!hasDom()) return;
    let devices: MediaDeviceInfo[];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch (e) {
      this.host.callbacks.onDeviceError?.(new DeviceError(['mic', 'cam', 'speaker'], 'unknown', `Could not list devices: ${errorMessage(e)}`));
      return;
    }
    const mics = devices.filter((d) => d.kind === 'audioinput');
    const cams = devices.filter((d) => d.kind === 'videoinput');
    const speakers = devices.filter((d) => d.kind === 'audiooutput');
    const changed = (a: MediaDeviceInfo[], b: MediaDeviceInfo[]): boolean =>
      a.length !== b.length || a.some((d, i) => d.deviceId !== b[i].deviceId || d.label !== b[i].label);
    const micsChanged = changed(this.mics, mics);
    const camsChanged = changed(this.cams, cams);
    const speakersChanged = changed(this.speakers, speakers);
    this.mics = mics;
    this.cams = cams;
    this.speakers = speakers;
    const cb = this.host.callbacks;
    if (micsChanged) cb.onAvailableMicsUpdated?.(mics);
    if (camsChanged) cb.onAvailableCamsUpdated?.(cams);
    if (speakersChanged) cb.onAvailableSpeakersUpdated?.(speakers);
    if (micsChanged) this.reportUnpluggedMicrophone(mics);
  }

  /**
   * PulseAudio moves a capture stream to another source (a monitor, say) when its device goes
   * away, so Chromium's track never ends: the device list is then the only sign that the
   * microphone in use was unplugged. Reported once per stream.
   */
  private reportUnpluggedMicrophone(mics: MediaDeviceInfo[]): void {
    const stream = this.host.session?.micStream;
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track || track.readyState !== 'live' || this.unpluggedStreams.has(stream)) return;
    const id = track.getSettings().deviceId;
    if (!id || mics.some((d) => d.deviceId === id) || (id === 'default' && mics.length > 0)) return;
    this.unpluggedStreams.add(stream);
    this.host.listener.onMicrophoneLost?.(`the microphone${track.label ? ` "${track.label}"` : ''} was unplugged; nothing you say reaches the model until you choose another microphone or reconnect`);
  }

  selectedMic(openDeviceId: string | undefined): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.mics, this.micId ?? openDeviceId);
  }

  get selectedCam(): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.cams, this.camId);
  }

  get selectedSpeaker(): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.speakers, this.speakerId ?? 'default');
  }
}

function findDevice(list: MediaDeviceInfo[], id: string | undefined): MediaDeviceInfo | Record<string, never> {
  if (!id) return {};
  return list.find((d) => d.deviceId === id) ?? {};
}
