import { useState } from 'react';
import { useConflict } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';

/**
 * Shown on a cell when someone else saved it while this page had unsaved text for it. The user's
 * text stays in the editor above; the other version is shown here, and nothing is saved until the
 * user chooses.
 */
export function ConflictPanel({ cellId, controller }: { cellId: string; controller: NotebookController }) {
  const conflict = useConflict(controller.conflicts, cellId);
  const [copied, setCopied] = useState(false);
  if (!conflict) return null;
  const copyMine = (): void => {
    const mine = controller.saver.draft(cellId) ?? '';
    void copyText(mine).then((ok) => setCopied(ok));
  };
  return (
    <div className="conflict" role="alert" aria-label="Edit conflict">
      <p className="conflict__title">
        Someone else changed this cell while you were editing it. Your text is still in the editor and is not saved;
        their version is below.
      </p>
      <pre className="conflict__theirs" aria-label="Their version">{conflict.theirs === '' ? '(empty)' : conflict.theirs}</pre>
      <div className="conflict__actions">
        <button type="button" className="btn btn--primary btn--small" onClick={() => void controller.keepMine(cellId)}>Keep mine</button>
        <button type="button" className="btn btn--small" onClick={() => controller.takeTheirs(cellId)}>Take theirs</button>
        <button type="button" className="btn btn--small" onClick={copyMine}>{copied ? 'Copied' : 'Copy mine'}</button>
      </div>
    </div>
  );
}

/** The clipboard API needs a secure context; a hidden textarea and `copy` work elsewhere. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}
