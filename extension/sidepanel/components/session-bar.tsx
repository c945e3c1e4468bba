import type { ReactNode } from 'react';
import type { HostStatus } from '../../shared/messages.ts';
import type { MicPermission } from '../mic-permission.ts';
import { isSessionOpen } from '../panel-state.ts';
import { ConnectionStatus } from './connection-status.tsx';
import { LiveLevelMeter, type LevelFeed } from './level-meter.tsx';

export interface SessionBarProps {
  status: HostStatus;
  linked: boolean;
  permission: MicPermission;
  pushToTalk: boolean;
  talking: boolean;
  /** The meters subscribe to it themselves, so a level change re-renders the meters only. */
  levels: LevelFeed;
  adapterLabel: string;
  onConnect(): void;
  onDisconnect(): void;
  onGrant(): void;
  onMute(muted: boolean): void;
  onInterrupt(): void;
  onTalk(phase: 'start' | 'end'): void;
  onSkipToEvents(): void;
  /** Slot for the recordings issue's recording indicator. */
  recording?: ReactNode;
  /** Session facts shown beside the status (e.g. the provider's session limit). */
  sessionInfo?: ReactNode;
}

/**
 * The bar above every view. It lives outside the scrolling views (the panel is a fixed-height
 * column), so status, Connect/Disconnect, mute, Interrupt and the meters never scroll away.
 */
export function SessionBar(p: SessionBarProps) {
  const state = p.status.transportState;
  const open = isSessionOpen(state);
  const ready = state === 'ready';
  // Without the permission a Connect would open the mic and fail: granting comes first.
  const needsGrant = !open && p.permission === 'prompt';
  return (
    <header className="session-bar">
      <a
        href="#event-log-pane"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          p.onSkipToEvents();
        }}
      >
        Skip to events
      </a>
      <div className="bar-row">
        <ConnectionStatus state={state} linked={p.linked} />
        {p.sessionInfo}
        {p.recording}
        <span className="bar-adapter muted">{p.adapterLabel}</span>
      </div>
      <div className="bar-row">
        {needsGrant && (
          <button type="button" className="primary" onClick={p.onGrant}>
            Grant microphone access
          </button>
        )}
        <button type="button" className={needsGrant ? undefined : 'primary'} onClick={open ? p.onDisconnect : p.onConnect} disabled={state === 'disconnecting'}>
          {open ? 'Disconnect' : 'Connect'}
        </button>
        <button type="button" onClick={() => p.onMute(p.status.micEnabled)}>
          {p.status.micEnabled ? 'Mute microphone' : 'Unmute microphone'}
        </button>
        <button type="button" onClick={p.onInterrupt} disabled={!ready}>
          Interrupt
        </button>
        {p.pushToTalk && (
          <button
            type="button"
            className={`talk${p.talking ? ' talking' : ''}`}
            aria-pressed={p.talking}
            aria-describedby="talk-help"
            disabled={!ready}
            onPointerDown={(e) => {
              if (e.button !== 0) return;
              e.currentTarget.setPointerCapture?.(e.pointerId);
              p.onTalk('start');
            }}
            onPointerUp={() => p.onTalk('end')}
            onPointerCancel={() => p.onTalk('end')}
            onKeyDown={(e) => {
              if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
                e.preventDefault();
                e.stopPropagation();
                p.onTalk('start');
              }
            }}
            onKeyUp={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                e.stopPropagation();
                p.onTalk('end');
              }
            }}
          >
            Hold to talk
          </button>
        )}
      </div>
      {p.pushToTalk && (
        <p id="talk-help" className="help">
          {p.talking ? 'Listening… release to send the turn.' : 'Hold the button, or Space outside a text field.'}
        </p>
      )}
      <div className="bar-meters">
        <LiveLevelMeter feed={p.levels} which="mic" label="Microphone level" short="Mic" />
        <LiveLevelMeter feed={p.levels} which="bot" label="Bot level" short="Bot" />
      </div>
    </header>
  );
}
