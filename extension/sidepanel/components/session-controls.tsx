import { useId } from 'react';
import type { AdapterDescriptor } from '../../../src/adapters/adapter-descriptor.ts';
import type { HostStatus } from '../../shared/messages.ts';
import { isSessionOpen } from '../panel-state.ts';
import type { MicPermission } from '../mic-permission.ts';

export interface KeyForm {
  key: string;
  remembered: boolean;
  show: boolean;
}

export interface SessionControlsProps {
  adapters: AdapterDescriptor[];
  adapterId: string;
  onAdapterChange(id: string): void;
  keyForm: KeyForm;
  onKeyChange(patch: Partial<KeyForm>): void;
  onForgetKey(): void;
  status: HostStatus;
  permission: MicPermission;
  onMicTest(start: boolean): void;
  onGrant(): void;
  onCamera(on: boolean): void;
}

export function SessionControls(p: SessionControlsProps) {
  const ids = { adapter: useId(), key: useId(), adapterHelp: useId(), keyHelp: useId() };
  const adapter = p.adapters.find((a) => a.id === p.adapterId);
  const state = p.status.transportState;
  const open = isSessionOpen(state);
  const ready = state === 'ready';
  return (
    <section className="card" aria-labelledby="session-heading">
      <h2 id="session-heading">Adapter and key</h2>
      <div className="field">
        <label htmlFor={ids.adapter}>Adapter</label>
        <select id={ids.adapter} value={p.adapterId} aria-describedby={ids.adapterHelp} onChange={(e) => p.onAdapterChange(e.target.value)}>
          {p.adapters.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
        {adapter && (
          <p id={ids.adapterHelp} className="help">
            {adapter.description}
            {open && p.status.adapterId && p.status.adapterId !== p.adapterId ? ' Changing the adapter ends the current session.' : ''}
          </p>
        )}
      </div>
      {adapter?.needsKey && (
        <div className="field">
          <label htmlFor={ids.key}>API key</label>
          <input
            id={ids.key}
            type={p.keyForm.show ? 'text' : 'password'}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={ids.keyHelp}
            value={p.keyForm.key}
            onChange={(e) => p.onKeyChange({ key: e.target.value })}
            onBlur={(e) => e.target.value !== e.target.value.trim() && p.onKeyChange({ key: e.target.value.trim() })}
          />
          <div className="row">
            <label className="inline">
              <input type="checkbox" checked={p.keyForm.show} onChange={(e) => p.onKeyChange({ show: e.target.checked })} /> Show key
            </label>
            <label className="inline">
              <input type="checkbox" checked={p.keyForm.remembered} onChange={(e) => p.onKeyChange({ remembered: e.target.checked })} /> Remember key on this device
            </label>
            <button type="button" className="secondary" onClick={p.onForgetKey} disabled={!p.keyForm.key}>
              Forget key
            </button>
          </div>
          <p id={ids.keyHelp} className="help">
            {adapter.keyNote ? `${adapter.keyNote} ` : ''}
            {p.keyForm.remembered
              ? 'Stored on this device (chrome.storage.local) until you forget it. Never logged or exported.'
              : 'Kept for this browser session only (chrome.storage.session). Never logged or exported.'}
          </p>
        </div>
      )}
      <MicAccess permission={p.permission} onGrant={p.onGrant} />
      <div className="buttons">
        <button type="button" onClick={() => p.onMicTest(!p.status.micTestActive)} disabled={open}>
          {p.status.micTestActive ? 'Stop microphone test' : 'Test microphone'}
        </button>
        {adapter?.acceptsVideo && (
          <button type="button" onClick={() => p.onCamera(!p.status.camEnabled)} disabled={!ready}>
            {p.status.camEnabled ? 'Turn camera off' : 'Turn camera on'}
          </button>
        )}
      </div>
    </section>
  );
}

function MicAccess({ permission }: { permission: MicPermission; onGrant(): void }) {
  if (permission === 'prompt') {
    return (
      <div className="notice">
        <p>The extension may not use the microphone yet: press “Grant microphone access” above, then choose the lasting “Allow” in the tab that opens.</p>
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
