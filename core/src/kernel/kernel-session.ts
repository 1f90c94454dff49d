import type { JsonValue } from '../model/types';
import type { PluginSettingValues, SettingsChange } from '../settings/plugin-settings';
import type { KernelProcess } from './kernel-process';
import type { CellEntered, CellReport, KernelVariable, PlanItem, RuntimeCallAsk } from './protocol';

export interface HostContextSource {
  /** The notebook's values (clear) of the settings a plugin declares: what its host services receive. */
  pluginSettings(pluginId: string): Readonly<PluginSettingValues>;
  /** Stores a change to a plugin's own settings in the notebook (what `context.updateSettings` of a host service does). */
  updatePluginSettings?(pluginId: string, change: SettingsChange): Promise<void>;
}

/** What a notebook's session hears from its kernel. */
export interface SessionListener extends HostContextSource {
  onReports(runId: number, reports: CellReport[]): void;
  onRunDone(runId: number): void;
  /** The kernel's names, described after a plan or a deletion (see `variables` in docs/protocol.md). */
  onVariables?(variables: KernelVariable[], truncated: boolean): void;
  /**
   * The kernel's values for this notebook are gone (crash, memory, eviction, idle): a new kernel starts on next use.
   * `lastEntered`: when the process died, the cell its worker had entered last (it may have finished since).
   */
  onLost(reason: string, lastEntered?: CellEntered): void;
}

/** The server's handle on one notebook's kernel (a worker in an owner's kernel process). */
export class KernelSession {
  lastUsed = Date.now();
  busy = false;
  closed = false;
  constructor(
    readonly id: string,
    readonly owner: string,
    readonly process: KernelProcess,
    readonly listener: SessionListener,
    private readonly manager: SessionOwner,
  ) {}

  /** Starts a plan; `calls` (a widget's new value...) are answered in the kernel before it, in one message: one answer each. */
  run(runId: number, plan: PlanItem[], calls: readonly RuntimeCallAsk[] = []): Promise<JsonValue>[] {
    this.touch();
    this.busy = true;
    if (calls.length > 0) return this.manager.runWithCalls(this, runId, plan, calls);
    this.process.send({ t: 'run', session: this.id, runId, plan });
    return [];
  }
  cancel(runId: number): void {
    this.process.send({ t: 'cancel', session: this.id, runId });
  }
  interrupt(): void {
    this.process.send({ t: 'interrupt', session: this.id });
  }
  /** Deletes names in the kernel; `cells`: deleted cells, whose runtimes drop what they keep for them. */
  deleteNames(names: string[], cells: string[] = []): void {
    if (names.length > 0 || cells.length > 0) this.process.send({ t: 'delete_names', session: this.id, names, ...(cells.length > 0 ? { cells } : {}) });
  }
  /**
   * Asks one language's runtime a question (LanguageRuntime.call), within the
   * size limits and time budget of the kernel limits. Rejects with a
   * RuntimeCallError (busy, timeout, failed, too large) or a KernelError (the
   * kernel went away); the kernel and its values live on either way.
   */
  call(language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    return this.manager.callRuntime(this, language, method, payload);
  }
  close(): void {
    this.manager.closeSession(this, null);
  }
  touch(): void {
    this.lastUsed = Date.now();
  }
}

/** What a session asks of the manager that made it. */
export interface SessionOwner {
  runWithCalls(session: KernelSession, runId: number, plan: PlanItem[], calls: readonly RuntimeCallAsk[]): Promise<JsonValue>[];
  callRuntime(session: KernelSession, language: string, method: string, payload: JsonValue): Promise<JsonValue>;
  closeSession(session: KernelSession, lostReason: string | null): void;
}
