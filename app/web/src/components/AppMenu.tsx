import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/http';
import { appUrl } from '../api/base-url';
import type { AppSettings } from '../api/types';

const OPTIONS: { key: keyof AppSettings; label: string; hint: string }[] = [
  { key: 'show_code', label: 'Show code', hint: 'Viewers see each cell\'s code above its outputs.' },
  { key: 'show_tracebacks', label: 'Show tracebacks', hint: 'Viewers see whole tracebacks, not only the error\'s last line.' },
  { key: 'published', label: 'Published', hint: 'Other signed-in users may open the app link, each in a session of their own.' },
];

/** The app view of this notebook: open it, and the author's settings (stored with the notebook, not in its code). */
export function AppMenu({ api, notebookId, settings, onError }: { api: ApiClient; notebookId: string; settings: AppSettings | undefined; onError(message: string): void }) {
  const [current, setCurrent] = useState<AppSettings>(settings ?? { show_code: false, show_tracebacks: false, published: false });
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (settings) setCurrent(settings);
  }, [settings]);
  const link = appUrl(`app/${encodeURIComponent(notebookId)}`);
  const change = async (key: keyof AppSettings, value: boolean): Promise<void> => {
    setBusy(true);
    try {
      setCurrent(await api.setAppSettings(notebookId, { [key]: value }));
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="export-menu app-menu">
      <summary className="btn btn--ghost" aria-busy={busy}>App</summary>
      <div className="export-menu__items" role="group" aria-label="App view">
        <a className="btn btn--ghost btn--small" href={link} target="_blank" rel="noopener">Open app ↗</a>
        {OPTIONS.map(({ key, label, hint }) => (
          <label key={key} className="app-menu__option" title={hint}>
            <input type="checkbox" checked={current[key]} disabled={busy} onChange={(e) => void change(key, e.target.checked)} /> {label}
          </label>
        ))}
        {current.published && <p className="form__hint">Link: <code>{link}</code></p>}
      </div>
    </details>
  );
}
