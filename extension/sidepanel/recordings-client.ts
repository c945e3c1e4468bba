import { PartAssembler, splitMessage, type MessagePart } from '../shared/message-parts.ts';
import type { PanelCommand, RecordingsCommand, RecordingsReply, RecordingsRequest, RecordingsResults } from '../shared/messages.ts';

/** Long enough for an hour-long recording to be read and sent as base64 over the Port. */
const REQUEST_TIMEOUT_MS = 60_000;

type Op = RecordingsRequest['op'];

/**
 * Request/reply over the session Port for the recordings store in the offscreen document. Each
 * request carries an id; the host answers the asking panel only (`recordings-reply`).
 */
export class RecordingsClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private readonly replies = new PartAssembler();

  constructor(private readonly send: (c: PanelCommand) => void) {}

  request<K extends Op>(request: Extract<RecordingsRequest, { op: K }>): Promise<RecordingsResults[K]> {
    const requestId = this.nextId++;
    return new Promise<RecordingsResults[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        this.replies.drop(requestId);
        reject(new Error(`The session host did not answer (${request.op}) within ${REQUEST_TIMEOUT_MS / 1000} s.`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
      const command: RecordingsCommand = { type: 'recordings', requestId, request };
      // An import of a long recording is bigger than one Port message allows: it goes in parts.
      const parts = splitMessage(requestId, command);
      if (!parts) this.send(command);
      else for (const part of parts) this.send({ type: 'recordings-part', part });
    });
  }

  /** A part of a reply too big for one message; the reply is handled once all parts are in. */
  onReplyPart(part: MessagePart): void {
    let whole: unknown;
    try {
      whole = this.replies.add(part);
    } catch (e) {
      const p = this.pending.get(part.id);
      if (!p) return;
      this.pending.delete(part.id);
      clearTimeout(p.timer);
      p.reject(new Error(`The session host's answer arrived damaged (${(e as Error).message}).`));
      return;
    }
    if (whole !== undefined) this.onReply(whole as RecordingsReply);
  }

  onReply(reply: RecordingsReply): void {
    const p = this.pending.get(reply.requestId);
    if (!p) return;
    this.pending.delete(reply.requestId);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  }
}
