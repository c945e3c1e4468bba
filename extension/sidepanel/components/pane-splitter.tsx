import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export const MIN_SPLIT = 0.25;
export const MAX_SPLIT = 0.75;
const clampSplit = (f: number) => Math.min(MAX_SPLIT, Math.max(MIN_SPLIT, f));

/**
 * The handle between the two panes: a focusable `separator` (WAI-ARIA window splitter) that
 * drags with the pointer and moves with ←/→ (5 %), Home/End. `split` is the left pane's share.
 */
export function PaneSplitter({ split, onChange, onCommit, controls }: { split: number; onChange(f: number): void; onCommit(f: number): void; controls: string }) {
  const dragging = useRef(false);
  const last = useRef(split);
  last.current = split;
  const fromPointer = (e: PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.parentElement?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    onChange(clampSplit((e.clientX - box.left) / box.width));
  };
  const key = (e: KeyboardEvent) => {
    const steps: Record<string, number> = { ArrowLeft: split - 0.05, ArrowRight: split + 0.05, Home: MIN_SPLIT, End: MAX_SPLIT };
    if (!(e.key in steps)) return;
    e.preventDefault();
    const f = clampSplit(steps[e.key]!);
    onChange(f);
    onCommit(f);
  };
  return (
    <div
      role="separator"
      aria-label="Resize panes"
      aria-orientation="vertical"
      aria-controls={controls}
      aria-valuemin={MIN_SPLIT * 100}
      aria-valuemax={MAX_SPLIT * 100}
      aria-valuenow={Math.round(split * 100)}
      tabIndex={0}
      className="pane-splitter"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        dragging.current = true;
        e.currentTarget.setPointerCapture?.(e.pointerId);
      }}
      onPointerMove={(e) => dragging.current && fromPointer(e)}
      onPointerUp={() => {
        if (!dragging.current) return;
        dragging.current = false;
        onCommit(last.current);
      }}
      onPointerCancel={() => {
        dragging.current = false;
      }}
      onKeyDown={key}
    />
  );
}
