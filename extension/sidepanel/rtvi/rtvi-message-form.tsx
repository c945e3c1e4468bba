import { useId, useState } from 'react';
import { parseRtviDraft, RTVI_MESSAGE_TEMPLATES, templateFor } from './rtvi-message-draft.ts';

export interface RtviMessageFormProps {
  /** A session is ready to take the message. */
  ready: boolean;
  onSend(type: string, data: unknown): void;
}

/**
 * `Custom RTVI message` (its button: `Send RTVI message`): any RTVI client message to the user's own Pipecat bot, typed by hand. What
 * the bot answers (a server-response, an error-response, or nothing) shows in the event log.
 */
export function RtviMessageForm({ ready, onSend }: RtviMessageFormProps) {
  const id = useId();
  const [type, setType] = useState(RTVI_MESSAGE_TEMPLATES[0]!.type);
  const [data, setData] = useState(RTVI_MESSAGE_TEMPLATES[0]!.data);
  const [problem, setProblem] = useState<{ field: 'type' | 'data'; error: string } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const chooseType = (next: string) => {
    const before = templateFor(type);
    setType(next);
    // Swap in the new type's starting payload unless the user has written their own.
    const tpl = templateFor(next);
    if (tpl && (data.trim() === '' || (before && data === before.data))) setData(tpl.data);
    setProblem(null);
  };
  const submit = () => {
    const r = parseRtviDraft(type, data);
    if (!r.ok) {
      setProblem({ field: r.field, error: r.error });
      setSent(null);
      return;
    }
    setProblem(null);
    onSend(r.type, r.data);
    setSent(`Sent ${r.type}. The bot's answer, if any, is in the event log.`);
  };
  const help = templateFor(type)?.help;
  return (
    <details className="rtvi-send">
      <summary>Custom RTVI message</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={`${id}-type`}>RTVI message type</label>
        <input
          id={`${id}-type`}
          type="text"
          list={`${id}-types`}
          value={type}
          onChange={(e) => chooseType(e.target.value)}
          aria-invalid={problem?.field === 'type' ? true : undefined}
          aria-describedby={problem?.field === 'type' ? `${id}-problem` : help ? `${id}-help` : undefined}
        />
        <datalist id={`${id}-types`}>
          {RTVI_MESSAGE_TEMPLATES.map((t) => (
            <option key={t.type} value={t.type} />
          ))}
        </datalist>
        {help && (
          <p id={`${id}-help`} className="muted">
            {help}
          </p>
        )}
        <label htmlFor={`${id}-data`}>RTVI message data (JSON)</label>
        <textarea id={`${id}-data`} rows={5} spellCheck={false} value={data} onChange={(e) => setData(e.target.value)} aria-invalid={problem?.field === 'data' ? true : undefined} aria-describedby={problem?.field === 'data' ? `${id}-problem` : undefined} />
        {problem && (
          <p id={`${id}-problem`} role="alert" className="field-error">
            {problem.error}
          </p>
        )}
        <div className="buttons">
          <button type="submit" disabled={!ready}>
            Send RTVI message
          </button>
          {!ready && <span className="muted">Connect to your bot first.</span>}
        </div>
        {sent && (
          <p role="status" className="muted">
            {sent}
          </p>
        )}
      </form>
    </details>
  );
}
