import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameSpecArb, fuzzSeed, renderFrames, sessionEndingArb, type FuzzProviderName } from './frame-mutations.ts';
import { startFuzzFrameServer, type FuzzFrameServer } from './fuzz-frame-server.ts';
import { connectForFuzz, escaped, listenForEscapes, runFuzzedSession, sentAudioBytes } from './fuzz-session.ts';

/**
 * The property-based fuzz suite every WebSocket adapter runs: mutated real frames on a socket whose
 * handshake was genuine. The guarantees checked in every run are listed in fuzz-session.ts.
 */
export function describeAdapterFuzz(provider: FuzzProviderName, title: string): void {
  let server: FuzzFrameServer;
  let stopListening: () => void;
  beforeAll(async () => {
    server = await startFuzzFrameServer(provider);
    stopListening = listenForEscapes();
  });
  afterAll(async () => {
    stopListening();
    await server.close();
  });

  describe(`${title} adapter under fuzzed inbound frames`, () => {
    it('stays truthful, reports every bad frame and keeps processing valid ones', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(frameSpecArb(), { minLength: 1, maxLength: 12 }), sessionEndingArb(provider), async (specs, ending) => {
          await runFuzzedSession(provider, server, specs.flatMap((s) => renderFrames(provider, s)), ending);
        }),
        { seed: fuzzSeed(), numRuns: 300 },
      );
    }, 60_000);

    it('survives multi-megabyte frames (text, audio, garbage, padding) among valid ones', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(frameSpecArb(), { maxLength: 4 }), fc.nat({ max: 3 }), fc.nat({ max: 999 }), async (specs, variant, base) => {
          const huge = { kind: 'huge' as const, base, pick: variant, pick2: 0 };
          await runFuzzedSession(provider, server, [...specs, huge, ...specs].flatMap((s) => renderFrames(provider, s)), { kind: 'none' });
        }),
        // Every huge variant at least once: transcript text, audio, garbage, padded real frame.
        { seed: fuzzSeed(), numRuns: 6, examples: [[[], 0, 0], [[], 1, 0], [[], 2, 0], [[], 3, 0]] },
      );
    }, 60_000);

    it('sends whole PCM16 samples for captured chunks of any size (odd ones included) and never throws', async () => {
      const { transport, client, conn, rtvi } = await connectForFuzz(provider, server);
      const escapedBefore = escaped.length;
      const expected: number[] = [];
      try {
        fc.assert(
          fc.property(fc.array(fc.nat({ max: 7_000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
            for (const n of sizes) {
              transport.handleUserAudioStream(new Uint8Array(n).fill(n & 0xff).buffer);
              if (n >= 2) expected.push(n & ~1);
            }
          }),
          { seed: fuzzSeed(), numRuns: 100 },
        );
        await new Promise<void>((resolve, reject) => {
          const start = performance.now();
          const poll = () => {
            if (sentAudioBytes(conn.received).length >= expected.length) return resolve();
            if (performance.now() - start > 10_000) return reject(new Error(`timed out waiting for ${expected.length} audio frames, got ${sentAudioBytes(conn.received).length}`));
            setTimeout(poll, 5);
          };
          poll();
        });
        expect(sentAudioBytes(conn.received)).toEqual(expected);
        expect(rtvi.filter((r) => r.type === 'error')).toEqual([]);
        expect(transport.state).toBe('ready');
        expect(escaped.slice(escapedBefore)).toEqual([]);
      } finally {
        await client.disconnect();
      }
    }, 60_000);
  });
}
