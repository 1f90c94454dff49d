/** Loads the Terraform configuration as JSON with @cdktf/hcl2json (offline, no terraform binary). */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TERRAFORM_DIR } from './env';

/** A block's body as hcl2json gives it: literals stay JSON, expressions become "${...}" strings. */
export type Body = Record<string, unknown>;
type Named = Record<string, Body[]>;

export interface TfModule {
  /** "root" or the module folder's name. */
  name: string;
  dir: string;
  /** File name -> source text. */
  sources: Record<string, string>;
  variables: Named;
  outputs: Named;
  modules: Named;
  locals: Body[];
  /** type -> name -> bodies */
  resources: Record<string, Named>;
  data: Record<string, Named>;
}

function mergeNamed(into: Named, from: unknown): void {
  if (!from || typeof from !== 'object') return;
  for (const [name, bodies] of Object.entries(from as Named)) {
    into[name] = [...(into[name] ?? []), ...bodies];
  }
}

function mergeTyped(into: Record<string, Named>, from: unknown): void {
  if (!from || typeof from !== 'object') return;
  for (const [type, named] of Object.entries(from as Record<string, Named>)) {
    into[type] ??= {};
    mergeNamed(into[type], named);
  }
}

export async function loadModule(dir: string, name: string): Promise<TfModule> {
  const mod: TfModule = { name, dir, sources: {}, variables: {}, outputs: {}, modules: {}, locals: [], resources: {}, data: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    mod.sources[file] = text;
    const json = (await parse(file, text)) as Record<string, unknown>;
    mergeNamed(mod.variables, json.variable);
    mergeNamed(mod.outputs, json.output);
    mergeNamed(mod.modules, json.module);
    if (Array.isArray(json.locals)) mod.locals.push(...(json.locals as Body[]));
    mergeTyped(mod.resources, json.resource);
    mergeTyped(mod.data, json.data);
  }
  return mod;
}

export const MODULE_NAMES = ['networking', 'security', 'storage', 'compute', 'cdn', 'database', 'cache'] as const;
export type ModuleName = (typeof MODULE_NAMES)[number];

export interface Configuration {
  root: TfModule;
  modules: Record<ModuleName, TfModule>;
}

export async function loadConfiguration(): Promise<Configuration> {
  const root = await loadModule(TERRAFORM_DIR, 'root');
  const entries = await Promise.all(
    MODULE_NAMES.map(async (m) => [m, await loadModule(path.join(TERRAFORM_DIR, 'modules', m), m)] as const),
  );
  return { root, modules: Object.fromEntries(entries) as Record<ModuleName, TfModule> };
}

/** The single body of resource `type.name` (throws a readable error when absent). */
export function resource(mod: TfModule, type: string, name: string): Body {
  const bodies = mod.resources[type]?.[name];
  if (!bodies || bodies.length !== 1) {
    throw new Error(`expected exactly one ${type}.${name} in module ${mod.name}, found ${bodies?.length ?? 0}`);
  }
  return bodies[0];
}

/** All resources of a type in a module, as [name, body]. */
export function resourcesOf(mod: TfModule, type: string): Array<[string, Body]> {
  return Object.entries(mod.resources[type] ?? {}).flatMap(([n, bodies]) => bodies.map((b) => [n, b] as [string, Body]));
}

/** A nested block (hcl2json gives blocks as arrays of bodies). */
export function block(body: Body, key: string): Body {
  const value = body[key];
  if (!Array.isArray(value) || value.length !== 1) {
    throw new Error(`expected one "${key}" block, found ${JSON.stringify(value)}`);
  }
  return value[0] as Body;
}

/**
 * Source text of a module without its variable declarations (variables*.tf):
 * where a variable counts as used. A reference from another variable's
 * validation does not count.
 */
export function sourceWithoutVariableDeclarations(mod: TfModule): string {
  return Object.entries(mod.sources)
    .filter(([file]) => !/^variables.*\.tf$/.test(file))
    .map(([, text]) => text)
    .join('\n');
}
