/**
 * Bookkeeping for MCP tool calls that wait for the user's approval. The service ends the response
 * that asked (`mcp_approval_request` item, then `response.done`); once the user has answered every
 * request of that response and every approved call has finished (`response.mcp_call.completed` or
 * `.failed`), the client asks for the answer with its own `response.create`. Those three things
 * happen in any order. Source: OpenAI's Realtime MCP approval example (openai/openai-ruby,
 * examples/realtime/mcp_approval.rb), which waits for exactly these three before its final
 * `response.create`; the event and item shapes are the SDK's (`RealtimeMcpApprovalRequest`,
 * `ResponseMcpCallArgumentsDone`, `ResponseMcpCallCompleted`).
 */
interface ResponseEntry {
  done: boolean;
  approvals: Set<string>;
  /** approval id → approved. */
  answers: Map<string, boolean>;
  calls: Set<string>;
  settled: Set<string>;
  continued: boolean;
}

export class McpApprovalTracker {
  private responses = new Map<string, ResponseEntry>();
  private approvalResponse = new Map<string, string>();
  private callResponse = new Map<string, string>();

  private entry(responseId: string): ResponseEntry {
    let e = this.responses.get(responseId);
    if (!e) {
      e = { done: false, approvals: new Set(), answers: new Map(), calls: new Set(), settled: new Set(), continued: false };
      this.responses.set(responseId, e);
    }
    return e;
  }

  onApprovalRequest(responseId: string, approvalId: string): void {
    this.entry(responseId).approvals.add(approvalId);
    this.approvalResponse.set(approvalId, responseId);
  }

  onCallArguments(responseId: string, itemId: string): void {
    this.entry(responseId).calls.add(itemId);
    this.callResponse.set(itemId, responseId);
  }

  /** A call finished; returns its response's id. */
  onCallSettled(itemId: string): string | null {
    const responseId = this.callResponse.get(itemId);
    if (!responseId) return null;
    this.responses.get(responseId)?.settled.add(itemId);
    return responseId;
  }

  /** The user answered; returns the request's response id, or null for an unknown or already answered request. */
  onAnswer(approvalId: string, approve: boolean): string | null {
    const responseId = this.approvalResponse.get(approvalId);
    const e = responseId ? this.responses.get(responseId) : undefined;
    if (!responseId || !e || e.answers.has(approvalId)) return null;
    e.answers.set(approvalId, approve);
    return responseId;
  }

  isPending(approvalId: string): boolean {
    const responseId = this.approvalResponse.get(approvalId);
    return !!responseId && this.responses.get(responseId)?.answers.has(approvalId) === false;
  }

  onResponseDone(responseId: string): void {
    const e = this.responses.get(responseId);
    if (e) e.done = true;
  }

  /** True once (then never again) when this response's answer may be requested. */
  takeReady(responseId: string): boolean {
    const e = this.responses.get(responseId);
    if (!e || e.continued || !e.done || e.approvals.size === 0) return false;
    if (e.answers.size < e.approvals.size) return false;
    const approved = [...e.answers.values()].filter(Boolean).length;
    if (e.settled.size < Math.min(approved, e.calls.size)) return false;
    e.continued = true;
    return true;
  }

  reset(): void {
    this.responses.clear();
    this.approvalResponse.clear();
    this.callResponse.clear();
  }
}
