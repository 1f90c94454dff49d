import { useSyncExternalStore } from 'react';
import type { CoeditSession, Peer } from '../state/coedit';

const NONE: Peer[] = [];

function usePeers(coedit: CoeditSession | null): Peer[] {
  return useSyncExternalStore(
    (listener) => coedit?.subscribePeers(listener) ?? (() => undefined),
    () => coedit?.peers() ?? NONE,
  );
}

/** Who else is in the notebook (from presence), in the notebook bar: a coloured initial each, the name on hover. */
export function PeopleHere({ coedit }: { coedit: CoeditSession | null }) {
  const peers = usePeers(coedit);
  if (peers.length === 0) return null;
  return (
    <ul className="presence" aria-label="People in this notebook">
      {peers.map((peer) => (
        <li key={peer.clientId} className="presence__person" style={{ background: peer.color }} title={peer.name} data-peer={peer.name}>
          {peer.name.slice(0, 1).toUpperCase()}
        </li>
      ))}
    </ul>
  );
}

/**
 * Who is in this cell (their editor focus), in the cell's toolbar. The snapshot is a string, so a cell re-renders only
 * when its own people change, not on every cursor move elsewhere.
 */
export function PeopleInCell({ coedit, cellId }: { coedit: CoeditSession | null; cellId: string }) {
  const key = useSyncExternalStore(
    (listener) => coedit?.subscribePeers(listener) ?? (() => undefined),
    () => JSON.stringify((coedit?.peers() ?? NONE).filter((peer) => peer.cellId === cellId)),
  );
  const peers = JSON.parse(key) as Peer[];
  if (peers.length === 0) return null;
  return (
    <span className="presence presence--cell" aria-label={`In this cell: ${peers.map((p) => p.name).join(', ')}`}>
      {peers.map((peer) => (
        <span key={peer.clientId} className="presence__chip" style={{ borderColor: peer.color, color: peer.color }} data-peer-in-cell={peer.name}>
          {peer.name}
        </span>
      ))}
    </span>
  );
}
