import fc from 'fast-check';
import { LogLevel, PipecatClient } from '@pipecat-ai/client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { fuzzSeed } from '../../../test/fakes/frame-mutations.ts';
import { escaped, listenForEscapes } from '../../../test/fakes/fuzz-session.ts';
import type { RtviRecord } from '../../transport/frame-observer.ts';
import { LoopbackTransport } from './loopback-transport.ts';

// Loopback has no wire: its "inbound path" is captured audio and local VAD events. Arbitrary chunk
// sizes (odd ones included: the contract is an ArrayBuffer), contents and event orders must never
// throw, and the speaking events it derives must stay well-formed.
let stop: () => void;
beforeAll(() => {
  stop = listenForEscapes();
});
afterAll(() => stop());

type Step =
  | { op: 'audio'; bytes: number; fill: number }
  | { op: 'vad'; started: boolean }
  | { op: 'advance'; ms: number }
  | { op: 'interrupt' }
  | { op: 'text'; content: string }
  | { op: 'mic'; on: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('audio' as const), bytes: fc.oneof(fc.nat({ max: 9 }), fc.nat({ max: 20_000 })), fill: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('vad' as const), started: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.nat({ max: 3000 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'interrupt' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('text' as const), content: fc.string({ maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mic' as const), on: fc.boolean() }) },
);

/** started/stopped pairs must alternate, starting with started. */
function alternationProblem(rtvi: RtviRecord[], start: string, stopType: string): string | null {
  let on = false;
  for (const r of rtvi) {
    if (r.type === start) {
      if (on) return `${start} twice in a row`;
      on = true;
    } else if (r.type === stopType) {
      if (!on) return `${stopType} without ${start}`;
      on = false;
    }
  }
  return null;
}

describe('Loopback under arbitrary audio chunks and VAD event orders', () => {
  it('never throws, stays ready, and keeps speaking events alternating', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const escapedBefore = escaped.length;
        const media = new FakeMediaManager({ playbackSpeed: 0 });
        const transport = new LoopbackTransport({ settings: { max_echo_seconds: 2 } }, media);
        const rtvi: RtviRecord[] = [];
        transport.setObserver({ onRtvi: (r) => rtvi.push(r) });
        const client = new PipecatClient({ transport, enableMic: true });
        client.setLogLevel(LogLevel.NONE);
        await client.connect();
        try {
          for (const s of steps) {
            switch (s.op) {
              case 'audio': {
                const buf = new ArrayBuffer(s.bytes);
                new Uint8Array(buf).fill(s.fill);
                transport.handleUserAudioStream(buf);
                break;
              }
              case 'vad':
                media.emitLocalSpeech(s.started);
                break;
              case 'advance':
                media.advancePlayback(s.ms);
                break;
              case 'interrupt':
                await transport.interruptBot();
                break;
              case 'text':
                client.sendText(s.content);
                break;
              case 'mic':
                client.enableMic(s.on);
                break;
            }
            // Echo responses are scheduled with a 0 ms timer: let them land between steps.
            await new Promise((r) => setTimeout(r, 0));
            expect(transport.state).toBe('ready');
          }
          expect(alternationProblem(rtvi, 'user-started-speaking', 'user-stopped-speaking')).toBeNull();
          expect(alternationProblem(rtvi, 'bot-started-speaking', 'bot-stopped-speaking')).toBeNull();
          expect(rtvi.filter((r) => r.type === 'error')).toEqual([]);
        } finally {
          await client.disconnect();
        }
        expect(transport.state).toBe('disconnected');
        // Whatever was playing, disconnect leaves the bot silent.
        expect(alternationProblem(rtvi, 'bot-started-speaking', 'bot-stopped-speaking')).toBeNull();
        const speaking = rtvi.filter((r) => /^bot-(started|stopped)-speaking$/.test(r.type));
        if (speaking.length) expect(speaking[speaking.length - 1].type).toBe('bot-stopped-speaking');
        expect(escaped.slice(escapedBefore)).toEqual([]);
      }),
      { seed: fuzzSeed(), numRuns: 150 },
    );
  }, 60_000);
});
