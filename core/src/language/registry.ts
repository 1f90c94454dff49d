import { NotebookError } from '../errors';
import { definePlugin } from '../plugin/define-plugin';
import { LanguageRegistry } from '../tokens';
import type { LanguageDefinition } from './language';

const LANGUAGE_ID = /^[a-z][a-z0-9_-]{0,31}$/;

export class DefaultLanguageRegistry implements LanguageRegistry {
  private readonly languages = new Map<string, LanguageDefinition>();

  register(language: LanguageDefinition): void {
    if (!LANGUAGE_ID.test(language.id)) {
      throw new NotebookError('RNB_ERR_PLUGIN', `Language id "${language.id}" is invalid: use lowercase letters, digits, "-" or "_".`);
    }
    if (this.languages.has(language.id)) {
      throw new NotebookError('RNB_ERR_PLUGIN', `Language "${language.id}" is registered twice: load only one plugin for it.`);
    }
    this.languages.set(language.id, language);
  }

  get(id: string): LanguageDefinition | undefined {
    return this.languages.get(id);
  }

  list(): LanguageDefinition[] {
    return [...this.languages.values()];
  }
}

/** Provides the LanguageRegistry that language plugins register with. */
export const languageRegistryPlugin = definePlugin({
  id: 'core:language-registry',
  provides: LanguageRegistry,
  activate: (): LanguageRegistry => new DefaultLanguageRegistry(),
});
