/**
 * A plain page hosting the timeline on a synthetic recording, for `npm run bench` and the e2e
 * test (the extension has no recordings store in this branch to open one from). Query:
 * `minutes` (session length), `view` = `timeline` (the Timeline alone) or `recording` (the
 * RecordingView: timeline above the read-only event log), `raw=0` to leave out raw audio frames.
 * The recording is generated before `__harness.mount()`, so a measurement starts at the mount.
 */
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { syntheticRecording } from '../../extension/recordings/synthetic-recording.ts';
import type { Recording } from '../../extension/recordings/recording-format.ts';
import { Timeline } from '../../extension/sidepanel/timeline/timeline.tsx';
import { RecordingView } from '../../extension/sidepanel/timeline/recording-view.tsx';
import '../../extension/sidepanel/panel.css';

const q = new URLSearchParams(location.search);
const minutes = Number(q.get('minutes') ?? 2);
const view = q.get('view') ?? 'recording';

interface Harness {
  recording: Recording | null;
  turns: ReturnType<typeof syntheticRecording>['turns'];
  generatedMs: number;
  mountedAt: number;
  mount(): void;
  unmount(): void;
}

let root: Root | null = null;
const harness: Harness = {
  recording: null,
  turns: [],
  generatedMs: 0,
  mountedAt: 0,
  mount() {
    const recording = harness.recording!;
    harness.mountedAt = performance.now();
    root = createRoot(document.getElementById('root')!);
    root.render(<StrictMode>{view === 'timeline' ? <Timeline recording={recording} /> : <RecordingView recording={recording} />}</StrictMode>);
  },
  unmount() {
    root?.unmount();
    root = null;
  },
};
(window as unknown as { __harness: Harness }).__harness = harness;
// Generated after the page has loaded (an hour takes seconds): navigation is not held up by it.
setTimeout(() => {
  const g0 = performance.now();
  const made = syntheticRecording({ durationMs: minutes * 60_000, rawAudioFrames: q.get('raw') !== '0' });
  harness.recording = made.recording;
  harness.turns = made.turns;
  harness.generatedMs = performance.now() - g0;
  document.documentElement.dataset.harness = 'ready';
}, 0);
