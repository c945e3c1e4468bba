import { useId, type ReactNode } from 'react';
import type { FieldView } from '../settings-form-model.ts';
import { isChanged, readFieldInput } from '../settings-form-model.ts';

export interface SettingFieldProps {
  view: FieldView;
  onChange(key: string, value: string | number | boolean): void;
  /** The apply kind the section marks as its exception (tagged); null tags nothing. */
  tagKind?: 'live' | 'reconnect' | null;
}

/**
 * One schema field as a labelled control. Quiet by default: the section carries the note on when
 * changes apply, the field shows a tag only when it is the exception, its own help only when it
 * has some, and a "changed" mark with `Reset <label>` when it differs from the default.
 */
export function SettingFieldControl({ view, onChange, tagKind = null }: SettingFieldProps) {
  const id = useId();
  const helpId = useId();
  const listId = useId();
  const { field, value } = view;
  const tagged = tagKind !== null && field.apply === tagKind;
  const hasHelp = tagged || !!field.help;
  const describedBy = hasHelp ? helpId : undefined;
  const describe = hasHelp ? (
    <p id={helpId} className="help">
      {tagged && <span className={`apply-tag apply-${field.apply}`}>{field.apply === 'live' ? 'live' : 'reconnect'}</span>}
      {tagged && field.help ? ' ' : ''}
      {field.help}
    </p>
  ) : null;
  const set = (raw: string | boolean) => onChange(field.key, readFieldInput(field, raw));
  const changed = isChanged(view);
  const reset = changed ? (
    <button type="button" className="reset" onClick={() => onChange(field.key, field.default)}>
      Reset {field.label}
    </button>
  ) : null;
  const mark = changed ? (
    <span className="changed-mark" title="Changed from the default">
      <span aria-hidden="true">●</span>
      <span className="sr-only"> changed</span>
    </span>
  ) : null;
  if (field.kind === 'boolean') {
    return (
      <div className={`field${changed ? ' field-changed' : ''}`}>
        <div className="field-head">
          <label className="inline">
            <input type="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(e) => set(e.target.checked)} /> {field.label}
          </label>
          {mark}
          {reset}
        </div>
        {describe}
      </div>
    );
  }
  let control: ReactNode;
  switch (field.kind) {
    case 'select':
      control = (
        <select id={id} value={String(value)} aria-describedby={describedBy} onChange={(e) => set(e.target.value)}>
          {(field.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
      control = <input id={id} type="number" value={String(value)} min={field.min} max={field.max} step={field.step} aria-describedby={describedBy} onChange={(e) => set(e.target.value)} />;
      break;
    case 'textarea':
    case 'json':
      control = <textarea id={id} rows={4} value={String(value)} spellCheck={field.kind === 'textarea'} aria-describedby={describedBy} onChange={(e) => set(e.target.value)} />;
      break;
    default:
      if (field.key === 'voice' && field.suggestions?.length) {
        control = <VoicePicker id={id} label={field.label} value={String(value)} options={field.suggestions} describedBy={describedBy} onChange={set} />;
        break;
      }
      // Free text with a datalist: a dropdown of known values that still takes any custom one.
      control = (
        <>
          <input id={id} type="text" value={String(value)} list={field.suggestions?.length ? listId : undefined} autoComplete="off" spellCheck={false} aria-describedby={describedBy} onChange={(e) => set(e.target.value)} />
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
    <div className={`field field-${field.kind}${changed ? ' field-changed' : ''}`}>
      <div className="field-head">
        <label htmlFor={id}>{field.label}</label>
        {mark}
        {reset}
      </div>
      {control}
      {describe}
    </div>
  );
}

const CUSTOM = '\u0000custom';

/**
 * The provider's known voices as a dropdown, plus "Custom…" that reveals a `Custom <label>` text
 * box: new voices ship before the list here knows them.
 */
function VoicePicker({ id, label, value, options, describedBy, onChange }: { id: string; label: string; value: string; options: string[]; describedBy?: string; onChange(v: string): void }) {
  const customId = useId();
  const known = options.includes(value);
  return (
    <>
      <select id={id} value={known ? value : CUSTOM} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value === CUSTOM ? '' : e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        <option value={CUSTOM}>Custom…</option>
      </select>
      {!known && (
        <div className="field-custom">
          <label htmlFor={customId}>Custom {label}</label>
          <input id={customId} type="text" value={value} autoComplete="off" spellCheck={false} placeholder="Voice name as the provider spells it" onChange={(e) => onChange(e.target.value)} />
        </div>
      )}
    </>
  );
}
