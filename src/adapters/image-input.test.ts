import type { RealtimeConversationItemUserMessage } from 'openai/resources/realtime/realtime';
import type { LiveSendRealtimeInputParameters } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test/fakes/fake-openai-server.ts';
import { openAISession } from '../../test/fakes/openai-test-session.ts';
import { geminiSession, geminiSessionPool, waitUntil } from '../../test/fakes/gemini-test-session.ts';

// The smallest JPEG header bytes are enough: neither fake decodes the image, both check its envelope.
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

describe('sendImage: a screenshot reaches each provider in the shape its SDK types define', () => {
  let openai: FakeOpenAIServer | null = null;
  const pool = geminiSessionPool();
  afterEach(async () => {
    await openai?.close();
    openai = null;
    await pool.cleanup();
  });

  it('OpenAI: one conversation.item.create holding an input_image data URI, accepted by the fake, logged without the base64', async () => {
    openai = await startFakeOpenAIServer();
    const s = openAISession(openai);
    await s.client.connect();
    expect(s.transport.sendImage({ data: JPEG, mimeType: 'image/jpeg', kind: 'screenshot' })).toBe(true);
    const create = await openai.waitForReceived('conversation.item.create');
    const item = create.event.item as RealtimeConversationItemUserMessage;
    expect(item.type).toBe('message');
    expect(item.role).toBe('user');
    expect(item.content).toHaveLength(1);
    expect(item.content[0].type).toBe('input_image');
    const url = item.content[0].image_url!;
    expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect(new Uint8Array(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))).toEqual(JPEG);
    await openai.waitForSent('conversation.item.added');
    expect(openai.sentOfType('error')).toHaveLength(0);
    // No response is asked for: the image waits for the user's next turn.
    expect(openai.receivedOfType('response.create')).toHaveLength(0);
    const logged = s.frames.find((f) => f.direction === 'out' && f.type === 'conversation.item.create');
    expect(JSON.stringify(logged?.payload)).toContain(`data:image/jpeg;base64,<${JPEG.length} bytes>`);
    await s.client.disconnect();
  });

  it('OpenAI fake refuses an image_url that is not a PNG/JPEG data URI (so the positive case above can fail)', async () => {
    openai = await startFakeOpenAIServer();
    const s = openAISession(openai);
    await s.client.connect();
    // Bypass the adapter: a raw, wrongly shaped part straight through the socket.
    (s.transport as unknown as { send(ev: object): string }).send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.gif' }] } });
    const err = await openai.waitForSent('error');
    expect(JSON.stringify(err.event)).toContain('image_url');
    await s.client.disconnect();
  });

  it('Gemini: one realtimeInput.video blob with image/jpeg and the same bytes', async () => {
    const s = await geminiSession(pool);
    await s.client.connect();
    expect(s.transport.sendImage({ data: JPEG, mimeType: 'image/jpeg', kind: 'screenshot' })).toBe(true);
    const frame = await waitUntil('a realtimeInput.video frame', () => s.server.received.find((f) => (f.json?.realtimeInput as { video?: unknown } | undefined)?.video));
    const input = frame.json!.realtimeInput as Pick<LiveSendRealtimeInputParameters, 'video'>;
    const video = input.video as { data: string; mimeType: string };
    expect(video.mimeType).toBe('image/jpeg');
    expect(new Uint8Array(Buffer.from(video.data, 'base64'))).toEqual(JPEG);
    expect(frame.binary).toBe(false);
    await s.client.disconnect();
  });

  it('before connect, sendImage reports that there is no session and sends nothing', async () => {
    const s = await geminiSession(pool);
    expect(s.transport.sendImage({ data: JPEG, mimeType: 'image/jpeg', kind: 'screenshot' })).toBe(false);
    expect(s.server.received).toHaveLength(0);
  });
});
