import { useState } from 'react';
import type { ConversationTurn } from '../../shared/messages.ts';

const PREFIX: Record<ConversationTurn['role'], string> = { user: 'You', bot: 'Bot', tool: 'Tool' };

export function ConversationView(props: { turns: ConversationTurn[]; canSend: boolean; onSend(text: string): void; onClear(): void }) {
  const [message, setMessage] = useState('');
  const send = () => {
    const text = message.trim();
    if (!text) return;
    props.onSend(text);
    setMessage('');
  };
  return (
    <section className="card" aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">Conversation</h2>
      {props.turns.length === 0 ? (
        <p className="muted">Nothing said yet.</p>
      ) : (
        <ul className="conversation">
          {props.turns.map((t) => (
            <li key={t.id} className={`turn turn-${t.role}${t.final ? '' : ' turn-partial'}`}>
              <strong>{PREFIX[t.role]}:</strong> {t.text}
            </li>
          ))}
        </ul>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="grow">
          <span className="sr-only">Message</span>
          <input type="text" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="Type to the bot" aria-label="Message" />
        </label>
        <button type="submit" disabled={!props.canSend || message.trim() === ''}>
          Send message
        </button>
      </form>
      <button type="button" className="secondary" onClick={props.onClear}>
        Clear conversation
      </button>
    </section>
  );
}
