import { memo, useEffect, useState } from 'react';
import type { CellStatus } from '../api/types';

const LABELS: Record<CellStatus, string> = {
  idle: 'Not run',
  queued: 'Queued',
  running: 'Running',
  success: 'Done',
  error: 'Error',
  blocked: 'Blocked',
  stale: 'Stale',
};

const ICONS: Record<CellStatus, string> = {
  idle: '○',
  queued: '◔',
  running: '◐',
  success: '✓',
  error: '✕',
  blocked: '⊘',
  stale: '↻',
};

/** The status pill; only this small component ticks while a cell runs. */
export const StatusBadge = memo(function StatusBadge({ status, since }: { status: CellStatus; since: number | null }) {
  return (
    <span className={`status status--${status}`} data-status={status} role="status" aria-live="polite">
      <span aria-hidden="true" className="status__icon">{ICONS[status]}</span>
      {LABELS[status]}
      {status === 'running' && since !== null && <Elapsed since={since} />}
    </span>
  );
});

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <span className="status__elapsed" aria-hidden="true"> {formatElapsed(now - since)}</span>;
}

export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

export function statusLabel(status: CellStatus): string {
  return LABELS[status];
}
