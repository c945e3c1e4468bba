/**
 * Chrome drops a runtime Port message larger than 64 MiB (its JSON), and an hour-long recording
 * (events, two audio tracks as base64) is larger than that. Big messages therefore travel as their
 * JSON text cut into parts of at most PART_CHARS characters, and are put back together on arrival.
 */
export const PART_CHARS = 8 * 1024 * 1024;

export interface MessagePart {
  /** The message the part belongs to (the request id of a recordings request or reply). */
  id: number;
  index: number;
  total: number;
  text: string;
}

/** The parts of `message`, or null when it is small enough to send whole. */
export function splitMessage(id: number, message: unknown, maxChars = PART_CHARS): MessagePart[] | null {
  const text = JSON.stringify(message);
  if (text.length <= maxChars) return null;
  const total = Math.ceil(text.length / maxChars);
  const parts: MessagePart[] = [];
  for (let i = 0; i < total; i++) parts.push({ id, index: i, total, text: text.slice(i * maxChars, (i + 1) * maxChars) });
  return parts;
}

/** Collects parts per message id; answers the whole message once its last part is in. */
export class PartAssembler {
  private readonly pending = new Map<number, { total: number; texts: string[]; got: number }>();

  add(part: MessagePart): unknown | undefined {
    if (!Number.isInteger(part.total) || part.total < 1 || !Number.isInteger(part.index) || part.index < 0 || part.index >= part.total || typeof part.text !== 'string') {
      throw new Error(`a malformed message part (${part.index} of ${part.total})`);
    }
    let entry = this.pending.get(part.id);
    if (!entry) {
      entry = { total: part.total, texts: new Array<string>(part.total), got: 0 };
      this.pending.set(part.id, entry);
    }
    if (entry.total !== part.total) throw new Error(`message ${part.id}: parts disagree on their count (${entry.total}, ${part.total})`);
    if (entry.texts[part.index] === undefined) entry.got++;
    entry.texts[part.index] = part.text;
    if (entry.got < entry.total) return undefined;
    this.pending.delete(part.id);
    return JSON.parse(entry.texts.join('')) as unknown;
  }

  /** Forgets a message whose remaining parts will not come (its request timed out). */
  drop(id: number): void {
    this.pending.delete(id);
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
