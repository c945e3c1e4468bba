import { useEffect, useId, useRef, useState } from 'react';
import type { DeviceKind, DeviceList, DeviceSummary } from '../../shared/messages.ts';

export interface DevicesSectionProps {
  devices: DeviceList;
  showCamera: boolean;
  cameraOn: boolean;
  onSelect(kind: DeviceKind, deviceId: string): void;
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
