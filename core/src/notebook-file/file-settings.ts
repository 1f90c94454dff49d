/**
 * Which of a notebook's settings travel in its files (percent-format header,
 * `.ipynb` metadata): plugin settings that are not secret, and how the app view
 * shows it. Secrets (a connection string) and who may open the app stay with
 * the server. The packages have their own place (see packages.ts).
 */
import type { AppSettings, NotebookSettings, PluginSettingValues } from '../wire';
import type { FileAppSettings } from './percent-format';
import { PACKAGES_FIELD, PACKAGES_PLUGIN } from './packages';

/** Tells a secret field; a plugin that is not loaded cannot say, so callers answer true for it. */
export type IsSecretSetting = (pluginId: string, field: string) => boolean;

/** The settings a file may carry: every non-secret value but the packages. */
export function fileSettingsOf(settings: NotebookSettings | undefined, isSecret: IsSecretSetting): NotebookSettings {
  const out: NotebookSettings = {};
  for (const [pluginId, values] of Object.entries(settings ?? {})) {
    const kept: PluginSettingValues = {};
    for (const [field, value] of Object.entries(values)) {
      if (pluginId === PACKAGES_PLUGIN && field === PACKAGES_FIELD) continue;
      if (!isSecret(pluginId, field)) kept[field] = value;
    }
    if (Object.keys(kept).length > 0) out[pluginId] = kept;
  }
  return out;
}

/** What a file says about the app view: absent when the notebook has no app settings. */
export function fileAppOf(app: AppSettings | undefined): FileAppSettings | undefined {
  return app ? { show_code: app.show_code, show_tracebacks: app.show_tracebacks } : undefined;
}

/** A notebook's app settings after reading a file: the file's view settings over what the server keeps (`published`). */
export function appWithFile(kept: AppSettings | undefined, file: FileAppSettings | undefined): AppSettings | undefined {
  if (!file || Object.keys(file).length === 0) return kept;
  return { show_code: false, show_tracebacks: false, published: false, ...(kept ?? {}), ...file };
}

/** A file's settings put under what the server keeps: its secrets stay, everything the file may carry comes from the file. */
export function settingsWithFile(kept: NotebookSettings, file: NotebookSettings | undefined, isSecret: IsSecretSetting): NotebookSettings {
  const out: NotebookSettings = {};
  for (const [pluginId, values] of Object.entries(kept)) {
    const secrets: PluginSettingValues = {};
    for (const [field, value] of Object.entries(values)) {
      // The packages come from the file's own block; other non-secret values from its header.
      if (isSecret(pluginId, field) && !(pluginId === PACKAGES_PLUGIN && field === PACKAGES_FIELD)) secrets[field] = value;
    }
    if (Object.keys(secrets).length > 0) out[pluginId] = secrets;
  }
  for (const [pluginId, values] of Object.entries(file ?? {})) {
    for (const [field, value] of Object.entries(values)) {
      // A file never sets a secret (a hand-edited line naming one is ignored: it would not be sealed).
      if (isSecret(pluginId, field)) continue;
      out[pluginId] = { ...(out[pluginId] ?? {}), [field]: value };
    }
  }
  return out;
}
