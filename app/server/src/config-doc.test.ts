/**
 * docs/configuration.md against the code: every setting the host or a plugin
 * of this repository reads is in one of its tables, each table entry is read
 * somewhere, and the host's defaults are the ones the document gives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANTHROPIC_DEFAULTS } from '@rnb/plugin-assistant-anthropic';
import { DEFAULTS } from './config';

const ROOT = path.resolve(__dirname, '../../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
/** Documented, read by a library rather than by our code. */
const READ_BY_LIBRARIES = new Set(['AWS_SECRET_ACCESS_KEY']);
/** How settings are read: `config.X`, `config.values.X`, `env.X`, `get('X')`. */
const READS = /(?:config|values|env)(?:\.values)?\??\.([A-Z][A-Z0-9_]+)|\bget\('([A-Z][A-Z0-9_]+)'/g;

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return /^(testing|test-support|node_modules|dist)$/.test(entry.name) ? [] : sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [full] : [];
  });
}

function settingsReadByCode(text?: string): string[] {
  const texts = text !== undefined ? [text] : [
    ...sourceFiles(path.join(ROOT, 'app/server/src')),
    ...fs.readdirSync(path.join(ROOT, 'plugins')).flatMap((plugin) => sourceFiles(path.join(ROOT, 'plugins', plugin, 'src'))),
  ].map((file) => fs.readFileSync(file, 'utf8'));
  const names = new Set<string>();
  for (const source of texts) for (const match of source.matchAll(READS)) names.add((match[1] ?? match[2])!);
  return [...names].sort();
}

/** Table rows of the document: the variables of the first column and the default column's text. */
function documented(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const [names = '', fallback = ''] = line.split('|').slice(1).map((cell) => cell.trim());
    for (const match of names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(match[1]!, fallback);
  }
  return rows;
}

describe('docs/configuration.md against the code', () => {
  const doc = documented(DOC);
  const read = settingsReadByCode();

  it('finds the settings in the code (so an empty scan cannot pass)', () => {
    expect(read).toEqual(expect.arrayContaining(['PORT', 'NOTEBOOK_STORAGE', 'CLUSTER_LEASE_MS', 'ASSISTANT_MAX_TURNS', 'ASSISTANT_MODEL', 'NOTEBOOK_DIR', 'CLERK_JWT_KEY']));
    expect(settingsReadByCode("const port = get('SOME_NEW_SETTING', '1'); const key = config.values.OTHER_ONE;")).toEqual(['OTHER_ONE', 'SOME_NEW_SETTING']);
  });

  it('lists every setting the host and the plugins read', () => {
    expect(read.filter((name) => !doc.has(name))).toEqual([]);
  });

  it('lists no setting that nothing reads', () => {
    expect([...doc.keys()].filter((name) => !read.includes(name) && !READ_BY_LIBRARIES.has(name))).toEqual([]);
  });

  it("gives the host's and the assistant's defaults", () => {
    for (const [name, value] of Object.entries({ ...DEFAULTS, ...ANTHROPIC_DEFAULTS })) {
      expect([name, doc.get(name)]).toEqual([name, expect.stringContaining(`\`${value}\``)]);
    }
  });
});
