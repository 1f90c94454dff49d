/**
 * The SQL language definition: the analyser (server), the runtime module
 * (kernel), and the PostgreSQL host services (server).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { maskConnectionString, type LanguageDefinition, type SettingField } from '@rnb/core';
import { analyseSql } from './analyser';
import { CONNECTION_SETTING, PgService, type PgServiceOptions } from './host/pg-service';
import { DEFAULT_RUNTIME_OPTIONS, type SqlRuntimeOptions } from './runtime/options';

export interface SqlLanguageOptions extends Partial<Omit<SqlRuntimeOptions, 'alasqlPath'>>, Partial<Omit<PgServiceOptions, 'allowedHosts'>> {
  /** The cell type (default "sql"). */
  id?: string;
  /** Hosts or CIDR ranges a connection string may reach although internal (SQL_ALLOWED_HOSTS): a list or comma-separated. */
  allowedHosts?: readonly string[] | string;
  /** The timeout of one PostgreSQL statement, ms (default 30 s). */
  statementTimeoutMs?: number;
}

/** The language definition plus what its owner must close at shutdown. */
export interface SqlLanguage extends LanguageDefinition {
  /** Closes the notebooks' database pools. */
  close(): Promise<void>;
}

/** Where the compiled runtime lives: next to this file in dist/, or dist/ when this runs from src/ (tests). */
function runtimeModule(): { module: string; root: string } {
  const direct = path.join(__dirname, 'runtime', 'index.js');
  if (fs.existsSync(direct)) return { module: direct, root: __dirname };
  const dist = path.resolve(__dirname, '..', 'dist');
  const module = path.join(dist, 'runtime', 'index.js');
  if (!fs.existsSync(module)) {
    throw new Error(`@rnb/plugin-sql is not built (${module} is missing): run "npx tsc -b plugins/sql" or "npm run build:ts".`);
  }
  return { module, root: dist };
}

export function splitHosts(value: readonly string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? value.split(',') : [...value]).map((h) => h.trim()).filter((h) => h.length > 0);
}

/**
 * The notebook's PostgreSQL database: a secret setting (encrypted at rest,
 * masked as postgresql://user:****@host/db). A string a query would refuse
 * (file paths, internal hosts...) is refused when it is set.
 */
function connectionSetting(pg: PgService): SettingField {
  return {
    name: CONNECTION_SETTING,
    type: 'string',
    label: 'Database connection for SQL cells',
    description: 'SQL cells run against this database (postgresql://user:password@host:5432/database); without one they run on an in-notebook database.',
    secret: true,
    maxLength: 2000,
    mask: (value) => maskConnectionString(value) ?? '',
    validate: (value) => pg.checkConnectionString(String(value)),
  };
}

/** Creates the SQL language: register it with core's LanguageRegistry. */
export function createSqlLanguage(options: SqlLanguageOptions = {}): SqlLanguage {
  const { module, root } = runtimeModule();
  const alasqlPath = require.resolve('alasql');
  const pgOptions: Partial<PgServiceOptions> = { allowedHosts: splitHosts(options.allowedHosts) };
  for (const key of ['requireSafeHosts', 'statementTimeoutMs', 'connectTimeoutMs', 'poolSize', 'idleCloseMs', 'maxResultBytes', 'lookup', 'log'] as const) {
    if (options[key] !== undefined) (pgOptions as Record<string, unknown>)[key] = options[key];
  }
  if (options.maxResultRows !== undefined) pgOptions.maxRows = options.maxResultRows;
  const pg = new PgService(pgOptions);
  const runtimeOptions: SqlRuntimeOptions = { ...DEFAULT_RUNTIME_OPTIONS, alasqlPath };
  for (const key of Object.keys(DEFAULT_RUNTIME_OPTIONS) as (keyof typeof DEFAULT_RUNTIME_OPTIONS)[]) {
    const value = options[key];
    if (typeof value === 'number') runtimeOptions[key] = value;
  }
  return {
    id: options.id ?? 'sql',
    displayName: 'SQL',
    fileExtension: '.sql',
    editor: { mode: 'sql' },
    analyse: analyseSql,
    // Core's analysis workers load the built analyser: analysis stays off the server's event loop.
    analyser: { module: path.join(root, 'analyser', 'index.js'), export: 'analyseSql' },
    runtime: {
      module,
      readPaths: [root, alasqlPath],
      options: { ...runtimeOptions },
      needsCodeGeneration: true,
    },
    hostServices: pg.services(),
    settings: [connectionSetting(pg)],
    close: () => pg.close(),
  };
}
