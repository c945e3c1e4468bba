import { useSyncExternalStore } from 'react';
import type { HostLevels } from '../../shared/messages.ts';

/** The meters' own feed (PanelStore.levels): they re-render without the rest of the panel. */
export interface LevelFeed {
  get(): HostLevels;
  subscribe(listener: () => void): () => void;
}

/** A meter fed by `feed`: only this component re-renders when the level changes. */
export function LiveLevelMeter({ feed, which, label, short }: { feed: LevelFeed; which: keyof HostLevels; label: string; short?: string }) {
  const value = useSyncExternalStore(feed.subscribe, () => feed.get()[which] ?? 0);
  return <LevelMeter label={label} short={short} value={value} />;
}

/**
 * A `role=meter` bar; RMS levels are small, so the bar shows them on a square-root scale. The fill
 * is scaled with a transform and not animated: a width (or a width transition) re-ran layout and
 * paint of the panel on every frame while anyone spoke, on the thread the capture path shares.
 */
export function LevelMeter({ label, short, value }: { label: string; short?: string; value: number }) {
  const clamped = Math.max(0, Math.min(1, value));
  return (
    <div className="meter-row">
      <span className="meter-label" aria-hidden="true">
        {short ?? label}
      </span>
      <div
        className="meter"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={1}
        aria-valuenow={Number(clamped.toFixed(4))}
        aria-valuetext={`${Math.round(clamped * 100)} percent`}
      >
        <div className="meter-fill" style={{ transform: `scaleX(${(Math.round(Math.sqrt(clamped) * 100) / 100).toFixed(2)})` }} />
      </div>
    </div>
  );
}
