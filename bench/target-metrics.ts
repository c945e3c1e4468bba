import type { CDPSession } from 'playwright-core';

/**
 * DevTools `Performance.getMetrics` on one extension target (the offscreen document is a
 * `background_page` target Playwright does not expose), through a browser-level session with
 * attachToTarget(flatten: false) + sendMessageToTarget, as e2e/harness/extension-targets.ts does.
 */
export class TargetMetrics {
  /** The clock TaskDuration is counted on. */
  timeDomain: 'threadTicks' | 'timeTicks' = 'threadTicks';
  private nextId = 1;
  private readonly pending = new Map<number, (v: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(
    private readonly session: CDPSession,
    private readonly sessionId: string,
  ) {
    session.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
      if (e.sessionId !== this.sessionId) return;
      const msg = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg);
      if (msg.id !== undefined) this.pending.delete(msg.id);
    });
  }

  static async attach(session: CDPSession, match: (t: { type: string; url: string }) => boolean): Promise<TargetMetrics> {
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string; url: string }> };
    const target = targetInfos.find(match);
    if (!target) throw new Error(`no target matched (have: ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')})`);
    const { sessionId } = (await session.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string };
    const m = new TargetMetrics(session, sessionId);
    // Thread time is what the document itself costs; wall time would count waiting for a busy core.
    await m.call('Performance.enable', { timeDomain: 'threadTicks' }).catch(async () => {
      m.timeDomain = 'timeTicks';
      await m.call('Performance.enable', {});
    });
    return m;
  }

  call(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within 10 s`));
      }, 10_000);
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        if (msg.error) reject(new Error(msg.error.message));
        else resolve(msg.result);
      });
      this.session.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }

  async metrics(): Promise<Record<string, number>> {
    const r = (await this.call('Performance.getMetrics', {})) as { metrics: Array<{ name: string; value: number }> };
    return Object.fromEntries(r.metrics.map((m) => [m.name, m.value]));
  }
}
