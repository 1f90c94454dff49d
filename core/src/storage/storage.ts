import type { Cell, JsonValue } from '../model/types';
import type { HistoryStore } from '../history/history-store';
import type { AppSettings, CellErrorDetail, ShareRole } from '../wire';
import type { NotebookSettings } from '../settings/plugin-settings';

/** What storage keeps of a cell: code, order and type, analysis, last results. */
export interface StoredCell {
  id: string;
  type: string;
  code: string;
  status: Cell['status'];
  stdout: string;
  stderr: string;
  outputs: Cell['outputs'];
  error: string | null;
  /**
   * `error` structured (its kind, message, cells involved, traceback; cell-error.ts), `error` being its text.
   * Absent in notebooks stored before it was kept: their error is read from the text.
   */
  errorDetail?: CellErrorDetail;
  reads: string[];
  writes: string[];
  /** When the last run ended (ISO 8601) and how long it took, when the cell ran. */
  lastRunAt?: string | null;
  durationMs?: number | null;
  /**
   * Values users gave this cell's widgets (by widget id), with the props they were set under: the cell's
   * next run (a new kernel, a reload) hands them to its runtime in `CellRun.meta.widgets`. Absent: none.
   */
  widgets?: { [widgetId: string]: StoredWidget };
}

/** One widget value kept with the notebook. */
export interface StoredWidget {
  kind: string;
  value: JsonValue;
  props: { [key: string]: JsonValue };
}

/** One notebook as storage keeps it. */
export interface NotebookDocument {
  id: string;
  owner: string;
  name: string;
  /**
   * Per-plugin settings (`settings.sql.connection_string`): never listed. The
   * fields a plugin declares secret are sealed before storage sees them
   * (withSealedSecrets). Stores that read an older layout migrate it on read.
   */
  settings: NotebookSettings;
  /** Lazy mode: descendants of an edited cell are marked stale instead of run. */
  lazy: boolean;
  cells: StoredCell[];
  /** The author's app-view settings; absent: the defaults (code hidden, no tracebacks, not published). */
  app?: AppSettings;
  /** Users the owner shared the notebook with; absent (older documents): nobody. */
  shares?: NotebookShare[];
  /** Grows by one with every successful save. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** What listing returns: never cells, never settings. */
export interface NotebookSummary {
  id: string;
  name: string;
  updatedAt: string;
  /** Bytes the notebook takes in storage, when the storage knows (per-user limits add them up). */
  bytes?: number;
  /** When a cell of it last finished a run (ISO 8601), when the storage knows and one ran: {@link lastRunOf}. */
  lastRunAt?: string;
  /** Set when the notebook is stored but cannot be read (a corrupt file): listing goes on. */
  error?: string;
}

/** One user a notebook is shared with, and as what. */
export interface NotebookShare {
  userId: string;
  role: ShareRole;
}

/** A notebook another user shared with the caller (`listSharedWith`). */
export interface SharedNotebookSummary extends NotebookSummary {
  owner: string;
  role: ShareRole;
}

export interface SaveOptions {
  /**
   * The revision the caller's document was based on. The save is refused
   * with a ConflictError when storage holds another revision.
   */
  expectedRevision: number;
}

/**
 * A storage plugin. Implementations must pass the conformance suite in
 * `@rnb/core/testing` (`describeStorageConformance`).
 *
 * Every method is scoped to an owner: a notebook of another owner is "not
 * found" (NotFoundError), never "forbidden", so ids reveal nothing.
 */
export interface NotebookStore {
  /** Stores a new notebook at revision 0 (the document's revision is ignored). Refuses an existing id. */
  create(document: NotebookDocument): Promise<NotebookDocument>;
  get(owner: string, id: string): Promise<NotebookDocument>;
  list(owner: string): Promise<NotebookSummary[]>;
  /**
   * Replaces the notebook when storage still holds `expectedRevision`, and
   * returns it at revision `expectedRevision + 1`.
   */
  save(document: NotebookDocument, options: SaveOptions): Promise<NotebookDocument>;
  delete(owner: string, id: string): Promise<void>;
  /**
   * Optional: the owner of a notebook, or null. A published app's link names only the notebook, so
   * the host asks this to open it for a viewer; without it, only apps published since the server started open.
   */
  ownerOf?(id: string): Promise<string | null>;
  /**
   * Optional: the notebooks other owners shared with `userId` ("shared with me"). Without it the
   * notebook list shows only the caller's own notebooks (shared ones still open by their link).
   */
  listSharedWith?(userId: string): Promise<SharedNotebookSummary[]>;
  /**
   * Optional: where this storage keeps the notebooks' versions (history), so they live as long as the notebooks do
   * (DynamoDB: in the notebook table). A host given no other history store uses it.
   */
  readonly history?: HistoryStore;
  close?(): Promise<void>;
  /**
   * Optional: the notebook's co-editing document (the host's Yjs state, opaque bytes) kept beside the
   * notebook, so a restart loses no acknowledged keystroke. Null when none is stored (a notebook from
   * before co-editing: the host builds the document from the cells' code). Deleting the notebook
   * deletes it. Same owner scoping as `get`.
   */
  loadCoedit?(owner: string, id: string): Promise<Uint8Array | null>;
  /** Replaces the stored co-editing document, durably before it resolves. */
  saveCoedit?(owner: string, id: string, state: Uint8Array): Promise<void>;
  /**
   * Optional: tells the listener when a notebook changed in storage without
   * going through this store (a file edited on disk, a `git pull`). The
   * notebook service then reloads it and applies the difference to the open
   * notebook as edits. Returns a function that stops listening.
   */
  watch?(listener: (change: ExternalChange) => void): () => void;
}

/** A notebook changed in storage by someone other than this store. */
export interface ExternalChange {
  owner: string;
  notebookId: string;
}

/** The latest end of a run among a notebook's cells (ISO 8601), undefined when none ran: for listings. */
export function lastRunOf(cells: readonly Pick<StoredCell, 'lastRunAt'>[]): string | undefined {
  let latest: string | undefined;
  for (const cell of cells) if (cell.lastRunAt && (latest === undefined || cell.lastRunAt > latest)) latest = cell.lastRunAt;
  return latest;
}
