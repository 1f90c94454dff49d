import type { Router } from '@koa/router';
import {
  exportHtml,
  exportIpynb,
  exportMarkdown,
  importIpynb,
  InvalidInputError,
  notebookFileOf,
  packagesOfSettings,
  portableOf,
  readPercentNotebook,
  SettingsCatalog,
  withoutResults,
  writePercentNotebook,
  type PortableNotebook,
} from '@rnb/core';
import { renderMarkdownHtml } from '@rnb/markdown';
import type { CreateNotebookAnswer } from '@rnb/core/wire';
import type { LanguageDefinition } from '@rnb/core';
import type { CommandRouter } from '../commands/command-router';
import { chartLibrariesForExport } from '../export/chart-libraries';
import { endpoint, type EndpointDeps } from './endpoint';
import { importNotebookBody } from './schemas';

const FORMATS = {
  ipynb: { type: 'application/x-ipynb+json; charset=utf-8', extension: 'ipynb', render: (n: PortableNotebook) => exportIpynb(n) },
  // Markdown cells and outputs rendered by the markdown plugin's renderer (raw HTML off, links checked).
  html: { type: 'text/html; charset=utf-8', extension: 'html', render: (n: PortableNotebook, showCode: boolean) => exportHtml(n, { showCode, renderMarkdown: renderMarkdownHtml, chartLibraries: chartLibrariesForExport() }) },
  md: { type: 'text/markdown; charset=utf-8', extension: 'md', render: (n: PortableNotebook) => exportMarkdown(n) },
  py: { type: 'text/x-python; charset=utf-8', extension: 'py', render: (n: PortableNotebook) => writePercentNotebook(notebookFileOf(n)) },
} as const;
type Format = keyof typeof FORMATS;

/** Export and import of notebook files (docs/notebook-files.md): the page's Export menu and Import drop use these. */
export function registerFileRoutes(router: Router, deps: EndpointDeps & { commands: CommandRouter; languages?: () => readonly LanguageDefinition[] }): void {
  const { commands } = deps;
  // Which settings are secret (never in a file): the loaded plugins' declarations; a plugin not loaded counts as secret.
  const catalog = new SettingsCatalog(() => deps.languages?.() ?? []);
  const isSecret = (pluginId: string, field: string): boolean => catalog.isSecret(pluginId, field);

  router.get('/api/notebooks/:id/export', endpoint(deps, {}, async ({ user, params }, ctx) => {
    const format = String(ctx.query.format ?? 'ipynb');
    if (!(format in FORMATS)) throw new InvalidInputError(`format must be one of ${Object.keys(FORMATS).join(', ')}; got "${format.slice(0, 20)}".`);
    const spec = FORMATS[format as Format];
    const view = await commands.dispatch(user.userId, params.id!, { type: 'get_notebook' });
    // `code=false`: an HTML report of text and outputs only.
    const showCode = ctx.query.code !== 'false';
    // The view's secret settings are masked and left out; the others (packages, a row limit, the app view's) travel with the file.
    const text = spec.render(portableOf({ name: view.name, lazy: view.lazy, cells: view.cells, settings: view.settings, ...(view.app ? { app: view.app } : {}) }, isSecret), showCode);
    const base = view.name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'notebook';
    ctx.type = spec.type;
    ctx.set('Content-Disposition', `attachment; filename="${base}.${spec.extension}"`);
    return { status: 200, body: text };
  }));

  router.post('/api/notebooks/import', endpoint(deps, { body: importNotebookBody }, async ({ user, body }) => {
    let notebook: PortableNotebook;
    const notes: string[] = [];
    try {
      if (body.format === 'ipynb') {
        // A notebook exported by rnb carries its name (metadata.rnb.name); a Jupyter one is named after its file.
        const imported = importIpynb(body.content, body.file_name?.trim() || 'Imported notebook');
        notebook = imported.notebook;
        notes.push(...imported.notes);
      } else {
        notebook = withoutResults(readPercentNotebook(body.content));
      }
    } catch (error) {
      throw new InvalidInputError(`The ${body.format} file cannot be read: ${(error as Error).message}`);
    }
    for (const dropped of catalog.importable(notebook.settings).dropped) notes.push(`setting ${dropped}: not imported`);
    // One step: the file's cells, ids and last outputs become the new notebook (no empty first cell, no partial import).
    const view = await commands.createNotebook(user.userId, {
      name: (body.name ?? notebook.name).slice(0, 200).trim() || 'Imported notebook',
      lazy: notebook.lazy,
      cells: notebook.cells,
      ...(notebook.packages ? { packages: notebook.packages } : {}),
      ...(notebook.settings ? { settings: notebook.settings } : {}),
      ...(notebook.app ? { app: notebook.app } : {}),
    });
    const missing = new Map<string, number>();
    for (const cell of view.cells) {
      if (cell.error?.startsWith('No plugin is loaded for cell type')) missing.set(cell.type, (missing.get(cell.type) ?? 0) + 1);
    }
    for (const [type, count] of missing) {
      notes.push(`${count} ${type} cell${count === 1 ? '' : 's'} kept as text: this server has no "${type}" language, so ${count === 1 ? 'it shows' : 'they show'} that as an error`);
    }
    return { status: 201, body: { notebook_id: view.id, cells: view.cells.length, notes } };
  }));

  // A copy: the same cells (code, type, last outputs, shown stale: the copy has its own kernel), named "<name> (copy)".
  // Copied too: the settings that are not secret (the Python packages, ...) and the app view's. Not copied: the database
  // connection string (a secret stays where it was set), who may open the app, and when cells last ran.
  router.post('/api/notebooks/:id/duplicate', endpoint(deps, {}, async ({ user, params }) => {
    const source = await commands.dispatch(user.userId, params.id!, { type: 'get_notebook' });
    const copy = portableOf({ name: source.name, lazy: source.lazy, cells: source.cells, settings: source.settings, ...(source.app ? { app: source.app } : {}) }, isSecret);
    const view = await commands.createNotebook(user.userId, {
      name: `${source.name} (copy)`.slice(0, 200),
      lazy: source.lazy,
      cells: copy.cells,
      packages: packagesOfSettings(source.settings),
      ...(copy.settings ? { settings: copy.settings } : {}),
      ...(copy.app ? { app: copy.app } : {}),
    });
    return { status: 201, body: { notebook_id: view.id } satisfies CreateNotebookAnswer };
  }));
}
