import type { ConversationTurn } from '../shared/messages.ts';

/**
 * The conversation after one turn update: a known turn is replaced where it is; a new one goes in
 * front of `before` when that turn is shown (a user transcript that arrived after the reply it
 * caused), else at the end.
 */
export function placeTurn(conversation: ConversationTurn[], turn: ConversationTurn, before?: string): ConversationTurn[] {
  const i = conversation.findIndex((t) => t.id === turn.id);
  if (i >= 0) return conversation.map((t, j) => (j === i ? turn : t));
  const at = before === undefined ? -1 : conversation.findIndex((t) => t.id === before);
  return at < 0 ? [...conversation, turn] : [...conversation.slice(0, at), turn, ...conversation.slice(at)];
}
