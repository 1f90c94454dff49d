import { StrictMode, useMemo } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { ApiClient } from './api/http';
import type { AppConfig } from './api/types';
import { App } from './App';
import { renderCounts } from './perf/render-count';
import { setLoadedLanguages } from './plugins/languages';
import { ServicesProvider } from './services';
import './styles.css';
// Stylesheets of the variable explorer, the dependency graph and live tables (imported here, not by the components, so that unit tests load those without CSS).
import './components/variable-explorer.css';
import './components/dependency-graph.css';
import './components/outputs/live-table.css';

// Profiling aid: `__rnbRenderCounts.enabled = true` in the console counts cell renders.
(window as unknown as { __rnbRenderCounts: typeof renderCounts }).__rnbRenderCounts = renderCounts;

const root = createRoot(document.getElementById('root')!);
const noToken = async (): Promise<null> => null;

function NoAuthRoot() {
  const services = useMemo(() => ({ api: new ApiClient(), getToken: noToken }), []);
  return (
    <ServicesProvider services={services}>
      <App />
    </ServicesProvider>
  );
}

/**
 * Another auth plugin than Clerk (an embedder's own): the embedding app signs the user in and leaves
 * the bearer token in localStorage under `rnb:token`; the page sends it with every request and socket.
 */
const storedToken = async (): Promise<string | null> => window.localStorage.getItem('rnb:token');

function StoredTokenRoot() {
  const services = useMemo(() => ({ api: new ApiClient({ getToken: storedToken }), getToken: storedToken }), []);
  return (
    <ServicesProvider services={services}>
      <App />
    </ServicesProvider>
  );
}

async function boot(target: Root): Promise<void> {
  let config: AppConfig;
  try {
    config = await new ApiClient().config();
  } catch (err) {
    target.render(
      <main className="page page--center">
        <h1>Cannot reach the notebook server</h1>
        <p role="alert">{(err as Error).message}</p>
        <button type="button" className="btn btn--primary" onClick={() => void boot(target)}>Try again</button>
      </main>,
    );
    return;
  }
  setLoadedLanguages(config.languages);
  if (config.auth === 'clerk') {
    if (!config.clerk_publishable_key) {
      target.render(<main className="page page--center"><h1>Sign-in is not configured</h1><p role="alert">The server uses Clerk but sent no publishable key (CLERK_PUBLISHABLE_KEY).</p></main>);
      return;
    }
    // Clerk's SDK is loaded only when the host uses it, which keeps it out of the initial bundle.
    const { ClerkRoot } = await import('./auth/ClerkRoot');
    target.render(<StrictMode><ClerkRoot publishableKey={config.clerk_publishable_key} /></StrictMode>);
    return;
  }
  target.render(<StrictMode>{config.auth === 'none' ? <NoAuthRoot /> : <StoredTokenRoot />}</StrictMode>);
}

void boot(root);
