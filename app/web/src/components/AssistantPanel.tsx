import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ApiError } from '../api/http';
import { streamChat } from '../api/chat';
import { applyChatEvent, toMessages, type ChatEntry, type ChatPart } from '../state/chat-state';
import type { NotebookController } from '../state/notebook-controller';
import { useServices } from '../services';

const TOOL_LABELS: Record<string, string> = {
  get_notebook_state: 'Read the notebook',
  create_cell: 'Create a cell',
  update_cell: 'Edit a cell',
  delete_cell: 'Delete a cell',
  run_cell: 'Run a cell',
};

/**
 * The notebook assistant: a chat beside the cells. The answer streams in as
 * text and compact tool steps; the cells themselves change through the
 * socket like anyone else's edits, so nothing here touches the model.
 */
export function AssistantPanel({ controller, onClose }: { controller: NotebookController; onClose: () => void }) {
  const { api, getToken } = useServices();
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [draft, setDraft] = useState('');
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const logRef = useRef<HTMLDivElement | null>(null);
  const busy = entries.some((e) => e.role === 'assistant' && e.state === 'streaming');

  // Leaving the page ends the conversation's stream (and, on the server, its loop).
  useEffect(() => () => abortRef.current?.abort(), []);
  // Say at once when the server cannot answer (no API key), rather than after a first question.
  useEffect(() => {
    let live = true;
    api.config().then((config) => {
      if (live && config.assistant && !config.assistant.available) setUnavailable(config.assistant.reason ?? '');
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [entries]);

  const send = async (text: string): Promise<void> => {
    const question = text.trim();
    if (!question || busy) return;
    const userEntry: ChatEntry = { id: nextId.current++, role: 'user', text: question };
    const answerId = nextId.current++;
    const history = toMessages([...entries, userEntry]);
    setEntries((current) => [...current, userEntry, { id: answerId, role: 'assistant', parts: [], state: 'streaming' }]);
    setDraft('');
    const abort = new AbortController();
    abortRef.current = abort;
    const update = (fn: (entry: Extract<ChatEntry, { role: 'assistant' }>) => Extract<ChatEntry, { role: 'assistant' }>): void => {
      setEntries((current) => current.map((e) => (e.id === answerId && e.role === 'assistant' ? fn(e) : e)));
    };
    try {
      await streamChat({ notebookId: controller.notebookId, messages: history, getToken, signal: abort.signal, onEvent: (event) => update((e) => applyChatEvent(e, event)) });
      update((e) => (e.state === 'streaming' ? { ...e, state: abort.signal.aborted ? 'stopped' : 'done' } : e));
    } catch (err) {
      if (err instanceof ApiError && err.status === 503) setUnavailable(err.message);
      update((e) => ({ ...e, state: 'failed', error: err instanceof Error ? err.message : String(err) }));
    } finally {
      if (abortRef.current === abort) abortRef.current = null;
    }
  };

  const stop = (): void => {
    abortRef.current?.abort();
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void send(draft);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send(draft);
    }
  };

  return (
    <aside className="notebook__assistant assistant" aria-label="Assistant">
      <div className="assistant__head">
        <h2>Assistant</h2>
        <span className="cell__spacer" />
        {entries.length > 0 && !busy && <button type="button" className="btn btn--small btn--ghost" onClick={() => setEntries([])}>Clear</button>}
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close the assistant">✕</button>
      </div>
      {unavailable && (
        <p className="banner banner--warn assistant__unavailable" role="alert">
          The assistant is not available on this server. {unavailable}
        </p>
      )}
      <div className="assistant__log" role="log" aria-live="polite" ref={logRef}>
        {entries.length === 0 && <p className="assistant__hint">Ask about this notebook, or ask for cells to be written, run and fixed. Changes appear live.</p>}
        {entries.map((entry) => entry.role === 'user'
          ? <div key={entry.id} className="assistant__msg assistant__msg--user">{entry.text}</div>
          : (
            <div key={entry.id} className="assistant__msg assistant__msg--assistant" data-state={entry.state}>
              {entry.parts.map((part, i) => <PartView key={i} part={part} controller={controller} />)}
              {entry.state === 'streaming' && <span className="assistant__typing" aria-label="The assistant is answering">…</span>}
              {entry.state === 'stopped' && <p className="assistant__note">Stopped.</p>}
              {entry.note && <p className="assistant__note">{entry.note}</p>}
              {entry.error && <p className="assistant__error" role="alert">{entry.error}</p>}
            </div>
          ))}
      </div>
      <form className="assistant__form" onSubmit={onSubmit}>
        <textarea
          aria-label="Message the assistant"
          placeholder={unavailable ? 'Not configured' : 'Ask the assistant… (Enter to send)'}
          value={draft}
          rows={3}
          disabled={unavailable !== null}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {busy
          ? <button type="button" className="btn" onClick={stop}>Stop</button>
          : <button type="submit" className="btn btn--primary" disabled={!draft.trim() || unavailable !== null}>Send</button>}
      </form>
    </aside>
  );
}

function PartView({ part, controller }: { part: ChatPart; controller: NotebookController }) {
  if (part.kind === 'text') return <p className="assistant__text">{part.text}</p>;
  const label = TOOL_LABELS[part.name] ?? part.name;
  const icon = part.state === 'running' ? '⋯' : part.state === 'ok' ? '✓' : '✗';
  const cellId = part.cellId;
  const canGo = cellId !== undefined && controller.model.getCell(cellId) !== undefined;
  return (
    <div className={`assistant__step assistant__step--${part.state}`} data-tool={part.name}>
      <span aria-hidden="true" className="assistant__step-icon">{icon}</span>
      <span className="assistant__step-label">{label}</span>
      {part.summary && <span className="assistant__step-summary">{part.summary}</span>}
      {canGo && (
        <button type="button" className="btn btn--small btn--ghost" onClick={() => goToCell(controller, cellId)}>
          Cell {controller.model.indexOf(cellId) + 1}
        </button>
      )}
    </div>
  );
}

function goToCell(controller: NotebookController, cellId: string): void {
  // Focused first: in a long notebook that brings a far cell into layout, where it can be scrolled to.
  controller.focusCell(cellId);
  const section = document.querySelector(`section[data-cell-id="${CSS.escape(cellId)}"]`);
  section?.scrollIntoView({ block: 'center', behavior: 'smooth' });
}
