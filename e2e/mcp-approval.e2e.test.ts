import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, openAdvancedSettings, selectAdapter } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const KEY = 'sk-e2e-openai-MCP-9f2c41d07a3b';

describe('OpenAI MCP approval through the panel, against the fake server', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: KEY });
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('the fake asks twice; the user approves one call and denies the other from the conversation; the fake receives both answers', async () => {
    const panel = await h.openPanel();
    await selectAdapter(panel, 'OpenAI Realtime');
    await openAdvancedSettings(panel);
    // Push to talk: the fake microphone's speech must not start replies of its own.
    await panel.getByRole('combobox', { name: exactly('Turn detection') }).selectOption({ label: 'Push to talk (manual turns)' });
    await panel.getByRole('textbox', { name: exactly('MCP server label') }).fill('dice');
    await panel.getByRole('textbox', { name: exactly('MCP server URL') }).fill('https://mcp.example.test/mcp');
    fake.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":6}', output: '4' }] });
    fake.queueResponse({ text: 'You rolled a four.' });
    fake.queueResponse({ mcpCalls: [{ name: 'roll_dice', arguments: '{"sides":20}' }] });
    fake.queueResponse({ text: 'I did not roll.' });
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    const session = fake.receivedOfType('session.update')[0].event.session as { tools?: unknown[] };
    expect(session.tools).toEqual([{ type: 'mcp', server_label: 'dice', server_url: 'https://mcp.example.test/mcp', require_approval: 'always' }]);

    await selectView(panel, 'Conversation');
    const conversation = panel.getByRole('region', { name: exactly('Conversation') });
    const say = async (text: string) => {
      await panel.getByRole('textbox', { name: exactly('Message') }).fill(text);
      await button(panel, 'Send message').click();
    };

    await say('Roll a six-sided die');
    const approve = button(panel, 'Approve MCP call 1');
    await waitFor('the "Approve MCP call 1" button in the conversation', () => approve.isVisible(), { timeoutMs: 15_000 });
    await expect(conversation.getByRole('listitem').filter({ hasText: 'roll_dice({"sides":6})' }).count()).resolves.toBe(1);
    // The card with its two buttons passes the panel's accessibility audit.
    const violations = await auditAccessibility(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await approve.click();
    await fake.waitFor(() => fake.mcpApprovals.length >= 1, 'the first approval answer', 10_000);
    await waitFor('the approved call\'s output in the conversation', async () => (await conversation.getByRole('listitem').filter({ hasText: 'roll_dice({"sides":6})' }).filter({ hasText: /approved and run → 4/ }).count()) === 1, { timeoutMs: 10_000 });
    await waitFor('the answer after the approved call', async () => (await conversation.getByRole('listitem').filter({ hasText: 'You rolled a four.' }).count()) > 0, { timeoutMs: 15_000 });

    await say('Roll a twenty-sided die');
    const deny = button(panel, 'Deny MCP call 2');
    await waitFor('the "Deny MCP call 2" button in the conversation', () => deny.isVisible(), { timeoutMs: 15_000 });
    await deny.click();
    await fake.waitFor(() => fake.mcpApprovals.length >= 2, 'the second approval answer', 10_000);
    await waitFor('the denied card', async () => (await conversation.getByRole('listitem').filter({ hasText: 'roll_dice({"sides":20})' }).filter({ hasText: /denied/ }).count()) === 1, { timeoutMs: 10_000 });

    expect(fake.mcpApprovals.map((a) => a.approve)).toEqual([true, false]);
    expect(fake.mcpExecuted.map((e) => e.arguments)).toEqual(['{"sides":6}']);
    // Answered cards keep no buttons.
    expect(await button(panel, 'Approve MCP call 1').count()).toBe(0);
    expect(await button(panel, 'Approve MCP call 2').count()).toBe(0);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });
});
