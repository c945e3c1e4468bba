import { useId, useRef } from 'react';
import type { ToolMock, ToolMocks } from '../../shared/messages.ts';
import type { FieldView } from '../settings-form-model.ts';
import { formatToolsJson, withExampleTool, type ToolsJsonResult } from '../tools-json.ts';

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
  const gutter = useRef<HTMLDivElement>(null);
  const lines = Math.max(1, p.text.split('\n').length);
  const errorLine = p.validation.ok ? null : p.validation.line;
  const formatted = formatToolsJson(p.text);
  const canInsert = withExampleTool(p.text) !== p.text;
  return (
    <section className="card" aria-labelledby="tools-heading">
      <h2 id="tools-heading">Tools</h2>
      <p id={helpId} className="help section-note">
        {p.view.field.apply === 'live' ? 'Tools apply mid-session with Apply.' : 'Tools apply on the next Connect.'} {p.view.field.help}
      </p>
      <div className="field">
        <div className="field-head">
          <label htmlFor={id}>Tools (JSON)</label>
          <button type="button" className="secondary" onClick={() => p.onText(withExampleTool(p.text))} disabled={!canInsert}>
            Insert example tool
          </button>
          <button type="button" className="secondary" onClick={() => formatted !== null && p.onText(formatted)} disabled={formatted === null || formatted === p.text}>
            Format tools
          </button>
        </div>
        <div className="code-editor">
          {/* Line numbers: decorative (the error text names the line for screen readers). */}
          <div className="code-gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lines }, (_, i) => (
              <div key={i} className={i + 1 === errorLine ? 'code-line-error' : undefined}>
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            id={id}
            rows={Math.min(16, Math.max(6, lines))}
            className="mono"
            spellCheck={false}
            wrap="off"
            value={p.text}
            placeholder='[{"name": "get_weather", "parameters": {…}}]'
            aria-invalid={!p.validation.ok}
            aria-describedby={p.validation.ok ? helpId : `${errorId} ${helpId}`}
            onChange={(e) => p.onText(e.target.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
        {!p.validation.ok && (
          <p id={errorId} className="field-error">
            {p.validation.message}
          </p>
        )}
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
