import type { JsonValue } from '@rnb/core';
import type { Acknowledgement, ClientEventName } from '@rnb/core/wire';
import type { ZodType } from 'zod';
import type { NotebookCommand } from '../commands/command-router';
import { interruptPayload, notebookWidePayload, runCellPayload, runtimeCallPayload, setWidgetValuePayload, yjsSyncPayload, yjsUpdatePayload } from '../http/schemas';

/**
 * The socket events a client sends (docs/protocol.md) and, for those that are commands, the notebook command each
 * becomes. The socket's session (client-session.ts) authenticates, limits and dispatches them.
 */

export type Ack = (response: Acknowledgement) => void;

/** The acknowledgement a socket.io event carries last, taken off its arguments. */
export function takeAck(args: unknown[]): Ack | undefined {
  return typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
}

export interface CommandOptions {
  /** The command's result goes back in the acknowledgement (through `answer` when given), and failures to it alone when there is one. */
  answers?: boolean;
  answer?: (result: unknown) => unknown;
  /** Logged at debug (per keystroke). */
  quiet?: boolean;
}

/** What runs a command event: the socket's session. */
export interface CommandSink {
  command<T>(event: string, args: unknown[], schema: ZodType<T>, build: (payload: T) => NotebookCommand, options?: CommandOptions): void;
}

const NOTEBOOK_WIDE_EVENTS = ['run_all', 'restart_kernel', 'clear_outputs'] as const satisfies readonly ClientEventName[];
export type CommandEventName = 'run_cell' | 'interrupt' | 'runtime_call' | 'set_widget_value' | 'yjs_sync' | 'yjs_update' | (typeof NOTEBOOK_WIDE_EVENTS)[number];

/** Every event a client may send. */
export const CLIENT_EVENTS = new Set<string>(['authenticate', 'refresh_auth', 'run_cell', 'interrupt', 'runtime_call', 'set_widget_value', 'yjs_sync', 'yjs_update', 'yjs_awareness', ...NOTEBOOK_WIDE_EVENTS] satisfies ClientEventName[]);
/** What an app viewer's socket may send: read (it is in its own room), run and stop its own session, ask its runtime (widgets). */
export const APP_EVENTS = new Set<string>(['authenticate', 'refresh_auth', 'run_all', 'run_cell', 'interrupt', 'runtime_call', 'set_widget_value'] satisfies ClientEventName[]);

const notebookWide = (event: (typeof NOTEBOOK_WIDE_EVENTS)[number]) => (sink: CommandSink, args: unknown[]): void =>
  sink.command(event, args, notebookWidePayload, () => ({ type: event }));

/** The events that are commands: each checks its payload and names the command it becomes. */
export const COMMAND_EVENTS: Record<CommandEventName, (sink: CommandSink, args: unknown[]) => void> = {
  run_cell: (sink, args) => sink.command('run_cell', args, runCellPayload, (p) => ({ type: 'run_cell', cellId: p.cellId })),
  interrupt: (sink, args) => sink.command('interrupt', args, interruptPayload, () => ({ type: 'interrupt' })),
  // The answer is the acknowledgement's `value`; a failed call is told to the acknowledgement only (a completion
  // refused as busy is no news for the page's error bar).
  runtime_call: (sink, args) =>
    sink.command('runtime_call', args, runtimeCallPayload, (p) => ({ type: 'runtime_call', language: p.language, method: p.method, payload: (p.payload ?? null) as JsonValue }), { answers: true }),
  // The acknowledgement's value is { value, names }; every client of the notebook also gets widget_value.
  set_widget_value: (sink, args) =>
    sink.command('set_widget_value', args, setWidgetValuePayload, (p) => ({ type: 'set_widget_value', widgetId: p.widget_id, value: (p.value ?? null) as JsonValue }), { answers: true }),
  // Co-editing: binary in and out; between instances the command carries base64 (JSON).
  yjs_sync: (sink, args) =>
    sink.command('yjs_sync', args, yjsSyncPayload, (p) => ({ type: 'coedit_sync', stateVector: Buffer.from(p.state_vector).toString('base64') }), {
      answers: true,
      answer: (result) => {
        const value = result as { update: string; stateVector: string; epoch: string };
        return { update: Buffer.from(value.update, 'base64'), state_vector: Buffer.from(value.stateVector, 'base64'), epoch: value.epoch };
      },
    }),
  yjs_update: (sink, args) =>
    sink.command('yjs_update', args, yjsUpdatePayload, (p) => ({ type: 'coedit_update', update: Buffer.from(p.update).toString('base64') }), { quiet: true }),
  run_all: notebookWide('run_all'),
  restart_kernel: notebookWide('restart_kernel'),
  clear_outputs: notebookWide('clear_outputs'),
};
