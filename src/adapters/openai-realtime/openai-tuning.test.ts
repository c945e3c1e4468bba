import fc from 'fast-check';
import type { RealtimeMcpApprovalResponse, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeOpenAIServerOptions } from '../../../test/fakes/fake-openai-server.ts';
import { openAISession, type OpenAITestSession } from '../../../test/fakes/openai-test-session.ts';
import { defaultSettings } from '../settings-schema.ts';
import { openAIRealtimeSettings } from './openai-realtime-descriptor.ts';
import { MCP_APPROVAL_MESSAGE, type OpenAIRealtimeServiceOptions, type SettingsUpdateOutcome } from './openai-realtime-transport.ts';
import { OPENAI_LIVE_KEYS, OpenAISettingsError, buildSession, settingForParam } from './openai-session-config.ts';
import { OPENAI_TUNING_SETTINGS } from './openai-tuning.ts';

const TUNED = {
  ...defaultSettings(openAIRealtimeSettings),
  model: 'gpt-realtime-2',
  reasoning_effort: 'low',
  parallel_tool_calls: 'off',
  idle_timeout_ms: 6000,
  transcription_language: 'DE',
  transcription_prompt: 'Brand names: Acme',
  tracing: 'auto',
  tracing_workflow_name: 'workbench',
  truncation: 'retention_ratio',
  retention_ratio: 0.6,
  prompt_id: 'pmpt_123',
  prompt_version: '4',
  prompt_variables: '{"city":"Oslo"}',
  mcp_server_label: 'dice',
  mcp_server_url: 'https://mcp.example.test/mcp',
  mcp_allowed_tools: 'roll_dice, flip_coin',
  mcp_require_approval: 'always',
};

describe('OpenAI tuning settings on the wire (SDK types)', () => {
  it('every tuned setting lands in the GA session field by field, in the SDK shape', () => {
    // The literal is checked against the SDK's session type at compile time; toEqual checks the built one against it.
    const expected = {
      type: 'realtime',
      output_modalities: ['audio'],
      instructions: 'You are a concise, friendly voice assistant.',
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: { model: 'gpt-transcribe', language: 'de', prompt: 'Brand names: Acme' },
          // Off is null on the wire (the builder's existing choice); the SDK type has no null here.
          noise_reduction: null as never,
          turn_detection: { type: 'server_vad', create_response: true, interrupt_response: true, threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, idle_timeout_ms: 6000 },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
      tools: [{ type: 'mcp', server_label: 'dice', server_url: 'https://mcp.example.test/mcp', allowed_tools: ['roll_dice', 'flip_coin'], require_approval: 'always' }],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
      reasoning: { effort: 'low' },
      parallel_tool_calls: false,
      prompt: { id: 'pmpt_123', version: '4', variables: { city: 'Oslo' } },
      truncation: { type: 'retention_ratio', retention_ratio: 0.6 },
      tracing: { workflow_name: 'workbench' },
    } satisfies RealtimeSessionCreateRequest;
    expect(buildSession(TUNED as never)).toEqual(expected);
  });

  it('the defaults send nothing new but the explicit auto truncation and no prompt; a model without reasoning gets no reasoning fields', () => {
    const plain = buildSession({ ...defaultSettings(openAIRealtimeSettings), reasoning_effort: 'high', parallel_tool_calls: 'on' } as never);
    expect(plain).not.toHaveProperty('reasoning');
    expect(plain).not.toHaveProperty('parallel_tool_calls');
    expect(plain).not.toHaveProperty('tracing');
    expect(plain.truncation).toBe('auto');
    expect(plain.prompt).toBeNull();
    expect(plain.audio?.input?.turn_detection).toMatchObject({ idle_timeout_ms: null });
    expect(plain.tools).toEqual([]);
    // Semantic VAD has no idle timeout in the SDK type; a connector replaces the URL; gpt-realtime-whisper takes no prompt.
    const other = buildSession({ turn_detection: 'semantic_vad', idle_timeout_ms: 5000, mcp_server_label: 'mail', mcp_connector_id: 'connector_gmail', mcp_require_approval: 'never', transcription_model: 'gpt-realtime-whisper', transcription_prompt: 'x', tracing: 'auto' });
    expect(other.audio?.input?.turn_detection).not.toHaveProperty('idle_timeout_ms');
    expect(other.tools).toEqual([{ type: 'mcp', server_label: 'mail', connector_id: 'connector_gmail', require_approval: 'never' }]);
    expect(other.audio?.input?.transcription).toEqual({ model: 'gpt-realtime-whisper' });
    expect(other.tracing).toBe('auto');
  });

  it('refuses bad tuning input with a plain reason', () => {
    expect(() => buildSession({ mcp_server_label: 'x' })).toThrow(/server URL or a connector/);
    expect(() => buildSession({ mcp_server_label: 'x', mcp_server_url: 'nota url' })).toThrow(OpenAISettingsError);
    expect(() => buildSession({ mcp_server_label: 'has space', mcp_server_url: 'https://a.test' })).toThrow(/label/);
    expect(() => buildSession({ prompt_id: 'p', prompt_variables: '[1]' })).toThrow(/object/);
    expect(() => buildSession({ prompt_id: 'p', prompt_variables: '{"n":1}' })).toThrow(/"n" must be text/);
    expect(() => buildSession({ transcription_language: 'English' })).toThrow(/ISO-639-1/);
  });

  it('the schema says which settings apply live; the refusal of a tuned field names it', () => {
    const live = OPENAI_TUNING_SETTINGS.filter((f) => f.apply === 'live').map((f) => f.key);
    for (const k of live) expect(OPENAI_LIVE_KEYS.has(k)).toBe(true);
    expect(OPENAI_LIVE_KEYS.has('tracing')).toBe(false);
    expect(settingForParam('session.audio.input.turn_detection.idle_timeout_ms')).toBe('idle_timeout_ms');
    expect(settingForParam('session.reasoning.effort')).toBe('reasoning_effort');
    expect(settingForParam('session.audio.input.transcription.language')).toBe('transcription_language');
    const labels = openAIRealtimeSettings.map((f) => f.label.toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
  });
});

// ------------------------------------------------------------------ against the fake
let server: FakeOpenAIServer | null = null;
const sessions: OpenAITestSession[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.client.disconnect().catch(() => undefined);
  await server?.close();
  server = null;
});

async function connected(options: FakeOpenAIServerOptions, settings: Record<string, unknown>): Promise<OpenAITestSession> {
  server = server ?? (await startFakeOpenAIServer(options));
  const s = openAISession(server, { settings } as OpenAIRealtimeServiceOptions);
  sessions.push(s);
  await s.client.connect();
  return s;
}

const MCP = { mcp_server_label: 'dice', mcp_server_url: 'https://mcp.example.test/mcp', mcp_require_approval: 'always' };

describe('OpenAI tuning settings mid-session (Apply)', () => {
  it('sends the live ones in one session.update the fake accepts, keeps tracing for the next Connect', async () => {
    const s = await connected({}, { model: 'gpt-realtime-2' });
    await s.transport.updateSettings({ reasoning_effort: 'high', idle_timeout_ms: 9000, truncation: 'disabled', prompt_id: 'pmpt_9', ...MCP, tracing: 'auto' });
    const outcome = s.transport.lastSettingsOutcome as SettingsUpdateOutcome;
    expect(outcome.failed).toEqual([]);
    expect(outcome.needReconnect).toEqual(['tracing']);
    expect(outcome.applied.sort()).toEqual(['idle_timeout_ms', 'mcp_require_approval', 'mcp_server_label', 'mcp_server_url', 'prompt_id', 'reasoning_effort', 'truncation']);
    const update = server!.receivedOfType('session.update')[1].event as { session: RealtimeSessionCreateRequest };
    expect(update.session.reasoning).toEqual({ effort: 'high' });
    expect(update.session.truncation).toBe('disabled');
    expect(update.session.prompt).toEqual({ id: 'pmpt_9' });
    expect(update.session.audio?.input?.turn_detection).toMatchObject({ type: 'server_vad', idle_timeout_ms: 9000 });
    expect(update.session.tools).toEqual([{ type: 'mcp', server_label: 'dice', server_url: 'https://mcp.example.test/mcp', require_approval: 'always' }]);
    expect(update.session).not.toHaveProperty('tracing');
    expect(server!.sessions[0]).toMatchObject({ reasoning: { effort: 'high' }, truncation: 'disabled' });
    // The MCP server's tools were listed once the tool was added.
    await s.waitFor('mcp-list-tools', () => s.rtvi.some((r) => r.type === 'server-message' && (r.data as { type?: string }).type === 'mcp-list-tools'));
  });
});

function serverMessages(s: OpenAITestSession, type: string): Array<Record<string, unknown>> {
  return s.rtvi.filter((r) => r.type === 'server-message' && (r.data as { type?: string }).type === type).map((r) => r.data as Record<string, unknown>);
}

async function approveDenyRun(s: OpenAITestSession, srv: FakeOpenAIServer, answerDelayMs: number): Promise<void> {
  const approveOne = async (index: number, approve: boolean) => {
    await s.waitFor(`approval request #${index + 1}`, () => serverMessages(s, 'mcp-approval-request').length > index, 5000);
    await new Promise((r) => setTimeout(r, answerDelayMs));
    const req = serverMessages(s, 'mcp-approval-request')[index];
    s.client.sendClientMessage(MCP_APPROVAL_MESSAGE, { approval_request_id: req.approval_request_id, approve });
  };
  s.client.sendText('Roll a die');
  await approveOne(0, true);
  await s.waitFor('the answer after the approved call', () => srv.receivedOfType('response.create').length >= 2, 5000);
  // A text sent while the reply still plays would interrupt it; this flow is about approvals.
  await s.waitFor('the first answer done and played', () => s.ofType('bot-llm-stopped').length >= 2 && s.ofType('bot-stopped-speaking').length >= 1 && !s.media.isBotAudioActive, 5000);
  s.client.sendText('Roll another');
  await approveOne(1, false);
  await s.waitFor('the answer after the denied call', () => srv.receivedOfType('response.create').length >= 4, 5000);
}

describe('OpenAI MCP approvals through the adapter', () => {
  it('shows each approval request, sends both answers as mcp_approval_response items, runs only the approved call, then asks for the answer', async () => {
    const s = await connected({}, MCP);
    server!.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":6}', output: '4' }] });
    server!.queueResponse({ text: 'You rolled a 4.' });
    server!.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":20}' }] });
    server!.queueResponse({ text: 'I was not allowed to roll.' });
    await approveDenyRun(s, server!, 0);
    const srv = server!;
    expect(srv.mcpApprovals.map((a) => a.approve)).toEqual([true, false]);
    const items = srv.receivedOfType('conversation.item.create').map((f) => (f.event as { item: Record<string, unknown> }).item).filter((i) => i.type === 'mcp_approval_response');
    expect(items).toHaveLength(2);
    // Each answer is an SDK `RealtimeMcpApprovalResponse`.
    const first: RealtimeMcpApprovalResponse = items[0] as unknown as RealtimeMcpApprovalResponse;
    expect(Object.keys(first).sort()).toEqual(['approval_request_id', 'approve', 'id', 'type']);
    expect(srv.mcpExecuted.map((e) => e.arguments)).toEqual(['{"sides":6}']);
    expect(serverMessages(s, 'mcp-call')).toMatchObject([{ name: 'roll_dice', output: '4', server_label: 'dice' }]);
    expect(serverMessages(s, 'mcp-approval-response').map((m) => m.approve)).toEqual([true, false]);
    expect(srv.sentOfType('error').map((e) => e.event), JSON.stringify([...srv.received, ...srv.sent].sort((a, b) => a.seq - b.seq).map((f) => f.type))).toEqual([]);
    // An answer to a request already answered is refused locally, not sent.
    const before = srv.receivedOfType('conversation.item.create').length;
    s.client.sendClientMessage(MCP_APPROVAL_MESSAGE, { approval_request_id: serverMessages(s, 'mcp-approval-request')[0].approval_request_id, approve: true });
    expect(srv.receivedOfType('conversation.item.create').length).toBe(before);
  });

  it('property: whatever order the list, the request, response.done, the answer and the call completion come in, one answer request follows each approval, after all three', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), async (listItemFirst, approvalFirst, doneDelayMs, callDelayMs, answerDelayMs) => {
        const srv = await startFakeOpenAIServer({ mcp: { listItemFirst, approvalFirst, callDelayMs } });
        const s = openAISession(srv, { settings: MCP } as OpenAIRealtimeServiceOptions);
        try {
          await s.client.connect();
          srv.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":6}', output: '4' }], doneDelayMs });
          srv.queueResponse({ text: 'You rolled a 4.' });
          srv.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":8}' }], doneDelayMs });
          srv.queueResponse({ text: 'Not rolled.' });
          await approveDenyRun(s, srv, answerDelayMs);
          expect(srv.mcpApprovals.map((a) => a.approve)).toEqual([true, false]);
          const creates = srv.receivedOfType('response.create');
          expect(creates).toHaveLength(4);
          const dones = srv.sentOfType('response.done');
          const completed = srv.sentOfType('response.mcp_call.completed');
          const answers = srv.receivedOfType('conversation.item.create').filter((f) => (f.event as { item: { type: string } }).item.type === 'mcp_approval_response');
          // The answer requests come after that response's done, its approval answer, and (approved) the call's completion.
          expect(creates[1].seq).toBeGreaterThan(Math.max(dones[0].seq, answers[0].seq, completed[0].seq));
          expect(creates[3].seq).toBeGreaterThan(Math.max(dones[2].seq, answers[1].seq));
          expect(srv.sentOfType('error')).toHaveLength(0);
        } finally {
          await s.client.disconnect().catch(() => undefined);
          await srv.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('OpenAI idle timeout', () => {
  it('after the reply and the idle time without speech, the fake sends input_audio_buffer.timeout_triggered; the adapter reports it and the reply that follows', async () => {
    const s = await connected({ replyText: 'Are you still there?' }, { idle_timeout_ms: 150 });
    const td = (server!.receivedOfType('session.update')[0].event as { session: RealtimeSessionCreateRequest }).session.audio?.input?.turn_detection;
    expect(td).toMatchObject({ type: 'server_vad', idle_timeout_ms: 150 });
    s.client.sendText('Hello.');
    await s.waitFor('the idle-timeout server message', () => serverMessages(s, 'idle-timeout').length === 1, 5000);
    const ev = server!.sentOfType('input_audio_buffer.timeout_triggered')[0].event as { item_id: string; audio_start_ms: number; audio_end_ms: number };
    expect(serverMessages(s, 'idle-timeout')[0]).toEqual({ type: 'idle-timeout', item_id: ev.item_id, audio_start_ms: ev.audio_start_ms, audio_end_ms: ev.audio_end_ms });
    // The server answers the silence itself: a second response without a response.create from us.
    await server!.waitForSent('response.done', 2);
    expect(server!.receivedOfType('response.create')).toHaveLength(1);
  });
});
