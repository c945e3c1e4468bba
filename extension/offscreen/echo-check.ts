import micLevelWorkletUrl from './mic-level-processor.ts?worker&url';
import { closeAudioSession, type AudioSession } from '../../src/audio/audio-session.ts';
import { cancelsLocalOutput, echoConstraint, readEchoCanceller, type EchoCancellationMode } from '../../src/audio/echo-cancellation.ts';
import { EchoRoute } from '../../src/audio/echo-route.ts';
import { echoVerdict, type EchoCheckOutcome } from './echo-check-verdict.ts';
import { speechLikeProbe } from './echo-probe-signal.ts';

export interface EchoCheckResult extends EchoCheckOutcome {
  /** The playback path the probe took: the one a session would take with this canceller. */
  path: 'destination' | 'rtc-loopback';
  /** The microphone's echoCancellation as the track reports it. */
  mode: EchoCancellationMode | null;
}

/** Long enough for a canceller to settle and then be judged on 2 s of speech (issue 14: ≥ 2 s). */
const PROBE_MS = 2800;
const SETTLE_MS = 600;
const BACKGROUND_MS = 500;
const PROBE_RATE = 24000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The panel's echo check: opens the microphone as a session would (same constraints), plays a
 * speech-like probe on the speakers through the path a session would choose for that canceller
 * (EchoRoute: straight to the destination when the canceller covers Web Audio output, else the
 * WebRTC loopback), and measures what the microphone hears: the room first, then the probe after
 * the canceller's settling time. Everything it opens is closed before it resolves.
 */
export async function runEchoCheck(opts: { micId?: string; speakerId?: string; echoCancellation?: EchoCancellationMode } = {}): Promise<EchoCheckResult> {
  const mode = opts.echoCancellation ?? true;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { ...(opts.micId ? { deviceId: { exact: opts.micId } } : {}), channelCount: 1, echoCancellation: echoConstraint(mode) as boolean, noiseSuppression: true, autoGainControl: true },
  });
  const canceller = readEchoCanceller(stream.getAudioTracks()[0]);
  const path = cancelsLocalOutput(canceller) ? 'destination' : 'rtc-loopback';
  const capture = new AudioContext({ latencyHint: 'interactive' });
  // At the device's rate, like a session's player (the probe buffer is resampled by Web Audio).
  const player = new AudioContext({ latencyHint: 'interactive' });
  const routed: Partial<AudioSession> = {};
  try {
    await capture.audioWorklet.addModule(micLevelWorkletUrl);
    const meter = new AudioWorkletNode(capture, 'mic-level-processor', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
    const blocks: Array<[number, number]> = [];
    meter.port.onmessage = (e: MessageEvent<{ rms: number }>) => blocks.push([performance.now(), e.data.rms]);
    capture.createMediaStreamSource(stream).connect(meter);
    meter.connect(capture.destination);
    const out = player.createGain();
    // The route only connects and disconnects the node it is given.
    const route = new EchoRoute(path, () => null, () => opts.speakerId, () => undefined);
    await route.route(routed, player, out as unknown as AudioWorkletNode);
    await Promise.all([capture.resume(), player.resume()]);
    await sleep(BACKGROUND_MS);
    const probeAt = performance.now();
    const probe = speechLikeProbe(PROBE_RATE, PROBE_MS);
    const buffer = player.createBuffer(1, probe.length, PROBE_RATE);
    buffer.getChannelData(0).set(probe);
    const source = player.createBufferSource();
    source.buffer = buffer;
    source.connect(out);
    source.start();
    await sleep(PROBE_MS + 200);
    const background = blocks.filter(([t]) => t < probeAt).map(([, r]) => r);
    const during = blocks.filter(([t]) => t >= probeAt + SETTLE_MS && t <= probeAt + PROBE_MS + 100).map(([, r]) => r);
    return { ...echoVerdict(during, background), path, mode: canceller.mode };
  } finally {
    for (const t of stream.getTracks()) t.stop();
    await closeAudioSession({ loopback: routed.loopback, audioElement: routed.audioElement, streamDestination: routed.streamDestination });
    await Promise.allSettled([capture.close(), player.close()]);
  }
}
