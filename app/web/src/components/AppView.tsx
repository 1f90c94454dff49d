import { useEffect, useMemo, useRef, useState } from 'react';
import { NotebookSocket, type ConnectionState } from '../api/socket';
import { useServices } from '../services';
import { applyAppEvent, EMPTY_APP_VIEW, isRunning, type AppViewState } from '../state/app-model';
import type { AppCell } from '../api/types';
import { Icon } from './Icon';
import { ErrorOutput } from './outputs/ErrorOutput';
import { OutputView } from './outputs/OutputView';
import { stderrOf, TextOutput } from './outputs/TextOutput';
import { WidgetChannelProvider } from './widgets/widget-channel';
import { WidgetSender } from '../state/widget-sender';

/**
 * The app view (`/app/{id}`): the notebook's outputs in notebook order, code hidden unless the
 * author shows it, in a session of the viewer's own that runs when the app opens. Every output
 * goes through the renderer registry (widgets and markdown included; widgets are live, in the
 * viewer's session); Stop interrupts the
 * viewer's run. Nothing here can edit the notebook: the socket is an app socket.
 */
export function AppView({ notebookId }: { notebookId: string }) {
  const { getToken } = useServices();
  const [view, setView] = useState<AppViewState>(EMPTY_APP_VIEW);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const socketRef = useRef<NotebookSocket | null>(null);
  // This tab's own session (marimo's `run` gives each tab one): reconnects keep it, another tab has another.
  const appView = useMemo(() => newAppViewId(), []);
  // The viewer's widgets set values in their own session, over the app socket (coalesced as on the notebook page).
  const widgets = useMemo(
    () =>
      new WidgetSender((widgetId, value) => {
        const socket = socketRef.current;
        return socket ? socket.setWidgetValue(widgetId, value) : Promise.reject(new Error('Not connected: the value was not sent.'));
      }),
    [],
  );

  useEffect(() => {
    const socket = new NotebookSocket({
      notebookId,
      getToken,
      app: true,
      appView,
      onEvent: (event) => setView((state) => applyAppEvent(state, event)),
      onState: (state) => setConnection(state),
      onReady: () => undefined,
      onAppState: (notebook) => {
        setView({ notebook, problem: null });
        // Opening the app is the viewer asking for its results: their own session runs it all once.
        socket.runAll();
      },
    });
    socketRef.current = socket;
    return () => {
      socket.close();
      socketRef.current = null;
    };
  }, [notebookId, getToken, appView]);

  const { notebook, problem } = view;
  const running = isRunning(notebook);
  useEffect(() => {
    if (notebook) document.title = notebook.name;
  }, [notebook?.name]);

  return (
    <WidgetChannelProvider channel={widgets}>
      <div className="app-view">
        <div className="notebook__bar app-view__bar">
          <h1 className="notebook__title">{notebook?.name ?? 'App'}</h1>
          <span className="app-view__status" role="status" aria-live="polite" data-testid="app-status">
            {connection === 'unauthorized' ? 'Unavailable' : connection === 'offline' ? 'Offline' : !notebook ? 'Opening…' : running ? 'Running…' : 'Idle'}
          </span>
          <span className="cell__spacer" />
          <button type="button" className="btn btn--ghost" disabled={!notebook || running} onClick={() => socketRef.current?.runAll()} aria-label="Run again">
            <Icon name="playAll" /> <span className="btn-label">Run again</span>
          </button>
          <button type="button" className="btn btn--ghost" disabled={!running} onClick={() => socketRef.current?.interrupt()} aria-label="Stop">
            <Icon name="stop" /> <span className="btn-label">Stop</span>
          </button>
          {notebook?.is_owner && <a className="btn btn--ghost" href={`#/n/${encodeURIComponent(notebookId)}`}>Edit notebook</a>}
        </div>
        {problem && <p className="banner banner--error" role="alert">{problem}</p>}
        <main className="app-view__outputs" id="main-content" tabIndex={-1} aria-label="App" aria-busy={!notebook}>
          {notebook?.cells.map((cell) => <AppCellView key={cell.id} cell={cell} />)}
        </main>
      </div>
    </WidgetChannelProvider>
  );
}

/** One cell's results; a cell with nothing to show takes no room. */
function AppCellView({ cell }: { cell: AppCell }) {
  const stderr = stderrOf(cell);
  // A markdown cell's text is the author's prose: rendered (by the registry) until the cell has an output of its own.
  const prose = cell.markdown !== undefined && cell.outputs.length === 0 && cell.markdown.trim() !== '' ? cell.markdown : null;
  const hasResults = cell.stdout !== '' || stderr !== '' || cell.outputs.length > 0 || prose !== null || (cell.error !== null && cell.status !== 'blocked');
  const code = cell.markdown === undefined ? cell.code : undefined;
  if (!hasResults && code === undefined) return null;
  return (
    <section className={`app-cell app-cell--${cell.status}`} data-cell-id={cell.id} aria-label="Cell result">
      {code !== undefined && <pre className="app-cell__code"><code>{code}</code></pre>}
      {prose !== null && <OutputView output={{ mime_type: 'text/markdown', data: prose }} />}
      {cell.stdout !== '' && <TextOutput text={cell.stdout} stream="stdout" />}
      {stderr !== '' && <TextOutput text={stderr} stream="stderr" />}
      {cell.outputs.map((output, i) => <OutputView key={i} output={output} />)}
      {cell.error !== null && cell.status !== 'blocked' && <ErrorOutput error={cell.error} cellId={cell.id} />}
    </section>
  );
}

/** A random id of one app view (the handshake's `view`). */
function newAppViewId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
