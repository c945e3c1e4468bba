/**
 * MCP tools in the fake OpenAI Realtime server: tool listing, approval requests, calls.
 *
 * Sources for every behaviour here:
 * - Item and event shapes: SDK types (node_modules/openai/resources/realtime/realtime.d.ts):
 *   `RealtimeMcpListTools`, `RealtimeMcpApprovalRequest`, `RealtimeMcpApprovalResponse`,
 *   `RealtimeMcpToolCall`, `McpListToolsInProgress/Completed`, `ResponseMcpCallArgumentsDelta/Done`,
 *   `ResponseMcpCallInProgress/Completed`.
 * - The flow, from OpenAI's own Realtime MCP approval example (openai/openai-ruby,
 *   examples/realtime/mcp_approval.rb, merged in PR #500): the tool list arrives as an
 *   `mcp_list_tools` item (`conversation.item.done`) and an `mcp_list_tools.completed` event, which
 *   the example accepts in either order; a response that calls a tool needing approval carries
 *   the call's `response.mcp_call_arguments.done` (with its `response_id`) and an
 *   `mcp_approval_request` item, and ends; the client answers with `conversation.item.create`
 *   `{type:'mcp_approval_response', approval_request_id, approve}`; the server then runs the call
 *   (`response.mcp_call.completed`) and the client asks for the final answer with its own
 *   `response.create` once the first response is done, the approval sent and the call completed,
 *   in whatever order those three happen.
 * - A denied call is never dispatched to the MCP server (the Responses API's documented approval
 *   semantics, which Realtime shares the item types with; praxis-proxy/ai#982 lists it as the
 *   acceptance criterion of a compatible implementation). The fake records the denial and runs nothing.
 */
export interface FakeMcpTool {
  name: string;
  description?: string;
  input_schema?: unknown;
}

export interface FakeMcpCallPlan {
  name: string;
  arguments: string;
  /** What the MCP server returns when the call runs. */
  output?: string;
}

export interface FakeMcpOptions {
  /** Tools every MCP server lists (default: one `roll_dice`). */
  tools?: FakeMcpTool[];
  /**
   * Orderings the API allows, drawn per occurrence so property tests can cover them:
   * `listItemFirst`: the `mcp_list_tools` item's `conversation.item.done` before `mcp_list_tools.completed`;
   * `approvalFirst`: the approval request item before the call's argument events in the response.
   */
  listItemFirst?: boolean | (() => boolean);
  approvalFirst?: boolean | (() => boolean);
  /** Delay between an approval and the call's completion (default 10 ms). */
  callDelayMs?: number;
}

export interface FakeMcpApprovalRecord {
  approval_request_id: string;
  approve: boolean;
  reason?: string | null;
  /** The tool the answered request was for. */
  name: string | null;
}

export interface FakeMcpExecution {
  name: string;
  arguments: string;
  approval_request_id: string | null;
}

type Send = (event: Record<string, unknown>) => void;

interface PendingApproval {
  request: Record<string, unknown>;
  call: Record<string, unknown>;
  output: string;
  outputIndex: number;
}

const draw = (v: boolean | (() => boolean) | undefined, fallback: boolean) => (typeof v === 'function' ? v() : (v ?? fallback));

export function mcpToolsOf(session: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(session.tools) ? (session.tools as Array<Record<string, unknown>>).filter((t) => t && t.type === 'mcp') : [];
}

/** SDK `RealtimeToolsConfigUnion.Mcp.require_approval`: `always`, `never`, or a filter; absent means always (the Responses default). */
function needsApproval(tool: Record<string, unknown> | undefined, name: string): boolean {
  const ra = tool?.require_approval;
  if (ra === 'never') return false;
  if (ra && typeof ra === 'object') {
    const never = (ra as { never?: { tool_names?: string[] } }).never?.tool_names ?? [];
    if (never.includes(name)) return false;
  }
  return true;
}

export class FakeMcp {
  private listed = new Set<string>();
  private pending = new Map<string, PendingApproval>();
  private answered = new Set<string>();

  constructor(
    private readonly options: FakeMcpOptions,
    private readonly rid: (prefix: string) => string,
    /** Approval answers received, in order (shared by the server's connections). */
    readonly approvals: FakeMcpApprovalRecord[] = [],
    /** Calls the MCP server actually ran. */
    readonly executed: FakeMcpExecution[] = [],
  ) {}

  /** After a session.update: lists the tools of each MCP server not listed yet on this connection. */
  onSession(session: Record<string, unknown>, send: Send, lastItemId: () => string | null, push: (item: Record<string, unknown>) => void): void {
    for (const tool of mcpToolsOf(session)) {
      const label = String(tool.server_label);
      if (this.listed.has(label)) continue;
      this.listed.add(label);
      const allowed = Array.isArray(tool.allowed_tools) ? (tool.allowed_tools as string[]) : null;
      const tools = (this.options.tools ?? [{ name: 'roll_dice', description: 'Rolls dice', input_schema: { type: 'object', properties: { sides: { type: 'integer' } } } }])
        .filter((t) => !allowed || allowed.includes(t.name))
        .map((t) => ({ name: t.name, description: t.description ?? null, input_schema: t.input_schema ?? { type: 'object' }, annotations: null }));
      const id = this.rid('mcpl_');
      const previous = lastItemId();
      const item = { id, type: 'mcp_list_tools', server_label: label, tools: [] as unknown[] };
      push(item);
      send({ type: 'conversation.item.added', previous_item_id: previous, item: { ...item } });
      send({ type: 'mcp_list_tools.in_progress', item_id: id });
      item.tools = tools;
      const done = () => send({ type: 'conversation.item.done', previous_item_id: previous, item: { ...item } });
      const completed = () => send({ type: 'mcp_list_tools.completed', item_id: id });
      if (draw(this.options.listItemFirst, true)) {
        done();
        completed();
      } else {
        completed();
        done();
      }
    }
  }

  /**
   * Adds the MCP calls of one response: each call's item and argument events, and for a call that
   * needs approval an approval request (the call then waits); a call that needs none runs at once.
   */
  startCalls(responseId: string, calls: FakeMcpCallPlan[], session: Record<string, unknown>, send: Send, output: Array<Record<string, unknown>>, push: (item: Record<string, unknown>) => void, lastItemId: () => string | null): void {
    const servers = mcpToolsOf(session);
    for (const plan of calls) {
      const server = servers[0];
      const label = server ? String(server.server_label) : 'unknown';
      const approval = needsApproval(server, plan.name);
      const call: Record<string, unknown> = { id: this.rid('mcp_'), type: 'mcp_call', server_label: label, name: plan.name, arguments: '', approval_request_id: null, output: null, error: null };
      const emitCall = () => {
        const index = output.length;
        output.push(call);
        const previous = lastItemId();
        push(call);
        send({ type: 'response.output_item.added', response_id: responseId, output_index: index, item: { ...call } });
        send({ type: 'conversation.item.added', previous_item_id: previous, item: { ...call } });
        const cut = Math.ceil(plan.arguments.length / 2);
        for (const delta of [plan.arguments.slice(0, cut), plan.arguments.slice(cut)]) {
          if (delta) send({ type: 'response.mcp_call_arguments.delta', response_id: responseId, item_id: call.id, output_index: index, delta });
        }
        send({ type: 'response.mcp_call_arguments.done', response_id: responseId, item_id: call.id, output_index: index, arguments: plan.arguments });
        call.arguments = plan.arguments;
        return index;
      };
      if (!approval) {
        const index = emitCall();
        this.run(call, plan.output ?? '{"ok":true}', index, null, send);
        continue;
      }
      const request: Record<string, unknown> = { id: this.rid('mcpr_'), type: 'mcp_approval_request', server_label: label, name: plan.name, arguments: plan.arguments };
      const emitRequest = () => {
        const index = output.length;
        output.push(request);
        const previous = lastItemId();
        push(request);
        send({ type: 'response.output_item.added', response_id: responseId, output_index: index, item: { ...request } });
        send({ type: 'conversation.item.added', previous_item_id: previous, item: { ...request } });
        send({ type: 'conversation.item.done', previous_item_id: previous, item: { ...request } });
        send({ type: 'response.output_item.done', response_id: responseId, output_index: index, item: { ...request } });
      };
      let callIndex: number;
      if (draw(this.options.approvalFirst, true)) {
        emitRequest();
        callIndex = emitCall();
      } else {
        callIndex = emitCall();
        emitRequest();
      }
      this.pending.set(String(request.id), { request, call, output: plan.output ?? '{"ok":true}', outputIndex: callIndex });
    }
  }

  /** A client `mcp_approval_response` item: null, or the error the server sends for it. */
  onApprovalResponse(item: Record<string, unknown>, send: Send): { param: string; message: string } | null {
    const id = item.approval_request_id;
    if (typeof id !== 'string') return { param: 'item.approval_request_id', message: "Missing required parameter: 'item.approval_request_id'." };
    if (typeof item.approve !== 'boolean') return { param: 'item.approve', message: "Invalid type for 'item.approve': expected a boolean." };
    const pending = this.pending.get(id);
    if (!pending || this.answered.has(id)) return { param: 'item.approval_request_id', message: `No pending MCP approval request with id '${id}'.` };
    this.answered.add(id);
    this.pending.delete(id);
    this.approvals.push({ approval_request_id: id, approve: item.approve, reason: (item.reason as string | null | undefined) ?? null, name: String(pending.request.name) });
    if (item.approve) setTimeout(() => this.run(pending.call, pending.output, pending.outputIndex, id, send), this.options.callDelayMs ?? 10);
    return null;
  }

  private run(call: Record<string, unknown>, output: string, outputIndex: number, approvalId: string | null, send: Send): void {
    this.executed.push({ name: String(call.name), arguments: String(call.arguments), approval_request_id: approvalId });
    send({ type: 'response.mcp_call.in_progress', item_id: call.id, output_index: outputIndex });
    call.output = output;
    call.approval_request_id = approvalId;
    send({ type: 'response.mcp_call.completed', item_id: call.id, output_index: outputIndex });
    send({ type: 'conversation.item.done', previous_item_id: null, item: { ...call } });
  }
}
