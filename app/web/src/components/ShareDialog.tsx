import { useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/http';
import type { NotebookShareEntry, ShareRole } from '../api/types';
import { Modal } from './Modal';

/** The owner's sharing: add a user (id or e-mail) as editor or viewer, list, change, revoke. */
export function ShareDialog({ api, notebookId, onClose }: { api: ApiClient; notebookId: string; onClose(): void }) {
  const [shares, setShares] = useState<NotebookShareEntry[] | null>(null);
  const [user, setUser] = useState('');
  const [role, setRole] = useState<ShareRole>('viewer');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.listShares(notebookId).then(setShares, (error: unknown) => setProblem((error as Error).message));
  }, [api, notebookId]);

  const act = async (step: () => Promise<NotebookShareEntry[]>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      setShares(await step());
      return;
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    const who = user.trim();
    if (who === '') return;
    void act(() => api.share(notebookId, who, role)).then(() => setUser(''));
  };

  return (
    <Modal title="Share notebook" onClose={onClose} className="share-dialog">
      <form className="share-dialog__add" onSubmit={onSubmit}>
        <label>
          User id or e-mail
          <input data-autofocus value={user} onChange={(e) => setUser(e.target.value)} placeholder="user id or name@example.com" aria-label="User id or e-mail" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as ShareRole)} aria-label="Role">
            <option value="viewer">Viewer (reads)</option>
            <option value="editor">Editor (edits and runs)</option>
          </select>
        </label>
        <button type="submit" className="btn btn--primary" disabled={busy || user.trim() === ''}>Share</button>
      </form>
      {problem && <p className="banner banner--error" role="alert">{problem}</p>}
      <h3>Shared with</h3>
      {shares === null ? (
        <p>Loading…</p>
      ) : shares.length === 0 ? (
        <p>Nobody yet: only you can open this notebook.</p>
      ) : (
        <ul className="share-dialog__list" aria-label="Shared with">
          {shares.map((share) => (
            <li key={share.user_id} data-share-user={share.user_id}>
              <span className="share-dialog__user">{share.user_id}</span>
              <select value={share.role} aria-label={`Role of ${share.user_id}`} disabled={busy} onChange={(e) => void act(() => api.share(notebookId, share.user_id, e.target.value as ShareRole))}>
                <option value="viewer">Viewer</option>
                <option value="editor">Editor</option>
              </select>
              <button type="button" className="btn btn--small btn--danger" disabled={busy} onClick={() => void act(() => api.revokeShare(notebookId, share.user_id))} aria-label={`Revoke ${share.user_id}`}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
      <p className="share-dialog__note">Editors edit and run in this notebook's kernel (yours: it counts against your share). Viewers see code, outputs and live changes and can neither edit nor run. Revoking disconnects them at once.</p>
      <div className="modal__actions">
        <button type="button" className="btn" onClick={onClose}>Done</button>
      </div>
    </Modal>
  );
}
