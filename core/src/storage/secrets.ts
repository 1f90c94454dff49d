/**
 * Secrets at rest: a notebook's secret settings (the SQL plugin's connection
 * string...) are sealed with
 * AES-256-GCM under the server's key before any storage plugin sees it, so
 * neither the stored notebook nor a kept revision holds it in clear, whatever
 * the storage. The ciphertext is bound to its owner and notebook (additional
 * data), so it cannot be pasted into another notebook and decrypted there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, ConflictError } from '../errors';
import type { NotebookSettings, PluginSettingValues, SettingValue } from '../settings/plugin-settings';
import type { NotebookDocument, NotebookStore } from './storage';

const PREFIX = 'rnb-secret:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The server's secret key: 32 bytes, given as 64 hex digits or base64. */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Reads a key as NOTEBOOK_SECRET_KEY holds it; throws a ConfigError saying how to make one. */
  static fromText(text: string, variable = 'NOTEBOOK_SECRET_KEY'): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : null;
    if (!key || key.length !== 32) {
      throw new ConfigError(`${variable} must be 32 random bytes as 64 hex digits or base64 (make one with: openssl rand -base64 32).`);
    }
    return new SecretBox(key);
  }

  /** A new random key in the form fromText reads. */
  static generateText(): string {
    return randomBytes(32).toString('base64');
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** Encrypts `plain`, bound to `context` (e.g. owner and notebook id). */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what seal() made for the same context; throws when the key or the context differ, or it was altered. */
  open(sealed: string, context: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('a sealed secret is too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

export interface SecretStoreOptions {
  /** Told when a stored secret cannot be decrypted (another key) or a clear one was migrated. Never given the secret. */
  log?: (level: 'info' | 'warn', message: string) => void;
  /**
   * Which settings fields are secret (the plugins' declarations, e.g.
   * `SettingsCatalog.isSecret`). Default: every string setting is sealed.
   */
  isSecret?: (pluginId: string, field: string) => boolean;
}

function contextOf(doc: { owner: string; id: string }): string {
  return `rnb-notebook\n${doc.owner}\n${doc.id}`;
}

type SettingsMapper = (pluginId: string, field: string, value: SettingValue) => SettingValue | undefined;

function mapSettings(settings: NotebookSettings, mapper: SettingsMapper): NotebookSettings {
  const out: NotebookSettings = {};
  for (const [pluginId, values] of Object.entries(settings)) {
    const kept: PluginSettingValues = {};
    for (const [field, value] of Object.entries(values)) {
      const mapped = mapper(pluginId, field, value);
      if (mapped !== undefined) kept[field] = mapped;
    }
    if (Object.keys(kept).length > 0) out[pluginId] = kept;
  }
  return out;
}

/**
 * Wraps a store so that secret settings (a database connection string...)
 * are sealed on the way in and opened on the way out; callers see clear
 * text, storage never does. A notebook stored with a clear secret (before
 * encryption existed, or migrated from an older layout) is saved again sealed
 * when it is read. A value sealed under another key reads as unset (logged),
 * so the notebook still opens.
 */
export function withSealedSecrets(store: NotebookStore, box: SecretBox, options: SecretStoreOptions = {}): NotebookStore {
  const isSecret = options.isSecret ?? (() => true);
  const needsSealing = (pluginId: string, field: string, value: SettingValue): value is string =>
    typeof value === 'string' && !SecretBox.isSealed(value) && isSecret(pluginId, field);
  const hasClearSecret = (doc: NotebookDocument): boolean =>
    Object.entries(doc.settings).some(([pluginId, values]) => Object.entries(values).some(([field, value]) => needsSealing(pluginId, field, value)));
  const sealed = (doc: NotebookDocument): NotebookDocument => {
    if (!hasClearSecret(doc)) return doc;
    const context = contextOf(doc);
    return { ...doc, settings: mapSettings(doc.settings, (pluginId, field, value) => (needsSealing(pluginId, field, value) ? box.seal(value, context) : value)) };
  };
  const opened = (doc: NotebookDocument): NotebookDocument => {
    const context = contextOf(doc);
    const settings = mapSettings(doc.settings, (pluginId, field, value) => {
      if (typeof value !== 'string' || !SecretBox.isSealed(value)) return value;
      try {
        return box.open(value, context);
      } catch {
        options.log?.('warn', `notebook ${doc.id}: its setting ${pluginId}.${field} was encrypted with another key (NOTEBOOK_SECRET_KEY changed?) and is ignored; set it again`);
        return undefined;
      }
    });
    return { ...doc, settings };
  };
  const wrapped: NotebookStore = {
    async create(document) {
      return { ...(await store.create(sealed(document))), settings: document.settings };
    },
    async get(owner, id) {
      const doc = await store.get(owner, id);
      if (!hasClearSecret(doc)) return opened(doc);
      // Stored before encryption: seal it now, so it leaves the current revision.
      try {
        const migrated = await store.save(sealed(doc), { expectedRevision: doc.revision });
        options.log?.('info', `notebook ${id}: its secret settings are now stored encrypted`);
        return opened({ ...migrated, settings: doc.settings });
      } catch (error) {
        if (error instanceof ConflictError) return opened(doc); // someone saved meanwhile; the next save seals it
        throw error;
      }
    },
    list: (owner) => store.list(owner),
    async save(document, saveOptions) {
      return { ...(await store.save(sealed(document), saveOptions)), settings: document.settings };
    },
    delete: (owner, id) => store.delete(owner, id),
  };
  if (store.close) wrapped.close = () => store.close!();
  // The co-editing document holds cell code only: it passes through unsealed.
  if (store.loadCoedit) wrapped.loadCoedit = (owner, id) => store.loadCoedit!(owner, id);
  if (store.saveCoedit) wrapped.saveCoedit = (owner, id, state) => store.saveCoedit!(owner, id, state);
  // Edits made outside the server (folder storage watching its files) still reach the open notebooks.
  if (store.watch) wrapped.watch = (listener) => store.watch!(listener);
  if (store.ownerOf) wrapped.ownerOf = (id) => store.ownerOf!(id);
  if (store.listSharedWith) wrapped.listSharedWith = (userId) => store.listSharedWith!(userId);
  return wrapped;
}
