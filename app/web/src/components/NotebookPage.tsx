import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { ApiError } from '../api/http';
import { useMeta, useSignal } from '../state/hooks';
import { NotebookController } from '../state/notebook-controller';
import { NotebookModel } from '../state/notebook-model';
import { useServices } from '../services';
import { AssistantPanel } from './AssistantPanel';
import { CellList } from './CellList';
import { DependencyGraph } from './DependencyGraph';
import { Icon } from './Icon';
import { ExportMenu } from './ExportMenu';
import { AppMenu } from './AppMenu';
import { DOUBLE_PRESS_MS, doublePressLabel, NOTEBOOK_KEYS } from './keys';
import { ConfirmDialog } from './Modal';
import { PageTools } from './PageTools';
import { SettingsDialog } from './SettingsDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { ShareDialog } from './ShareDialog';
import { HistoryPanel } from './HistoryPanel';
import { WidgetChannelProvider } from './widgets/widget-channel';
import { VariableExplorer } from './VariableExplorer';
import { RuntimeCallContext } from './outputs/live-table';
import { PeopleHere } from './Presence';
import { presenceName } from '../state/presence-name';

type Load = { state: 'loading' } | { state: 'ready'; controller: NotebookController } | { state: 'failed'; message: string; notFound: boolean };

/** Loads a notebook, owns its controller for as long as the page is open. */
export function NotebookPage({ notebookId }: { notebookId: string }) {
  const { api, getToken, userName } = useServices();
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let controller: NotebookController | null = null;
    let cancelled = false;
    setLoad({ state: 'loading' });
    api.getNotebook(notebookId).then(
      (notebook) => {
        if (cancelled) return;
        controller = new NotebookController(new NotebookModel(notebook), { api, getToken, ...(notebook.role ? { role: notebook.role } : {}) });
        controller.start();
        setLoad({ state: 'ready', controller });
        const session = controller.coedit;
        void presenceName(api, userName).then((name) => {
          if (!cancelled && name) session?.setName(name);
        });
      },
      (err: unknown) => {
        if (cancelled) return;
        const notFound = err instanceof ApiError && err.status === 404;
        setLoad({ state: 'failed', notFound, message: notFound ? 'This notebook does not exist or is not yours.' : String((err as Error).message ?? err) });
      },
    );
    return () => {
      cancelled = true;
      controller?.dispose();
    };
  }, [api, getToken, userName, notebookId]);

  if (load.state === 'loading') return <main className="page page--center" aria-busy="true"><p>Loading notebook…</p></main>;
  if (load.state === 'failed') {
    return (
      <main className="page page--center">
        <h1>{load.notFound ? 'Notebook not found' : 'Could not open the notebook'}</h1>
        <p role="alert">{load.message}</p>
        <a className="btn" href="#/">Back to notebooks</a>
      </main>
    );
  }
  return <NotebookScreen controller={load.controller} />;
}

function NotebookScreen({ controller }: { controller: NotebookController }) {
  const { api } = useServices();
  const meta = useMeta(controller.model);
  const [dialog, setDialog] = useState<'settings' | 'shortcuts' | 'restart' | 'share' | null>(null);
  const readOnly = controller.readOnly;
  const isOwner = controller.role === 'owner';
  const onDoublePress = useDoublePress();
  const [graphOpen, setGraphOpen] = useState(() => window.innerWidth >= 1280);
  const [assistantOpen, setAssistantOpen] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [variablesOpen, setVariablesOpen] = useState(false);
  const pageRef = useRef<HTMLDivElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  useBarHeight(pageRef, barRef);

  useEffect(() => {
    document.title = `${meta.name} · Reactive Notebook`;
  }, [meta.name]);

  useEffect(() => {
    // A new notebook (one empty cell): the cursor is already where the first line goes.
    const order = controller.model.getOrder();
    if (order.length === 1 && controller.model.getCell(order[0]!)?.code === '') controller.focusWhenMounted(order[0]!, 'start');
  }, [controller]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void controller.saver.flushAll().then(() => controller.notify('info', 'All cells saved'));
        return;
      }
      const target = event.target as HTMLElement | null;
      const typing = target?.closest('input, textarea, select, [contenteditable="true"], .cm-editor');
      // Outside an editor, Ctrl+Z (or z) undoes the last delete; inside one it is the editor's own undo.
      const undoKey = event.key.toLowerCase() === 'z' && !event.shiftKey && !event.altKey && (event.ctrlKey || event.metaKey || event.key === 'z');
      if (!typing && undoKey && !controller.readOnly && controller.canRestore()) {
        event.preventDefault();
        void controller.restoreDeleted();
        return;
      }
      if (!typing && (event.key === '?' || event.key === 'F1')) {
        event.preventDefault();
        setDialog('shortcuts');
        return;
      }
      if (typing || controller.readOnly || event.ctrlKey || event.metaKey || event.altKey || event.repeat || document.querySelector('[role="dialog"]')) return;
      const twice = onDoublePress(event.key.toLowerCase());
      if (twice === NOTEBOOK_KEYS.runAll) void controller.runAll();
      else if (twice === NOTEBOOK_KEYS.restart) setDialog('restart');
      else if (twice === NOTEBOOK_KEYS.clearOutputs) void controller.clearOutputs();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller, onDoublePress]);

  return (
    <WidgetChannelProvider channel={controller.widgets}>
    <RuntimeCallContext.Provider value={controller.callRuntime}>
    {/* The graph alone beside the cells: on a wide screen the cells then keep their place (styles.css), so opening it
        does not move, and so re-paint, every cell of a long notebook. */}
    <div ref={pageRef} className={graphOpen ? `notebook notebook--with-graph${variablesOpen || historyOpen || assistantOpen ? '' : ' notebook--graph-only'}` : 'notebook'}>
      <div className="notebook__bar" ref={barRef}>
        <a className="btn btn--ghost" href="#/" aria-label="Back to notebooks">← Notebooks</a>
        <h1 className="notebook__title">{meta.name}</h1>
        <span className={`mode mode--${meta.lazy ? 'lazy' : 'auto'}`} title="Run mode (change it in the settings)">
          {meta.lazy ? 'Lazy' : 'Auto-run'}
        </span>
        {readOnly && <span className="mode mode--view-only" title="Shared with you as a viewer: you see code, outputs and live changes, and cannot edit or run">View only</span>}
        {!readOnly && !isOwner && <span className="mode mode--shared" title="Shared with you as an editor: you edit and run in the owner's kernel">Editor</span>}
        <ConnectionDot controller={controller} />
        <PeopleHere coedit={controller.coedit} />
        {/* The actions wrap onto a second row, right-aligned, when the bar has no room for them all: none is cut off. */}
        <div className="notebook__actions" role="toolbar" aria-label="Notebook actions">
        {!readOnly && <>
        {meta.lazy && (
          <button type="button" className="btn btn--ghost" onClick={controller.runStale} title="Run every stale cell" aria-label="Run stale">
            <Icon name="play" /> <span className="btn-label">Run stale</span>
          </button>
        )}
        <button type="button" className="btn btn--ghost" onClick={() => void controller.runAll()} title={`Run every cell (${doublePressLabel(NOTEBOOK_KEYS.runAll)})`} aria-label="Run all"><Icon name="playAll" /> <span className="btn-label">Run all</span></button>
        <button type="button" className="btn btn--ghost" onClick={() => controller.interrupt()} title="Interrupt whatever runs" aria-label="Interrupt"><Icon name="stop" /> <span className="btn-label">Interrupt</span></button>
        <button type="button" className="btn btn--ghost" onClick={() => setDialog('restart')} title={`Restart the kernel: every value is lost (${doublePressLabel(NOTEBOOK_KEYS.restart)})`} aria-label="Restart"><Icon name="restart" /> <span className="btn-label">Restart</span></button>
        <button type="button" className="btn btn--ghost" onClick={() => void controller.clearOutputs()} title={`Clear every output (${doublePressLabel(NOTEBOOK_KEYS.clearOutputs)})`} aria-label="Clear outputs"><Icon name="clear" /> <span className="btn-label">Clear outputs</span></button>
        </>}
        <button type="button" className="btn btn--ghost" aria-pressed={graphOpen} onClick={() => setGraphOpen((o) => !o)}>Graph</button>
        <button type="button" className="btn btn--ghost" aria-pressed={variablesOpen} onClick={() => setVariablesOpen((o) => !o)}>Variables</button>
        {!readOnly && <button type="button" className="btn btn--ghost" aria-pressed={assistantOpen} onClick={() => setAssistantOpen((o) => !o)}>Assistant</button>}
        <button type="button" className="btn btn--ghost" aria-pressed={historyOpen} onClick={() => setHistoryOpen((o) => !o)}>History</button>
        <ExportMenu api={api} notebookId={controller.notebookId} onError={(message) => controller.notify('error', message)} />
        {isOwner && <AppMenu api={api} notebookId={controller.notebookId} settings={meta.app ?? undefined} onError={(message) => controller.notify('error', message)} />}
        {isOwner && <button type="button" className="btn btn--ghost" onClick={() => setDialog('share')}>Share</button>}
        {isOwner && <button type="button" className="btn btn--ghost" onClick={() => setDialog('settings')}>Settings</button>}
        <button type="button" className="btn btn--ghost" onClick={() => setDialog('shortcuts')} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"><Icon name="keyboard" /></button>
        </div>
      </div>
      <ConnectionBanner controller={controller} />
      {meta.kernelNotice && (
        <p className="banner banner--info" role="status">
          The kernel restarted ({meta.kernelNotice}). Outputs are kept but stale: run the cells again to refresh them.
        </p>
      )}
      <div className="notebook__body">
        <main className="notebook__cells" aria-label="Cells" id="main-content" tabIndex={-1}>
          <CellList controller={controller} />
        </main>
        {graphOpen && (
          <aside className="notebook__graph" aria-label="Dependencies">
            <h2>Dependencies</h2>
            <DependencyGraph controller={controller} />
          </aside>
        )}
        {historyOpen && <HistoryPanel controller={controller} onClose={() => setHistoryOpen(false)} />}
        {variablesOpen && (
          <aside className="notebook__vars" aria-label="Variable explorer">
            <h2>Variables</h2>
            <VariableExplorer controller={controller} />
          </aside>
        )}
        {/* Unmounted when closed, which also ends a conversation still streaming. */}
        {assistantOpen && <AssistantPanel controller={controller} onClose={() => setAssistantOpen(false)} />}
      </div>
      <Notices controller={controller} />
      <PageTools
        controller={controller}
        dialogs={{
          openShortcuts: () => setDialog('shortcuts'),
          openSettings: () => setDialog('settings'),
          askRestart: () => setDialog('restart'),
          toggleGraph: () => setGraphOpen((o) => !o),
          toggleAssistant: () => setAssistantOpen((o) => !o),
        }}
      />
      {dialog === 'settings' && <SettingsDialog controller={controller} onClose={() => setDialog(null)} />}
      {dialog === 'shortcuts' && <ShortcutsDialog onClose={() => setDialog(null)} />}
      {dialog === 'share' && <ShareDialog api={api} notebookId={controller.notebookId} onClose={() => setDialog(null)} />}
      {dialog === 'restart' && (
        <ConfirmDialog
          title="Restart the kernel?"
          message="Every value in the notebook's memory is lost and a run in progress stops. Cells keep their last outputs and show as stale until they run again."
          confirmLabel="Restart"
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            setDialog(null);
            void controller.restartKernel();
          }}
        />
      )}
    </div>
    </RuntimeCallContext.Provider>
    </WidgetChannelProvider>
  );
}

/**
 * Tells a key pressed twice in a row (within {@link DOUBLE_PRESS_MS}, nothing between) from a
 * single press: returns the key on its second press, null otherwise.
 */
/**
 * The bar's height as `--notebook-bar-height` on the page: it grows when its actions wrap (a narrow window, a long
 * title, many people here), and the side panels stick below it by that variable.
 */
function useBarHeight(pageRef: RefObject<HTMLDivElement | null>, barRef: RefObject<HTMLDivElement | null>): void {
  useLayoutEffect(() => {
    const page = pageRef.current;
    const bar = barRef.current;
    if (!page || !bar) return;
    const update = (): void => page.style.setProperty('--notebook-bar-height', `${bar.offsetHeight}px`);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(bar);
    return () => observer.disconnect();
  }, [pageRef, barRef]);
}

function useDoublePress(): (key: string) => string | null {
  const last = useRef<{ key: string; at: number } | null>(null);
  const [onKey] = useState(() => (key: string): string | null => {
    const now = performance.now();
    const previous = last.current;
    if (previous && previous.key === key && now - previous.at <= DOUBLE_PRESS_MS) {
      last.current = null;
      return key;
    }
    last.current = { key, at: now };
    return null;
  });
  return onKey;
}

function ConnectionDot({ controller }: { controller: NotebookController }) {
  const state = useSignal(controller.connection);
  const text = { online: 'Connected', connecting: 'Connecting…', offline: 'Offline', unauthorized: 'Signed out' }[state];
  return <span className={`conn conn--${state}`} role="status" data-connection={state}><span aria-hidden="true">●</span> {text}</span>;
}

function ConnectionBanner({ controller }: { controller: NotebookController }) {
  const state = useSignal(controller.connection);
  if (state === 'offline') {
    return (
      <div className="banner banner--warn" role="alert">
        Connection to the server lost. Reconnecting… Your edits stay here and are saved as soon as it is back.
        <button type="button" className="btn btn--small" onClick={() => controller.retryConnection()}>Retry now</button>
      </div>
    );
  }
  if (state === 'unauthorized') {
    return <div className="banner banner--error" role="alert">The server refused your session. Sign in again and reload the page.</div>;
  }
  return null;
}

function Notices({ controller }: { controller: NotebookController }) {
  const notices = useSignal(controller.notices);
  return (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`toast toast--${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          {n.action && (
            <button
              type="button"
              className="btn btn--small toast__action"
              onClick={() => {
                controller.dismissNotice(n.id);
                n.action!.run();
              }}
            >
              {n.action.label}
            </button>
          )}
          <button type="button" className="icon-btn" onClick={() => controller.dismissNotice(n.id)} aria-label="Dismiss">✕</button>
        </div>
      ))}
    </div>
  );
}
