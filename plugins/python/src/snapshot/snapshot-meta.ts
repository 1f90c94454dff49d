import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the build's snapshot is and what its metadata file says: read by the snapshot's maker, the code cache's
 * maker and the plugin, without any of them importing another's build code.
 */

/** Where the build puts the snapshot: next to the compiled runtime, inside the package the kernel may read. */
export const SNAPSHOT_FILE = path.resolve(__dirname, '..', '..', 'dist', 'pyodide.snapshot');

/** `<snapshot>.json`, written beside the snapshot. */
export interface SnapshotMeta {
  pyodideVersion: string;
  bytes: number;
  /** The heap's non-zero pages (runtime/snapshot-restore.ts, `heapRunsOf`): a kernel reads only those from the file. */
  heapRuns?: [number, number][];
  /** snapshotDigest(): the kernel files the snapshot imported, and the Python it ran. */
  contents: string;
}

/** The heap's runs of non-zero pages the build recorded with the snapshot, or null (a kernel then compares every page). */
export function snapshotHeapRuns(file = SNAPSHOT_FILE): [number, number][] | null {
  try {
    const meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as SnapshotMeta;
    return Array.isArray(meta.heapRuns) ? meta.heapRuns : null;
  } catch {
    return null;
  }
}
