import { afterEach, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { geminiSession, geminiSessionPool, waitUntil, type GeminiTestSession } from '../../../test/fakes/gemini-test-session.ts';

/**
 * Issue 12 item 15: the Interrupt button acts at once, not when the player worklet answers. The
 * fake player takes 150 ms to answer (the latency measured on a loaded machine), while the server
 * keeps streaming the turn it has not yet been told to stop.
 */
const FLUSH_MS = 150;
const pool = geminiSessionPool();
afterEach(() => pool.cleanup());

const LONG = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') + '.';

async function replying(model?: string): Promise<GeminiTestSession> {
  const h = await geminiSession(
    pool,
    { streamSpeed: 1, replies: [{ botText: LONG, audioMs: 4000 }] },
    model ? { settings: { model } } : {},
    new FakeMediaManager({ playbackSpeed: 0, flushLatencyMs: FLUSH_MS }),
  );
  await h.client.connect();
  h.client.sendText('talk');
  await waitUntil('bot audio queued', () => h.media.buffered.length >= 3);
  h.media.advancePlayback(100);
  return h;
}

const interruptSent = (h: GeminiTestSession) => h.server.current!.received.find((f) => f.type === 'clientContent' && !(f.json!.clientContent as { turns?: unknown }).turns);
const textOf = (h: GeminiTestSession, type: string) => h.of(type).map((r) => JSON.stringify(r.data)).join('\n');

describe('Gemini Live: Interrupt acts before the player answers (issue 12 item 15)', () => {
  it('the clientContent interrupt goes out before the player answers, and the log row says what was sent and what was played', async () => {
    const h = await replying();
    const done = h.transport.interruptBot();
    // On the wire before the player could answer (checked synchronously, so a stalled loop cannot fake it).
    expect(h.frames.filter((f) => f.direction === 'out' && f.type === 'clientContent' && !JSON.stringify(f.payload).includes('turns'))).toHaveLength(1);
    const sent = await waitUntil('the interrupt at the server', () => interruptSent(h), 2000);
    expect(sent.json).toEqual({ clientContent: { turnComplete: false } });
    await done;
    await waitUntil('the local-interrupt row', () => h.serverMessages('local-interrupt')[0]);
    const notes = h.serverMessages('local-interrupt');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ server_notified: true, sent: { clientContent: { turnComplete: false } }, played_samples: { 'gemini-turn-1': 2400 } });
    await waitUntil('turn end', () => h.of('bot-llm-stopped').length === 1, 1500);
    expect(h.server.current!.received.filter((f) => f.type === 'clientContent' && !(f.json!.clientContent as { turns?: unknown }).turns)).toHaveLength(1);
  });

  it('audio and transcript of the turn arriving during the flush are neither queued nor shown', async () => {
    const h = await replying();
    const done = h.transport.interruptBot();
    const queuedAtInterrupt = h.media.buffered.length;
    // A frame the server sent before it could know of the interrupt: it is still on the wire.
    h.server.current!.send({
      serverContent: {
        modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: Buffer.alloc(960).toString('base64') } }] },
        outputTranscription: { text: ' LATEWORD' },
      },
    });
    await waitUntil('the late frame to arrive', () => h.frames.some((f) => f.direction === 'in' && JSON.stringify(f.payload).includes('LATEWORD')));
    await done;
    await waitUntil('turn end', () => h.of('bot-llm-stopped').length === 1, 1500);
    await waitUntil('the cut-off report', () => h.of('bot-output').some((r) => (r.data as { spoken_status?: string }).spoken_status === 'in-progress'));
    expect(textOf(h, 'bot-tts-text')).not.toContain('LATEWORD');
    expect(textOf(h, 'bot-output')).not.toContain('LATEWORD');
    expect(h.media.buffered.length).toBe(queuedAtInterrupt);
  });

  it('Interrupt pressed twice before the player answers: one clientContent, and the second row says nothing was sent', async () => {
    const h = await replying();
    await Promise.all([h.transport.interruptBot(), h.transport.interruptBot()]);
    await waitUntil('turn end', () => h.of('bot-llm-stopped').length === 1, 1500);
    expect(h.server.current!.received.filter((f) => f.type === 'clientContent' && !(f.json!.clientContent as { turns?: unknown }).turns)).toHaveLength(1);
    expect(h.serverMessages('local-interrupt').map((n) => n.server_notified)).toEqual([true, false]);
  });

  it('on gemini-3.1 the captured form goes out at the press too', async () => {
    const h = await replying('gemini-3.1-flash-live-preview');
    const done = h.transport.interruptBot();
    expect(h.frames.filter((f) => f.direction === 'out' && f.type === 'clientContent')).toHaveLength(1);
    const sent = await waitUntil('the interrupt at the server', () => h.server.current!.received.find((f) => f.type === 'clientContent'), 2000);
    expect(sent.json).toEqual({ clientContent: { turnComplete: true } });
    await done;
    expect(h.serverMessages('local-interrupt')[0]).toMatchObject({ server_notified: true, sent: { clientContent: { turnComplete: true } } });
  });
});

