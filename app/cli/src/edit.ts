import * as fs from 'node:fs';
import * as path from 'node:path';
import { isValidNotebookId, readPercentNotebook, writePercentNotebook } from '@rnb/core';
import { loadConfig, pluginsFromConfig, startServer, type RunningServer } from '@rnb/server';
import { CliError } from './errors';

export interface EditOptions {
  port: string;
  host: string;
}

export interface EditSession {
  url: string;
  server: RunningServer;
}

/**
 * The local server on a notebook file or a folder of them (folder storage):
 * `rnb edit sales.py` opens that notebook, `rnb edit notebooks/` the list. A
 * file that does not exist yet is created; one that does not parse is refused
 * here, before anything could write to it.
 */
export async function startEditing(target: string, options: EditOptions): Promise<EditSession> {
  const resolved = path.resolve(target);
  let dir = resolved;
  let notebookId: string | null = null;
  const isFolder = fs.existsSync(resolved) && fs.statSync(resolved).isDirectory();
  if (!isFolder) {
    if (path.extname(resolved) !== '.py') throw new CliError(`${target}: rnb edit opens a .py notebook file or a folder of them.`);
    notebookId = path.basename(resolved, '.py');
    if (!isValidNotebookId(notebookId)) {
      throw new CliError(`${target}: a notebook file's name is its id: letters, digits, "-" and "_" only (e.g. sales_2024.py).`);
    }
    dir = path.dirname(resolved);
    if (fs.existsSync(resolved)) {
      try {
        readPercentNotebook(fs.readFileSync(resolved, 'utf8'));
      } catch (error) {
        throw new CliError(`${target} is not a notebook rnb can read (${(error as Error).message}); fix it first, it was not touched.`);
      }
    } else {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(resolved, writePercentNotebook({ name: notebookId, lazy: false, cells: [{ id: 'cell-1', type: 'python', code: '' }] }));
    }
  }
  const config = loadConfig(
    { ...process.env, NOTEBOOK_STORAGE: 'folder', NOTEBOOK_DIR: dir, NOTEBOOK_AUTH: 'none', PORT: options.port, HOST: options.host, NOTEBOOK_CONFIG: '' },
    { defaultWebDir: webDist() },
  );
  const server = await startServer({ config, plugins: pluginsFromConfig(config) });
  // The URL to open carries the per-start access token (?token=), which the first visit turns into a cookie.
  const open = server.openUrl ?? `${server.url}/`;
  const url = notebookId ? `${open}#/n/${encodeURIComponent(notebookId)}` : open;
  return { url, server };
}

/**
 * `rnb run --app notebook.py`: the local server on that file, and the URL of its app view
 * (`/app/<id>`, outputs only, code hidden) with the access token. The notebook file is not
 * changed: the app runs in a session of its own that is never saved.
 */
export async function startApp(file: string, options: EditOptions): Promise<EditSession> {
  const resolved = path.resolve(file);
  if (path.extname(resolved) !== '.py' || !fs.existsSync(resolved) || fs.statSync(resolved).isDirectory()) {
    throw new CliError(`${file}: rnb run --app serves an existing .py notebook file.`);
  }
  const session = await startEditing(file, options);
  const url = new URL(session.server.openUrl ?? `${session.server.url}/`);
  url.pathname = `${url.pathname.replace(/\/?$/, '/')}app/${encodeURIComponent(path.basename(resolved, '.py'))}`;
  url.hash = '';
  return { url: url.toString(), server: session.server };
}

function webDist(): string {
  try {
    return path.join(path.dirname(require.resolve('@rnb/web/package.json')), 'dist');
  } catch {
    return path.resolve(__dirname, '../../web/dist');
  }
}
