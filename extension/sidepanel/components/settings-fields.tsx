import { useId } from 'react';
import type { FieldView } from '../settings-form-model.ts';
import { readFieldInput } from '../settings-form-model.ts';

/** One schema field as a labelled control; the label is the accessible name, the apply note its description. */
export function SettingFieldControl({ view, onChange }: { view: FieldView; onChange(key: string, value: string | number | boolean): void }) {
  const id = useId();
  const helpId = useId();
  const listId = useId();
  const { field, value } = view;
  const describe = (
    <p id={helpId} className="help">
      <span className={`apply-tag apply-${field.apply}`}>{field.apply === 'live' ? 'live' : 'reconnect'}</span> {view.applyNote}
      {field.help ? ` ${field.help}` : ''}
    </p>
  );
  const set = (raw: string | boolean) => onChange(field.key, readFieldInput(field, raw));
  if (field.kind === 'boolean') {
    return (
      <div className="field">
        <label className="inline">
          <input type="checkbox" checked={value === true} aria-describedby={helpId} onChange={(e) => set(e.target.checked)} /> {field.label}
        </label>
        {describe}
      </div>
    );
  }
  let control;
  switch (field.kind) {
    case 'select':
      control = (
        <select id={id} value={String(value)} aria-describedby={helpId} onChange={(e) => set(e.target.value)}>
          {(field.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
      control = <input id={id} type="number" value={String(value)} min={field.min} max={field.max} step={field.step} aria-describedby={helpId} onChange={(e) => set(e.target.value)} />;
      break;
    case 'textarea':
    case 'json':
      control = <textarea id={id} rows={4} value={String(value)} spellCheck={field.kind === 'textarea'} aria-describedby={helpId} onChange={(e) => set(e.target.value)} />;
      break;
    default:
      control = (
        <>
          <input id={id} type="text" value={String(value)} list={field.suggestions?.length ? listId : undefined} autoComplete="off" spellCheck={false} aria-describedby={helpId} onChange={(e) => set(e.target.value)} />
          {field.suggestions?.length ? (
            <datalist id={listId}>
              {field.suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          ) : null}
        </>
      );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      {control}
      {describe}
    </div>
  );
}
