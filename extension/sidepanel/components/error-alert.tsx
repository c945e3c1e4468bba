import { FIELD_LABELS, type AttemptAlert, type FieldAtFault } from '../error-attempt.ts';

/**
 * The panel's alert (ui-contract.md: role=alert): the newest failed attempt with every error of
 * it (the provider's own message, its close code), `Show in log` for the error's row, and for a
 * configuration error a link that focuses the field at fault.
 */
export function ErrorAlert({ alert, onDismiss, onShowInLog }: { alert: AttemptAlert; onDismiss(): void; onShowInLog(seq: number): void }) {
  const { errors, heading, omitted, showSeq, field } = alert;
  return (
    <div className="alert" role="alert">
      {errors.length === 1 ? (
        <p>
          {errors.length === 1 && alert.session > 0 && <strong>{heading}: </strong>}
          {errors[0].message}
          {errors[0].code !== undefined && !errors[0].message.includes(String(errors[0].code)) ? ` (close code ${errors[0].code})` : ''}
        </p>
      ) : (
        <>
          <p>
            <strong>{heading}</strong> ({errors.length + omitted} errors)
          </p>
          <ol className="alert-list" style={{ margin: "0 0 0.5rem", paddingLeft: "1.2rem", overflowWrap: "anywhere" }}>
            {errors.map((e, i) => (
              <li key={`${i}:${e.message}`}>
                {e.message}
                {e.code !== undefined && !e.message.includes(String(e.code)) ? ` (close code ${e.code})` : ''}
              </li>
            ))}
          </ol>
          {omitted > 0 && <p className="muted">and {omitted} more in the event log.</p>}
        </>
      )}
      <div className="buttons">
        {field && (
          <button type="button" className="secondary" onClick={() => focusField(field)}>
            {`Go to ${FIELD_LABELS[field]}`}
          </button>
        )}
        {showSeq !== null && (
          <button type="button" className="secondary" onClick={() => onShowInLog(showSeq)}>
            Show in log
          </button>
        )}
        <button type="button" className="secondary" onClick={onDismiss}>
          Dismiss error
        </button>
      </div>
    </div>
  );
}

/**
 * Selects a view's tab (`Views` tablist) when the panel has tabs; a missing tab is no error (the
 * view is then on the page already).
 */
export function selectViewTab(name: string): void {
  const tabs = document.querySelectorAll<HTMLElement>('[role="tablist"][aria-label="Views"] [role="tab"]');
  for (const tab of tabs) if (tab.textContent?.trim() === name && tab.getAttribute('aria-selected') !== 'true') tab.click();
}

function findField(label: string): HTMLElement | null {
  for (const l of document.querySelectorAll('label')) {
    const text = (l.textContent ?? '').trim();
    if (text === label || text.startsWith(`${label} `) || text.startsWith(`${label}\n`)) {
      const control = l.control ?? (l.htmlFor ? document.getElementById(l.htmlFor) : null);
      if (control instanceof HTMLElement) return control;
    }
  }
  return document.querySelector<HTMLElement>(`[aria-label="${CSS.escape(label)}"]`);
}

/** Shows the Settings view, opens the section holding the field, and focuses it. */
export function focusField(field: FieldAtFault): void {
  selectViewTab('Settings');
  const attempt = (tries: number) => {
    const el = findField(FIELD_LABELS[field]);
    if (!el) {
      if (tries < 10) requestAnimationFrame(() => attempt(tries + 1));
      return;
    }
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
    el.scrollIntoView({ block: 'center' });
    el.focus();
  };
  requestAnimationFrame(() => attempt(0));
}
