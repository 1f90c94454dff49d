import type { ApiClient } from '../api/http';
import type { SettingValue } from '../api/types';
import type { NotebookModel } from './notebook-model';

export interface SettingsDeps {
  api: Pick<ApiClient, 'renameNotebook' | 'setPluginSettings' | 'setLazy'>;
  model: Pick<NotebookModel, 'getMeta' | 'patchMeta'>;
  /** Tells the user why a change was refused. */
  report(err: unknown): void;
}

/**
 * The notebook's own settings (name, lazy mode, plugin settings). Each change resolves to whether the host took
 * it, so the settings dialog can stay open on a refusal; the page shows the value only once the host has it.
 */
export class NotebookSettings {
  constructor(private readonly deps: SettingsDeps) {}

  private get notebookId(): string {
    return this.deps.model.getMeta().id;
  }

  rename = async (name: string): Promise<boolean> => this.settle(async () => {
    await this.deps.api.renameNotebook(this.notebookId, name);
    this.deps.model.patchMeta({ name });
  });

  /** Sets one plugin's settings; the page keeps the host's masked answer, never the secret typed. */
  setPluginSettings = async (plugin: string, values: { [field: string]: SettingValue | null }): Promise<boolean> => this.settle(async () => {
    const masked = await this.deps.api.setPluginSettings(this.notebookId, plugin, values);
    const settings = { ...this.deps.model.getMeta().settings };
    if (Object.keys(masked).length > 0) settings[plugin] = masked;
    else delete settings[plugin];
    this.deps.model.patchMeta({ settings });
  });

  setLazy = async (lazy: boolean): Promise<boolean> => this.settle(async () => {
    await this.deps.api.setLazy(this.notebookId, lazy);
    this.deps.model.patchMeta({ lazy });
  });

  private async settle(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (err) {
      this.deps.report(err);
      return false;
    }
  }
}
