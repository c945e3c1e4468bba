import { requestTokenHost } from '../token-host-permission.ts';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type CSSProperties } from 'react';
import { adapters, findAdapter } from '../../../src/adapters/adapter-registry.ts';
import { defaultSettings } from '../../../src/adapters/settings-schema.ts';
import type { MediaStats } from '../../../src/audio/media-manager.ts';
import { echoUncancelled } from '../../../src/audio/echo-cancellation.ts';
import type { ConnectCommand, PanelCommand, ToolMock, ToolMocks } from '../../shared/messages.ts';
import { loadAdapterSettings, saveAdapterSettings, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_TOOL_TIMEOUT_S, type AdapterSettings } from '../adapter-settings-storage.ts';
import { downloadTextFile, readFileText } from '../inspector/download-file.ts';
import { EventLog } from '../inspector/event-log.tsx';
import { exportFileName, exportJsonl, parseJsonl, type ImportedSession } from '../../inspector-core/jsonl-export.ts';
import { MetricsPanel } from '../inspector/metrics-panel.tsx';
import { cleanKey, forgetApiKey, loadApiKey, saveApiKey } from '../key-storage.ts';
import { openPermissionPage, watchMicPermission, type MicPermission } from '../mic-permission.ts';
import { isSessionOpen } from '../panel-state.ts';
import { loadLayout, loadPreferences, saveLayout, savePreferences } from '../panel-preferences.ts';
import type { PanelStore } from '../panel-store.ts';
import { mergePresets, parsePresetFile, serializePresets, stripSecrets, type Preset } from '../preset-file.ts';
import { loadPresets, savePresets } from '../preset-storage.ts';
import { buildSettingsForm, exceptionApplyKind, isPushToTalk, pendingChanges, sectionApplyNote, TOOLS_KEY } from '../settings-form-model.ts';
import { validateToolsJson } from '../tools-json.ts';
import { SessionLimitStatus } from './session-limit-status.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { attemptAlert, localAlert } from '../error-attempt.ts';
import { ConversationView } from './conversation-view.tsx';
import { RtviMessageForm } from '../rtvi/rtvi-message-form.tsx';
import { TabInputSection } from './tab-input-section.tsx';
import { DevicesSection } from './devices-section.tsx';
import { PaneSplitter } from './pane-splitter.tsx';
import { SessionBar } from './session-bar.tsx';
import { useMediaQuery } from './use-media-query.ts';
import { panelId, tabId, ViewTabs, type ViewName } from './view-tabs.tsx';
import { TestsView } from './tests-view.tsx';
import { PresetsSection } from './presets-section.tsx';
import { RecordingsView } from './recordings-view.tsx';
import { RecordingView } from '../timeline/recording-view.tsx';
import { ReplayView } from './replay-view.tsx';
import { RecordingIndicator, RecordingNotice } from './recording-indicator.tsx';
import type { RecordingsClient } from '../recordings-client.ts';
import { SessionControls, type KeyForm } from './session-controls.tsx';
import { SettingFieldControl } from './settings-fields.tsx';
import { DEFAULT_TOOL_MOCK, ToolsSection } from './tools-section.tsx';

const DEFAULT_ADAPTER = 'loopback';
/** From about this width the panel shows two panes: the chosen view | events. */
const TWO_PANES_QUERY = '(min-width: 700px)';

interface LocalError {
  message: string;
  at: number;
}

export function App({ store, send, initialAdapter, recordings }: { store: PanelStore; send(c: PanelCommand): void; initialAdapter?: string; recordings?: RecordingsClient }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const [permission, setPermission] = useState<MicPermission>('unknown');
  const [dismissedAt, setDismissedAt] = useState(0);
  const [localError, setLocalError] = useState<LocalError | null>(null);
  const [imported, setImported] = useState<ImportedSession | null>(null);
  const [logNotice, setLogNotice] = useState<string | null>(null);
  const [showInLog, setShowInLog] = useState<{ seq: number; nonce: number } | null>(null);
  const [adapterId, setAdapterId] = useState<string>(initialAdapter && findAdapter(initialAdapter) ? initialAdapter : DEFAULT_ADAPTER);
  const [cfg, setCfg] = useState<{ adapterId: string; s: AdapterSettings } | null>(null);
  const [keyForm, setKeyForm] = useState<KeyForm>({ key: '', remembered: false, show: false });
  const [presets, setPresets] = useState<Preset[]>([]);
  const [presetSel, setPresetSel] = useState('');
  const [presetName, setPresetName] = useState('');
  const [presetNotice, setPresetNotice] = useState<string | null>(null);
  const [loadedPreset, setLoadedPreset] = useState<string | null>(null);
  // What the running session holds: the host tells a panel on opening and after each Apply, not on
  // Connect, so the panel that connects records what it sent.
  const [sessionSettings, setSessionSettings] = useState<{ settings: Record<string, unknown>; endpoint?: string } | null>(null);
  const [talking, setTalking] = useState(false);
  const [eventJump, setEventJump] = useState<{ seq: number } | null>(null);
  const [view, setView] = useState<ViewName>('Conversation');
  const [recordingOpen, setRecordingOpen] = useState(false);
  // A failed voice-test assertion's "Show failure" opens its run's recording at that moment.
  const [recordingRequest, setRecordingRequest] = useState<{ id: string; t?: number; n: number } | null>(null);
  const [split, setSplit] = useState(0.5);
  const [focusEvents, setFocusEvents] = useState(0);
  const wide = useMediaQuery(TWO_PANES_QUERY);
  const viewsRef = useRef<HTMLElement>(null);
  const eventsRef = useRef<HTMLDivElement>(null);
  const prefsLoaded = useRef(false);
  const adopted = useRef(false);

  const adapter = findAdapter(adapterId) ?? adapters[0]!;
  const transportState = state.status.transportState;
  const open = isSessionOpen(transportState);

  useEffect(() => watchMicPermission(setPermission), []);
  useEffect(() => {
    if (state.settings) setSessionSettings({ settings: state.settings.settings, endpoint: state.settings.endpoint });
  }, [state.settings]);
  useEffect(() => {
    void loadLayout().then((l) => l.split !== undefined && setSplit(Math.min(0.75, Math.max(0.25, l.split))));
  }, []);

  // The Conversation view follows new turns while it is scrolled to (near) its end.
  const conversationRef = useRef<HTMLDivElement>(null);
  const turnCount = state.conversation.length;
  const lastTurnText = state.conversation.at(-1)?.text;
  useEffect(() => {
    const el = conversationRef.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 120) el.scrollTop = el.scrollHeight;
  }, [turnCount, lastTurnText]);

  // "Skip to events": after the Events view shows, focus the log's current row (or the log).
  useEffect(() => {
    if (focusEvents === 0) return;
    // A list that was hidden renders and scrolls to its newest rows a few frames after it shows
    // (virtualised): rows focused before that unmount and focus falls to <body>. Keep focus on the
    // newest row until it has held for a few frames, unless the user has moved it elsewhere.
    let frame = 0;
    let frames = 0;
    let held = 0;
    const attempt = () => {
      const log = eventsRef.current?.querySelector<HTMLElement>('[role="log"]');
      if (!log) return;
      const active = document.activeElement;
      // A log with roving rows (one row tabindex 0, ↑/↓ handled by the log) may hold focus itself;
      // an older log without them gets its newest row's expand button.
      const roving = !!log.querySelector('li[data-row-key]');
      const lost = frames === 0 || !active || active === document.body || (active === log && !roving) || !log.contains(active) && active.matches('.skip-link');
      if (!lost && !log.contains(active)) return;
      if (lost) {
        held = 0;
        const current = log.querySelector<HTMLElement>('li[tabindex="0"], [role="listitem"][tabindex="0"]');
        // Until an older log has rendered its rows, focus stays where it is (one move, not two).
        const target = current ?? (roving ? log : ([...log.querySelectorAll<HTMLElement>('li button[aria-expanded]')].at(-1) ?? (frames >= 119 ? log : null)));
        target?.focus();
      } else held++;
      if (held < 15 && frames++ < 120) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  }, [focusEvents]);

  // The last adapter used, unless the URL asks for one.
  useEffect(() => {
    void loadPreferences().then((prefs) => {
      if (!initialAdapter && prefs.adapterId && findAdapter(prefs.adapterId)) setAdapterId(prefs.adapterId);
      prefsLoaded.current = true;
    });
    void loadPresets().then(setPresets);
  }, [initialAdapter]);

  // A panel opened during a session shows that session's adapter.
  useEffect(() => {
    if (!state.linked || adopted.current) return;
    adopted.current = true;
    if (isSessionOpen(state.status.transportState) && state.status.adapterId && findAdapter(state.status.adapterId)) setAdapterId(state.status.adapterId);
  }, [state.linked, state.status.adapterId, state.status.transportState]);

  useEffect(() => {
    let current = true;
    setCfg(null);
    void loadAdapterSettings(adapterId, adapter.settings).then((s) => current && setCfg({ adapterId, s }));
    void loadApiKey(adapterId).then((k) => current && setKeyForm({ key: k.key, remembered: k.remembered, show: false }));
    if (prefsLoaded.current) void savePreferences({ adapterId, endpoint: '', model: '' });
    return () => {
      current = false;
    };
  }, [adapterId, adapter.settings]);

  const settings = cfg?.adapterId === adapterId ? cfg.s : null;
  const values = useMemo(() => settings?.values ?? defaultSettings(adapter.settings), [settings, adapter.settings]);
  const form = useMemo(() => buildSettingsForm(adapter.settings, values), [adapter.settings, values]);
  const toolsText = form.tools ? String(form.tools.value) : '';
  const toolsCheck = useMemo(() => validateToolsJson(toolsText), [toolsText]);
  const toolNotes = useMemo(() => (toolsCheck.ok && adapter.describeTools ? adapter.describeTools(toolsText, values) : []), [toolsCheck, adapter, toolsText, values]);
  // A running session keeps the turn detection it connected with (a Gemini setup is frozen): the
  // Talk control follows the session, not an edit that waits for a reconnect.
  const sessionRunning = state.status.transportState !== 'disconnected' && state.status.transportState !== 'error' && state.status.adapterId === adapterId;
  const pushToTalk = adapter.supportsPushToTalk && (sessionRunning && state.status.sessionPushToTalk !== undefined ? state.status.sessionPushToTalk : isPushToTalk(values));

  const updateCfg = useCallback(
    (patch: (s: AdapterSettings) => AdapterSettings) => {
      setCfg((c) => {
        if (!c || c.adapterId !== adapterId) return c;
        const s = patch(c.s);
        void saveAdapterSettings(adapterId, s);
        return { adapterId, s };
      });
    },
    [adapterId],
  );
  const setValue = (key: string, value: string | number | boolean) => updateCfg((s) => ({ ...s, values: { ...s.values, [key]: value } }));

  const toolMocksFor = (names: string[], mocks: ToolMocks): ToolMocks => Object.fromEntries(names.map((n) => [n, mocks[n] ?? DEFAULT_TOOL_MOCK]));

  const fail = (message: string) => {
    setLocalError({ message, at: Date.now() });
  };

  // ------------------------------------------------------------------ keys
  const onKeyChange = (patch: Partial<KeyForm>) => {
    setKeyForm((k) => {
      const next = { ...k, ...patch };
      if (patch.key !== undefined || patch.remembered !== undefined) void saveApiKey(adapterId, next.key, next.remembered);
      return next;
    });
  };
  const onForgetKey = () => {
    void forgetApiKey(adapterId);
    setKeyForm({ key: '', remembered: false, show: false });
  };

  // ------------------------------------------------------------------ session
  const onAdapterChange = (id: string) => {
    if (id === adapterId) return;
    // Ending the session now: its settings belong to the adapter being left.
    if (open) send({ type: 'disconnect' });
    setTalking(false);
    setAdapterId(id);
  };

  /** The connect command Settings describe, or null after saying why not (Connect and Start replay). */
  const connectCommand = (): ConnectCommand | null => {
    setDismissedAt(Date.now());
    setLocalError(null);
    if (!settings) {
      fail('Settings are still loading; try again in a moment.');
      return null;
    }
    const key = cleanKey(keyForm.key);
    if (adapter.needsKey && !key) {
      fail(`${adapter.label} needs an API key: paste it into "API key", then connect.`);
      return null;
    }
    if (!toolsCheck.ok) {
      fail(`Tools (JSON) is not valid (${toolsCheck.message}). Fix it, then connect.`);
      return null;
    }
    const model = typeof values.model === 'string' ? values.model.trim() : '';
    setSessionSettings({ settings: { ...values, ...(model ? { model } : {}) }, endpoint: settings.endpoint.trim() || undefined });
    return {
      type: 'connect',
      adapterId,
      apiKey: adapter.needsKey ? key : undefined,
      endpoint: settings.endpoint.trim() || undefined,
      model: model || undefined,
      settings: { ...values },
      enableMic: state.status.micEnabled,
      toolMocks: toolMocksFor(toolsCheck.names, settings.toolMocks),
      functionCallTimeoutMs: (settings.toolTimeoutS || DEFAULT_TOOL_TIMEOUT_S) * 1000,
      idleTimeoutMs: settings.idleTimeoutS * 1000,
      ...(loadedPreset ? { recording: { preset: loadedPreset } } : {}),
    };
  };

  const connect = () => {
    const command = connectCommand();
    if (!command) return;
    // A vendor whose token request needs a host permission asks for it now, in the click's gesture;
    // the connect goes out either way (a refusal then shows as the token request's failure).
    const asking = requestTokenHost(adapter.tokenHostPermission?.(command.endpoint ?? ''));
    if (adapter.connectWhileAskingHost) send(command);
    else void asking.then(() => send(command));
  };

  const apply = () => {
    setLocalError(null);
    if (!toolsCheck.ok) return fail(`Tools (JSON) is not valid (${toolsCheck.message}). Nothing was applied.`);
    if (!settings) return;
    send({ type: 'update-tool-mocks', toolMocks: toolMocksFor(toolsCheck.names, settings.toolMocks) });
    send({ type: 'update-settings', settings: { ...values } });
  };

  const talk = useCallback(
    (phase: 'start' | 'end') => {
      setTalking((was) => {
        if (phase === 'start' && !was) send({ type: 'push-to-talk', phase: 'start' });
        if (phase === 'end' && was) send({ type: 'push-to-talk', phase: 'end' });
        return phase === 'start';
      });
    },
    [send],
  );

  // Space talks while the panel has focus, except while typing in a field.
  const canTalk = pushToTalk && transportState === 'ready';
  useEffect(() => {
    if (!canTalk) return;
    const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || t.matches('input, textarea, select'));
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      if (!e.repeat) talk('start');
    };
    const up = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || typing(e.target)) return;
      e.preventDefault();
      talk('end');
    };
    const blur = () => talk('end');
    // Focus moving into a text field mid-press must not leave the turn open.
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [canTalk, talk]);
  useEffect(() => {
    if (!canTalk) setTalking(false);
  }, [canTalk]);

  // ------------------------------------------------------------------ presets
  const persistPresets = (next: Preset[]) => {
    setPresets(next);
    void savePresets(next);
  };
  const savePreset = () => {
    const name = presetName.trim();
    if (!name || !settings) return;
    if (!toolsCheck.ok) return fail(`Tools (JSON) is not valid (${toolsCheck.message}). The preset was not saved.`);
    const preset: Preset = { name, adapterId, settings: stripSecrets({ ...values }), toolMocks: toolMocksFor(toolsCheck.names, settings.toolMocks) };
    persistPresets(mergePresets(presets, [preset]));
    setPresetSel(name);
    setLoadedPreset(name);
    setPresetNotice(`Saved "${name}".`);
  };
  const loadPreset = () => {
    const p = presets.find((x) => x.name === presetSel);
    if (!p) return;
    const fields = findAdapter(p.adapterId)?.settings ?? [];
    const apply = (s: AdapterSettings): AdapterSettings => ({ ...s, values: { ...defaultSettings(fields), ...p.settings }, toolMocks: { ...p.toolMocks } });
    if (p.adapterId === adapterId) updateCfg(apply);
    else {
      if (open) send({ type: 'disconnect' });
      void loadAdapterSettings(p.adapterId, fields).then(async (s) => {
        await saveAdapterSettings(p.adapterId, apply(s));
        setAdapterId(p.adapterId);
      });
    }
    setPresetName(p.name);
    setLoadedPreset(p.name);
    setPresetNotice(`Loaded "${p.name}"${open ? '; Apply or reconnect to use it in the session' : ''}.`);
  };
  const renamePreset = () => {
    const name = presetName.trim();
    if (!name || name === presetSel) return;
    if (presets.some((x) => x.name === name)) return setPresetNotice(`A preset named "${name}" already exists.`);
    persistPresets(mergePresets(presets.filter((x) => x.name !== presetSel), presets.filter((x) => x.name === presetSel).map((x) => ({ ...x, name }))));
    setPresetNotice(`Renamed "${presetSel}" to "${name}".`);
    if (loadedPreset === presetSel) setLoadedPreset(name);
    setPresetSel(name);
  };
  const deletePreset = () => {
    persistPresets(presets.filter((x) => x.name !== presetSel));
    setPresetNotice(`Deleted "${presetSel}".`);
    if (loadedPreset === presetSel) setLoadedPreset(null);
    setPresetSel('');
  };
  const exportPresets = () => downloadTextFile('voice-workbench-presets.json', serializePresets(presets), 'application/json');
  const importPresets = (file: File) => {
    void readFileText(file).then((text) => {
      const parsed = parsePresetFile(text, adapters.map((a) => a.id));
      if (!parsed.ok) {
        setPresetNotice(null);
        return fail(`Could not import presets from ${file.name}: ${parsed.error} Nothing was changed.`);
      }
      persistPresets(mergePresets(presets, parsed.presets));
      setLocalError(null);
      setPresetNotice(`Imported ${parsed.presets.length} preset${parsed.presets.length === 1 ? '' : 's'} from ${file.name}.`);
    });
  };

  // ------------------------------------------------------------------ events
  const exportEvents = () => {
    const events = imported ? imported.events : store.history.toArray();
    const text = exportJsonl({
      adapter: imported?.header.adapter ?? state.settings?.adapterId ?? adapterId,
      model: imported?.header.model ?? state.settings?.model ?? null,
      settings: imported?.header.settings ?? state.settings?.settings ?? {},
      appVersion: chrome.runtime.getManifest().version,
      events,
      secrets: [keyForm.key],
      dropped: imported ? undefined : store.history.dropped,
    });
    downloadTextFile(exportFileName(imported?.header.adapter ?? adapterId), text);
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

  // One alert at a time: the newest attempt's errors (host) or the panel's own check.
  const hostAlert = attemptAlert(state.errors, dismissedAt, transportState === 'error');
  const shownAlert = localError && localError.at >= dismissedAt && (!hostAlert || localError.at >= hostAlert.at) ? localAlert(localError.message, localError.at) : hostAlert;
  const stats = state.stats as Partial<MediaStats>;
  // With headphones declared, echo cancellation is off on purpose and nothing should leak.
  const echoRisk = open && !state.devices.selected.headphones && echoUncancelled(stats);
  const selfHearing = open ? state.status.selfHearing : null;
  const liveSessionOfThisAdapter = open && state.status.adapterId === adapterId;
  // The loaded preset is "changed" once the form's settings or mocks differ from what it holds.
  const loadedInfo = useMemo(() => {
    const p = loadedPreset ? presets.find((x) => x.name === loadedPreset) : undefined;
    if (!p || p.adapterId !== adapterId || !settings) return null;
    const now = stripSecrets({ ...values });
    const keys = new Set([...Object.keys(now), ...Object.keys(p.settings)]);
    const differs = [...keys].some((k) => JSON.stringify(now[k]) !== JSON.stringify(p.settings[k]));
    return { name: p.name, changed: differs };
  }, [loadedPreset, presets, adapterId, settings, values]);
  const shortLabel = adapter.label.replace(/\s*\(.*\)$/, '');
  const tagKind = exceptionApplyKind([...form.main, ...form.advanced]);
  const pending = pendingChanges(adapter.settings, values, liveSessionOfThisAdapter ? sessionSettings : null, settings?.endpoint ?? '');
  const pendingCount = pending.reconnect.length + pending.live.length;

  const selectView = (v: ViewName) => setView(v);
  // Voice tests use the key typed here for this adapter, and remembered keys for the others.
  const keysForTests = async (): Promise<Record<string, string>> => {
    const keys: Record<string, string> = {};
    for (const a of adapters) {
      if (!a.needsKey) continue;
      const k = a.id === adapterId ? cleanKey(keyForm.key) : cleanKey((await loadApiKey(a.id)).key);
      if (k) keys[a.id] = k;
    }
    return keys;
  };
  const shownView: ViewName = wide && view === 'Events' ? 'Conversation' : view;
  const mainViews: ViewName[] = wide ? ['Conversation', 'Metrics', 'Settings', 'Recordings', 'Replay', 'Tests'] : ['Conversation', 'Events', 'Metrics', 'Settings', 'Recordings', 'Replay', 'Tests'];
  // An opened recording shows its own (read-only) event log: the live one steps aside, so the page
  // never holds two controls of one name (ui-contract.md).
  const eventsShown = (wide && !(recordingOpen && shownView === 'Recordings')) || shownView === 'Events';
  // tabIndex 0 (WAI-ARIA tabs): Tab from the tablist reaches the panel even when it starts with text.
  const panelProps = (v: ViewName) => ({ role: 'tabpanel', id: panelId(v), 'aria-labelledby': tabId(v), hidden: shownView !== v, tabIndex: 0, className: `view view-${v.toLowerCase()}` });

  return (
    <div className={`app${wide ? ' app-wide' : ''}`}>
      <SessionBar
        status={state.status}
        linked={state.linked}
        permission={permission}
        pushToTalk={pushToTalk}
        talking={talking}
        levels={store.levels}
        adapterLabel={shortLabel}
        onConnect={connect}
        onDisconnect={() => send({ type: 'disconnect' })}
        onGrant={openPermissionPage}
        onMute={(muted) => send({ type: 'set-mic-enabled', enabled: !muted })}
        onInterrupt={() => send({ type: 'interrupt' })}
        onTalk={talk}
        recording={state.status.recording ? <RecordingIndicator /> : null}
        sessionInfo={liveSessionOfThisAdapter && state.status.sessionLimit ? <SessionLimitStatus limit={state.status.sessionLimit} /> : null}
        onSkipToEvents={() => {
          if (!wide) setView('Events');
          setFocusEvents((n) => n + 1);
        }}
      />
      <RecordingNotice recording={state.status.recording === true} onTurnOff={() => setView('Recordings')} />
      {(shownAlert || echoRisk || selfHearing) && (
        <div className="bar-notices">
          {shownAlert && (
            <ErrorAlert
              alert={shownAlert}
              onDismiss={() => setDismissedAt(Date.now())}
              onShowInLog={(seq) => {
                if (!wide) setView('Events');
                setImported(null);
                setShowInLog({ seq, nonce: Date.now() });
              }}
            />
          )}
          {echoRisk && (
            <div className="notice notice-warn">
              <p>
                Echo warning: the playback path has no echo cancellation{stats.playbackPath ? ` (${stats.playbackPath})` : ''}, so the model may hear itself. Wear headphones.
              </p>
            </div>
          )}
          {selfHearing && (
            <div className="notice notice-warn" role="alert" aria-label="Self-interruption warning">
              <p>
                The bot may have interrupted itself: its own voice reached the microphone ({selfHearing.reason}). Wear headphones, or run Check echo in Settings.
              </p>
            </div>
          )}
        </div>
      )}
      <main className="views" ref={viewsRef} style={wide ? ({ '--split': eventsShown ? `${Math.round(split * 1000) / 10}%` : '100%' } as CSSProperties) : undefined}>
        <div className={`pane-main${!wide && shownView === 'Events' ? ' pane-main-collapsed' : ''}`} id="pane-main">
          <ViewTabs views={mainViews} selected={shownView} onSelect={selectView} />
          <div {...panelProps('Conversation')} ref={conversationRef}>
            {state.conversation.length === 0 && !open && (
              <p className="start-hint">
                <strong>{shortLabel}</strong> → <strong>Connect</strong> → speak. {adapter.needsKey ? 'Paste an API key in Settings first, or pick Loopback there to try without one.' : 'No key needed; change the adapter in Settings.'}
              </p>
            )}
            <ConversationView
              turns={state.conversation}
              canSend={transportState === 'ready'}
              onSend={(text) => send({ type: 'send-text', text })}
              onClear={() => send({ type: 'clear-conversation' })}
              onToolResult={(toolCallId, result) => send({ type: 'tool-result', toolCallId, result })}
              onMcpApproval={(requestId, approve) => send({ type: 'client-message', t: 'mcp-approval-response', data: { approval_request_id: requestId, approve } })}
              onShowEvents={(seq) => {
                if (!wide) setView('Events');
                setImported(null);
                setEventJump({ seq });
              }}
              history={store.history}
              live={transportState === 'ready' || transportState === 'connected'}
              levels={store.levels}
            />
            {adapter.id.startsWith('pipecat-') && <RtviMessageForm ready={transportState === 'ready'} onSend={(messageType, data) => send({ type: 'rtvi-message', messageType, data })} />}
            <TabInputSection
              ready={transportState === 'ready'}
              acceptsVideo={adapter.acceptsVideo === true}
              tabShare={state.status.tabShare ?? null}
              levels={store.levels}
              send={send}
              onError={(message) => setLocalError({ message, at: Date.now() })}
            />
          </div>
          <div {...panelProps('Tests')}>
            <TestsView run={state.voiceTests} adapterId={adapterId} endpoint={settings?.endpoint ?? ''} keysFor={keysForTests} send={send} onShowFailure={(id, t) => {
              setRecordingRequest((r) => ({ id, ...(t !== undefined ? { t } : {}), n: (r?.n ?? 0) + 1 }));
              setView('Recordings');
            }} />
          </div>
          <div {...panelProps('Metrics')}>
            <MetricsPanel events={store.history} stats={'chunkMs' in stats ? (stats as MediaStats) : null} headphones={state.devices.selected.headphones === true} />
          </div>
          <div {...panelProps('Settings')}>
            <SessionControls
              adapters={adapters}
              adapterId={adapterId}
              onAdapterChange={onAdapterChange}
              keyForm={keyForm}
              onKeyChange={onKeyChange}
              onForgetKey={onForgetKey}
              status={state.status}
              permission={permission}
              onMicTest={(start) => send({ type: 'mic-test', action: start ? 'start' : 'stop' })}
              onGrant={openPermissionPage}
              onCamera={(on) => send({ type: 'set-cam-enabled', enabled: on })}
            />
            <section className="card" aria-labelledby="settings-heading">
              <h2 id="settings-heading">Session settings ({shortLabel})</h2>
              <p className="help section-note">{sectionApplyNote([...form.main, ...form.advanced])}</p>
              {pendingCount > 0 && (
                <div className="pending-bar" role="status" aria-label="Pending changes">
                  <p>
                    {pending.reconnect.length > 0 && `${pending.reconnect.length} ${pending.reconnect.length === 1 ? 'change needs' : 'changes need'} a reconnect (${pending.reconnect.join(', ')}).`}
                    {pending.reconnect.length > 0 && pending.live.length > 0 ? ' ' : ''}
                    {pending.live.length > 0 && `${pending.live.length} live ${pending.live.length === 1 ? 'change' : 'changes'} not applied yet (${pending.live.join(', ')}): press Apply.`}
                  </p>
                </div>
              )}
              {form.main.map((v) => (
                <SettingFieldControl key={`${adapterId}:${v.field.key}`} view={v} onChange={setValue} tagKind={tagKind} />
              ))}
              <details className="advanced">
                <summary>Advanced settings</summary>
                <div className="field">
                  <label htmlFor="endpoint-url">Endpoint URL</label>
                  <input
                    id="endpoint-url"
                    type="url"
                    placeholder={adapter.defaultEndpoint ?? 'Provider default'}
                    value={settings?.endpoint ?? ''}
                    aria-describedby="endpoint-help"
                    onChange={(e) => {
                      const endpoint = e.target.value;
                      updateCfg((s) => ({ ...s, endpoint }));
                    }}
                  />
                  <p id="endpoint-help" className="help">
                    {tagKind === 'reconnect' && (
                      <>
                        <span className="apply-tag apply-reconnect">reconnect</span>{' '}
                      </>
                    )}
                    Empty uses the provider's default.
                  </p>
                </div>
                <div className="field">
                  <label htmlFor="idle-timeout">Idle disconnect (seconds)</label>
                  <input
                    id="idle-timeout"
                    type="number"
                    min={0}
                    max={86_400}
                    step={1}
                    value={settings?.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S}
                    aria-describedby="idle-timeout-help"
                    onChange={(e) => {
                      const v = Math.max(0, Math.min(86_400, Math.round(Number(e.target.value) || 0)));
                      updateCfg((s) => ({ ...s, idleTimeoutS: v }));
                    }}
                  />
                  <p id="idle-timeout-help" className="help">
                    With no speech or text for this long, the session is warned 30 s ahead, then disconnected so it stops billing. 0 never disconnects. Applies at the next Connect.
                  </p>
                </div>
                {form.advanced.map((v) => (
                  <SettingFieldControl key={`${adapterId}:${v.field.key}`} view={v} onChange={setValue} tagKind={tagKind} />
                ))}
              </details>
              {form.hasLiveFields && (
                <div className="buttons">
                  <button type="button" onClick={apply} disabled={!liveSessionOfThisAdapter || transportState !== 'ready'}>
                    Apply
                  </button>
                </div>
              )}
              {liveSessionOfThisAdapter && state.lastApply && (
                <p className="help" role="status" aria-label="Apply result">
                  {state.lastApply.applied.length ? `Applied live: ${state.lastApply.applied.join(', ')}.` : 'Nothing changed live.'}
                  {state.lastApply.needReconnect.length ? ` Needs a reconnect: ${state.lastApply.needReconnect.join(', ')}.` : ''}
                  {state.lastApply.failed?.length ? ` Not applied: ${state.lastApply.failed.map((f) => `${f.key} (${f.reason})`).join(', ')}.` : ''}
                  {state.lastApply.deferred?.length ? ` Applies when the current reply ends: ${state.lastApply.deferred.join(', ')}.` : ''}
                </p>
              )}
            </section>
            {form.tools && settings && (
              <ToolsSection
                view={form.tools}
                text={toolsText}
                validation={toolsCheck}
                mocks={settings.toolMocks}
                timeoutS={settings.toolTimeoutS}
                onText={(t) => setValue(TOOLS_KEY, t)}
                onMock={(name: string, m: ToolMock) => updateCfg((s) => ({ ...s, toolMocks: { ...s.toolMocks, [name]: m } }))}
                onTimeout={(t) => updateCfg((s) => ({ ...s, toolTimeoutS: t }))}
              />
            )}
            {toolNotes.length > 0 && (
              <p className="help" role="note" aria-label="Tool schema changes">
                {`${adapter.label} gets these schemas in the form it honours; dropped or changed: ${toolNotes.join('; ')}.`}
              </p>
            )}
            <PresetsSection
              presets={presets}
              selected={presetSel}
              name={presetName}
              notice={presetNotice}
              onSelect={(n) => {
                setPresetSel(n);
                if (n) setPresetName(n);
              }}
              onName={setPresetName}
              onSave={savePreset}
              onLoad={loadPreset}
              onRename={renamePreset}
              onDelete={deletePreset}
              onExport={exportPresets}
              onImport={importPresets}
              adapterLabel={(id) => findAdapter(id)?.label ?? id}
              loaded={loadedInfo}
            />
            <DevicesSection
              devices={state.devices}
              showCamera={adapter.acceptsVideo}
              cameraOn={state.status.camEnabled === true}
              onSelect={(kind, deviceId) => send({ type: 'select-device', kind, deviceId })}
              onHeadphones={(on) => send({ type: 'set-headphones', on })}
              sessionOpen={open}
              echoCheck={{ status: state.status.echoCheck, sessionOpen: open, onRun: () => send({ type: 'echo-check' }) }}
            />
          </div>
          <div {...panelProps('Replay')}>
            {recordings && shownView === 'Replay' && (
              <ReplayView
                listing={state.recordings}
                client={recordings}
                replay={state.status.replay}
                target={{ adapterId, adapterLabel: adapter.label, model: typeof values.model === 'string' && values.model.trim() ? values.model.trim() : undefined }}
                connectCommand={connectCommand}
                onStart={(sourceId, connect) => {
                  // As Connect does: a vendor's token host is asked for in the click's gesture.
                  void requestTokenHost(adapter.tokenHostPermission?.(connect.endpoint ?? '')).then(() => send({ type: 'replay', sourceId, connect }));
                }}
              />
            )}
          </div>
          <div {...panelProps('Recordings')}>{recordings && shownView === 'Recordings' && <RecordingsView listing={state.recordings} notice={state.recordingsNotice} client={recordings} openRequest={recordingRequest} onOpenChange={setRecordingOpen} renderTimeline={(rec, atMs) => <RecordingView recording={rec} heading={false} {...(atMs !== undefined ? { initialMs: atMs } : {})} />} />}</div>
        </div>
        {wide && eventsShown && (
          <PaneSplitter
            split={split}
            controls="pane-main"
            onChange={setSplit}
            onCommit={(f) => {
              void saveLayout({ split: f });
            }}
          />
        )}
        <div
          id={panelId('Events')}
          ref={eventsRef}
          className="view view-events pane-events"
          {...(wide ? { role: 'region', 'aria-label': 'Events' } : { role: 'tabpanel', 'aria-labelledby': tabId('Events') })}
          hidden={!eventsShown}
        >
          <div className="row">
            {/* At one-pane widths the selected Events tab already names the view. */}
            <h2 id="event-log-heading" className={wide || imported ? 'grow' : 'grow sr-only'}>
              {imported ? `Imported events (${imported.header.adapter})` : 'Events'}
            </h2>
            {imported && (
              <button type="button" className="secondary" onClick={() => setImported(null)}>
                Back to live events
              </button>
            )}
          </div>
          {imported ? (
            <EventLog className="events-fill" events={imported.events} readOnly onClear={() => setImported(null)} onExport={exportEvents} onImport={importEvents} notice={logNotice} />
          ) : (
            <EventLog
              className="events-fill"
              events={store.history}
              jumpRequest={eventJump}
              showSeq={showInLog}
              onClear={() => {
                store.history.clear();
                send({ type: 'clear-events' });
              }}
              onExport={exportEvents}
              onImport={importEvents}
              notice={logNotice}
            />
          )}
        </div>
      </main>
    </div>
  );
}
