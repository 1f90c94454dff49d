/**
 * The markdown export: the notebook as one markdown document. Markdown cells are written as their text (the
 * template, `{name}` and all, as in .ipynb and .py), so the file reads back as the same notebook. Rendering
 * markdown to HTML is the markdown plugin's (`@rnb/markdown`), handed to `exportHtml`.
 */
import { outputAsText } from './output-text';
import { MARKDOWN_CELL_TYPE } from './percent-format';
import type { PortableNotebook } from './portable';

/** The notebook as a markdown document: text cells as they are, code fenced, outputs as text (images inline). */
export function exportMarkdown(notebook: PortableNotebook): string {
  const fence = (text: string, info = ''): string => {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}${info}\n${text.replace(/\n$/, '')}\n${ticks}`;
  };
  const parts = [`# ${notebook.name}`];
  for (const cell of notebook.cells) {
    if (cell.type === MARKDOWN_CELL_TYPE) {
      parts.push(cell.code);
      continue;
    }
    parts.push(fence(cell.code, cell.type));
    if (cell.stdout) parts.push(fence(cell.stdout, 'text'));
    if (cell.stderr) parts.push(fence(cell.stderr, 'text'));
    for (const output of cell.outputs) {
      if (/^image\/(png|jpeg|gif)$/.test(output.mime_type) && typeof output.data === 'string') parts.push(`![output](data:${output.mime_type};base64,${output.data.replace(/\s+/g, '')})`);
      else parts.push(fence(outputAsText(output), 'text'));
    }
    if (cell.error) parts.push(fence(cell.error, 'text'));
  }
  return `${parts.join('\n\n')}\n`;
}
