import { useState, type FormEvent } from 'react';
import { useMeta } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { Modal } from './Modal';

/**
 * Name, database and run mode. The connection string is a secret: once saved, only the host's
 * masked form is shown and the field starts empty; typing a new one replaces it.
 */
export function SettingsDialog({ controller, onClose }: { controller: NotebookController; onClose(): void }) {
  const meta = useMeta(controller.model);
  const [name, setName] = useState(meta.name);
  const [connection, setConnection] = useState('');
  const [lazy, setLazy] = useState(meta.lazy);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const trimmed = name.trim();
    if (trimmed === '') {
      setError('The name cannot be empty.');
      return;
    }
    if (connection.trim() !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(connection.trim())) {
      setError('The connection string must be a URL such as postgresql://user:password@host:5432/db.');
      return;
    }
    setBusy(true);
    let ok = true;
    if (trimmed !== meta.name) ok = (await controller.rename(trimmed)) && ok;
    if (lazy !== meta.lazy) ok = (await controller.setLazy(lazy)) && ok;
    if (connection.trim() !== '') ok = (await controller.setDbConnection(connection.trim())) && ok;
    setBusy(false);
    if (ok) {
      setConnection('');
      onClose();
    } else setError('Some settings were not saved; see the message at the bottom of the page.');
  };

  return (
    <Modal title="Notebook settings" onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="form__field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required data-autofocus />
        </label>
        <div className="form__field">
          <label htmlFor="db-conn">Database connection for SQL cells</label>
          {meta.hasDb && (
            <p className="form__hint">
              Saved: <code data-testid="db-masked">{meta.dbMasked ?? 'configured (hidden)'}</code>. Type a new one to replace it.
            </p>
          )}
          <input
            id="db-conn"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={connection}
            placeholder={meta.hasDb ? 'Leave empty to keep the saved connection' : 'postgresql://user:password@host:5432/db'}
            onChange={(e) => setConnection(e.target.value)}
          />
          {!meta.hasDb && <p className="form__hint">Without one, SQL cells run in the notebook's in-memory database.</p>}
        </div>
        <fieldset className="form__field">
          <legend>When a cell changes</legend>
          <label className="form__radio">
            <input type="radio" name="mode" checked={!lazy} onChange={() => setLazy(false)} />
            Run the cells that depend on it (auto-run)
          </label>
          <label className="form__radio">
            <input type="radio" name="mode" checked={lazy} onChange={() => setLazy(true)} />
            Mark them stale; I run them myself (lazy)
          </label>
        </fieldset>
        {error && <p className="form__error" role="alert">{error}</p>}
        <div className="modal__actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn--primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Modal>
  );
}
