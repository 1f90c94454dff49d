/**
 * Per-notebook settings that plugins declare: each language may list fields
 * (a database connection, an API key, a row limit...). Core keeps the values in
 * the notebook document as `settings[pluginId][field]`, checks them against the
 * declaration, masks secret fields in every view and event, and hands a
 * plugin's own values (clear) to its host services. Storage seals secret
 * fields (see storage/secrets.ts).
 */
import { InvalidInputError } from '../errors';

import type { NotebookSettings, PluginSettingsBody, PluginSettingValues, SettingFieldDescription, SettingFieldType, SettingValue } from '../wire';

// The wire shapes of settings live in the wire contract (../wire), shared with the page.
export type { NotebookSettings, PluginSettingValues, SettingFieldDescription, SettingFieldType, SettingValue };

/** One field a plugin declares (`LanguageDefinition.settings`). */
export interface SettingField {
  /** The key in the stored settings and in the route's body (`connection_string`). */
  name: string;
  type: SettingFieldType;
  /** What the page's form calls it. */
  label: string;
  description?: string;
  /** A secret: encrypted at rest, masked in every view and event, write-only in the page. */
  secret?: boolean;
  /** The choices of an `enum` field. */
  options?: readonly string[];
  /** Longest accepted string (default 2000). */
  maxLength?: number;
  /**
   * How views show a secret value (default: `****`). The SQL plugin shows a
   * connection string with its password hidden.
   */
  mask?(value: string): string;
  /**
   * Checks a value when it is set, so that what the plugin would refuse when it
   * runs is refused at once. Throws an Error whose message (never holding the
   * value) says what is wrong; the host answers 400 naming the field.
   */
  validate?(value: SettingValue): Promise<void> | void;
}

/** What a plugin with settings contributes: its id and its fields. */
export interface PluginSettingsDeclaration {
  id: string;
  settings?: readonly SettingField[];
}

/** What a PUT of one plugin's settings may carry: a value sets, null (or '') clears, absent keeps. */
export type SettingsChange = PluginSettingsBody;

const DEFAULT_MAX_LENGTH = 2000;
const HIDDEN = '****';

export function describeSettingFields(fields: readonly SettingField[]): SettingFieldDescription[] {
  return fields.map((field) => ({
    name: field.name,
    type: field.type,
    label: field.label,
    ...(field.description !== undefined ? { description: field.description } : {}),
    secret: field.secret === true,
    ...(field.options ? { options: [...field.options] } : {}),
  }));
}

/** The declared settings of the loaded plugins, looked up by plugin id. */
export class SettingsCatalog {
  constructor(private readonly plugins: () => readonly PluginSettingsDeclaration[]) {}

  fields(pluginId: string): readonly SettingField[] | undefined {
    const fields = this.plugins().find((plugin) => plugin.id === pluginId)?.settings;
    return fields && fields.length > 0 ? fields : undefined;
  }

  field(pluginId: string, name: string): SettingField | undefined {
    return this.fields(pluginId)?.find((field) => field.name === name);
  }

  /** A field is treated as secret when it says so, or when its plugin is not loaded (nothing can tell). */
  isSecret(pluginId: string, name: string): boolean {
    const fields = this.fields(pluginId);
    if (!fields) return true;
    return fields.find((field) => field.name === name)?.secret === true;
  }

  /**
   * What a notebook file (an import, a percent-format header) may set: declared fields that are not secret. The rest
   * is named in `dropped` (`sql.connection_string: secret, set it in the notebook's settings`).
   */
  importable(settings: NotebookSettings | undefined): { kept: NotebookSettings; dropped: string[] } {
    const kept: NotebookSettings = {};
    const dropped: string[] = [];
    for (const [pluginId, values] of Object.entries(settings ?? {})) {
      for (const [name, value] of Object.entries(values)) {
        const field = this.field(pluginId, name);
        if (!field) dropped.push(`${pluginId}.${name}: no loaded plugin declares it`);
        else if (field.secret === true) dropped.push(`${pluginId}.${name}: a secret is never read from a file; set it in the notebook's settings`);
        else kept[pluginId] = { ...(kept[pluginId] ?? {}), [name]: value };
      }
    }
    return { kept, dropped };
  }

  /** Settings as every view and event shows them: secret values masked. */
  mask(settings: NotebookSettings): NotebookSettings {
    const out: NotebookSettings = {};
    for (const [pluginId, values] of Object.entries(settings)) {
      const shown: PluginSettingValues = {};
      for (const [name, value] of Object.entries(values)) {
        if (!this.isSecret(pluginId, name)) shown[name] = value;
        else shown[name] = typeof value === 'string' && this.field(pluginId, name)?.mask ? this.field(pluginId, name)!.mask!(value) : HIDDEN;
      }
      out[pluginId] = shown;
    }
    return out;
  }

  /**
   * Checks a change to one plugin's values: every field declared, of its type,
   * accepted by the plugin's own check (which may take a while: a DNS lookup).
   * Errors name the field: `sql.connection_string: ...`.
   */
  async check(pluginId: string, change: SettingsChange): Promise<void> {
    const fields = this.fields(pluginId);
    if (!fields) throw new InvalidInputError(`No loaded plugin "${String(pluginId).slice(0, 100)}" declares settings.`);
    if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new InvalidInputError('The settings are an object of field values.');
    for (const [name, value] of Object.entries(change)) {
      const where = `${pluginId}.${name}`;
      const field = fields.find((f) => f.name === name);
      if (!field) throw new InvalidInputError(`${where}: no such setting (${pluginId} declares ${fields.map((f) => f.name).join(', ')}).`);
      if (value === null || value === '') continue;
      checkType(field, value, where);
      if (!field.validate) continue;
      try {
        await field.validate(value);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new InvalidInputError(`${where}: ${message.slice(0, 1000)}`);
      }
    }
  }
}

/** A checked change applied to stored values: null or '' clear a field, absent fields keep theirs. */
export function mergeSettings(current: PluginSettingValues, change: SettingsChange): PluginSettingValues {
  const next: PluginSettingValues = { ...current };
  for (const [name, value] of Object.entries(change)) {
    if (value === null || value === '') delete next[name];
    else next[name] = value;
  }
  return next;
}

function checkType(field: SettingField, value: unknown, where: string): void {
  switch (field.type) {
    case 'string': {
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH;
      if (typeof value !== 'string' || value.length > max) throw new InvalidInputError(`${where} is a string of at most ${max} characters, or null.`);
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(`${where} is a number, or null.`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidInputError(`${where} is true or false, or null.`);
      return;
    case 'enum':
      if (typeof value !== 'string' || !(field.options ?? []).includes(value)) {
        throw new InvalidInputError(`${where} is one of ${(field.options ?? []).join(', ')}, or null.`);
      }
  }
}

/** Reads stored settings: an object of plugin ids holding objects of strings, numbers and booleans. */
export function normalizeSettings(input: unknown, where: string): NotebookSettings {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`${where} must be an object.`);
  const out: NotebookSettings = {};
  for (const [pluginId, values] of Object.entries(input as Record<string, unknown>)) {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new InvalidInputError(`${where}.${pluginId} must be an object.`);
    const kept: PluginSettingValues = {};
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new InvalidInputError(`${where}.${pluginId}.${name} must be a string, a number or true/false.`);
      }
      kept[name] = value;
    }
    if (Object.keys(kept).length > 0) out[pluginId] = kept;
  }
  return out;
}
