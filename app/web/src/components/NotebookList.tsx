import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { NotebookSummary } from '../api/types';
import { useServices } from '../services';
import { ConfirmDialog } from './Modal';
import { SORT_LABELS, sizeText, visibleNotebooks, whenText, type NotebookSort } from './notebook-list-view';

/** The user's notebooks: create, search, sort, open, rename in place, duplicate, delete after confirmation. */
export function NotebookList({ onOpen }: { onOpen(id: string): void }) {
  const { api } = useServices();
  const [notebooks, setNotebooks] = useState<NotebookSummary[] | null>(null);
  // Entries with an owner are other users' notebooks shared with this user.
  const own = notebooks?.filter((nb) => nb.owner === undefined) ?? null;
  const shared = notebooks?.filter((nb) => nb.owner !== undefined) ?? null;
  const [error, setError] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<NotebookSummary | null>(null);
  const [importing, setImporting] = useState(false);
  const [importNotes, setImportNotes] = useState<{ id: string; name: string; notes: string[] } | null>(null);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<NotebookSort>('changed');

  const refresh = useCallback(async () => {
    try {
      setNotebooks(await api.listNotebooks());
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);

  useEffect(() => {
    document.title = 'Notebooks · Reactive Notebook';
    void refresh();
  }, [refresh]);

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setCreating(true);
    try {
      const id = await api.createNotebook(newName.trim() || undefined);
      setNewName('');
      onOpen(id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setCreating(false);
    }
  };

  const rename = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!renaming) return;
    const name = renaming.name.trim();
    if (name === '') return setError('A notebook needs a name.');
    try {
      await api.renameNotebook(renaming.id, name);
      setRenaming(null);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  /** A dropped or chosen .ipynb or .py becomes a new notebook; what the import noted is shown before opening it. */
  const importFile = async (file: File): Promise<void> => {
    const format = /\.ipynb$/i.test(file.name) ? 'ipynb' : /\.py$/i.test(file.name) ? 'py' : null;
    if (!format) return setError(`${file.name}: import takes a Jupyter notebook (.ipynb) or a notebook file (.py).`);
    setImporting(true);
    setImportNotes(null);
    try {
      // The file's name names the notebook only when the file names none (a Jupyter notebook); ours carry their own.
      const result = await api.importNotebook(format, await file.text(), file.name.replace(/\.(ipynb|py)$/i, ''));
      setError(null);
      if (result.notes.length === 0) return onOpen(result.notebook_id);
      setImportNotes({ id: result.notebook_id, name: file.name, notes: result.notes });
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setImporting(false);
    }
  };

  /** The copy appears in the list, first by last change: a new notebook named "<name> (copy)". */
  const duplicate = async (notebook: NotebookSummary): Promise<void> => {
    try {
      await api.duplicateNotebook(notebook.id);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const remove = async (notebook: NotebookSummary): Promise<void> => {
    setDeleting(null);
    try {
      await api.deleteNotebook(notebook.id);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <main className="page list" id="main-content" tabIndex={-1}
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) e.preventDefault(); }}
      onDrop={(e) => {
        const file = e.dataTransfer.files[0];
        if (!file) return;
        e.preventDefault();
        void importFile(file);
      }}>
      <h1>Notebooks</h1>
      <form className="list__create" onSubmit={(e) => void create(e)}>
        <label htmlFor="new-notebook-name" className="visually-hidden">New notebook name</label>
        <input id="new-notebook-name" placeholder="New notebook name (optional)" value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={200} />
        <button type="submit" className="btn btn--primary" disabled={creating}>{creating ? 'Creating…' : '+ New notebook'}</button>
      </form>
      <p className="list__import">
        <label className="btn btn--ghost btn--small">
          {importing ? 'Importing…' : 'Import .ipynb or .py'}
          <input type="file" accept=".ipynb,.py" className="visually-hidden" disabled={importing} aria-label="Import a notebook file"
            onChange={(e) => { const file = e.target.files?.[0]; e.target.value = ''; if (file) void importFile(file); }} />
        </label>
        <span className="list__import-hint"> or drop one on this page</span>
      </p>
      {importNotes && (
        <div className="list__import-notes" role="status">
          <p>Imported {importNotes.name}. Worth knowing:</p>
          <ul>{importNotes.notes.map((note) => <li key={note}>{note}</li>)}</ul>
          <button type="button" className="btn btn--primary btn--small" onClick={() => onOpen(importNotes.id)}>Open it</button>
        </div>
      )}
      {error && <p className="form__error" role="alert">{error}</p>}
      {notebooks === null && !error && <p aria-busy="true">Loading…</p>}
      {own !== null && own.length === 0 && <p className="list__empty">No notebooks yet. Create one to start.</p>}
      {own !== null && own.length > 0 && (
        <div className="list__tools">
          <input type="search" className="list__search" aria-label="Search notebooks by name" placeholder="Search by name" value={query} onChange={(e) => setQuery(e.target.value)} />
          <label className="list__sort">Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as NotebookSort)} aria-label="Sort notebooks">
              {(Object.keys(SORT_LABELS) as NotebookSort[]).map((key) => <option key={key} value={key}>{SORT_LABELS[key]}</option>)}
            </select>
          </label>
        </div>
      )}
      {own !== null && own.length > 0 && visibleNotebooks(own, query, sort).length === 0 && <p className="list__empty" role="status">No notebook name contains “{query}”.</p>}
      {own !== null && own.length > 0 && (
        <ul className="list__items" aria-label="Your notebooks">
          {visibleNotebooks(own, query, sort).map((nb) => (
            <li key={nb.id} className="list__item">
              {renaming?.id === nb.id ? (
                <form className="list__rename" onSubmit={(e) => void rename(e)}>
                  <label htmlFor={`rename-${nb.id}`} className="visually-hidden">New name for {nb.name}</label>
                  <input id={`rename-${nb.id}`} value={renaming.name} autoFocus maxLength={200}
                    onChange={(e) => setRenaming({ id: nb.id, name: e.target.value })}
                    onKeyDown={(e) => { if (e.key === 'Escape') setRenaming(null); }} />
                  <button type="submit" className="btn btn--primary btn--small">Save</button>
                  <button type="button" className="btn btn--small" onClick={() => setRenaming(null)}>Cancel</button>
                </form>
              ) : (
                <>
                  <a className="list__open" href={`#/n/${encodeURIComponent(nb.id)}`}>{nb.name}</a>
                  <span className="list__meta" data-testid="notebook-meta">
                    <span title={new Date(nb.updated_at).toLocaleString()}>changed {whenText(nb.updated_at)}</span>
                    {' · '}
                    <span title={nb.last_run_at ? new Date(nb.last_run_at).toLocaleString() : undefined}>{nb.last_run_at ? `ran ${whenText(nb.last_run_at)}` : 'never ran'}</span>
                    {nb.bytes !== undefined && <>{' · '}<span>{sizeText(nb.bytes)}</span></>}
                  </span>
                  <button type="button" className="btn btn--ghost btn--small" onClick={() => void duplicate(nb)} aria-label={`Duplicate ${nb.name}`}>Duplicate</button>
                  <button type="button" className="btn btn--ghost btn--small" onClick={() => setRenaming({ id: nb.id, name: nb.name })} aria-label={`Rename ${nb.name}`}>Rename</button>
                  <button type="button" className="btn btn--ghost btn--small btn--danger-text" onClick={() => setDeleting(nb)} aria-label={`Delete ${nb.name}`}>Delete</button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {shared !== null && shared.length > 0 && (
        <>
          <h2>Shared with me</h2>
          <ul className="list__items" aria-label="Shared with me">
            {shared.map((nb) => (
              <li key={nb.id} className="list__item" data-role={nb.role}>
                <a className="list__open" href={`#/n/${encodeURIComponent(nb.id)}`}>{nb.name}</a>
                <span className="notebook-list__shared">{nb.role === 'editor' ? 'Editor' : 'Viewer'} · shared by {nb.owner}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete notebook?"
          message={<>“{deleting.name}” and all its cells will be deleted. This cannot be undone.</>}
          confirmLabel="Delete"
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </main>
  );
}
