import { useEffect, useId, useRef, useState } from 'react';
import type { ConversationTurn } from '../../shared/messages.ts';

const PREFIX: Record<ConversationTurn['role'], string> = { user: 'You', bot: 'Bot', tool: 'Tool', error: 'Error' };

export interface ConversationViewProps {
  turns: ConversationTurn[];
  canSend: boolean;
  onSend(text: string): void;
  onClear(): void;
  onToolResult(toolCallId: string, result: unknown): void;
}

export function ConversationView(props: ConversationViewProps) {
  const [message, setMessage] = useState('');
  const list = useRef<HTMLUListElement>(null);
  const send = () => {
    const text = message.trim();
    if (!text) return;
    props.onSend(text);
    setMessage('');
  };
  const count = props.turns.length;
  const lastText = props.turns.at(-1)?.text;
  useEffect(() => {
    const el = list.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [count, lastText]);
  return (
    <section className="card" role="region" aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">Conversation</h2>
      {count === 0 ? (
        <p className="muted">Nothing said yet.</p>
      ) : (
        <ul className="conversation" ref={list}>
          {props.turns.map((t) => (
            <li key={t.id} className={`turn turn-${t.role}${t.final ? '' : ' turn-partial'}`} data-final={t.final}>
              {t.role === 'tool' ? (
                <ToolCard turn={t} onResult={props.onToolResult} />
              ) : (
                <>
                  <strong>{PREFIX[t.role]}:</strong> {t.text}
                  {!t.final && t.role !== 'error' && <span className="sr-only"> (still speaking)</span>}
                </>
              )}
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
        <input className="grow" type="text" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="Type to the bot" aria-label="Message" />
        <button type="submit" disabled={!props.canSend || message.trim() === ''}>
          Send message
        </button>
      </form>
      <div className="buttons">
        <button type="button" className="secondary" onClick={props.onClear}>
          Clear conversation
        </button>
      </div>
    </section>
  );
}

const STATUS_TEXT = { running: 'running', awaiting: 'waiting for your result', answered: 'answered', cancelled: 'cancelled by the model', 'timed-out': 'timed out: the model got an error result' } as const;

function ToolCard({ turn, onResult }: { turn: ConversationTurn; onResult(id: string, result: unknown): void }) {
  const [text, setText] = useState('');
  const id = useId();
  const tool = turn.tool ?? { name: turn.text, args: '', status: turn.final ? 'answered' : 'running' };
  const callId = turn.toolCallId ?? '';
  const submit = () => {
    const t = text.trim();
    let result: unknown = t;
    try {
      const v = JSON.parse(t) as unknown;
      if (typeof v === 'object' && v !== null) result = v;
    } catch {
      // plain text result
    }
    onResult(callId, result);
  };
  return (
    <div className="tool-card">
      <div>
        <strong>Tool:</strong> <code>{`${tool.name}(${tool.args})`}</code> <span className="muted">call id {callId}</span>
      </div>
      <div className="muted">
        {STATUS_TEXT[tool.status]}
        {tool.result !== undefined && tool.status !== 'cancelled' ? ` → ${tool.result}` : ''}
      </div>
      {tool.status === 'awaiting' && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor={id} className="sr-only">
            Tool result
          </label>
          <input id={id} className="grow mono" type="text" value={text} placeholder='{"answer": …} or plain text' onChange={(e) => setText(e.target.value)} />
          <button type="submit">Send result</button>
        </form>
      )}
    </div>
  );
}
