/**
 * The repository stands on its own: no file may refer to the workspace folder
 * it was first developed beside (its corpora, spec and design notes now live in
 * testdata/ and docs/). A clone has nothing beside it, so such a reference is a
 * test that fails, a script that breaks or a link that leads nowhere.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
// Built from parts so that this file does not match itself.
const SHARED = 'shared';
const FORBIDDEN = [`../${SHARED}`, `/work/${SHARED}`, `${SHARED}/corpora`, `${SHARED}/spec`, `${SHARED}/design`];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts', '.tmp']);

/** The forbidden references in a text, with their line numbers. */
function references(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const pattern of FORBIDDEN) if (line.includes(pattern)) found.push(`${index + 1}: ${pattern}`);
  });
  return found;
}

/** Tracked and new (not ignored) files; without git (an unpacked archive), every file outside build and dependency folders. */
function projectFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return listed.split('\0').filter((file) => file !== '' && !file.split('/').some((part) => SKIPPED_DIRS.has(part)));
  } catch {
    const files: string[] = [];
    const walk = (relative: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        const child = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(child);
        else if (entry.isFile()) files.push(child);
      }
    };
    walk('');
    return files;
  }
}

function isText(content: Buffer): boolean {
  return !content.subarray(0, 8192).includes(0);
}

describe('the repository depends on nothing beside it', () => {
  it('finds such a reference when there is one (so the scan below can fail)', () => {
    expect(references(`const corpora = '../../${SHARED}/corpora';`)).toEqual([`1: ../${SHARED}`, `1: ${SHARED}/corpora`]);
    expect(references(`see /work/${SHARED}/spec/protocol.md`)).toEqual([`1: /work/${SHARED}`, `1: ${SHARED}/spec`]);
    expect(references('the @clerk/shared package, a shared-wasm module')).toEqual([]);
  });

  it('no project file outside node_modules and dist refers to the folder beside the repository, its corpora, spec or design notes', () => {
    const files = projectFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'core/src/repo-hygiene.test.ts', 'testdata/README.md', 'docs/protocol.md']));
    const offending: string[] = [];
    for (const file of files) {
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue; // deleted in the work tree, not yet committed
      const content = fs.readFileSync(full);
      if (!isText(content)) continue;
      for (const hit of references(content.toString('utf8'))) offending.push(`${file}:${hit}`);
    }
    expect(offending).toEqual([]);
  });
});
