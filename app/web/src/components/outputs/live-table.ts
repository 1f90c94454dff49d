import { createContext } from 'react';
import type { JsonValue, Output, TableData } from '../../api/types';

/** Asks a language's runtime in the notebook's kernel (the page → runtime channel). */
export type RuntimeCaller = (language: string, method: string, payload: JsonValue) => Promise<JsonValue>;

/** The notebook page provides its controller's runtime call here; outside a notebook there is none. */
export const RuntimeCallContext = createContext<RuntimeCaller | null>(null);

/** What a table output's metadata says about the full result the kernel keeps (docs/protocol.md, Live tables). */
export interface LiveTableRef {
  id: string;
  /** Every row of the result. */
  rows: number;
  language: string;
}

export function liveTableOf(output: Output): LiveTableRef | null {
  const raw = output.metadata?.rnb_table;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const { id, rows, language } = raw as { id?: unknown; rows?: unknown; language?: unknown };
  if (typeof id !== 'string' || typeof rows !== 'number' || typeof language !== 'string') return null;
  return { id, rows, language };
}

export type Row = TableData['rows'][number];
export type LiveSort = { column: number; descending: boolean } | null;

export type PageAnswer = { status: 'ok'; columns: string[]; rows: Row[]; total: number } | { status: 'gone' };

/** One page of a live table from the kernel; throws when the call fails (busy, offline). */
export async function fetchPage(call: RuntimeCaller, table: LiveTableRef, request: { offset: number; limit: number; sort: LiveSort; filter: string }): Promise<PageAnswer> {
  const answer = (await call(table.language, 'table_page', { table_id: table.id, ...request })) as PageAnswer | null;
  if (!answer || (answer.status !== 'ok' && answer.status !== 'gone')) throw new Error('The kernel answered table_page with something unexpected.');
  return answer;
}
