/** The data shapes of the wire contract (docs/protocol.md), shared by every package: defined once in ../wire. */
import type { TableMime } from '../wire';

export type { Cell, CellStatus, JsonValue, Notebook, Output, OutputStream, TableData, TableMime } from '../wire';

export const TABLE_MIME: TableMime = 'application/vnd.notebook.table+json';
