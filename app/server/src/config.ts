import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, SecretBox, defaultMaxSessions, type KernelManagerOptions, type NotebookLimits } from '@rnb/core';
import { accessTokenProblem } from './http/access-guard';
import { parseLogLevel, type LogLevel } from './logger';

/** The host's settings, checked. Names and defaults are documented in docs/configuration.md. */
export interface ServerConfig {
  port: number;
  host: string;
  /** `file`, `dynamodb`, or a storage plugin's package name. */
  storage: string;
  /** `none`, `clerk`, or an auth plugin's package name. */
  auth: string;
  /** Built-in language plugins to load (`python`, `sql`) or language packages. */
  languages: string[];
  /** Extra plugin packages (NOTEBOOK_PLUGINS). */
  plugins: string[];
  /**
   * Options for plugin packages, by the name they are loaded by: a config file entry
   * `["package", { ...options }]` in NOTEBOOK_LANGUAGES, NOTEBOOK_PLUGINS, NOTEBOOK_STORAGE,
   * NOTEBOOK_AUTH or NOTEBOOK_ASSISTANT (as Babel and ESLint take them). The factory gets them.
   */
  pluginOptions: Record<string, PluginOptions>;
  corsOrigins: string[];
  /** Published apps open for anyone, signed in or not (NOTEBOOK_PUBLIC_APPS=true). */
  publicApps: boolean;
  /** Host names accepted in the Host header with auth `none` besides localhost, 127.0.0.1, [::1] and HOST (ALLOWED_HOSTS; `*`: any). */
  allowedHosts: string[];
  /**
   * Auth `none` only: the access token (NOTEBOOK_TOKEN). Unset: a new random one each start;
   * null: set empty, the token is off.
   */
  accessToken: string | null | undefined;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /** Largest cell code in UTF-8 bytes (MAX_CELL_BYTES): more is refused with 413. */
  maxCellBytes: number;
  /** Threads that analyse cells off the event loop (ANALYSIS_WORKERS). */
  analysisWorkers: number;
  /** Time one cell's analysis may take (ANALYSIS_TIME_LIMIT_MS). */
  analysisTimeLimitMs: number;
  maxKernels: number | undefined;
  /** Kernels one user may hold at once (MAX_KERNELS_PER_USER); unset: half of MAX_KERNELS with a login, all without. */
  maxKernelsPerUser: number | undefined;
  /** A cell running longer is stopped (CELL_TIME_LIMIT_SECONDS; 0: no limit). Default 300 with a login, none without. */
  cellTimeLimitSeconds: number;
  kernelIdleSeconds: number;
  /** Version history: a version after this long without edits (NOTEBOOK_HISTORY_PAUSE_SECONDS), at most this many (NOTEBOOK_HISTORY_MAX_VERSIONS), none older (NOTEBOOK_HISTORY_MAX_AGE_DAYS). */
  history: { pauseMs: number; maxVersions: number; maxAgeMs: number };
  shutdownGraceSeconds: number;
  /** Cluster mode when set: instances share events and kernel ownership through this Redis. */
  redisUrl: string | undefined;
  /** Cluster mode: a kernel lease's time to live, so how long a dead instance's notebooks wait (CLUSTER_LEASE_MS). */
  clusterLeaseMs: number;
  /** The built front end to serve, or null for none. */
  webDir: string | null;
  /** Size limits per notebook and per user (MAX_CELLS_PER_NOTEBOOK, MAX_NOTEBOOK_CODE_CHARS, ...). */
  notebookLimits: NotebookLimits;
  /** NOTEBOOK_SECRET_KEY: seals secrets at rest; required unless auth is `none`. */
  secretKey: string | undefined;
  /** Auth `none` without NOTEBOOK_SECRET_KEY: where the key generated once is kept (NOTEBOOK_SECRET_KEY_FILE). */
  secretKeyFile: string;
  /** Every setting as a string: what plugins read through their context's config. */
  values: Record<string, string | undefined>;
  /** The config file that was read, if any. */
  file: string | undefined;
}

/** A plugin's options from the config file: a JSON object. */
export type PluginOptions = { [key: string]: unknown };

/** Settings whose config file entries may name a plugin with options. */
const PLUGIN_SETTINGS: ReadonlySet<string> = new Set(['NOTEBOOK_LANGUAGES', 'NOTEBOOK_PLUGINS', 'NOTEBOOK_STORAGE', 'NOTEBOOK_AUTH', 'NOTEBOOK_ASSISTANT']);

/** With sign-in, cells get a time limit by default (docs/configuration.md: CELL_TIME_LIMIT_SECONDS). */
const MULTI_USER_CELL_TIME_LIMIT_SECONDS = '300';

export const DEFAULTS = {
  PORT: '8000',
  /** With NOTEBOOK_AUTH=none; with sign-in the default is 0.0.0.0 (LISTEN_ALL). */
  HOST: '127.0.0.1',
  NOTEBOOK_STORAGE: 'file',
  NOTEBOOK_AUTH: 'none',
  NOTEBOOK_LANGUAGES: 'python,sql,markdown',
  LOG_LEVEL: 'info',
  MAX_BODY_BYTES: String(2 * 1024 * 1024),
  MAX_CELL_BYTES: '200000',
  ANALYSIS_WORKERS: '2',
  ANALYSIS_TIME_LIMIT_MS: '2000',
  KERNEL_IDLE_SECONDS: '1800',
  NOTEBOOK_HISTORY_PAUSE_SECONDS: '30',
  NOTEBOOK_HISTORY_MAX_VERSIONS: '200',
  NOTEBOOK_HISTORY_MAX_AGE_DAYS: '30',
  SHUTDOWN_GRACE_SECONDS: '10',
  CLUSTER_LEASE_MS: '5000',
  MAX_CELLS_PER_NOTEBOOK: '20000',
  MAX_NOTEBOOK_CODE_CHARS: '10000000',
  MAX_NOTEBOOK_OUTPUT_CHARS: String(32 * 1024 * 1024),
  MAX_NOTEBOOKS_PER_USER: '1000',
  MAX_USER_BYTES: String(1024 * 1024 * 1024),
} as const;

/** Where a server with sign-in listens by default: every interface (containers, load balancers). */
export const LISTEN_ALL = '0.0.0.0';

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$|^\.{0,2}\/[^\0]+$/i;
export const DEFAULT_CONFIG_FILE = 'notebook.config.json';

export interface LoadConfigOptions {
  cwd?: string;
  /** The built web app's default location (main.ts passes app/web/dist). */
  defaultWebDir?: string;
}

/**
 * Reads the configuration: a JSON config file (NOTEBOOK_CONFIG, else
 * ./notebook.config.json when present) under the environment, which wins.
 * Every invalid value is reported at once, each naming its variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): ServerConfig {
  const cwd = options.cwd ?? process.cwd();
  const { values: fileValues, pluginOptions, file } = readConfigFile(env.NOTEBOOK_CONFIG, cwd);
  const values: Record<string, string | undefined> = { ...fileValues };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') values[key] = value;
  const get = (key: string, fallback?: string): string | undefined => {
    const value = values[key]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const problems: string[] = [];

  const port = integer(get('PORT', DEFAULTS.PORT)!, 'PORT', 0, 65535, problems);
  const storage = pluginName(get('NOTEBOOK_STORAGE', DEFAULTS.NOTEBOOK_STORAGE)!, 'NOTEBOOK_STORAGE', '"file", "folder", "dynamodb" or a storage plugin package', problems);
  const auth = pluginName(get('NOTEBOOK_AUTH', DEFAULTS.NOTEBOOK_AUTH)!, 'NOTEBOOK_AUTH', '"none", "clerk" or an auth plugin package', problems);
  // No sign-in: reachable from this machine only unless HOST says otherwise.
  const host = get('HOST', auth === 'none' ? DEFAULTS.HOST : LISTEN_ALL)!;
  const allowedHosts = list(get('ALLOWED_HOSTS'));
  for (const name of allowedHosts) {
    if (name !== '*' && !/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[0-9a-f:]+)$/i.test(name)) problems.push(`ALLOWED_HOSTS: "${name}" is not a host name; write names without scheme or port, e.g. notebook.lan,192.168.1.20.`);
  }
  // An empty NOTEBOOK_TOKEN means "off", so it is read before empty values are dropped.
  const tokenSetting = Object.prototype.hasOwnProperty.call(env, 'NOTEBOOK_TOKEN') ? env.NOTEBOOK_TOKEN : fileValues.NOTEBOOK_TOKEN;
  const accessToken = tokenSetting === undefined ? undefined : tokenSetting.trim() === '' ? null : tokenSetting.trim();
  if (accessToken) {
    const problem = accessTokenProblem(accessToken);
    if (problem) problems.push(problem);
  }
  const languages = list(get('NOTEBOOK_LANGUAGES', DEFAULTS.NOTEBOOK_LANGUAGES)).map((name) => pluginName(name, 'NOTEBOOK_LANGUAGES', '"python", "sql", "markdown" or language plugin packages', problems));
  const plugins = list(get('NOTEBOOK_PLUGINS')).map((name) => pluginName(name, 'NOTEBOOK_PLUGINS', 'comma-separated package names', problems));
  const corsOrigins = list(get('CORS_ORIGINS'));
  for (const origin of corsOrigins) {
    if (origin !== '*' && !isOrigin(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an origin; write it as scheme://host[:port], e.g. https://app.example.com.`);
  }
  const publicAppsText = (get('NOTEBOOK_PUBLIC_APPS') ?? 'false').trim().toLowerCase();
  if (!['true', 'false', '1', '0', ''].includes(publicAppsText)) problems.push(`NOTEBOOK_PUBLIC_APPS must be true or false; got "${publicAppsText.slice(0, 40)}".`);
  const publicApps = publicAppsText === 'true' || publicAppsText === '1';
  const levelText = get('LOG_LEVEL', DEFAULTS.LOG_LEVEL)!;
  const logLevel = parseLogLevel(levelText);
  if (!logLevel) problems.push(`LOG_LEVEL must be debug, info, warn or error; got "${levelText}".`);
  const maxBodyBytes = integer(get('MAX_BODY_BYTES', DEFAULTS.MAX_BODY_BYTES)!, 'MAX_BODY_BYTES', 1024, 1024 * 1024 * 1024, problems);
  const maxCellBytes = integer(get('MAX_CELL_BYTES', DEFAULTS.MAX_CELL_BYTES)!, 'MAX_CELL_BYTES', 1024, 1_000_000, problems);
  if (maxCellBytes > maxBodyBytes) problems.push(`MAX_CELL_BYTES (${maxCellBytes}) is larger than MAX_BODY_BYTES (${maxBodyBytes}): such a cell could never be sent; raise MAX_BODY_BYTES or lower MAX_CELL_BYTES.`);
  const analysisWorkers = integer(get('ANALYSIS_WORKERS', DEFAULTS.ANALYSIS_WORKERS)!, 'ANALYSIS_WORKERS', 1, 64, problems);
  const analysisTimeLimitMs = integer(get('ANALYSIS_TIME_LIMIT_MS', DEFAULTS.ANALYSIS_TIME_LIMIT_MS)!, 'ANALYSIS_TIME_LIMIT_MS', 50, 600_000, problems);
  const maxKernelsText = get('MAX_KERNELS');
  const maxKernels = maxKernelsText === undefined ? undefined : integer(maxKernelsText, 'MAX_KERNELS', 1, 100_000, problems);
  const maxKernelsPerUserText = get('MAX_KERNELS_PER_USER');
  const maxKernelsPerUser = maxKernelsPerUserText === undefined ? undefined : integer(maxKernelsPerUserText, 'MAX_KERNELS_PER_USER', 1, 100_000, problems);
  const multiUser = auth !== 'none';
  const cellTimeLimitSeconds = integer(get('CELL_TIME_LIMIT_SECONDS', multiUser ? MULTI_USER_CELL_TIME_LIMIT_SECONDS : '0')!, 'CELL_TIME_LIMIT_SECONDS', 0, 7 * 24 * 3600, problems);
  const kernelIdleSeconds = integer(get('KERNEL_IDLE_SECONDS', DEFAULTS.KERNEL_IDLE_SECONDS)!, 'KERNEL_IDLE_SECONDS', 1, 365 * 24 * 3600, problems);
  const history = {
    pauseMs: integer(get('NOTEBOOK_HISTORY_PAUSE_SECONDS', DEFAULTS.NOTEBOOK_HISTORY_PAUSE_SECONDS)!, 'NOTEBOOK_HISTORY_PAUSE_SECONDS', 1, 24 * 3600, problems) * 1000,
    maxVersions: integer(get('NOTEBOOK_HISTORY_MAX_VERSIONS', DEFAULTS.NOTEBOOK_HISTORY_MAX_VERSIONS)!, 'NOTEBOOK_HISTORY_MAX_VERSIONS', 1, 100_000, problems),
    maxAgeMs: integer(get('NOTEBOOK_HISTORY_MAX_AGE_DAYS', DEFAULTS.NOTEBOOK_HISTORY_MAX_AGE_DAYS)!, 'NOTEBOOK_HISTORY_MAX_AGE_DAYS', 1, 36_500, problems) * 24 * 3600 * 1000,
  };
  const shutdownGraceSeconds = integer(get('SHUTDOWN_GRACE_SECONDS', DEFAULTS.SHUTDOWN_GRACE_SECONDS)!, 'SHUTDOWN_GRACE_SECONDS', 0, 3600, problems);
  const redisUrl = get('REDIS_URL');
  const clusterLeaseMs = integer(get('CLUSTER_LEASE_MS', DEFAULTS.CLUSTER_LEASE_MS)!, 'CLUSTER_LEASE_MS', 500, 600_000, problems);
  if (redisUrl !== undefined) {
    if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) problems.push('REDIS_URL must look like redis://host:6379 or rediss://:password@host:6379 (TLS); unset it to run a single instance.');
    // Every instance must see every notebook: a folder on one machine cannot be shared by a cluster.
    if (storage === 'file' || storage === 'folder') {
      problems.push(`REDIS_URL is set (cluster mode), but NOTEBOOK_STORAGE=${storage} keeps notebooks on this machine only: set NOTEBOOK_STORAGE=dynamodb (with DYNAMODB_TABLE, and DYNAMODB_ENDPOINT for a local server) or another shared storage plugin, or unset REDIS_URL to run a single instance.`);
    }
  }
  const notebookLimits: NotebookLimits = {
    maxCells: integer(get('MAX_CELLS_PER_NOTEBOOK', DEFAULTS.MAX_CELLS_PER_NOTEBOOK)!, 'MAX_CELLS_PER_NOTEBOOK', 1, 1_000_000, problems),
    maxNotebookCodeChars: integer(get('MAX_NOTEBOOK_CODE_CHARS', DEFAULTS.MAX_NOTEBOOK_CODE_CHARS)!, 'MAX_NOTEBOOK_CODE_CHARS', 1000, 1_000_000_000, problems),
    maxStoredOutputChars: integer(get('MAX_NOTEBOOK_OUTPUT_CHARS', DEFAULTS.MAX_NOTEBOOK_OUTPUT_CHARS)!, 'MAX_NOTEBOOK_OUTPUT_CHARS', 0, 1024 * 1024 * 1024, problems),
    maxNotebooksPerUser: integer(get('MAX_NOTEBOOKS_PER_USER', DEFAULTS.MAX_NOTEBOOKS_PER_USER)!, 'MAX_NOTEBOOKS_PER_USER', 1, 10_000_000, problems),
    maxUserBytes: integer(get('MAX_USER_BYTES', DEFAULTS.MAX_USER_BYTES)!, 'MAX_USER_BYTES', 1024, Number.MAX_SAFE_INTEGER, problems),
  };
  const secretKey = get('NOTEBOOK_SECRET_KEY');
  if (secretKey !== undefined) {
    try {
      SecretBox.fromText(secretKey);
    } catch (error) {
      problems.push((error as Error).message);
    }
  } else if (auth !== 'none') {
    problems.push(
      'NOTEBOOK_SECRET_KEY is required when NOTEBOOK_AUTH is not "none": it encrypts notebooks\' database connection strings at rest. ' +
        'Make one with: openssl rand -base64 32, give every instance the same one and keep it secret (without it the stored connection strings cannot be read).',
    );
  }
  const secretKeyFile = path.resolve(cwd, get('NOTEBOOK_SECRET_KEY_FILE') ?? path.join(get('NOTEBOOK_DIR') ?? 'notebooks', '.secret-key'));
  const webSetting = get('WEB_DIR');
  let webDir: string | null = null;
  if (webSetting === 'none') webDir = null;
  else if (webSetting !== undefined) {
    webDir = path.resolve(cwd, webSetting);
    if (!fs.existsSync(path.join(webDir, 'index.html'))) problems.push(`WEB_DIR: no index.html in ${webDir}; build the web app (npm run build) or set WEB_DIR=none.`);
  } else if (options.defaultWebDir && fs.existsSync(path.join(options.defaultWebDir, 'index.html'))) {
    webDir = options.defaultWebDir;
  }

  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration${file ? ` (environment and ${file})` : ''}:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    port,
    host,
    storage,
    auth,
    languages,
    plugins,
    pluginOptions,
    corsOrigins,
    publicApps,
    allowedHosts,
    accessToken,
    logLevel: logLevel!,
    maxBodyBytes,
    maxCellBytes,
    analysisWorkers,
    analysisTimeLimitMs,
    maxKernels,
    maxKernelsPerUser,
    cellTimeLimitSeconds,
    kernelIdleSeconds,
    history,
    shutdownGraceSeconds,
    redisUrl,
    clusterLeaseMs,
    webDir,
    notebookLimits,
    secretKey,
    secretKeyFile,
    // The access token and the secret key are the host's own secrets: plugins do not see them.
    values: { ...values, NOTEBOOK_STORAGE: storage, NOTEBOOK_AUTH: auth, NOTEBOOK_TOKEN: undefined, NOTEBOOK_SECRET_KEY: undefined },
    file,
  };
}

/**
 * The kernel manager's settings from the configuration. With a login, several users share the server: each may hold
 * at most half its kernels unless MAX_KERNELS_PER_USER says otherwise (the fair share applies either way), and cells
 * have a time limit (CELL_TIME_LIMIT_SECONDS), named with its setting in the message of a cell it stops.
 */
export function kernelSettings(config: Pick<ServerConfig, 'auth' | 'maxKernels' | 'maxKernelsPerUser' | 'cellTimeLimitSeconds' | 'kernelIdleSeconds'>): Partial<Omit<KernelManagerOptions, 'languages' | 'log'>> {
  const maxSessions = config.maxKernels ?? defaultMaxSessions();
  const multiUser = config.auth !== 'none';
  const perUser = config.maxKernelsPerUser ?? (multiUser ? Math.ceil(maxSessions / 2) : maxSessions);
  return {
    maxSessions,
    maxSessionsPerOwner: Math.min(perUser, maxSessions),
    idleSessionMs: config.kernelIdleSeconds * 1000,
    limits: { cellTimeoutMs: config.cellTimeLimitSeconds * 1000 },
    cellTimeLimitAdvice: 'Whoever runs this server sets this limit with CELL_TIME_LIMIT_SECONDS (0 for none).',
  };
}

function readConfigFile(setting: string | undefined, cwd: string): { values: Record<string, string>; pluginOptions: Record<string, PluginOptions>; file: string | undefined } {
  const explicit = setting !== undefined && setting.trim() !== '';
  const file = path.resolve(cwd, explicit ? setting!.trim() : DEFAULT_CONFIG_FILE);
  if (!fs.existsSync(file)) {
    if (explicit) throw new ConfigError(`NOTEBOOK_CONFIG: the config file ${file} does not exist.`);
    return { values: {}, pluginOptions: {}, file: undefined };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`NOTEBOOK_CONFIG: ${file} is not valid JSON (${(error as Error).message}).`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`NOTEBOOK_CONFIG: ${file} must hold a JSON object of settings, e.g. { "PORT": 8000 }.`);
  }
  const values: Record<string, string> = {};
  const pluginOptions: Record<string, PluginOptions> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) values[key] = value.join(',');
    else if (Array.isArray(value) && PLUGIN_SETTINGS.has(key)) {
      // Babel's form: one entry `["pkg", { options }]`, or a list of `"pkg"` and `["pkg", { options }]`.
      const entries = isPluginEntry(value) ? [value] : value;
      const names: string[] = [];
      for (const entry of entries) {
        if (typeof entry === 'string') names.push(entry);
        else if (isPluginEntry(entry)) {
          names.push(entry[0]);
          pluginOptions[entry[0]] = entry[1];
        } else {
          throw new ConfigError(`NOTEBOOK_CONFIG: ${file}: "${key}" entries must be "package" or ["package", { ...options }]; got ${JSON.stringify(entry)?.slice(0, 100)}.`);
        }
      }
      values[key] = names.join(',');
    } else if (value !== null) {
      const plugin = PLUGIN_SETTINGS.has(key) ? ', or plugin entries "package" / ["package", { ...options }]' : '';
      throw new ConfigError(`NOTEBOOK_CONFIG: ${file}: "${key}" must be a string, number, boolean or list of strings${plugin}.`);
    }
  }
  return { values, pluginOptions, file };
}

function isPluginEntry(value: unknown): value is [string, PluginOptions] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'object' && value[1] !== null && !Array.isArray(value[1]);
}

function integer(text: string, name: string, min: number, max: number, problems: string[]): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}; got "${text}".`);
    return min;
  }
  return value;
}

function pluginName(name: string, variable: string, expected: string, problems: string[]): string {
  if (!PACKAGE_NAME.test(name)) {
    problems.push(`${variable}: "${name}" is not valid; expected ${expected}.`);
  }
  return name;
}

export function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
