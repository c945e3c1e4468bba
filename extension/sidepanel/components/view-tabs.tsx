import { useRef, type KeyboardEvent } from 'react';

export type ViewName = 'Conversation' | 'Events' | 'Metrics' | 'Settings' | 'Recordings' | 'Replay' | 'Tests';

export const tabId = (v: ViewName) => `view-tab-${v.toLowerCase()}`;
export const panelId = (v: ViewName) => `view-panel-${v.toLowerCase()}`;

/**
 * The `Views` tablist (WAI-ARIA tabs pattern, automatic activation): one Tab stop on the selected
 * tab, ←/→ and Home/End move and select, so switching view is one click or one key.
 */
export function ViewTabs({ views, selected, onSelect }: { views: ViewName[]; selected: ViewName; onSelect(v: ViewName): void }) {
  const refs = useRef(new Map<ViewName, HTMLButtonElement>());
  const move = (e: KeyboardEvent, i: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % views.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + views.length) % views.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = views.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const v = views[next]!;
    onSelect(v);
    refs.current.get(v)?.focus();
  };
  return (
    <div role="tablist" aria-label="Views" className="view-tabs">
      {views.map((v, i) => (
        <button
          key={v}
          ref={(el) => {
            if (el) refs.current.set(v, el);
            else refs.current.delete(v);
          }}
          type="button"
          role="tab"
          id={tabId(v)}
          aria-selected={v === selected}
          aria-controls={panelId(v)}
          tabIndex={v === selected ? 0 : -1}
          className="view-tab"
          onClick={() => onSelect(v)}
          onKeyDown={(e) => move(e, i)}
        >
          {v}
        </button>
      ))}
    </div>
  );
}
