import { useEffect, useId, useRef, useState } from 'react';
import type { DeviceKind, DeviceList, DeviceSummary, EchoCheckStatus } from '../../shared/messages.ts';

export interface DevicesSectionProps {
  devices: DeviceList;
  showCamera: boolean;
  cameraOn: boolean;
  onSelect(kind: DeviceKind, deviceId: string): void;
  /** Headphones on: the next Connect opens the microphone without echo cancellation. */
  onHeadphones?(on: boolean): void;
  sessionOpen?: boolean;
  /** The echo check (speakers → microphone); omitted where the host offers none. */
  echoCheck?: { status: EchoCheckStatus | null | undefined; sessionOpen: boolean; onRun(): void };
}

/** Pickers follow the host's device list, which it refreshes on every devicechange. */
export function DevicesSection(p: DevicesSectionProps) {
  return (
    <section className="card" aria-labelledby="devices-heading">
      <h2 id="devices-heading">Devices</h2>
      <DevicePicker label="Microphone" list={p.devices.mics} selected={p.devices.selected.mic} onSelect={(id) => p.onSelect('mic', id)} />
      {p.showCamera && <DevicePicker label="Camera" list={p.devices.cams} selected={p.devices.selected.cam} onSelect={(id) => p.onSelect('cam', id)} />}
      <DevicePicker label="Speaker" list={p.devices.speakers} selected={p.devices.selected.speaker} onSelect={(id) => p.onSelect('speaker', id)} />
      {p.showCamera && p.cameraOn && <CameraPreview deviceId={p.devices.selected.cam} />}
      {p.onHeadphones && <HeadphonesToggle on={p.devices.selected.headphones === true} sessionOpen={p.sessionOpen === true} onChange={p.onHeadphones} />}
      {p.echoCheck && <EchoCheck {...p.echoCheck} />}
    </section>
  );
}

function DevicePicker({ label, list, selected, onSelect }: { label: string; list: DeviceSummary[]; selected?: string; onSelect(id: string): void }) {
  const id = useId();
  const value = selected && list.some((d) => d.deviceId === selected) ? selected : '';
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onSelect(e.target.value)}>
        <option value="">System default</option>
        {list
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label}
            </option>
          ))}
      </select>
    </div>
  );
}

/**
 * Chromium's echo canceller holds back the start of speech said over the bot's voice (double talk:
 * 60-80 ms on the latency rig, BENCHMARKS.md). With headphones there is no echo to cancel, so a
 * barge-in can reach the model sooner with the canceller off.
 */
function HeadphonesToggle({ on, sessionOpen, onChange }: { on: boolean; sessionOpen: boolean; onChange(on: boolean): void }) {
  const help = `${useId()}-help`;
  // Ticked at once; the host's device list (a batched update) then confirms it.
  const [shown, setShown] = useState(on);
  useEffect(() => setShown(on), [on]);
  return (
    <div className="field">
      <label className="inline">
        <input
          type="checkbox"
          checked={shown}
          aria-describedby={help}
          onChange={(e) => {
            setShown(e.target.checked);
            onChange(e.target.checked);
          }}
        />{' '}
        Headphones (echo cancellation off)
      </label>
      <p id={help} className="help">
        Interruptions reach the model sooner without the echo canceller. Only with headphones: through speakers the model would hear itself.
        {sessionOpen ? ' Applies from the next Connect.' : ''}
      </p>
    </div>
  );
}

/**
 * Tracks cannot cross from the offscreen document, so the panel opens the camera itself for a
 * small preview of what is being sent.
 */
function CameraPreview({ deviceId }: { deviceId?: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      .getUserMedia({ video: deviceId ? { deviceId: { exact: deviceId }, width: 320, height: 240 } : { width: 320, height: 240 } })
      .then((s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        stream = s;
        if (video.current) video.current.srcObject = s;
        setProblem(null);
      })
      .catch((e: unknown) => setProblem(`No preview: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [deviceId]);
  return (
    <div className="camera-preview">
      <video ref={video} autoPlay muted playsInline aria-label="Camera preview" />
      {problem && <p className="help">{problem}</p>}
    </div>
  );
}

/**
 * Plays about 3 s of speech-like sound on the speakers through the path a session would use and
 * says whether the microphone still hears it after echo cancellation.
 */
function EchoCheck({ status, sessionOpen, onRun }: { status: EchoCheckStatus | null | undefined; sessionOpen: boolean; onRun(): void }) {
  const running = status?.state === 'running';
  let text = 'Plays a short sound on your speakers and listens for it in the microphone.';
  if (running) text = 'Listening for the echo…';
  else if (status?.state === 'failed') text = status.message;
  else if (status?.state === 'done')
    text =
      status.verdict === 'echo cancelled'
        ? `Echo cancelled: ${fmtDb(status.residueDb)} left in the microphone (room ${fmtDb(status.backgroundDb)}).`
        : `Wear headphones: the microphone hears your speakers at ${fmtDb(status.residueDb)} (room ${fmtDb(status.backgroundDb)}), loud enough for the model to take its own voice for yours.`;
  return (
    <div className="field">
      <button type="button" onClick={onRun} disabled={running || sessionOpen} title={sessionOpen ? 'Disconnect first: the check needs the microphone and speakers to itself.' : undefined}>
        Check echo
      </button>
      <p className="help" role="status" aria-label="Echo check result">
        {text}
      </p>
    </div>
  );
}

function fmtDb(db: number): string {
  return `${db <= -120 ? '−∞' : db.toFixed(0).replace('-', '−')} dBFS`;
}
