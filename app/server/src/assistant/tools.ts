import type { AssistantToolCall, AssistantToolSpec } from '@rnb/core';
import { z, type ZodType } from 'zod';
import type { CommandRouter } from '../commands/command-router';
import { describeZodError, toErrorResponse } from '../errors';
import type { NotebookEventBus } from '../events/event-bus';
import { previewCascade, previewOutputs, summarizeCell } from './preview';
import { runAllAndWait, runAndWait } from './run-waiter';

/** Who calls, on which notebook: every tool acts as this user on this notebook only. */
export interface ToolScope {
  owner: string;
  notebookId: string;
  signal: AbortSignal;
}

export interface ToolDeps {
  commands: CommandRouter;
  events: NotebookEventBus;
  runTimeoutMs: number;
}

export interface ToolOutcome {
  ok: boolean;
  /** JSON text the model reads. */
  content: string;
  /** The cell the call touched, for the client to link to. */
  cellId?: string;
  /** A short line for people (the chat panel's step). */
  summary: string;
}

interface ToolDefinition<I> {
  spec: AssistantToolSpec;
  input: ZodType<I>;
  run(input: I, scope: ToolScope, deps: ToolDeps): Promise<Omit<ToolOutcome, 'ok' | 'content'> & { result: unknown }>;
}

const cellId = z.string().min(1).max(100);
const code = z.string().max(100_000);

const tools: ToolDefinition<never>[] = [
  define({
    spec: {
      name: 'get_notebook_state',
      description: 'Reads the notebook: every cell in order with its id, type, code, status, the names it reads and writes, its error, and a bounded preview of its stdout and outputs.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    },
    input: z.object({}).strict(),
    async run(_input, scope, deps) {
      const view = await deps.commands.dispatch(scope.owner, scope.notebookId, { type: 'get_notebook' });
      const cells = view.cells.map(summarizeCell);
      return { result: { name: view.name, lazy: view.lazy, cells }, summary: `read ${cells.length} cells` };
    },
  }),
  define({
    spec: {
      name: 'create_cell',
      description: 'Adds a cell. Give its language `type` (e.g. "python", "sql"), its `code`, and where: `after_cell_id`, or `index` (0 = first); neither appends it at the end. The cell does not run until run_cell (or until a cell it reads changes).',
      inputSchema: {
        type: 'object',
        properties: {
          type: { type: 'string', description: 'The cell language.' },
          code: { type: 'string' },
          after_cell_id: { type: 'string', description: 'Insert after this cell.' },
          index: { type: 'integer', minimum: 0, description: 'Insert at this position.' },
        },
        required: ['type', 'code'],
        additionalProperties: false,
      },
    },
    input: z.object({ type: z.string().min(1).max(64), code, after_cell_id: cellId.optional(), index: z.number().int().min(0).optional() }).strict(),
    async run(input, scope, deps) {
      const cell = await deps.commands.dispatch(scope.owner, scope.notebookId, {
        type: 'create_cell',
        cellType: input.type,
        code: input.code,
        ...(input.after_cell_id !== undefined ? { afterCellId: input.after_cell_id } : {}),
        ...(input.index !== undefined ? { index: input.index } : {}),
      });
      return { result: { id: cell.id, type: cell.type, status: cell.status, reads: cell.reads, writes: cell.writes, error: cell.error }, cellId: cell.id, summary: `created ${cell.type} cell` };
    },
  }),
  define({
    spec: {
      name: 'update_cell',
      description: 'Replaces the code of a cell (and optionally its language `type`). Cells that read what it defines become stale or re-run.',
      inputSchema: {
        type: 'object',
        properties: { cell_id: { type: 'string' }, code: { type: 'string' }, type: { type: 'string' } },
        required: ['cell_id', 'code'],
        additionalProperties: false,
      },
    },
    input: z.object({ cell_id: cellId, code, type: z.string().min(1).max(64).optional() }).strict(),
    async run(input, scope, deps) {
      const cell = await deps.commands.dispatch(scope.owner, scope.notebookId, {
        type: 'update_cell',
        cellId: input.cell_id,
        code: input.code,
        ...(input.type !== undefined ? { cellType: input.type } : {}),
      });
      return { result: { id: cell.id, type: cell.type, status: cell.status, reads: cell.reads, writes: cell.writes, error: cell.error }, cellId: cell.id, summary: 'updated cell' };
    },
  }),
  define({
    spec: {
      name: 'delete_cell',
      description: 'Deletes a cell. The names it defined are removed and the cells that read them re-run (and fail) or become stale.',
      inputSchema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'], additionalProperties: false },
    },
    input: z.object({ cell_id: cellId }).strict(),
    async run(input, scope, deps) {
      await deps.commands.dispatch(scope.owner, scope.notebookId, { type: 'delete_cell', cellId: input.cell_id });
      return { result: { deleted: input.cell_id }, cellId: input.cell_id, summary: 'deleted cell' };
    },
  }),
  define({
    spec: {
      name: 'run_cell',
      description: 'Runs a cell (with the ancestors it needs and, unless the notebook is lazy, its descendants) and waits for this run to finish. Returns its status, stdout, output preview and error, and `cascade`: every other cell this run ran, blocked or made stale, and every cell downstream of it, each with its status, error and a bounded preview of its stdout and outputs, so you see what the change did downstream.',
      inputSchema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'], additionalProperties: false },
    },
    input: z.object({ cell_id: cellId }).strict(),
    async run(input, scope, deps) {
      const outcome = await runAndWait(deps, scope.owner, scope.notebookId, input.cell_id, { timeoutMs: deps.runTimeoutMs, signal: scope.signal });
      const { cell } = outcome;
      const summary = summarizeCell(cell, 0);
      const cascade = previewCascade(outcome.cascade);
      return {
        result: {
          id: cell.id,
          finished: outcome.settled,
          ...(outcome.settled ? {} : { note: `Still running after ${Math.round(deps.runTimeoutMs / 1000)} s; read the notebook state later.` }),
          status: cell.status,
          stdout: summary.stdout,
          stderr: summary.stderr,
          outputs: previewOutputs(cell.outputs),
          error: summary.error,
          cascade: cascade.cells,
          ...(cascade.notListed > 0 ? { cascade_not_listed: cascade.notListed } : {}),
        },
        cellId: cell.id,
        summary: outcome.settled ? `ran cell: ${cell.status}` : 'ran cell: still running',
      };
    },
  }),
  define({
    spec: {
      name: 'run_all',
      description: 'Runs every cell of the notebook once, in dependency order (lazy mode or not), and waits for the run to finish. Cells that cannot run (syntax error, cycle, a name defined twice, or downstream of those) stay blocked. Returns every cell with its status, error and a bounded preview of its stdout and outputs.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    },
    input: z.object({}).strict(),
    async run(_input, scope, deps) {
      const outcome = await runAllAndWait(deps, scope.owner, scope.notebookId, { timeoutMs: deps.runTimeoutMs, signal: scope.signal });
      const cells = previewCascade(outcome.cells);
      const failed = outcome.cells.filter(({ cell }) => cell.status === 'error' || cell.status === 'blocked').length;
      return {
        result: {
          finished: outcome.settled,
          ...(outcome.settled ? {} : { note: `Still running after ${Math.round(deps.runTimeoutMs / 1000)} s; read the notebook state later.` }),
          cells: cells.cells,
          ...(cells.notListed > 0 ? { cells_not_listed: cells.notListed } : {}),
        },
        summary: outcome.settled ? `ran all ${outcome.cells.length} cells: ${failed} failed or blocked` : 'ran all cells: still running',
      };
    },
  }),
  define({
    spec: {
      name: 'restart_kernel',
      description: "Restarts the notebook's kernel: stops any run, empties the namespace (every value is gone), and marks every cell that ran stale with its last outputs kept. Cells run again on run_cell or run_all. Only when the user asks, or when the kernel's state is broken.",
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    },
    input: z.object({}).strict(),
    async run(_input, scope, deps) {
      await deps.commands.dispatch(scope.owner, scope.notebookId, { type: 'restart_kernel' });
      return { result: { restarted: true, note: 'The namespace is empty; cells that ran are stale until they run again.' }, summary: 'restarted the kernel' };
    },
  }),
  define({
    spec: {
      name: 'clear_outputs',
      description: "Empties every cell's stdout and outputs (errors and statuses stay; values in the kernel stay). Only when the user asks.",
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    },
    input: z.object({}).strict(),
    async run(_input, scope, deps) {
      await deps.commands.dispatch(scope.owner, scope.notebookId, { type: 'clear_outputs' });
      return { result: { cleared: true }, summary: 'cleared every output' };
    },
  }),
];

function define<I>(tool: ToolDefinition<I>): ToolDefinition<never> {
  return tool as unknown as ToolDefinition<never>;
}

export const TOOL_SPECS: AssistantToolSpec[] = tools.map((t) => t.spec);

/**
 * Runs one tool call. Never throws for the model's mistakes (unknown tool,
 * invalid input, a cell that is not in this notebook): those come back as an
 * error result the model can act on, and the loop goes on.
 */
export async function executeTool(call: AssistantToolCall, scope: ToolScope, deps: ToolDeps): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.spec.name === call.name);
  if (!tool) return failure(`Unknown tool "${call.name}". Tools: ${TOOL_SPECS.map((t) => t.name).join(', ')}.`);
  if (call.inputError) return failure(call.inputError);
  const parsed = (tool.input as ZodType<unknown>).safeParse(call.input ?? {});
  if (!parsed.success) return failure(describeZodError(parsed.error).replace(/^Invalid request/, 'Invalid tool input'));
  try {
    const done = await tool.run(parsed.data as never, scope, deps);
    return { ok: true, content: JSON.stringify(done.result), summary: done.summary, ...(done.cellId ? { cellId: done.cellId } : {}) };
  } catch (error) {
    if (scope.signal.aborted) throw error;
    // Only the public message of a known error; an internal fault is not described to the model.
    const mapped = toErrorResponse(error);
    const message = mapped.internal ? 'The operation failed inside the server.' : mapped.body.error.message;
    return failure(message, typeof (call.input as { cell_id?: unknown } | null)?.cell_id === 'string' ? (call.input as { cell_id: string }).cell_id : undefined);
  }
}

function failure(message: string, cellId?: string): ToolOutcome {
  return { ok: false, content: JSON.stringify({ error: message }), summary: message, ...(cellId ? { cellId } : {}) };
}
