import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../../test/fakes/fake-openai-server.ts';
import { openAISession, type OpenAITestSession } from '../../../test/fakes/openai-test-session.ts';

/**
 * Issue 12 item 15: the Interrupt button acts at once, not when the player worklet answers. The
 * fake player takes 150 ms to answer (the latency measured on a loaded machine), during which the
 * server keeps streaming the reply it has not yet been told to stop.
 */
const FLUSH_MS = 150;
let server: FakeOpenAIServer;
const sessions: OpenAITestSession[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.client.disconnect().catch(() => undefined);
  await server?.close();
});

const LONG = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + '.';

async function replying(): Promise<{ s: OpenAITestSession; itemId: string; responseId: string }> {
  // The live service keeps streaming for a while after response.cancel (provider-protocols.md §E).
  server = await startFakeOpenAIServer({ cancelLagMs: 100 });
  server.queueResponse({ text: LONG, audioMs: 6000, deltaMs: 20, intervalMs: 10 });
  const s = openAISession(server, {}, { playbackSpeed: 0, flushLatencyMs: FLUSH_MS });
  sessions.push(s);
  await s.client.connect();
  s.client.sendText('Talk');
  await s.waitFor('300 ms of bot audio queued', () => s.media.queuedSamples >= 7_200);
  s.media.advancePlayback(200);
  const itemId = s.media.buffered[0].itemId;
  const responseId = (server.sentOfType('response.created')[0].event as { response: { id: string } }).response.id;
  return { s, itemId, responseId };
}

const textOf = (s: OpenAITestSession, type: string) => s.ofType(type).map((r) => JSON.stringify(r.data)).join('\n');

describe('OpenAI Realtime: Interrupt acts before the player answers (issue 12 item 15)', () => {
  it('response.cancel goes out before the player answers; the truncate follows it with the played position', async () => {
    const { s, itemId } = await replying();
    const done = s.transport.interruptBot();
    // On the wire before the player could answer (checked synchronously, so a stalled loop cannot fake it).
    expect(s.frames.filter((f) => f.direction === 'out' && f.type === 'response.cancel')).toHaveLength(1);
    const cancel = await server.waitForReceived('response.cancel', 1, 2000);
    await done;
    const truncate = await server.waitForReceived('conversation.item.truncate', 1, 2000);
    expect(truncate.event).toMatchObject({ item_id: itemId, audio_end_ms: 200 });
    expect(cancel.seq).toBeLessThan(truncate.seq);
    await s.waitForRtvi('bot-llm-stopped');
    expect(server.receivedOfType('response.cancel')).toHaveLength(1);
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('audio and transcript of the interrupted item arriving during the flush are neither queued nor shown', async () => {
    const { s, itemId, responseId } = await replying();
    const done = s.transport.interruptBot();
    const queuedAtInterrupt = s.media.buffered.filter((b) => b.itemId === itemId).length;
    // Frames the server sent before it could know of the interrupt: they are still on the wire.
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    server.sendRaw(JSON.stringify({ type: 'response.output_audio_transcript.delta', event_id: 'event_late_1', ...ids, delta: ' LATEWORD' }));
    server.sendRaw(JSON.stringify({ type: 'response.output_audio.delta', event_id: 'event_late_2', ...ids, delta: Buffer.alloc(960).toString('base64') }));
    await s.waitFor('the late frames to arrive', () => s.frames.some((f) => f.direction === 'in' && JSON.stringify(f.payload).includes('event_late_2')));
    await done;
    await s.waitForRtvi('bot-llm-stopped');
    await s.waitFor('the cut-off report', () => s.ofType('bot-output').some((r) => (r.data as { spoken_status?: string }).spoken_status === 'in-progress'));
    expect(textOf(s, 'bot-tts-text')).not.toContain('LATEWORD');
    expect(textOf(s, 'bot-output')).not.toContain('LATEWORD');
    expect(s.media.buffered.filter((b) => b.itemId === itemId).length).toBe(queuedAtInterrupt);
  });

  it('a message typed during the flush goes out after the truncate and after the cancelled response ended', async () => {
    const { s, itemId } = await replying();
    server.queueResponse({ text: 'The second answer.' });
    const done = s.transport.interruptBot();
    s.client.sendText('Another question');
    await done;
    await server.waitForReceived('response.create', 2, 5000);
    await s.waitFor('the second response to complete', () => server.sentOfType('response.done').some((f) => (f.event as { response: { status: string } }).response.status === 'completed'), 5000);
    const order = server.received.filter((f) => ['response.cancel', 'conversation.item.truncate', 'conversation.item.create', 'response.create'].includes(f.type)).map((f) => f.type);
    expect(order).toEqual(['conversation.item.create', 'response.create', 'response.cancel', 'conversation.item.truncate', 'conversation.item.create', 'response.create']);
    expect((server.receivedOfType('conversation.item.truncate')[0].event as { item_id: string }).item_id).toBe(itemId);
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('Interrupt pressed twice before the player answers: one response.cancel and one truncate', async () => {
    const { s, itemId } = await replying();
    const first = s.transport.interruptBot();
    const second = s.transport.interruptBot();
    await Promise.all([first, second]);
    await s.waitForRtvi('bot-llm-stopped');
    await server.waitForReceived('conversation.item.truncate', 1, 2000);
    expect(server.receivedOfType('response.cancel')).toHaveLength(1);
    expect(server.receivedOfType('conversation.item.truncate').map((f) => f.event)).toEqual([expect.objectContaining({ item_id: itemId, audio_end_ms: 200 })]);
    expect(server.sentOfType('error')).toHaveLength(0);
  });
});
