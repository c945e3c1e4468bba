import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.ts';

/** The fake must behave like the reference (provider-protocols.md part A), or adapter tests prove nothing. */
let server: FakeOpenAIServer;

beforeEach(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(async () => {
  await server.close();
});

interface RawClient {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  binaryFrames: number;
  closed: Promise<{ code: number; reason: string }>;
  next(type: string): Promise<Record<string, unknown>>;
  send(ev: Record<string, unknown>): void;
}

async function rawClient(protocols: string[], model: string | null = 'gpt-realtime'): Promise<RawClient> {
  const url = model ? `${server.url}?model=${model}` : server.url;
  const ws = new WebSocket(url, protocols);
  const messages: Array<Record<string, unknown>> = [];
  let binaryFrames = 0;
  const waiters: Array<() => void> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) binaryFrames++;
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const client: RawClient = {
    ws,
    messages,
    get binaryFrames() {
      return binaryFrames;
    },
    closed,
    next(type) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for server event ${type}`)), 3000);
        const check = () => {
          const m = messages.find((x) => x.type === type);
          if (m) {
            messages.splice(messages.indexOf(m), 1);
            clearTimeout(timer);
            resolve(m);
          } else waiters.push(check);
        };
        check();
      });
    },
    send(ev) {
      ws.send(JSON.stringify(ev));
    },
  };
  return client;
}

const realtimeWithKey = () => ['realtime', `openai-insecure-api-key.${server.apiKey}`];

describe('fake OpenAI Realtime server fidelity', () => {
  it('echoes the realtime subprotocol, sends session.created first, text frames only', async () => {
    const c = await rawClient(realtimeWithKey());
    expect(c.ws.protocol).toBe('realtime');
    const first = await c.next('session.created');
    expect(first.event_id).toMatch(/^event_/);
    expect((first.session as { type: string; object: string }).type).toBe('realtime');
    c.send({ type: 'session.update', event_id: 'c1', session: { type: 'realtime', instructions: 'hi' } });
    await c.next('session.updated');
    expect(c.binaryFrames).toBe(0);
    c.ws.close();
  });

  it('rejects beta session fields and a missing session.type with the live error shapes and the client event_id', async () => {
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    c.send({ type: 'session.update', event_id: 'evt_beta', session: { type: 'realtime', modalities: ['text', 'audio'] } });
    const e1 = (await c.next('error')).error as Record<string, unknown>;
    expect(e1).toEqual({ type: 'invalid_request_error', code: 'unknown_parameter', message: "Unknown parameter: 'session.modalities'.", param: 'session.modalities', event_id: 'evt_beta' });
    c.send({ type: 'session.update', event_id: 'evt_temp', session: { type: 'realtime', temperature: 0.8 } });
    expect(((await c.next('error')).error as { param: string }).param).toBe('session.temperature');
    c.send({ type: 'session.update', event_id: 'evt_voice', session: { type: 'realtime', voice: 'alloy' } });
    expect(((await c.next('error')).error as { code: string; param: string })).toMatchObject({ code: 'unknown_parameter', param: 'session.voice' });
    c.send({ type: 'session.update', event_id: 'evt_notype', session: { instructions: 'x' } });
    const e2 = (await c.next('error')).error as Record<string, unknown>;
    expect(e2).toMatchObject({ code: 'missing_required_parameter', message: "Missing required parameter: 'session.type'.", param: 'session.type', event_id: 'evt_notype' });
    c.send({ type: 'session.update', event_id: 'evt_rate', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } } } });
    expect(((await c.next('error')).error as { code: string }).code).toBe('invalid_value');
    // Errors are not fatal: the session is still open.
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('bad key: the upgrade succeeds, one invalid_api_key error echoing the key, then close 3000', async () => {
    const c = await rawClient(['realtime', 'openai-insecure-api-key.sk-bad-key-123']);
    expect(c.ws.protocol).toBe('realtime');
    const closed = await c.closed;
    expect(closed).toEqual({ code: 3000, reason: 'invalid_request_error.invalid_api_key' });
    expect(c.messages).toHaveLength(1);
    expect(c.messages[0].error).toMatchObject({ code: 'invalid_api_key', event_id: null });
    expect((c.messages[0].error as { message: string }).message).toContain('sk-bad-key-123');
  });

  it('closes 4004 for a retired preview model, 4000 for a missing model and for the beta subprotocol; 401 without any credential', async () => {
    expect(await (await rawClient(realtimeWithKey(), 'gpt-4o-realtime-preview')).closed).toEqual({ code: 4004, reason: 'invalid_request_error.model_not_found' });
    expect(await (await rawClient(realtimeWithKey(), null)).closed).toEqual({ code: 4000, reason: 'invalid_request_error.missing_model' });
    expect(await (await rawClient([...realtimeWithKey(), 'openai-beta.realtime-v1'])).closed).toEqual({ code: 4000, reason: 'invalid_request_error.beta_api_shape_disabled' });
    const err = await rawClient(['realtime']).catch((e: Error) => e);
    expect(String(err)).toContain('401');
  });

  it('mints ek_ secrets for a good key only, and accepts them in the subprotocol', async () => {
    const bad = await fetch(`${server.httpUrl}/v1/realtime/client_secrets`, { method: 'POST', headers: { Authorization: 'Bearer sk-nope-000000' }, body: '{}' });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    const beta = await fetch(`${server.httpUrl}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}` },
      body: JSON.stringify({ session: { type: 'realtime', temperature: 0.7 } }),
    });
    expect(beta.status).toBe(400);
    const ok = await fetch(`${server.httpUrl}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}` },
      body: JSON.stringify({ expires_after: { anchor: 'created_at', seconds: 600 }, session: { type: 'realtime', model: 'gpt-realtime', instructions: 'from the secret' } }),
    });
    const secret = (await ok.json()) as { value: string; expires_at: number };
    expect(secret.value).toMatch(/^ek_/);
    expect(secret.expires_at).toBeGreaterThan(Date.now() / 1000);
    const c = await rawClient(['realtime', `openai-insecure-api-key.${secret.value}`]);
    const created = await c.next('session.created');
    expect((created.session as { instructions: string }).instructions).toBe('from the secret');
    c.ws.close();
  });

  it('answers commit_empty under 100 ms, response_cancel_not_active, active-response conflicts, and truncation beyond the audio sent', async () => {
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    c.send({ type: 'session.update', event_id: 'u', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
    await c.next('session.updated');
    c.send({ type: 'input_audio_buffer.append', event_id: 'a', audio: Buffer.alloc(2 * 24 * 50).toString('base64') });
    c.send({ type: 'input_audio_buffer.commit', event_id: 'commit1' });
    const e1 = (await c.next('error')).error as { code: string; message: string; event_id: string };
    expect(e1.code).toBe('input_audio_buffer_commit_empty');
    expect(e1.message).toMatch(/^Error committing input audio buffer: buffer too small\./);
    expect(e1.event_id).toBe('commit1');
    c.send({ type: 'response.cancel', event_id: 'cancel1' });
    expect(((await c.next('error')).error as { code: string; message: string })).toMatchObject({ code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found' });
    server.queueResponse({ text: 'one two three', audioMs: 1000, intervalMs: 5 });
    c.send({ type: 'response.create', event_id: 'r1' });
    c.send({ type: 'response.create', event_id: 'r2' });
    const e3 = (await c.next('error')).error as { code: string; message: string; event_id: string };
    expect(e3.code).toBe('conversation_already_has_active_response');
    expect(e3.message).toMatch(/^Conversation already has an active response in progress: resp_/);
    expect(e3.event_id).toBe('r2');
    const item = ((await c.next('response.output_item.added')).item as { id: string }).id;
    await c.next('response.done');
    c.send({ type: 'conversation.item.truncate', event_id: 't', item_id: item, content_index: 0, audio_end_ms: 5000 });
    expect(((await c.next('error')).error as { code: string }).code).toBe('invalid_value');
    c.send({ type: 'conversation.item.truncate', event_id: 't2', item_id: item, content_index: 0, audio_end_ms: 500 });
    expect((await c.next('conversation.item.truncated')).audio_end_ms).toBe(500);
    c.ws.close();
  });

  it('cancel is asynchronous: the response stays active (a create meanwhile is refused) until its response.done says cancelled', async () => {
    await server.close();
    server = await startFakeOpenAIServer({ cancelLagMs: 80 });
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    server.queueResponse({ text: 'one two three four five six', audioMs: 3000, intervalMs: 5 });
    c.send({ type: 'response.create', event_id: 'r1' });
    await c.next('response.output_audio.delta');
    c.send({ type: 'response.cancel', event_id: 'cancel1' });
    c.send({ type: 'response.create', event_id: 'r2' });
    const refused = (await c.next('error')).error as { code: string; event_id: string };
    expect(refused).toMatchObject({ code: 'conversation_already_has_active_response', event_id: 'r2' });
    const done = (await c.next('response.done')).response as { status: string; status_details: { reason: string } };
    expect(done).toMatchObject({ status: 'cancelled', status_details: { type: 'cancelled', reason: 'client_cancelled' } });
    // Deltas kept coming after the cancel, before the response.done.
    const types = server.sent.map((f) => f.type);
    const afterCancel = types.slice(server.sent.findIndex((f) => f.type === 'error'));
    expect(afterCancel.filter((t) => t === 'response.output_audio.delta').length).toBeGreaterThan(0);
    c.send({ type: 'response.create', event_id: 'r3' });
    await c.next('response.created');
    c.ws.close();
  });

  it('tool_choice: required or a named function forces a call on every response unless the response overrides it; none forbids calls', async () => {
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    const tools = [
      { type: 'function', name: 'a', parameters: { type: 'object', properties: {} } },
      { type: 'function', name: 'b', parameters: { type: 'object', properties: {} } },
    ];
    c.send({ type: 'session.update', event_id: 'u1', session: { type: 'realtime', output_modalities: ['text'], tools, tool_choice: 'required' } });
    await c.next('session.updated');
    c.send({ type: 'response.create', event_id: 'r1' });
    expect((await c.next('response.function_call_arguments.done')).name).toBe('a');
    await c.next('response.done');
    c.send({ type: 'response.create', event_id: 'r2', response: { tool_choice: 'auto' } });
    expect(((await c.next('response.done')).response as { output: Array<{ type: string }> }).output.map((o) => o.type)).toEqual(['message']);
    c.send({ type: 'session.update', event_id: 'u2', session: { type: 'realtime', tool_choice: { type: 'function', name: 'b' } } });
    await c.next('session.updated');
    c.send({ type: 'response.create', event_id: 'r3' });
    expect((await c.next('response.function_call_arguments.done')).name).toBe('b');
    await c.next('response.done');
    server.queueResponse({ functionCalls: [{ name: 'a', arguments: '{}' }] });
    c.send({ type: 'response.create', event_id: 'r4', response: { tool_choice: 'none' } });
    expect(((await c.next('response.done')).response as { output: Array<{ type: string }> }).output.map((o) => o.type)).toEqual(['message']);
    c.ws.close();
  });

  it('voice lock (param null, as captured) once audio was produced; speed refused while a response is active; max_output_tokens ends a reply incomplete', async () => {
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    c.send({ type: 'session.update', event_id: 'v0', session: { type: 'realtime', audio: { output: { voice: 'ash' } } } });
    await c.next('session.updated');
    server.queueResponse({ text: 'one two three four', audioMs: 1000, intervalMs: 10 });
    c.send({ type: 'response.create', event_id: 'r1' });
    await c.next('response.output_audio.delta');
    c.send({ type: 'session.update', event_id: 'sp', session: { type: 'realtime', audio: { output: { speed: 1.2 } } } });
    expect((await c.next('error')).error).toMatchObject({ code: 'invalid_value', param: 'session.audio.output.speed', event_id: 'sp' });
    await c.next('response.done');
    c.send({ type: 'session.update', event_id: 'v1', session: { type: 'realtime', audio: { output: { voice: 'coral' } } } });
    expect((await c.next('error')).error).toEqual({ type: 'invalid_request_error', code: 'cannot_update_voice', message: "Cannot update a conversation's voice if assistant audio is present.", param: null, event_id: 'v1' });
    c.send({ type: 'session.update', event_id: 'sp2', session: { type: 'realtime', audio: { output: { speed: 1.2 } }, max_output_tokens: 2 } });
    await c.next('session.updated');
    c.send({ type: 'response.create', event_id: 'r2' });
    const done = (await c.next('response.done')).response as { status: string; status_details: unknown };
    expect(done).toMatchObject({ status: 'incomplete', status_details: { type: 'incomplete', reason: 'max_output_tokens' } });
    c.ws.close();
  });

  it('streams a planned PCM reply as it is, in deltaMs pieces, instead of the tone', async () => {
    const c = await rawClient(realtimeWithKey());
    await c.next('session.created');
    const pcm = Int16Array.from({ length: 6000 }, (_, i) => (i * 7919) % 65536 - 32768);
    server.queueResponse({ text: 'speech', audioPcm: pcm, deltaMs: 100 });
    c.send({ type: 'response.create', event_id: 'r1' });
    await c.next('response.done');
    const deltas = c.messages.filter((m) => m.type === 'response.output_audio.delta').map((m) => Buffer.from(String(m.delta), 'base64'));
    expect(deltas.map((d) => d.length)).toEqual([4800, 4800, 2400]);
    const got = new Int16Array(Buffer.concat(deltas).buffer.slice(0));
    expect(Array.from(got)).toEqual(Array.from(pcm));
    c.ws.close();
  });
});
