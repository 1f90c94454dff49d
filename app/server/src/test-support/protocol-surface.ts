import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Router } from '@koa/router';
import * as ts from 'typescript';

/**
 * What the server exposes on the wire, read from the code itself, and what
 * docs/protocol.md lists, read from its tables: protocol-doc.test.ts compares
 * the two. Names are compared as sets; routes as `METHOD /path` with every
 * path parameter written `{}` (`:cellId` and `{cell_id}` are the same route).
 */
export interface WireSurface {
  routes: string[];
  clientEvents: string[];
  serverEvents: string[];
  /** Event names of the assistant's server-sent-event stream. */
  streamEvents: string[];
  errorCodes: string[];
}

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const SERVER_SRC = path.join(REPO_ROOT, 'app/server/src');
const CORE_SRC = path.join(REPO_ROOT, 'core/src');

/** socket.io's own events: a gateway listens to them, no client sends them. */
const RESERVED_SOCKET_EVENTS = new Set(['connect', 'connection', 'disconnect', 'disconnecting', 'new_namespace']);
const WILDCARD_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export function normalizeRoute(method: string, routePath: string): string {
  const normalized = routePath.replace(/\{\*\w+\}/g, '{*}').replace(/:\w+/g, '{}').replace(/\{\w+\}/g, '{}');
  return `${method.toUpperCase()} ${normalized}`;
}

/** Every route a router registered; a route for every method (`router.all`) is `ANY`. */
export function routesOf(router: Router): string[] {
  const routes = new Set<string>();
  for (const layer of router.stack) {
    const methods = layer.methods.filter((method) => method !== 'HEAD');
    const every = WILDCARD_METHODS.every((method) => methods.includes(method));
    for (const method of every ? ['ANY'] : methods) routes.add(normalizeRoute(method, String(layer.path)));
  }
  return [...routes].sort();
}

/** The realtime layer's source files (not its tests). */
function realtimeFiles(): string[] {
  const dir = path.join(SERVER_SRC, 'realtime');
  return fs.readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).map((name) => path.join(dir, name));
}

const FILES = {
  /** The one wire contract: core's events and every error code are defined there. */
  wire: path.join(CORE_SRC, 'wire.ts'),
};

/**
 * Reads the socket events, stream events and error codes from the code with
 * TypeScript's type checker, so an event name that comes from a union type
 * (the gateway broadcasts `HostEvent['type']`) is seen exactly as the compiler
 * sees it. `problems` names every emit whose event name has no literal type.
 */
export function codeSurface(router: Router): { surface: WireSurface; problems: string[] } {
  const realtime = realtimeFiles();
  const program = createProgram([...realtime, ...Object.values(FILES)]);
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  const clientEvents = new Set<string>();
  const serverEvents = new Set<string>();

  for (const file of realtime) {
    const source = program.getSourceFile(file)!;
    visit(source, (node) => {
      // The names the session accepts without "Unknown event".
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'CLIENT_EVENTS' && node.initializer) {
        for (const literal of stringLiteralsIn(node.initializer)) clientEvents.add(literal);
      }
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.arguments.length === 0) return;
      const method = node.expression.name.text;
      if (method !== 'on' && method !== 'emit') return;
      const names = literalStrings(checker.getTypeAtLocation(node.arguments[0]!));
      if (names === null) {
        problems.push(`${path.relative(REPO_ROOT, file)}:${line(source, node)}: ${method}(${node.arguments[0]!.getText(source)}, ...) has no literal event name type`);
        return;
      }
      if (method === 'on') for (const name of names) if (!RESERVED_SOCKET_EVENTS.has(name)) clientEvents.add(name);
      if (method === 'emit') for (const name of names) serverEvents.add(name);
    });
  }
  // Core's events, read from the union itself as well: a host that filtered some out would still have to document them.
  for (const name of unionTags(checker, program, FILES.wire, 'NotebookEvent')) serverEvents.add(name);
  // And the wire contract's own lists, which the page codes against.
  for (const name of aliasLiterals(checker, program, FILES.wire, 'ServerEventName')) serverEvents.add(name);
  for (const name of aliasLiterals(checker, program, FILES.wire, 'ClientEventName')) clientEvents.add(name);

  const errorCodes = new Set<string>([
    ...aliasLiterals(checker, program, FILES.wire, 'ErrorCode'),
    ...errorCodeLiteralsInSources(),
  ]);

  return {
    surface: {
      routes: routesOf(router),
      clientEvents: [...clientEvents].sort(),
      serverEvents: [...serverEvents].sort(),
      streamEvents: unionTags(checker, program, FILES.wire, 'ChatEvent').sort(),
      errorCodes: [...errorCodes].sort(),
    },
    problems,
  };
}

function createProgram(roots: string[]): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(SERVER_SRC, '../tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!config) throw new Error('app/server/tsconfig.json could not be read');
  return ts.createProgram(roots, { ...config.options, composite: false, declaration: false, noEmit: true });
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (child) => visit(child, fn));
}

function line(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function stringLiteralsIn(node: ts.Node): string[] {
  const found: string[] = [];
  visit(node, (child) => {
    if (ts.isStringLiteral(child)) found.push(child.text);
  });
  return found;
}

/** The string values a type stands for, or null when it is not made of string literals only. */
function literalStrings(type: ts.Type): string[] | null {
  const parts = type.isUnion() ? type.types : [type];
  const values: string[] = [];
  for (const part of parts) {
    if (!part.isStringLiteral()) return null;
    values.push(part.value);
  }
  return values;
}

function aliasType(checker: ts.TypeChecker, program: ts.Program, file: string, alias: string): ts.Type {
  const source = program.getSourceFile(file);
  const declaration = source?.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === alias);
  if (!declaration) throw new Error(`${path.relative(REPO_ROOT, file)} has no type ${alias}: update protocol-surface.ts`);
  return checker.getTypeAtLocation(declaration.name);
}

/** `type X = 'a' | 'b'` → ['a', 'b']. */
function aliasLiterals(checker: ts.TypeChecker, program: ts.Program, file: string, alias: string): string[] {
  const values = literalStrings(aliasType(checker, program, file, alias));
  if (!values) throw new Error(`${alias} in ${path.relative(REPO_ROOT, file)} is not a union of string literals`);
  return values;
}

/** `type X = { type: 'a'; ... } | { type: 'b'; ... }` → ['a', 'b']. */
function unionTags(checker: ts.TypeChecker, program: ts.Program, file: string, alias: string): string[] {
  const type = aliasType(checker, program, file, alias);
  const tags: string[] = [];
  for (const member of type.isUnion() ? type.types : [type]) {
    const property = member.getProperty('type');
    const values = property ? literalStrings(checker.getTypeOfSymbol(property)) : null;
    if (!values) throw new Error(`a member of ${alias} has no literal "type"`);
    tags.push(...values);
  }
  return tags;
}

/** Error codes written out anywhere in the server's, core's and plugins' sources (tests and test kits aside). */
function errorCodeLiteralsInSources(): string[] {
  const roots = [SERVER_SRC, CORE_SRC, ...fs.readdirSync(path.join(REPO_ROOT, 'plugins')).map((p) => path.join(REPO_ROOT, 'plugins', p, 'src'))];
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!/^(testing|test-support|node_modules|dist)$/.test(entry.name)) walk(full);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        for (const match of fs.readFileSync(full, 'utf8').matchAll(/['"`](RNB_ERR_[A-Z_]+)['"`]/g)) codes.add(match[1]!);
      }
    }
  };
  for (const root of roots) walk(root);
  return [...codes];
}

// --- the document ----------------------------------------------------------

export interface DocSurface extends WireSurface {
  /** Error code → the HTTP status its row gives. */
  statusOf: Map<string, number>;
}

/** The body of the section under a heading (`### Routes`), up to the next heading of the same or a higher level. */
export function section(doc: string, heading: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`docs/protocol.md has no heading "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The table rows of a section, as cells. */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.replace(/\\\|/g, '\u0000').split('|').slice(1, -1).map((cell) => cell.replace(/\u0000/g, '|').trim()));
}

function namesInFirstColumn(text: string): string[] {
  return rows(text).flatMap((cells) => [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

export function docSurface(doc: string): DocSurface {
  const routes = namesInFirstColumn(section(doc, 'Routes')).map((entry) => {
    const match = /^([A-Z]+) (\/\S*)$/.exec(entry);
    if (!match) throw new Error(`docs/protocol.md, Routes: "${entry}" is not "METHOD /path"`);
    return normalizeRoute(match[1]!, match[2]!);
  });
  const statusOf = new Map<string, number>();
  for (const cells of rows(section(doc, 'Errors'))) {
    const code = /^`(RNB_ERR_[A-Z_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (code) statusOf.set(code, Number(cells[1]));
  }
  return {
    routes: [...new Set(routes)].sort(),
    clientEvents: namesInFirstColumn(section(doc, 'Client → server')).sort(),
    serverEvents: namesInFirstColumn(section(doc, 'Server → client')).sort(),
    streamEvents: namesInFirstColumn(section(doc, 'Stream events')).sort(),
    errorCodes: [...statusOf.keys()].sort(),
    statusOf,
  };
}

/** What `code` has that `doc` does not list, per kind, as `kind: name`. */
export function undocumented(code: WireSurface, doc: WireSurface): string[] {
  return difference(code, doc, new Set());
}

/** What `doc` lists that `code` lacks, per kind, other than `allowed` (`kind: name`). */
export function notInCode(code: WireSurface, doc: WireSurface, allowed: ReadonlySet<string>): string[] {
  return difference(doc, code, allowed);
}

const KINDS = ['routes', 'clientEvents', 'serverEvents', 'streamEvents', 'errorCodes'] as const;

function difference(from: WireSurface, minus: WireSurface, allowed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    const other = new Set(minus[kind]);
    for (const name of from[kind]) if (!other.has(name) && !allowed.has(`${kind}: ${name}`)) out.push(`${kind}: ${name}`);
  }
  return out;
}
