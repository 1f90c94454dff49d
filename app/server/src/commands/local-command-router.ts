import { InvalidInputError, type NewNotebookInput, type NotebookOperations, type NotebookSummary, type NotebookView } from '@rnb/core';
import { HostError } from '../errors';
import type { NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { CoeditHub } from '../coedit/coedit-hub';
import type { CommandResult, CommandRouter, NotebookCommand } from './command-router';

interface ActiveNotebook {
  owner: string;
  /** A run was asked for since the watcher last saw the notebook idle. */
  dirty: boolean;
}

/**
 * One process: every command runs on this instance's core service.
 *
 * Floods are absorbed here: a `run_cell` for a cell whose previous request is
 * still being queued returns that request's promise instead of queueing
 * another, and each notebook with work has one idle watcher, however many
 * runs were asked for. Memory stays bounded by the number of cells.
 */
export class LocalCommandRouter implements CommandRouter {
  private readonly pendingRuns = new Map<string, Promise<void>>();
  /** Notebooks with runs in flight, and whose they are: shutdown interrupts them. */
  private readonly active = new Map<string, ActiveNotebook>();
  private draining = false;

  constructor(
    private readonly service: NotebookOperations,
    private readonly events: NotebookEventBus,
    private readonly log: Logger,
    /** Co-editing documents: cell code edits go through them (without: straight to core, and no yjs_* commands). */
    private readonly coedit: CoeditHub | null = null,
  ) {}

  createNotebook(owner: string, input: NewNotebookInput): Promise<NotebookView> {
    this.checkOpen();
    return this.service.createNotebook(owner, input);
  }

  listNotebooks(owner: string): Promise<NotebookSummary[]> {
    this.checkOpen();
    return this.service.listNotebooks(owner);
  }

  async dispatch<C extends NotebookCommand>(owner: string, notebookId: string, command: C): Promise<CommandResult<C>> {
    this.checkOpen();
    return (await this.execute(owner, notebookId, command)) as CommandResult<C>;
  }

  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const active = [...this.active.entries()];
    await Promise.all(active.map(([id, { owner }]) => this.service.interrupt(owner, id).catch(() => undefined)));
    if (active.length === 0) return;
    this.log.info('waiting for interrupted notebooks', { notebooks: active.length, graceMs });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(active.map(([id, { owner }]) => this.service.whenIdle(owner, id).catch(() => undefined))),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private async execute(owner: string, notebookId: string, command: NotebookCommand): Promise<unknown> {
    const service = this.service;
    switch (command.type) {
      case 'open_notebook':
        await service.getNotebook(owner, notebookId);
        return service.variables(owner, notebookId);
      case 'get_notebook':
        // The code as typed: what co-editing has not handed over yet goes first (cheap when nothing waits).
        if (this.coedit) await this.coedit.flushPending(notebookId);
        return service.getNotebook(owner, notebookId);
      case 'rename_notebook':
        return service.renameNotebook(owner, notebookId, command.name);
      case 'set_plugin_settings':
        return service.setPluginSettings(owner, notebookId, command.plugin, command.values);
      case 'set_app_settings':
        return service.setAppSettings(owner, notebookId, command.settings);
      case 'get_shares':
        return service.getShares(owner, notebookId);
      case 'set_share':
        return service.setShare(owner, notebookId, command.userId, command.role);
      case 'set_lazy':
        return service.setLazy(owner, notebookId, command.lazy);
      case 'delete_notebook':
        await service.deleteNotebook(owner, notebookId);
        this.active.delete(notebookId);
        this.events.publish(notebookId, { type: 'notebook_deleted' });
        return undefined;
      case 'create_cell':
        return service.createCell(owner, notebookId, {
          type: command.cellType,
          ...(command.code !== undefined ? { code: command.code } : {}),
          ...(command.afterCellId !== undefined ? { afterCellId: command.afterCellId } : {}),
          ...(command.index !== undefined ? { index: command.index } : {}),
          ...(command.cellId !== undefined ? { id: command.cellId } : {}),
        });
      case 'update_cell':
        if (this.coedit) {
          return this.coedit.replaceCode(owner, notebookId, command.cellId, {
            code: command.code,
            ...(command.cellType !== undefined ? { cellType: command.cellType } : {}),
            ...(command.expectedRevision !== undefined ? { expectedRevision: command.expectedRevision } : {}),
            ...(command.baseCode !== undefined ? { baseCode: command.baseCode } : {}),
          });
        }
        return service.updateCell(owner, notebookId, command.cellId, {
          code: command.code,
          ...(command.cellType !== undefined ? { type: command.cellType } : {}),
          ...(command.expectedRevision !== undefined ? { expectedRevision: command.expectedRevision } : {}),
          ...(command.baseCode !== undefined ? { baseCode: command.baseCode } : {}),
        });
      case 'delete_cell':
        return service.deleteCell(owner, notebookId, command.cellId);
      case 'move_cell':
        return service.moveCell(owner, notebookId, command.cellId, command.index);
      case 'run_cell':
        // Typed code not yet handed over goes first, so the run sees it (without co-editing: no extra tick).
        if (this.coedit) await this.coedit.flushPending(notebookId);
        return this.run(owner, notebookId, command.cellId);
      case 'interrupt':
        return service.interrupt(owner, notebookId);
      case 'run_all':
        if (this.coedit) await this.coedit.flushPending(notebookId);
        await service.runAll(owner, notebookId);
        this.watch(owner, notebookId);
        return undefined;
      case 'restart_kernel':
        return service.restartKernel(owner, notebookId);
      case 'clear_outputs':
        return service.clearOutputs(owner, notebookId);
      case 'run_readers_of':
        await service.runReadersOf(owner, notebookId, command.names);
        this.watch(owner, notebookId);
        return undefined;
      case 'set_widget_value': {
        const answer = await service.setWidgetValue(owner, notebookId, command.widgetId, command.value);
        this.watch(owner, notebookId);
        return answer;
      }
      case 'runtime_call':
        return service.callRuntime(owner, notebookId, command.language, command.method, command.payload);
      case 'coedit_sync': {
        const answer = await this.hub().sync(owner, notebookId, Buffer.from(command.stateVector, 'base64'));
        return { update: Buffer.from(answer.update).toString('base64'), stateVector: Buffer.from(answer.stateVector).toString('base64'), epoch: answer.epoch };
      }
      case 'coedit_update':
        return this.hub().update(owner, notebookId, Buffer.from(command.update, 'base64'));
      default: {
        const unknown: never = command;
        throw new HostError(400, 'RNB_ERR_UNKNOWN_COMMAND', `Unknown command ${JSON.stringify((unknown as { type?: unknown }).type)}.`);
      }
    }
  }

  private run(owner: string, notebookId: string, cellId: string): Promise<void> {
    // The owner is part of the key: another user's identical request must get its own (failing) answer.
    const key = `${owner}\u0000${notebookId}\u0000${cellId}`;
    const pending = this.pendingRuns.get(key);
    if (pending) return pending;
    const request = this.service.runCell(owner, notebookId, cellId).finally(() => this.pendingRuns.delete(key));
    this.pendingRuns.set(key, request);
    return request.then(() => this.watch(owner, notebookId));
  }

  /** Remembers a notebook while it has work, with one idle waiter per notebook. */
  private watch(owner: string, notebookId: string): void {
    const entry = this.active.get(notebookId);
    if (entry) {
      entry.dirty = true;
      return;
    }
    const created: ActiveNotebook = { owner, dirty: false };
    this.active.set(notebookId, created);
    const loop = async (): Promise<void> => {
      do {
        created.dirty = false;
        await this.service.whenIdle(owner, notebookId).catch(() => undefined);
      } while (created.dirty && this.active.get(notebookId) === created);
      if (this.active.get(notebookId) === created) this.active.delete(notebookId);
    };
    void loop();
  }

  private hub(): CoeditHub {
    if (!this.coedit) throw new InvalidInputError('Co-editing is not available on this server.');
    return this.coedit;
  }

  private checkOpen(): void {
    if (this.draining) throw new HostError(503, 'RNB_ERR_SHUTTING_DOWN', 'The server is shutting down; try again in a moment.');
  }
}
