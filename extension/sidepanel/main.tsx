import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.tsx';
import { PanelStore } from './panel-store.ts';
import { SessionPort } from './session-port.ts';
import './panel.css';

const store = new PanelStore();
const port = new SessionPort(
  (event) => store.dispatch(event),
  () => store.markLinkLost(),
);
port.start();

// `?adapter=loopback` preselects an adapter (npm start and the tests use it).
const initialAdapter = new URLSearchParams(location.search).get('adapter') ?? undefined;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} send={(c) => port.send(c)} initialAdapter={initialAdapter} />
  </StrictMode>,
);
