import type * as wire from '@rnb/core/wire';
import { z } from 'zod';

/** Request bodies of the HTTP contract (docs/protocol.md) and the host's extensions. */
const id = z.string().min(1).max(100);

export const createNotebookBody = z.object({ name: z.string().max(200).optional() });
export const renameNotebookBody = z.object({ name: z.string().max(200) });
/** Deprecated: `PUT .../db`, an alias of `PUT .../settings/sql` with `{ connection_string }`. */
export const dbConnectionBody = z.object({ connection_string: z.string().max(2000).nullable() });
/** One plugin's settings: field → value, null clears; the plugin's declaration checks names, types and values. */
export const pluginSettingsBody = z.record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]));
export const settingsBody = z.object({ lazy: z.boolean() });
/** `PUT /api/notebooks/{id}/app`: any of the app view's settings. */
export const appSettingsBody = z.object({ show_code: z.boolean().optional(), show_tracebacks: z.boolean().optional(), published: z.boolean().optional() }).strict();
/** `PUT /api/notebooks/{id}/shares/{user}`. */
export const putShareBody = z.object({ role: z.enum(['editor', 'viewer']) }).strict();
export const createCellBody = z.object({
  type: z.string().min(1).max(64),
  after_cell_id: id.nullable().optional(),
  /** Extension: insert at this position (ignored when after_cell_id is given). */
  index: z.number().int().min(0).optional(),
  code: z.string().optional(),
  /** Extension: the new cell's id, chosen by the client (a UUID; 409 RNB_ERR_CELL_EXISTS when taken). */
  cell_id: z.string().uuid().optional(),
});
export const updateCellBody = z.object({
  code: z.string(),
  /** Extension: change the cell's language in place. */
  type: z.string().min(1).max(64).optional(),
  expected_revision: z.number().int().min(0).optional(),
  /** The code this edit started from: 409 RNB_ERR_EDIT_CONFLICT (with current_code) when the cell now holds other code. */
  base_code: z.string().optional(),
});
export const moveCellBody = z.object({ index: z.number().int().min(0) });
/** Extension: a runtime call over HTTP; the payload is any JSON (core limits its size). */
export const runtimeCallBody = z.object({ payload: z.json().optional() });

/** Extension: a widget's new value (any JSON; core refuses more than 48 KB). */
export const widgetValueBody = z.object({ value: z.json() });

/** Extension: a notebook file to import (docs/notebook-files.md). */
/** `name` names the new notebook whatever the file says; `file_name` (the file's own, without extension) only when the file names no notebook. */
export const importNotebookBody = z.object({ format: z.enum(['ipynb', 'py']), content: z.string(), name: z.string().max(200).optional(), file_name: z.string().max(200).optional() });

/** Socket payloads (client → server). */
export const authenticatePayload = z.object({ token: z.string().min(1).max(16 * 1024) });
export const runCellPayload = z.object({ cellId: id });
export const interruptPayload = z.object({ cellId: id.optional() }).optional().nullable();
const runtimeName = z.string().min(1).max(64);
export const runtimeCallPayload = z.object({ language: runtimeName, method: runtimeName, payload: z.json().optional() });
export const setWidgetValuePayload = z.object({ widget_id: z.string().min(3).max(120), value: z.json() });
/** Binary socket payloads (Yjs): socket.io hands a Buffer in Node; anything else is refused. */
const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'expected binary data' });
export const yjsSyncPayload = z.object({ state_vector: bytes });
export const yjsUpdatePayload = z.object({ update: bytes });
/** run_all, restart_kernel and clear_outputs act on the whole notebook: `{}` (or nothing). */
export const notebookWidePayload = z.object({}).strict().optional().nullable();

/**
 * Compile-time: what each schema lets through is the body (or payload) that
 * `@rnb/core/wire` declares, so a schema and the page's types cannot drift.
 */
type Conforms<Parsed extends Wire, Wire> = [Parsed, Wire];
export type SchemasConformToWire = [
  Conforms<z.infer<typeof createNotebookBody>, wire.CreateNotebookBody>,
  Conforms<z.infer<typeof renameNotebookBody>, wire.RenameNotebookBody>,
  Conforms<z.infer<typeof dbConnectionBody>, wire.DbConnectionBody>,
  Conforms<z.infer<typeof pluginSettingsBody>, wire.PluginSettingsBody>,
  Conforms<z.infer<typeof settingsBody>, wire.SettingsBody>,
  Conforms<z.infer<typeof appSettingsBody>, wire.AppSettingsBody>,
  Conforms<z.infer<typeof putShareBody>, wire.PutShareBody>,
  Conforms<z.infer<typeof createCellBody>, wire.CreateCellBody>,
  Conforms<z.infer<typeof updateCellBody>, wire.UpdateCellBody>,
  Conforms<z.infer<typeof moveCellBody>, wire.MoveCellBody>,
  Conforms<z.infer<typeof authenticatePayload>, wire.ClientEvents['authenticate']>,
  Conforms<z.infer<typeof runCellPayload>, wire.ClientEvents['run_cell']>,
  Conforms<NonNullable<z.infer<typeof interruptPayload>>, wire.ClientEvents['interrupt']>,
  Conforms<NonNullable<z.infer<typeof notebookWidePayload>>, wire.ClientEvents['run_all']>,
  Conforms<z.infer<typeof runtimeCallBody>, wire.RuntimeCallBody>,
  Conforms<z.infer<typeof runtimeCallPayload>, wire.ClientEvents['runtime_call']>,
  Conforms<z.infer<typeof widgetValueBody>, wire.WidgetValueBody>,
  Conforms<z.infer<typeof setWidgetValuePayload>, wire.ClientEvents['set_widget_value']>,
  Conforms<z.infer<typeof yjsSyncPayload>, wire.ClientEvents['yjs_sync']>,
  Conforms<z.infer<typeof yjsUpdatePayload>, wire.ClientEvents['yjs_update']>,
  Conforms<z.infer<typeof yjsUpdatePayload>, wire.ClientEvents['yjs_awareness']>,
];
