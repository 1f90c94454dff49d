import { compiledPath } from '../paths';
import { MARKDOWN_CELL_TYPE } from '../notebook-file/percent-format';
import type { LanguageDefinition } from './language';

/**
 * Markdown cells (from .ipynb files and `# %% [markdown]`): text that defines
 * and reads nothing and runs as nothing. Hosts register it when no plugin
 * provides markdown, so an imported notebook's text cells are cells, not errors.
 */
export function markdownLanguage(): LanguageDefinition {
  return {
    id: MARKDOWN_CELL_TYPE,
    displayName: 'Markdown',
    fileExtension: '.md',
    analyse: () => ({ defines: [], references: [] }),
    runtime: { module: compiledPath(__dirname, 'markdown-runtime.js') },
  };
}
