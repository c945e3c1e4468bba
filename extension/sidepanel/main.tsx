import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.tsx';
import { PanelStore } from './panel-store.ts';
import { SessionPort } from './session-port.ts';
import { RecordingsClient } from './recordings-client.ts';
import './panel.css';

const store = new PanelStore();
let recordings: RecordingsClient | null = null;
const port = new SessionPort(
  (event) => (event.type === 'recordings-reply' ? recordings?.onReply(event) : event.type === 'recordings-reply-part' ? recordings?.onReplyPart(event.part) : store.dispatch(event)),
  () => store.markLinkLost(),
);
recordings = new RecordingsClient((c) => port.send(c));
port.start();

// `?adapter=loopback` preselects an adapter (npm start and the tests use it).
const initialAdapter = new URLSearchParams(location.search).get('adapter') ?? undefined;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} send={(c) => port.send(c)} initialAdapter={initialAdapter} recordings={recordings} />
  </StrictMode>,
);
