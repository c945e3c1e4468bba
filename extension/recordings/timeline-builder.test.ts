import { describe, expect, it } from 'vitest';
import { buildTimeline, type BuildProgress } from './timeline-builder.ts';
import { TimelineModel } from './timeline-model.ts';
import { syntheticRecording } from './synthetic-recording.ts';

describe('buildTimeline', () => {
  it('built in slices, it ends with the same model as built at once, overview before exact', async () => {
    const { recording } = syntheticRecording({ durationMs: 90_000 });
    const seen: BuildProgress[] = [];
    let yields = 0;
    const h = buildTimeline(recording, (p) => seen.push({ ...p }), async () => {
      yields++;
    });
    const done = await h.promise;
    expect(done.complete).toBe(true);
    const firstOverview = seen.findIndex((p) => p.overview);
    expect(firstOverview).toBeGreaterThanOrEqual(0);
    expect(seen.findIndex((p) => p.complete)).toBeGreaterThanOrEqual(firstOverview);
    expect(yields).toBeGreaterThan(0);
    const whole = TimelineModel.fromRecording(recording);
    expect(done.model.sortedMarkers()).toEqual(whole.sortedMarkers());
    expect(done.model.latencySpans()).toEqual(whole.latencySpans());
    const a = done.model.peaks.mic.columns(0, 90_000, 320);
    const b = whole.peaks.mic.columns(0, 90_000, 320);
    expect([...a.max]).toEqual([...b.max]);
  });

  it('stops when cancelled', async () => {
    const { recording } = syntheticRecording({ durationMs: 60_000 });
    let h: ReturnType<typeof buildTimeline> | null = null;
    h = buildTimeline(recording, () => h?.cancel(), async () => undefined);
    expect((await h.promise).complete).toBe(false);
  });
});
