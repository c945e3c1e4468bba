import type { TransportState } from '@pipecat-ai/client-js';

export function ConnectionStatus({ state, linked }: { state: TransportState; linked: boolean }) {
  return (
    <div className="status" role="status" aria-live="polite" aria-label="Connection status" data-state={state}>
      <span className={`status-dot status-${state}`} aria-hidden="true" /> {state}
      {!linked && <span className="muted"> (reaching the session host…)</span>}
    </div>
  );
}
