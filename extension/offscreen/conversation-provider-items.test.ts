import { describe, expect, it } from 'vitest';
import type { ConversationTurn } from '../shared/messages.ts';
import { ConversationBuilder } from './conversation-builder.ts';

function build() {
  const turns = new Map<string, ConversationTurn>();
  const b = new ConversationBuilder((t) => turns.set(t.id, t));
  return { b, turns: () => [...turns.values()] };
}

describe('conversation: MCP approvals and grounding from server messages', () => {
  it('an approval request becomes a numbered pending card; the answer and the output update it in place', () => {
    const { b, turns } = build();
    b.onRtvi('server-message', { type: 'mcp-approval-request', approval_request_id: 'mcpr_1', server_label: 'dice', name: 'roll_dice', arguments: '{"sides":6}' });
    b.onRtvi('server-message', { type: 'mcp-approval-request', approval_request_id: 'mcpr_2', server_label: 'dice', name: 'roll_dice', arguments: '{"sides":8}' });
    expect(turns().map((t) => [t.approval?.number, t.approval?.status])).toEqual([
      [1, 'pending'],
      [2, 'pending'],
    ]);
    b.onRtvi('server-message', { type: 'mcp-approval-response', approval_request_id: 'mcpr_1', approve: true });
    b.onRtvi('server-message', { type: 'mcp-approval-response', approval_request_id: 'mcpr_2', approve: false });
    b.onRtvi('server-message', { type: 'mcp-call', approval_request_id: 'mcpr_1', server_label: 'dice', name: 'roll_dice', arguments: '{"sides":6}', output: '4', error: null });
    const [one, two] = turns();
    expect(one.approval).toMatchObject({ status: 'approved', output: '4' });
    expect(one.final).toBe(true);
    expect(one.text).toMatch(/approved → 4$/);
    expect(two.approval?.status).toBe('denied');
    expect(turns()).toHaveLength(2);
  });

  it('an MCP call without approval is a plain answered tool card; grounding is a search card; empty grounding shows nothing', () => {
    const { b, turns } = build();
    b.onRtvi('server-message', { type: 'mcp-call', approval_request_id: null, server_label: 'docs', name: 'search', arguments: '{}', output: 'found', error: null });
    b.onRtvi('server-message', { type: 'grounding', queries: ['weather Oslo'], sources: [{ title: 'yr.no', uri: 'https://yr.no/x' }] });
    b.onRtvi('server-message', { type: 'grounding', queries: [], sources: [] });
    expect(turns().map((t) => t.text)).toEqual(['docs.search({}) → found', 'searched “weather Oslo” — sources: yr.no']);
    expect(turns()[1].grounding).toEqual({ queries: ['weather Oslo'], sources: [{ title: 'yr.no', uri: 'https://yr.no/x' }] });
  });
});
