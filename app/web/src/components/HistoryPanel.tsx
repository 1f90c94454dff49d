import { useCallback, useEffect, useState } from 'react';
import type { VersionDiffAnswer, VersionSummary } from '../api/types';
import type { NotebookController } from '../state/notebook-controller';
import { useServices } from '../services';

/**
 * The notebook's versions: when, who, what changed. Selecting one shows its line diff against the
 * version before it; Restore (owner and editors) brings it back as ordinary edits everyone sees.
 */
export function HistoryPanel({ controller, onClose }: { controller: NotebookController; onClose(): void }) {
  const { api } = useServices();
  const notebookId = controller.notebookId;
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [diff, setDiff] = useState<VersionDiffAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const reload = useCallback(() => {
    api.history(notebookId).then(setVersions, (error: unknown) => setProblem((error as Error).message));
  }, [api, notebookId]);
  useEffect(reload, [reload]);

  useEffect(() => {
    setDiff(null);
    if (!selected || !versions) return;
    const index = versions.findIndex((v) => v.id === selected);
    const before = versions[index + 1];
    // The oldest version: its diff against itself shows its cells as they were.
    api.diffVersions(notebookId, before?.id ?? selected, selected).then(setDiff, (error: unknown) => setProblem((error as Error).message));
  }, [api, notebookId, selected, versions]);

  const restore = async (versionId: string): Promise<void> => {
    setProblem(null);
    try {
      await controller.saver.flushAll();
      await api.restoreVersion(notebookId, versionId);
      controller.notify('info', 'Version restored. To undo, restore the version just below the new one.');
      reload();
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <aside className="notebook__history" aria-label="History">
      <div className="history__head">
        <h2>History</h2>
        <button type="button" className="btn btn--small" onClick={reload}>Refresh</button>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close history">✕</button>
      </div>
      {problem && <p className="banner banner--error" role="alert">{problem}</p>}
      {versions === null ? <p>Loading…</p> : versions.length === 0 ? <p>No versions yet: one is taken at each run and after a pause in typing.</p> : (
        <ol className="history__list">
          {versions.map((v) => (
            <li key={v.id} data-version={v.id} className={v.id === selected ? 'history__item history__item--selected' : 'history__item'}>
              <button type="button" className="history__pick" onClick={() => setSelected(v.id === selected ? null : v.id)} aria-pressed={v.id === selected}>
                <time dateTime={v.at}>{new Date(v.at).toLocaleString()}</time>
                <span className="history__who">{v.authors.join(', ')} · {v.reason}</span>
                <span className="history__summary">{v.summary}</span>
              </button>
              {v.id === selected && !controller.readOnly && (
                <button type="button" className="btn btn--small btn--primary" onClick={() => void restore(v.id)}>Restore this version</button>
              )}
            </li>
          ))}
        </ol>
      )}
      {diff && (
        <div className="history__diff" aria-label="Changes in this version">
          {diff.cells.filter((c) => c.change !== 'unchanged' || c.moved || diff.from === diff.to).map((c) => (
            <div key={c.cell_id} className={`history__cell history__cell--${c.change}`}>
              <div className="history__cell-head">{c.type} cell · {diff.from === diff.to ? 'as it was' : c.change}{c.moved ? ', moved' : ''}</div>
              <pre>{c.lines.map((line, i) => <div key={i} className={`diff diff--${line.op === '+' ? 'add' : line.op === '-' ? 'del' : 'same'}`}>{line.op === '=' ? ' ' : line.op} {line.text}</div>)}</pre>
            </div>
          ))}
        </div>
      )}
    </aside>
  );
}
