import { useState } from 'react';
import type { ApiClient } from '../api/http';

const FORMATS = [
  { format: 'ipynb', label: 'Jupyter (.ipynb)' },
  { format: 'html', label: 'HTML page' },
  { format: 'py', label: 'Python file (.py)' },
] as const;

/** Export: the notebook as a file download (GET /api/notebooks/{id}/export), with the caller's token. */
export function ExportMenu({ api, notebookId, onError }: { api: ApiClient; notebookId: string; onError(message: string): void }) {
  const [busy, setBusy] = useState(false);
  const download = async (format: (typeof FORMATS)[number]['format']): Promise<void> => {
    setBusy(true);
    try {
      const file = await api.exportNotebook(notebookId, format);
      const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="export-menu">
      <summary className="btn btn--ghost" aria-busy={busy}>Export</summary>
      <div className="export-menu__items" role="group" aria-label="Export as">
        {FORMATS.map(({ format, label }) => (
          <button key={format} type="button" className="btn btn--ghost btn--small" disabled={busy}
            onClick={(e) => { (e.currentTarget.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open'); void download(format); }}>
            {label}
          </button>
        ))}
      </div>
    </details>
  );
}
