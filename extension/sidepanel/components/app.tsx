import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { adapters } from '../../../src/adapters/adapter-registry.ts';
import type { PanelCommand } from '../../shared/messages.ts';
import { loadApiKey, saveApiKey } from '../key-storage.ts';
import { openPermissionPage, watchMicPermission, type MicPermission } from '../mic-permission.ts';
import { visibleError } from '../panel-state.ts';
import { loadPreferences, savePreferences } from '../panel-preferences.ts';
import type { PanelStore } from '../panel-store.ts';
import { ConnectionStatus } from './connection-status.tsx';
import { ConversationView } from './conversation-view.tsx';
import { downloadTextFile, readFileText } from '../inspector/download-file.ts';
import { EventLog } from '../inspector/event-log.tsx';
import { exportFileName, exportJsonl, parseJsonl, type ImportedSession } from '../inspector/jsonl-export.ts';
import { LevelMeter } from './level-meter.tsx';
import { SessionControls, type SessionForm } from './session-controls.tsx';

const DEFAULT_ADAPTER = 'loopback';

export function App({ store, send, initialAdapter }: { store: PanelStore; send(c: PanelCommand): void; initialAdapter?: string }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [permission, setPermission] = useState<MicPermission>('unknown');
  const [dismissedAt, setDismissedAt] = useState(0);
  const [imported, setImported] = useState<ImportedSession | null>(null);
  const [logNotice, setLogNotice] = useState<string | null>(null);
  const [form, setForm] = useState<SessionForm>({ adapterId: initialAdapter ?? DEFAULT_ADAPTER, apiKey: '', endpoint: '', model: '' });
  const loaded = useRef(false);

  useEffect(() => watchMicPermission(setPermission), []);

  useEffect(() => {
    void loadPreferences().then((prefs) => {
      const adapterId = initialAdapter ?? (prefs.adapterId && adapters.some((a) => a.id === prefs.adapterId) ? prefs.adapterId : DEFAULT_ADAPTER);
      setForm((f) => ({ ...f, adapterId, endpoint: prefs.endpoint ?? '', model: prefs.model ?? '' }));
      loaded.current = true;
    });
  }, [initialAdapter]);

  useEffect(() => {
    let current = true;
    void loadApiKey(form.adapterId).then((apiKey) => current && setForm((f) => ({ ...f, apiKey })));
    return () => {
      current = false;
    };
  }, [form.adapterId]);

  const onFormChange = useCallback((patch: Partial<SessionForm>) => {
    setForm((f) => {
      const next = { ...f, ...patch };
      if (patch.apiKey !== undefined) void saveApiKey(next.adapterId, patch.apiKey);
      if (loaded.current && (patch.adapterId !== undefined || patch.endpoint !== undefined || patch.model !== undefined)) {
        void savePreferences({ adapterId: next.adapterId, endpoint: next.endpoint, model: next.model });
      }
      return next;
    });
  }, []);

  const adapter = useMemo(() => adapters.find((a) => a.id === form.adapterId), [form.adapterId]);
  const error = visibleError(state.errors, dismissedAt);

  const connect = () => {
    setDismissedAt(Date.now());
    send({
      type: 'connect',
      adapterId: form.adapterId,
      apiKey: adapter?.needsKey ? form.apiKey : undefined,
      endpoint: form.endpoint.trim() || undefined,
      model: form.model.trim() || undefined,
      settings: {},
      enableMic: state.status.micEnabled,
    });
  };

  const exportEvents = () => {
    const events = imported ? imported.events : store.history.toArray();
    const text = exportJsonl({
      adapter: imported?.header.adapter ?? state.settings?.adapterId ?? form.adapterId,
      model: imported?.header.model ?? state.settings?.model ?? null,
      settings: imported?.header.settings ?? state.settings?.settings ?? {},
      appVersion: chrome.runtime.getManifest().version,
      events,
      secrets: [form.apiKey],
      dropped: imported ? undefined : store.history.dropped,
    });
    downloadTextFile(exportFileName(imported?.header.adapter ?? form.adapterId), text);
  };

  const importEvents = (file: File) => {
    void readFileText(file).then((text) => {
      const parsed = parseJsonl(text);
      if (parsed.ok) {
        setImported(parsed.session);
        setLogNotice(null);
      } else setLogNotice(`Could not import ${file.name}: line ${parsed.line}: ${parsed.error}`);
    });
  };

  return (
    <main className="panel">
      <header className="panel-header">
        <h1>Voice Workbench</h1>
        <ConnectionStatus state={state.status.transportState} linked={state.linked} />
      </header>
      {error && (
        <div className="alert" role="alert">
          <p>{error.message}</p>
          <button type="button" className="secondary" onClick={() => setDismissedAt(error.at)}>
            Dismiss error
          </button>
        </div>
      )}
      <SessionControls
        adapters={adapters}
        form={form}
        onFormChange={onFormChange}
        status={state.status}
        permission={permission}
        onConnect={connect}
        onDisconnect={() => send({ type: 'disconnect' })}
        onMute={(muted) => send({ type: 'set-mic-enabled', enabled: !muted })}
        onMicTest={(start) => send({ type: 'mic-test', action: start ? 'start' : 'stop' })}
        onInterrupt={() => send({ type: 'interrupt' })}
        onGrant={openPermissionPage}
      />
      <section className="card" aria-labelledby="levels-heading">
        <h2 id="levels-heading">Levels</h2>
        <LevelMeter label="Microphone level" value={state.levels.mic} />
        <LevelMeter label="Bot level" value={state.levels.bot} />
      </section>
      <ConversationView
        turns={state.conversation}
        canSend={state.status.transportState === 'ready'}
        onSend={(text) => send({ type: 'send-text', text })}
        onClear={() => send({ type: 'clear-conversation' })}
      />
      <section className="card" aria-labelledby="event-log-heading">
        <div className="row">
          <h2 id="event-log-heading" className="grow">
            {imported ? `Imported events (${imported.header.adapter})` : 'Events'}
          </h2>
          {imported && (
            <button type="button" className="secondary" onClick={() => setImported(null)}>
              Back to live events
            </button>
          )}
        </div>
        {imported ? (
          <EventLog events={imported.events} readOnly onClear={() => setImported(null)} onExport={exportEvents} onImport={importEvents} notice={logNotice} />
        ) : (
          <EventLog
            events={store.history}
            onClear={() => {
              store.history.clear();
              send({ type: 'clear-events' });
            }}
            onExport={exportEvents}
            onImport={importEvents}
            notice={logNotice}
          />
        )}
      </section>
    </main>
  );
}
