import { appUrl } from './base-url';
import type {
  AppConfig,
  AppNotebook,
  AppSettings,
  AppSettingsBody,
  Cell,
  CreateCellAnswer,
  CreateCellBody,
  CreateNotebookAnswer,
  ErrorBody,
  ErrorCode,
  ListNotebooksAnswer,
  MeAnswer,
  MoveCellBody,
  Notebook,
  NotebookSummary,
  PluginSettingsAnswer,
  PluginSettingsBody,
  PluginSettingValues,
  RenameNotebookBody,
  SettingsBody,
  SharesAnswer,
  HistoryAnswer,
  VersionAnswer,
  VersionDiffAnswer,
  RestoreAnswer,
  NotebookShareEntry,
  ShareRole,
  UpdateCellBody,
} from '@rnb/core/wire';

/** A code of the wire's error union, or the page's own: no answer (`NETWORK`), an answer without an error body (`HTTP_502`). */
export type ApiErrorCode = ErrorCode | 'NETWORK' | `HTTP_${number}`;

/** Returns the current bearer token, or null when auth is off or the user is signed out. */
export type TokenSource = () => Promise<string | null>;

/** A failed API call: the host's `{ error: { code, message } }`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** The error body's other fields, e.g. `current_code` of RNB_ERR_EDIT_CONFLICT. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request never got an answer: the connection is down, not the request wrong. */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiClientOptions {
  getToken?: TokenSource;
  /** Injected in tests; the browser's fetch otherwise. */
  fetchImpl?: typeof fetch;
  resolve?: (path: string) => string;
}

/** The HTTP half of the wire contract, one method per endpoint. */
export class ApiClient {
  private readonly getToken: TokenSource;
  private readonly fetchImpl: typeof fetch;
  private readonly resolve: (path: string) => string;

  constructor(options: ApiClientOptions = {}) {
    this.getToken = options.getToken ?? (async () => null);
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.resolve = options.resolve ?? ((path) => appUrl(path));
  }

  config(): Promise<AppConfig> {
    return this.request<AppConfig>('GET', 'api/config', undefined, false);
  }

  /** Who the caller is and the name others see beside their cursor (`GET /api/me`). */
  me(): Promise<MeAnswer> {
    return this.request<MeAnswer>('GET', 'api/me');
  }

  async listNotebooks(): Promise<NotebookSummary[]> {
    const body = await this.request<ListNotebooksAnswer>('GET', 'api/notebooks');
    return body.notebooks;
  }

  async createNotebook(name?: string): Promise<string> {
    const body = await this.request<CreateNotebookAnswer>('POST', 'api/notebooks', name ? { name } : {});
    return body.notebook_id;
  }

  /** The notebook as an app viewer sees it (`GET /api/apps/{id}`). */
  getApp(id: string): Promise<AppNotebook> {
    return this.request<AppNotebook>('GET', `api/apps/${encodeURIComponent(id)}`);
  }

  /** Changes some of the app view's settings (owner only); answers all of them. */
  setAppSettings(id: string, settings: AppSettingsBody): Promise<AppSettings> {
    return this.request<AppSettings>('PUT', `api/notebooks/${encodeURIComponent(id)}/app`, settings);
  }

  getNotebook(id: string): Promise<Notebook> {
    return this.request<Notebook>('GET', `api/notebooks/${enc(id)}`);
  }

  /** Who the notebook is shared with (owner only). */
  async listShares(id: string): Promise<NotebookShareEntry[]> {
    return (await this.request<SharesAnswer>('GET', `api/notebooks/${enc(id)}/shares`)).shares;
  }

  /** Shares with a user id (or e-mail, when the sign-in knows addresses) as editor or viewer. */
  async share(id: string, user: string, role: ShareRole): Promise<NotebookShareEntry[]> {
    return (await this.request<SharesAnswer>('PUT', `api/notebooks/${enc(id)}/shares/${enc(user)}`, { role })).shares;
  }

  async revokeShare(id: string, user: string): Promise<NotebookShareEntry[]> {
    return (await this.request<SharesAnswer>('DELETE', `api/notebooks/${enc(id)}/shares/${enc(user)}`)).shares;
  }

  /** The notebook's versions, newest first. */
  async history(id: string): Promise<HistoryAnswer['versions']> {
    return (await this.request<HistoryAnswer>('GET', `api/notebooks/${enc(id)}/history`)).versions;
  }

  async version(id: string, versionId: string): Promise<VersionAnswer> {
    return this.request<VersionAnswer>('GET', `api/notebooks/${enc(id)}/history/${enc(versionId)}`);
  }

  async diffVersions(id: string, from: string, to: string): Promise<VersionDiffAnswer> {
    return this.request<VersionDiffAnswer>('GET', `api/notebooks/${enc(id)}/history/diff?from=${enc(from)}&to=${enc(to)}`);
  }

  async restoreVersion(id: string, versionId: string): Promise<RestoreAnswer> {
    return this.request<RestoreAnswer>('POST', `api/notebooks/${enc(id)}/history/${enc(versionId)}/restore`);
  }

  async renameNotebook(id: string, name: string): Promise<void> {
    await this.request('PUT', `api/notebooks/${enc(id)}/name`, { name } satisfies RenameNotebookBody);
  }

  /** Sets one plugin's settings (null clears a field, absent keeps it); answers its settings, secrets masked. */
  async setPluginSettings(id: string, plugin: string, values: PluginSettingsBody): Promise<PluginSettingValues> {
    const body = await this.request<PluginSettingsAnswer>('PUT', `api/notebooks/${enc(id)}/settings/${enc(plugin)}`, values);
    return body.settings;
  }

  async setLazy(id: string, lazy: boolean): Promise<void> {
    await this.request('PUT', `api/notebooks/${enc(id)}/settings`, { lazy } satisfies SettingsBody);
  }

  /** A copy of the notebook (`POST /api/notebooks/{id}/duplicate`): the new notebook's id. */
  async duplicateNotebook(id: string): Promise<string> {
    const body = await this.request<CreateNotebookAnswer>('POST', `api/notebooks/${enc(id)}/duplicate`, {});
    return body.notebook_id;
  }

  async deleteNotebook(id: string): Promise<void> {
    await this.request('DELETE', `api/notebooks/${enc(id)}`);
  }

  /** `cell_id`: the id the client chose (a UUID), so the page can show the cell before the host answers. */
  async createCell(id: string, input: CreateCellBody): Promise<string> {
    const body = await this.request<CreateCellAnswer>('POST', `api/notebooks/${enc(id)}/cells`, input);
    return body.cell_id;
  }

  /** `baseCode`: the code the edit started from; the host answers 409 RNB_ERR_EDIT_CONFLICT when the cell holds other code now. */
  updateCell(id: string, cellId: string, code: string, baseCode?: string): Promise<Cell> {
    const body: UpdateCellBody = baseCode === undefined ? { code } : { code, base_code: baseCode };
    return this.request<Cell>('PUT', `api/notebooks/${enc(id)}/cells/${enc(cellId)}`, body);
  }

  /** Changes a cell's language in place (with its code): the cell keeps its id and position. */
  changeCellType(id: string, cellId: string, type: string, code: string): Promise<Cell> {
    return this.request<Cell>('PUT', `api/notebooks/${enc(id)}/cells/${enc(cellId)}`, { code, type } satisfies UpdateCellBody);
  }

  async deleteCell(id: string, cellId: string): Promise<void> {
    await this.request('DELETE', `api/notebooks/${enc(id)}/cells/${enc(cellId)}`);
  }

  async moveCell(id: string, cellId: string, index: number): Promise<void> {
    await this.request('POST', `api/notebooks/${enc(id)}/cells/${enc(cellId)}/move`, { index } satisfies MoveCellBody);
  }

  /** Runs every cell once (the host answers once it is queued). */
  async runAll(id: string): Promise<void> {
    await this.request('POST', `api/notebooks/${enc(id)}/run_all`);
  }

  /** A new, empty kernel; cells that ran become stale with their outputs kept. */
  async restartKernel(id: string): Promise<void> {
    await this.request('POST', `api/notebooks/${enc(id)}/restart`);
  }

  /** Empties every cell's stdout and outputs. */
  async clearOutputs(id: string): Promise<void> {
    await this.request('POST', `api/notebooks/${enc(id)}/clear_outputs`);
  }

  /** A notebook as a file (GET /api/notebooks/{id}/export): its text and the file name the server suggests. */
  async exportNotebook(id: string, format: 'ipynb' | 'html' | 'py'): Promise<{ text: string; filename: string; type: string }> {
    const headers: Record<string, string> = {};
    const token = await this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.resolve(`/api/notebooks/${enc(id)}/export?format=${format}`), { headers });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `Cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = `Export failed with status ${response.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(response.status, `HTTP_${response.status}`, message);
    }
    const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `notebook.${format}`;
    return { text, filename, type: response.headers.get('content-type') ?? 'application/octet-stream' };
  }

  /** A .ipynb or .py file as a new notebook (POST /api/notebooks/import). */
  importNotebook(format: 'ipynb' | 'py', content: string, fileName?: string): Promise<{ notebook_id: string; cells: number; notes: string[] }> {
    return this.request('POST', '/api/notebooks/import', { format, content, ...(fileName ? { file_name: fileName } : {}) });
  }

  private async request<T = unknown>(method: Method, path: string, body?: unknown, withAuth = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withAuth) {
      const token = await this.getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.resolve(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `Cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const { code, message, ...details } = (parsed as Partial<ErrorBody> | undefined)?.error ?? ({} as Partial<ErrorBody['error']>);
      throw new ApiError(
        response.status,
        code ?? `HTTP_${response.status}`,
        message ?? `${method} ${path} failed with status ${response.status}`,
        details,
      );
    }
    return parsed as T;
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
