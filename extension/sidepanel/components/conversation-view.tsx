import type { LevelFeed } from './level-meter.tsx';
import { useId, useState } from 'react';
import type { ConversationTurn } from '../../shared/messages.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { SpeakingStrip } from './speaking-strip.tsx';
import { LiveTimeline } from '../timeline/live-timeline.tsx';

const PREFIX: Record<ConversationTurn['role'], string> = { user: 'You', bot: 'Bot', tool: 'Tool', error: 'Error' };

export interface ConversationViewProps {
  turns: ConversationTurn[];
  canSend: boolean;
  onSend(text: string): void;
  onClear(): void;
  onToolResult(toolCallId: string, result: unknown): void;
  /** The user's answer to an MCP approval request. */
  onMcpApproval?(requestId: string, approve: boolean): void;
  /** Select the event with this seq in the event log (a bot turn's "Show events"). */
  onShowEvents?(seq: number): void;
  /** The live event history, for the who-spoke-when strip. */
  history?: EventHistory;
  /** A session is open (the strip follows the clock). */
  live?: boolean;
  /** The level meters (0…1): the live timeline's waveforms. */
  levels?: LevelFeed;
}

export function ConversationView(props: ConversationViewProps) {
  const [message, setMessage] = useState('');
  const send = () => {
    const text = message.trim();
    if (!text) return;
    props.onSend(text);
    setMessage('');
  };
  let reply = 0;
  return (
    <section className="card" role="region" aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">Conversation</h2>
      {props.history && <SpeakingStrip history={props.history} live={props.live === true} />}
      {props.history && <LiveTimeline history={props.history} live={props.live === true} levelFeed={props.levels} />}
      {props.turns.length === 0 ? (
        <p className="muted">Nothing said yet.</p>
      ) : (
        <ul className="conversation">
          {props.turns.map((t) => (
            <li key={t.id} className={`turn turn-${t.role}${t.final ? '' : ' turn-partial'}${t.cut ? ' turn-cut' : ''}`} data-final={t.final} data-cut={t.cut === true ? 'true' : undefined}>
              {t.approval ? (
                <McpApprovalCardView turn={t} onAnswer={props.onMcpApproval} />
              ) : t.grounding ? (
                <GroundingCardView turn={t} />
              ) : t.role === 'tool' ? (
                <ToolCard turn={t} onResult={props.onToolResult} />
              ) : (
                <>
                  <strong>{PREFIX[t.role]}:</strong> {t.text}
                  {t.image && <img className="turn-image" src={t.image} alt="Screenshot sent to the model" />}
                  {t.unspoken && (
                    <>
                      {' '}
                      <del className="turn-unspoken">
                        <span className="sr-only">not heard: </span>
                        {t.unspoken}
                      </del>
                    </>
                  )}
                  {t.cut && <span className="turn-cut-tag"> cut off</span>}
                  {!t.final && t.role !== 'error' && <span className="sr-only"> (still speaking)</span>}
                  {t.role === 'bot' && <TurnMeta turn={t} reply={++reply} onShowEvents={props.onShowEvents} />}
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

/** An MCP call the model wants to make: the user approves or denies it here (OpenAI `mcp_approval_request`). */
function McpApprovalCardView({ turn, onAnswer }: { turn: ConversationTurn; onAnswer?(requestId: string, approve: boolean): void }) {
  const a = turn.approval!;
  const status = a.status === 'pending' ? 'waits for your approval' : a.status === 'approved' ? (a.output !== undefined ? 'approved and run' : 'approved, running') : 'denied';
  return (
    <div className="tool-card">
      <div>
        <strong>Tool:</strong> <code>{`${a.server}.${a.name}(${a.args})`}</code> <span className="muted">MCP call {a.number}</span>
      </div>
      <div className="muted">
        {status}
        {a.output !== undefined ? ` → ${a.output}` : ''}
      </div>
      {a.status === 'pending' && onAnswer && (
        <div className="buttons">
          <button type="button" onClick={() => onAnswer(a.requestId, true)}>
            Approve MCP call {a.number}
          </button>
          <button type="button" className="secondary" onClick={() => onAnswer(a.requestId, false)}>
            Deny MCP call {a.number}
          </button>
        </div>
      )}
    </div>
  );
}

/** The searches behind a grounded reply and the sources it cites. */
function GroundingCardView({ turn }: { turn: ConversationTurn }) {
  const g = turn.grounding!;
  return (
    <div className="tool-card">
      <div>
        <strong>Search:</strong> {g.queries.length ? g.queries.map((q) => `“${q}”`).join(', ') : <span className="muted">no query reported</span>}
      </div>
      {g.sources.length > 0 && (
        <ul className="grounding-sources">
          {g.sources.map((src, i) => (
            <li key={`${src.uri}-${i}`}>
              {/^https?:\/\//.test(src.uri) ? (
                <a href={src.uri} target="_blank" rel="noreferrer noopener">
                  {src.title || src.uri}
                </a>
              ) : (
                src.title || src.uri
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A bot turn's voice-to-voice latency and its link to the event log. */
function TurnMeta({ turn, reply, onShowEvents }: { turn: ConversationTurn; reply: number; onShowEvents?(seq: number): void }) {
  const latency = turn.voiceToVoiceMs;
  const seq = turn.firstSeq;
  if (latency === undefined && (seq === undefined || !onShowEvents)) return null;
  return (
    <div className="turn-meta muted">
      {latency !== undefined && (
        <span title="Voice-to-voice: you stopped speaking → the bot's first audio was heard">
          <span className="sr-only">voice-to-voice </span>
          {formatMs(latency)}
        </span>
      )}
      {seq !== undefined && onShowEvents && (
        <button type="button" className="link-button" aria-label={`Show events for reply ${reply}`} onClick={() => onShowEvents(seq)}>
          events
        </button>
      )}
    </div>
  );
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
