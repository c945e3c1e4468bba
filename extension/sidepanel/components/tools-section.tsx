import { useId } from 'react';
import type { ToolMock, ToolMocks } from '../../shared/messages.ts';
import type { FieldView } from '../settings-form-model.ts';
import type { ToolsJsonResult } from '../tools-json.ts';

export const DEFAULT_TOOL_MOCK: ToolMock = { mode: 'fixed', result: '{"ok": true}' };

export interface ToolsSectionProps {
  view: FieldView;
  text: string;
  validation: ToolsJsonResult;
  mocks: ToolMocks;
  timeoutS: number;
  onText(text: string): void;
  onMock(name: string, mock: ToolMock): void;
  onTimeout(seconds: number): void;
}

/** `Tools (JSON)`, validated as typed, and a mock reply per declared tool. */
export function ToolsSection(p: ToolsSectionProps) {
  const id = useId();
  const helpId = useId();
  const errorId = useId();
  const timeoutId = useId();
  const names = p.validation.ok ? p.validation.names : [];
  return (
    <section className="card" aria-labelledby="tools-heading">
      <h2 id="tools-heading">Tools</h2>
      <div className="field">
        <label htmlFor={id}>Tools (JSON)</label>
        <textarea
          id={id}
          rows={6}
          className="mono"
          spellCheck={false}
          value={p.text}
          aria-invalid={!p.validation.ok}
          aria-describedby={p.validation.ok ? helpId : `${errorId} ${helpId}`}
          onChange={(e) => p.onText(e.target.value)}
        />
        {!p.validation.ok && (
          <p id={errorId} className="field-error">
            {p.validation.message}
          </p>
        )}
        <p id={helpId} className="help">
          <span className={`apply-tag apply-${p.view.field.apply}`}>{p.view.field.apply === 'live' ? 'live' : 'reconnect'}</span> {p.view.applyNote} {p.view.field.help}
        </p>
      </div>
      {names.map((name) => (
        <ToolMockRow key={name} name={name} mock={p.mocks[name] ?? DEFAULT_TOOL_MOCK} onChange={(m) => p.onMock(name, m)} />
      ))}
      {names.length > 0 && (
        <div className="field">
          <label htmlFor={timeoutId}>Ask me timeout (s)</label>
          <input id={timeoutId} type="number" min={1} max={600} step={1} value={p.timeoutS} onChange={(e) => p.onTimeout(Math.max(1, Math.min(600, Number(e.target.value) || 1)))} />
          <p className="help">A call nobody answers gets an error result after this long. Applies on the next Connect.</p>
        </div>
      )}
    </section>
  );
}

function ToolMockRow({ name, mock, onChange }: { name: string; mock: ToolMock; onChange(m: ToolMock): void }) {
  const selectId = useId();
  const resultId = useId();
  return (
    <fieldset className="tool-mock">
      <legend>{name}</legend>
      <div className="field">
        <label htmlFor={selectId}>Mock reply for {name}</label>
        <select id={selectId} value={mock.mode} onChange={(e) => onChange({ ...mock, mode: e.target.value === 'ask' ? 'ask' : 'fixed' })}>
          <option value="fixed">Fixed result</option>
          <option value="ask">Ask me</option>
        </select>
      </div>
      {mock.mode === 'fixed' && (
        <div className="field">
          <label htmlFor={resultId}>Fixed result for {name}</label>
          <textarea id={resultId} rows={2} className="mono" spellCheck={false} value={mock.result} onChange={(e) => onChange({ ...mock, result: e.target.value })} />
        </div>
      )}
    </fieldset>
  );
}
