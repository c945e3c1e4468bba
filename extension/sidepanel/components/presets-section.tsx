import { useId } from 'react';
import type { Preset } from '../preset-file.ts';

export interface PresetsSectionProps {
  presets: Preset[];
  selected: string;
  name: string;
  notice: string | null;
  onSelect(name: string): void;
  onName(name: string): void;
  onSave(): void;
  onLoad(): void;
  onRename(): void;
  onDelete(): void;
  onExport(): void;
  onImport(file: File): void;
  /** The adapter's display name for an adapter id. */
  adapterLabel?(id: string): string;
  /** The preset last loaded or saved, and whether the form has changed since. */
  loaded?: { name: string; changed: boolean } | null;
}

export function PresetsSection(p: PresetsSectionProps) {
  const selectId = useId();
  const nameId = useId();
  const fileId = useId();
  const has = p.presets.some((x) => x.name === p.selected);
  const label = (id: string) => p.adapterLabel?.(id) ?? id;
  return (
    <section className="card presets" aria-labelledby="presets-heading">
      <h2 id="presets-heading">Presets</h2>
      <p className="help section-note">Settings, instructions, tools and mocks; never keys or endpoints.</p>
      {p.loaded && (
        <p className={`preset-loaded${p.loaded.changed ? ' preset-changed' : ''}`} role="status" aria-label="Loaded preset">
          Loaded: <strong>{p.loaded.name}</strong>
          {p.loaded.changed ? ' · changed since loading' : ''}
        </p>
      )}
      <div className="preset-row">
        <label htmlFor={selectId}>Preset</label>
        <select id={selectId} value={has ? p.selected : ''} onChange={(e) => p.onSelect(e.target.value)}>
          <option value="">{p.presets.length ? '(choose a preset)' : '(no presets saved)'}</option>
          {p.presets.map((x) => (
            <option key={x.name} value={x.name}>
              {x.name} ({label(x.adapterId)})
            </option>
          ))}
        </select>
        <button type="button" onClick={p.onLoad} disabled={!has}>
          Load preset
        </button>
        <button type="button" onClick={p.onDelete} disabled={!has}>
          Delete preset
        </button>
      </div>
      <div className="preset-row">
        <label htmlFor={nameId}>Preset name</label>
        <input id={nameId} type="text" value={p.name} onChange={(e) => p.onName(e.target.value)} />
        <button type="button" onClick={p.onSave} disabled={!p.name.trim()}>
          Save preset
        </button>
        <button type="button" onClick={p.onRename} disabled={!has || !p.name.trim()}>
          Rename preset
        </button>
      </div>
      <div className="buttons">
        <button type="button" className="secondary" onClick={p.onExport} disabled={p.presets.length === 0}>
          Export presets
        </button>
        <button type="button" className="secondary" onClick={() => (document.getElementById(fileId) as HTMLInputElement | null)?.click()}>
          Import presets
        </button>
        <input
          id={fileId}
          type="file"
          accept=".json,application/json"
          hidden
          tabIndex={-1}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) p.onImport(file);
          }}
        />
      </div>
      {p.notice && <p className="help" role="note">{p.notice}</p>}
    </section>
  );
}
