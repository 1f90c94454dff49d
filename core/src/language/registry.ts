import * as path from 'node:path';
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
    const problem = presentationProblem(language);
    if (problem) throw new NotebookError('RNB_ERR_PLUGIN', `Language "${language.id}": ${problem}`);
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

const FILE_EXTENSION = /^\.[A-Za-z0-9_+-]{1,16}$/;
const EDITOR_MODE = /^[a-z][a-z0-9_-]{0,31}$/;

/** What is wrong with the optional fields the page reads (a bad one would break it, not the server). */
function presentationProblem(language: LanguageDefinition): string | null {
  if (language.displayName !== undefined && (typeof language.displayName !== 'string' || language.displayName.trim() === '' || language.displayName.length > 64)) {
    return 'displayName must be a non-empty string of at most 64 characters.';
  }
  if (language.fileExtension !== undefined && !FILE_EXTENSION.test(language.fileExtension)) {
    return `fileExtension "${String(language.fileExtension)}" must be a dot and up to 16 letters or digits, e.g. ".py".`;
  }
  if (language.editor?.mode !== undefined && !EDITOR_MODE.test(language.editor.mode)) {
    return `editor.mode "${String(language.editor.mode)}" must be a lowercase name such as "python".`;
  }
  if (language.browserModule !== undefined && (typeof language.browserModule !== 'string' || !path.isAbsolute(language.browserModule) || !/\.m?js$/.test(language.browserModule))) {
    return `browserModule "${String(language.browserModule)}" must be the absolute path of a .js or .mjs file.`;
  }
  return null;
}

/** Provides the LanguageRegistry that language plugins register with. */
export const languageRegistryPlugin = definePlugin({
  id: 'core:language-registry',
  provides: LanguageRegistry,
  activate: (): LanguageRegistry => new DefaultLanguageRegistry(),
});
