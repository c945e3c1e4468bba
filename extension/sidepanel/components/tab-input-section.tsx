import { useEffect, useRef, useState } from 'react';
import type { PanelCommand, TabAudioMode, TabShareStatus } from '../../shared/messages.ts';
import { captureScreenshot, tabStreamId, watchShortcuts } from '../tab-input-actions.ts';
import { LiveLevelMeter, type LevelFeed } from './level-meter.tsx';

export interface TabInputSectionProps {
  /** A session is ready to take input. */
  ready: boolean;
  /** The adapter takes video frames (the frame-rate choice is offered). */
  acceptsVideo: boolean;
  tabShare: TabShareStatus | null;
  /** The meters' own feed (its `tab` level). */
  levels: LevelFeed;
  send(command: PanelCommand): void;
  onError(message: string): void;
}

const FRAME_RATES: Array<{ fps: number; label: string }> = [
  { fps: 0, label: 'No frames (audio only)' },
  { fps: 0.5, label: '1 frame every 2 s' },
  { fps: 1, label: '1 frame per second' },
  { fps: 2, label: '2 frames per second' },
];

/** "Send screenshot" and "Share this tab": the browser tab as input to the model. */
export function TabInputSection(props: TabInputSectionProps) {
  const [mode, setMode] = useState<TabAudioMode>('mix');
  const [fps, setFps] = useState(1);
  const [busy, setBusy] = useState<'screenshot' | 'share' | null>(null);
  const latest = useRef(props);
  latest.current = props;

  const screenshot = async () => {
    setBusy('screenshot');
    try {
      const shot = await captureScreenshot();
      latest.current.send({ type: 'send-image', ...shot });
    } catch (e) {
      latest.current.onError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const share = async () => {
    setBusy('share');
    try {
      const { streamId, title } = await tabStreamId();
      latest.current.send({ type: 'share-tab', streamId, tabTitle: title, mode, videoFps: latest.current.acceptsVideo ? fps : 0 });
    } catch (e) {
      latest.current.onError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  // A keyboard shortcut (an invocation on the tab) asks for a share or a screenshot.
  const actions = useRef({ screenshot, share });
  actions.current = { screenshot, share };
  useEffect(
    () =>
      watchShortcuts((action) => {
        if (!latest.current.ready) return latest.current.onError('Connect first: the tab is sent to the model only during a session.');
        if (action === 'share-tab') void actions.current.share();
        else void actions.current.screenshot();
      }),
    [],
  );

  const sharing = props.tabShare !== null;
  return (
    <section className="card tab-input" aria-labelledby="tab-input-heading">
      <h2 id="tab-input-heading">The tab as input</h2>
      <div className="buttons">
        <button type="button" disabled={!props.ready || busy !== null} onClick={() => void screenshot()}>
          Send screenshot
        </button>
        {sharing ? (
          <button type="button" onClick={() => props.send({ type: 'stop-tab-share' })}>
            Stop sharing tab
          </button>
        ) : (
          <button type="button" disabled={!props.ready || busy !== null} onClick={() => void share()}>
            Share this tab
          </button>
        )}
      </div>
      <div className="row">
        <label htmlFor="tab-audio-mode">Tab audio</label>
          <select id="tab-audio-mode" value={mode} disabled={sharing} onChange={(e) => setMode(e.target.value as TabAudioMode)}>
            <option value="mix">Mixed with the microphone</option>
            <option value="replace">Instead of the microphone</option>
          </select>
        {props.acceptsVideo && (
          <>
            <label htmlFor="tab-frame-rate">Tab frames</label>
            <select id="tab-frame-rate" value={String(fps)} disabled={sharing} onChange={(e) => setFps(Number(e.target.value))}>
              {FRAME_RATES.map((r) => (
                <option key={r.fps} value={String(r.fps)}>
                  {r.label}
                </option>
              ))}
            </select>
          </>
        )}
      </div>
      {sharing && (
        <>
          <p className="muted">
            Sharing {props.tabShare!.title}: its audio {props.tabShare!.mode === 'mix' ? 'is mixed with the microphone' : 'replaces the microphone'}
            {props.tabShare!.videoFps > 0 ? `, ${props.tabShare!.videoFps} frame${props.tabShare!.videoFps === 1 ? '' : 's'} per second` : ''}. You still hear the tab.
          </p>
          <LiveLevelMeter feed={props.levels} which="tab" label="Tab audio level" short="Tab" />
        </>
      )}
      <p className="muted">
        Chrome lets the extension capture a tab only after you invoke it there: click the toolbar icon on that tab, or press Alt+Shift+S (share) or Alt+Shift+I (screenshot).
      </p>
    </section>
  );
}
