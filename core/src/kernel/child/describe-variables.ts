/**
 * The kernel's half of the variable explorer: after a plan (or a deletion) the
 * worker asks every runtime to describe its names and sends one list. A
 * runtime without `describeVariables` has its namespace entries described
 * here, from their plain-JavaScript view (SQL tables are arrays of records).
 * Bounded in names and time: the list is for a person to read, not a dump.
 */
import type { LanguageRuntime, Namespace, VariableDescription } from '../../language/runtime-api';
import type { KernelVariable } from '../protocol';

/** Most names one `variables` message may carry; the kernel stops there and says `truncated`. */
export const MAX_VARIABLES = 2000;

/** Time all runtimes together may spend describing, per list. */
export const DESCRIBE_BUDGET_MS = 200;
const MAX_SUMMARY = 120;

export interface DescribedVariables {
  variables: KernelVariable[];
  truncated: boolean;
}

function clip(text: string): string {
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A plain-JavaScript value described without walking more than its first level. */
export function describeJsValue(name: string, value: unknown): VariableDescription {
  if (value === null || value === undefined) return { name, type: String(value), summary: String(value), size: 0 };
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
      const columns = Object.keys(first).length;
      return { name, type: 'table', summary: `table ${count(value.length)} × ${columns}`, size: value.length * columns * 16 };
    }
    return { name, type: 'array', summary: `array[${count(value.length)}]`, size: value.length * 8 };
  }
  if (ArrayBuffer.isView(value)) return { name, type: value.constructor.name, summary: `${value.constructor.name}[${count(value.byteLength)} bytes]`, size: value.byteLength };
  if (value instanceof Date) return { name, type: 'Date', summary: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString(), size: 8 };
  switch (typeof value) {
    case 'string':
      return { name, type: 'string', summary: clip(JSON.stringify(value)), size: value.length * 2 };
    case 'number':
    case 'boolean':
    case 'bigint':
      return { name, type: typeof value, summary: clip(String(value)), size: 8 };
    case 'object':
      return { name, type: 'object', summary: `object{${count(Object.keys(value).length)}}`, size: null };
    default:
      return { name, type: typeof value, summary: typeof value, size: null };
  }
}

/**
 * Every name of the notebook: each runtime's own description of its names,
 * then the namespace entries of languages whose runtime gives none.
 */
export async function describeVariables(runtimes: ReadonlyMap<string, LanguageRuntime>, namespace: Namespace, log: (message: string) => void): Promise<DescribedVariables> {
  const deadline = Date.now() + DESCRIBE_BUDGET_MS;
  const variables: KernelVariable[] = [];
  const described = new Set<string>();
  let truncated = false;
  for (const [language, runtime] of runtimes) {
    if (typeof runtime.describeVariables !== 'function') continue;
    described.add(language);
    const room = MAX_VARIABLES - variables.length;
    if (room <= 0 || Date.now() >= deadline) {
      truncated = true;
      continue;
    }
    try {
      const list = await runtime.describeVariables({ maxNames: room, deadline });
      if (list.length >= room) truncated = true;
      for (const item of list.slice(0, room)) variables.push(normalise(item, language));
    } catch (error) {
      log(`describeVariables of ${language} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  for (const name of namespace.names()) {
    const entry = namespace.entry(name);
    if (!entry || described.has(entry.language)) continue;
    if (variables.length >= MAX_VARIABLES || Date.now() >= deadline) {
      truncated = true;
      break;
    }
    let description: VariableDescription;
    try {
      description = describeJsValue(name, entry.toJS());
    } catch {
      description = { name, type: 'unknown', summary: '(could not be read)', size: null };
    }
    variables.push(normalise(description, entry.language));
  }
  return { variables, truncated };
}

/** A runtime's answer is trusted no further than the protocol's limits. */
function normalise(item: VariableDescription, language: string): KernelVariable {
  const size = typeof item.size === 'number' && Number.isFinite(item.size) && item.size >= 0 ? Math.min(Math.round(item.size), Number.MAX_SAFE_INTEGER) : null;
  return { name: String(item.name).slice(0, 200), language, type: clip(String(item.type)), summary: clip(String(item.summary)), size };
}
