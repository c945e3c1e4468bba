import { useEffect, useId, useState } from 'react';
import type { AdapterDescriptor } from '../../../src/adapters/adapter-descriptor.ts';
import type { HostStatus } from '../../shared/messages.ts';
import { isSessionOpen } from '../panel-state.ts';
import type { MicPermission } from '../mic-permission.ts';

export interface SessionForm {
  adapterId: string;
  apiKey: string;
  endpoint: string;
  model: string;
}

export interface SessionControlsProps {
  adapters: AdapterDescriptor[];
  form: SessionForm;
  onFormChange(patch: Partial<SessionForm>): void;
  status: HostStatus;
  permission: MicPermission;
  onConnect(): void;
  onDisconnect(): void;
  onMute(muted: boolean): void;
  onMicTest(start: boolean): void;
  onInterrupt(): void;
  onGrant(): void;
}

export function SessionControls(p: SessionControlsProps) {
  const ids = { adapter: useId(), key: useId(), endpoint: useId(), model: useId(), adapterHelp: useId() };
  const adapter = p.adapters.find((a) => a.id === p.form.adapterId);
  const open = isSessionOpen(p.status.transportState);
  const [showKey, setShowKey] = useState(false);
  useEffect(() => setShowKey(false), [p.form.adapterId]);
  return (
    <section className="card" aria-labelledby="session-heading">
      <h2 id="session-heading">Session</h2>
      <div className="field">
        <label htmlFor={ids.adapter}>Adapter</label>
        <select id={ids.adapter} value={p.form.adapterId} disabled={open} aria-describedby={ids.adapterHelp} onChange={(e) => p.onFormChange({ adapterId: e.target.value })}>
          {p.adapters.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
        {adapter && (
          <p id={ids.adapterHelp} className="help">
            {adapter.description}
          </p>
        )}
      </div>
      {adapter?.needsKey && (
        <div className="field">
          <label htmlFor={ids.key}>API key</label>
          <div className="row">
            <input
              id={ids.key}
              className="grow"
              type={showKey ? 'text' : 'password'}
              autoComplete="off"
              spellCheck={false}
              value={p.form.apiKey}
              onChange={(e) => p.onFormChange({ apiKey: e.target.value })}
            />
            <label className="inline">
              <input type="checkbox" checked={showKey} onChange={(e) => setShowKey(e.target.checked)} /> Show key
            </label>
          </div>
          <p className="help">Kept in this browser session only (chrome.storage.session); never logged.</p>
        </div>
      )}
      <details className="advanced">
        <summary>Advanced settings</summary>
        <div className="field">
          <label htmlFor={ids.endpoint}>Endpoint URL</label>
          <input id={ids.endpoint} type="url" placeholder={adapter?.defaultEndpoint ?? 'Provider default'} value={p.form.endpoint} onChange={(e) => p.onFormChange({ endpoint: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.model}>Model</label>
          <input id={ids.model} type="text" placeholder={String(adapter?.settings.find((s) => s.key === 'model')?.default ?? 'Adapter default')} value={p.form.model} onChange={(e) => p.onFormChange({ model: e.target.value })} />
        </div>
      </details>
      <MicAccess permission={p.permission} onGrant={p.onGrant} />
      <div className="buttons">
        <button type="button" className="primary" onClick={open ? p.onDisconnect : p.onConnect} disabled={p.status.transportState === 'disconnecting'}>
          {open ? 'Disconnect' : 'Connect'}
        </button>
        <button type="button" onClick={() => p.onMute(p.status.micEnabled)}>
          {p.status.micEnabled ? 'Mute microphone' : 'Unmute microphone'}
        </button>
        <button type="button" onClick={() => p.onMicTest(!p.status.micTestActive)} disabled={open}>
          {p.status.micTestActive ? 'Stop microphone test' : 'Test microphone'}
        </button>
        <button type="button" onClick={p.onInterrupt} disabled={p.status.transportState !== 'ready'}>
          Interrupt
        </button>
      </div>
    </section>
  );
}

function MicAccess({ permission, onGrant }: { permission: MicPermission; onGrant(): void }) {
  if (permission === 'prompt') {
    return (
      <div className="notice">
        <p>The extension may not use the microphone yet. Grant access once in a tab and choose the lasting “Allow”.</p>
        <button type="button" onClick={onGrant}>
          Grant microphone access
        </button>
      </div>
    );
  }
  if (permission === 'denied') {
    return (
      <div className="notice notice-warn">
        <p>
          The microphone is blocked for this extension. Open <code>chrome://settings/content/microphone</code>, find this extension under “Not allowed to use your
          microphone”, set it to Allow, then reopen this panel.
        </p>
      </div>
    );
  }
  return null;
}
