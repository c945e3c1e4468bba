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
}

export function PresetsSection(p: PresetsSectionProps) {
  const selectId = useId();
  const nameId = useId();
  const fileId = useId();
  const has = p.presets.some((x) => x.name === p.selected);
  return (
    <section className="card" aria-labelledby="presets-heading">
      <h2 id="presets-heading">Presets</h2>
      <div className="field">
        <label htmlFor={selectId}>Preset</label>
        <select id={selectId} value={has ? p.selected : ''} onChange={(e) => p.onSelect(e.target.value)}>
          <option value="">{p.presets.length ? '(choose a preset)' : '(no presets saved)'}</option>
          {p.presets.map((x) => (
            <option key={x.name} value={x.name}>
              {x.name} ({x.adapterId})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={nameId}>Preset name</label>
        <input id={nameId} type="text" value={p.name} onChange={(e) => p.onName(e.target.value)} />
      </div>
      <div className="buttons">
        <button type="button" onClick={p.onSave} disabled={!p.name.trim()}>
          Save preset
        </button>
        <button type="button" onClick={p.onLoad} disabled={!has}>
          Load preset
        </button>
        <button type="button" onClick={p.onRename} disabled={!has || !p.name.trim()}>
          Rename preset
        </button>
        <button type="button" onClick={p.onDelete} disabled={!has}>
          Delete preset
        </button>
        <button type="button" onClick={p.onExport} disabled={p.presets.length === 0}>
          Export presets
        </button>
        <button type="button" onClick={() => (document.getElementById(fileId) as HTMLInputElement | null)?.click()}>
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
      <p className="help">Settings, instructions, tools and mocks; never keys.</p>
      {p.notice && <p className="help" role="note">{p.notice}</p>}
    </section>
  );
}
