import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { appBase } from './api/base-url';
import { NotebookList } from './components/NotebookList';
import { useTheme } from './theme';

// The notebook page carries CodeMirror and socket.io: loaded on first open, not with the list.
const NotebookPage = lazy(() => import('./components/NotebookPage').then((m) => ({ default: m.NotebookPage })));
const AppView = lazy(() => import('./components/AppView').then((m) => ({ default: m.AppView })));

type Route = { kind: 'list' } | { kind: 'notebook'; id: string } | { kind: 'app'; id: string };

/**
 * Hash routes (`#/`, `#/n/<id>`): the path stays the host's prefix, whatever it is. One path
 * route: `<prefix>/app/<id>`, the app view, a link to share (`path`: relative to the app's base).
 */
export function parseRoute(hash: string, path = ''): Route {
  const app = /^app\/([^/?#]+)\/?$/.exec(path);
  if (app && (hash === '' || hash === '#' || hash === '#/')) return { kind: 'app', id: decodeURIComponent(app[1]!) };
  const match = /^#\/n\/([^/?#]+)/.exec(hash);
  return match ? { kind: 'notebook', id: decodeURIComponent(match[1]!) } : { kind: 'list' };
}

/** The location's path relative to the app's base (`app/<id>` on the app view). */
export function pathFromBase(): string {
  const base = appBase().pathname;
  const path = window.location.pathname;
  return path.startsWith(base) ? path.slice(base.length) : '';
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash, pathFromBase()));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash, pathFromBase()));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App({ userSlot }: { userSlot?: ReactNode }) {
  const route = useRoute();
  const [theme, cycleTheme] = useTheme();
  const themeLabel = { light: 'Light theme', dark: 'Dark theme', system: 'System theme' }[theme];
  return (
    <div className="app">
      <a className="skip-link" href="#main-content" onClick={(e) => { e.preventDefault(); document.querySelector<HTMLElement>('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="app-bar">
        <a className="brand" href="#/">
          <span aria-hidden="true" className="brand__mark">◆</span> Reactive Notebook
        </a>
        <span className="cell__spacer" />
        <button type="button" className="btn btn--ghost btn--small" onClick={cycleTheme} aria-label={`${themeLabel} (change theme)`} title="Change theme">
          {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} <span className="hide-narrow">{themeLabel}</span>
        </button>
        {userSlot}
      </header>
      {route.kind === 'app' && (
        <Suspense fallback={<main className="page page--center" aria-busy="true"><p>Loading app…</p></main>}>
          <AppView key={route.id} notebookId={route.id} />
        </Suspense>
      )}
      {route.kind === 'app' ? null : route.kind === 'notebook'
        ? (
          <Suspense fallback={<main className="page page--center" aria-busy="true"><p>Loading notebook…</p></main>}>
            <NotebookPage key={route.id} notebookId={route.id} />
          </Suspense>
        )
        : <NotebookList onOpen={(id) => { window.location.hash = `#/n/${encodeURIComponent(id)}`; }} />}
    </div>
  );
}
