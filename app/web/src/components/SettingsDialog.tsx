import { useState, type FormEvent } from 'react';
import { useLanguages } from '../plugins/languages';
import { useMeta } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { Modal } from './Modal';
import { initialDraft, languagesWithSettings, PluginSettingsFieldset, settingsChange, type PluginDraft, type SettingsChange } from './PluginSettingsForm';

/**
 * Name, run mode, and the settings each language plugin declares (a form generated from
 * `/api/config`; the SQL plugin's database connection is one). Secret fields are write-only:
 * once saved, only the host's masked form is shown and the field starts empty; typing replaces it.
 */
export function SettingsDialog({ controller, onClose }: { controller: NotebookController; onClose(): void }) {
  const meta = useMeta(controller.model);
  const [name, setName] = useState(meta.name);
  const pluginLanguages = languagesWithSettings(useLanguages());
  const [drafts, setDrafts] = useState<{ [plugin: string]: PluginDraft }>(() =>
    Object.fromEntries(pluginLanguages.map((l) => [l.id, initialDraft(l.settings ?? [], meta.settings[l.id])])),
  );
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
    const changes: [string, SettingsChange][] = [];
    for (const language of pluginLanguages) {
      const draft = drafts[language.id];
      if (!draft) continue;
      const result = settingsChange(language.settings ?? [], meta.settings[language.id], draft);
      if ('error' in result) {
        setError(result.error);
        return;
      }
      if (Object.keys(result.change).length > 0) changes.push([language.id, result.change]);
    }
    setBusy(true);
    let ok = true;
    if (trimmed !== meta.name) ok = (await controller.rename(trimmed)) && ok;
    if (lazy !== meta.lazy) ok = (await controller.setLazy(lazy)) && ok;
    for (const [plugin, change] of changes) ok = (await controller.setPluginSettings(plugin, change)) && ok;
    setBusy(false);
    if (ok) onClose();
    else setError('Some settings were not saved; see the message at the bottom of the page.');
  };

  return (
    <Modal title="Notebook settings" onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="form__field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required data-autofocus />
        </label>
        {pluginLanguages.map((language) => (
          <PluginSettingsFieldset
            key={language.id}
            language={language}
            saved={meta.settings[language.id]}
            draft={drafts[language.id] ?? initialDraft(language.settings ?? [], meta.settings[language.id])}
            onChange={(draft) => setDrafts((all) => ({ ...all, [language.id]: draft }))}
          />
        ))}
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
