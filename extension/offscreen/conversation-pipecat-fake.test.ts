import { PipecatClient } from '@pipecat-ai/client-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import { waitUntil } from '../../test/fakes/gemini-test-session.ts';
import { installNodeBrowserGlobals } from '../../test/fakes/node-browser-globals.ts';
import { startFakePipecatBot, type FakePipecatBotOptions } from '../../test/fakes/fake-pipecat-ws-bot.ts';
import type { RtviRecord } from '../../src/transport/frame-observer.ts';
import { PipecatWebsocketTransport } from '../../src/adapters/pipecat-websocket/pipecat-websocket-transport.ts';
import { ConversationBuilder } from './conversation-builder.ts';

beforeAll(() => installNodeBrowserGlobals());
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function session(opts: FakePipecatBotOptions) {
  const bot = await startFakePipecatBot(opts);
  cleanups.push(() => bot.close());
  const media = new FakeMediaManager({ playbackSpeed: 20 });
  const transport = new PipecatWebsocketTransport({ endpoint: bot.url, connect_timeout_ms: 4000, settings: {} }, media);
  const rtvi: RtviRecord[] = [];
  const builder = new ConversationBuilder(() => undefined);
  transport.setObserver({ onFrame: () => undefined, onRtvi: (r) => { rtvi.push(r); builder.onRtvi(r.type, r.data); } });
  const client = new PipecatClient({ transport, enableMic: true });
  cleanups.push(() => client.disconnect());
  await client.connect();
  return { bot, media, rtvi, builder };
}

const bots = (b: ConversationBuilder) => b.all.filter((t) => t.role === 'bot').map((t) => ({ text: t.text, cut: t.cut ?? false, unspoken: t.unspoken }));

describe('conversation from the fake Pipecat bot (word-timed bot-output as real Pipecat sends it)', () => {
  it.each(['word', 'sentence'] as const)('a reply spoken whole (%s-level TTS text) reads once, not cut off', async (ttsTextMode) => {
    const s = await session({ reply: 'Hello there friend. It is sunny.', ttsTextMode, audioPaceMs: 5 });
    s.media.speak(300);
    s.media.silence(400);
    await waitUntil('the bot to stop speaking', () => s.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 8000);
    expect(bots(s.builder)).toEqual([{ text: 'Hello there friend. It is sunny.', cut: false, unspoken: undefined }]);
    if (ttsTextMode === 'word') {
      // Word-level bot-tts-text carries bare words (word_completion_tracker.py:271).
      expect(s.rtvi.filter((r) => r.type === 'bot-tts-text').map((r) => (r.data as { text: string }).text)).toEqual(['Hello', 'there', 'friend.', 'It', 'is', 'sunny.']);
    }
  });

  it('the user speaking while the reply\'s audio still arrives cuts it off: audio stops, the heard words and the rest apart', async () => {
    const s = await session({ reply: 'Hello there friend. It is sunny in Paris today.' });
    s.media.speak(300);
    s.media.silence(400);
    // Real-time pacing (one 40 ms chunk per 40 ms): speak over the reply after its second word.
    await waitUntil('the bot\'s second word', () => s.rtvi.filter((r) => r.type === 'bot-tts-text').length >= 2, 8000);
    const audioBefore = s.rtvi.length;
    s.media.speak(300);
    await waitUntil('the bot to stop speaking', () => s.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 8000);
    expect(s.rtvi.length).toBeGreaterThan(audioBefore);
    const [reply] = bots(s.builder);
    expect(reply!.cut).toBe(true);
    expect(reply!.text.split(' ').length).toBeLessThan(9);
    expect(`${reply!.text} ${reply!.unspoken ?? ''}`.trim()).toBe('Hello there friend. It is sunny in Paris today.');
    // Nothing of the cut reply was sent after the interruption.
    const cutAt = s.rtvi.findIndex((r) => r.type === 'bot-interrupted' && s.rtvi.slice(0, s.rtvi.indexOf(r)).some((x) => x.type === 'bot-started-speaking'));
    expect(s.rtvi.slice(cutAt).filter((r) => r.type === 'bot-tts-text')).toEqual([]);
  });
});
