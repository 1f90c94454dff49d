/**
 * Faults with real processes and a real file system: a writer killed with
 * SIGKILL mid-save, two processes editing one notebook, a read-only folder and
 * a full disk. Child processes run ./test-support/child.ts from source.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleNotebook } from '@rnb/core/testing';
import { FileNotebookStore } from './file-store';

const CHILD = path.join(__dirname, 'test-support', 'child.ts');
const REGISTER = path.join(__dirname, 'test-support', 'register-ts.cjs');
const owner = 'user_faults';
const isRoot = process.getuid?.() === 0;

function startChild(args: string[], options: { uid?: number; gid?: number } = {}): ChildProcess {
  return spawn(process.execPath, ['--conditions=rnb-source', '-r', REGISTER, CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
    ...options,
  });
}

/** Runs a child to its end and gives its last stdout line, parsed; rejects with its stderr when it fails. */
function runChild(args: string[], options: { uid?: number; gid?: number; onReady?: () => void } = {}): Promise<unknown> {
  const { onReady, ...ids } = options;
  const child = startChild(args, ids);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!stdout.includes('ready\n') && (stdout + chunk.toString()).includes('ready\n')) onReady?.();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop()!)) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });
}

describe('file storage faults', () => {
  let dir: string;
  let store: FileNotebookStore;

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rnb-file-faults-'));
    store = await FileNotebookStore.open({ dir });
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('leaves the old or the new version, never a torn file, when a writer is killed with SIGKILL mid-save', async () => {
    const doc = await store.create(sampleNotebook(owner, { name: 'v0' }));
    // Rounds kill the writer after growing delays, so kills land before, inside and after the
    // write of the 2 MB file. A temp file left behind proves a kill landed mid-write.
    let midWrite = 0;
    for (let round = 0; round < 40 && midWrite < 2; round++) {
      const killAt = 2 + (round % 3);
      const delay = [0, 4, 8, 12, 18, 25][round % 6]!;
      const child = startChild(['loop', dir, owner, doc.id]);
      const seen = { saving: '', saved: '' };
      await new Promise<void>((resolve, reject) => {
        let buffer = '';
        child.on('error', reject);
        child.on('exit', () => resolve());
        child.stderr!.on('data', (chunk: Buffer) => reject(new Error(chunk.toString())));
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            const [event, version] = line.split(' ') as ['saving' | 'saved', string];
            seen[event] = version;
            if (event === 'saving' && Number(version.slice(1)) >= killAt) setTimeout(() => child.kill('SIGKILL'), delay);
          }
        });
      });
      const temps = await findFiles(dir, /^\.tmp-/);
      if (temps.length > 0) midWrite++;
      for (const temp of temps) await fsp.rm(temp);
      const read = await store.get(owner, doc.id);
      // Old or new, and whole: every cell carries the version the name says.
      expect([seen.saved || 'v0', seen.saving, 'v0']).toContain(read.name);
      if (read.name !== 'v0') {
        expect(read.cells).toHaveLength(100);
        for (const cell of read.cells) expect(cell.code.endsWith(`"${read.name}"`)).toBe(true);
      }
      const folder = path.dirname((await findFiles(dir, /^rev-\d+\.json$/))[0]!);
      for (const file of await findFiles(folder, /^rev-\d+\.json$/)) expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
      // The store goes on: a save after the crash succeeds.
      await store.save({ ...read, name: 'v0' }, { expectedRevision: read.revision });
    }
    expect(midWrite).toBeGreaterThan(0);
  }, 180_000); // up to 40 writer processes, each loading TypeScript from source: slow on a loaded machine

  it('loses no edit and applies none twice when four processes save the same notebook concurrently', async () => {
    const doc = await store.create(sampleNotebook(owner, { cells: [] }));
    const edits = 20;
    const tags = ['a', 'b', 'c', 'd'];
    const go = path.join(dir, 'go');
    let ready = 0;
    const onReady = (): void => {
      if (++ready === tags.length) void fsp.writeFile(go, '');
    };
    const results = (await Promise.all(tags.map((tag) => runChild(['editor', dir, owner, doc.id, tag, String(edits), go], { onReady })))) as { conflicts: number }[];
    const final = await store.get(owner, doc.id);
    // Each cell exactly once: a lost edit would be missing, a save wrongly reported as a conflict would be retried and doubled.
    expect(final.cells.map((c) => c.id).sort()).toEqual(tags.flatMap((tag) => Array.from({ length: edits }, (_, i) => `${tag}-${i}`)).sort());
    expect(final.revision).toBe(tags.length * edits);
    // The processes did race: refused saves were retried.
    expect(results.reduce((sum, r) => sum + r.conflicts, 0)).toBeGreaterThan(0);
  });

  it('serves reads from a read-only folder and refuses writes with a clear StorageError', async () => {
    if (isRoot && !readableByOthers(__dirname)) {
      console.warn(`Skipped the read-only folder test: as root it runs a probe as uid 65534, which cannot read ${__dirname} (a folder above it is not world-searchable). Check out the repository outside /root.`);
      return;
    }
    const doc = await store.create(sampleNotebook(owner, { name: 'kept' }));
    await store.save(doc, { expectedRevision: 0 });
    await makeReadOnly(dir);
    // Root ignores permission bits, so as root the probe runs as the unprivileged user 65534.
    const result = (await runChild(['probe', dir, owner, doc.id], isRoot ? { uid: 65534, gid: 65534 } : {})) as Record<string, { ok?: unknown; error?: { code: string; message: string } }>;
    expect(result.get).toEqual({ ok: 'kept' });
    expect(result.list).toEqual({ ok: [doc.id] });
    for (const op of ['save', 'create', 'delete']) {
      expect(result[op]!.error).toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('permission denied') });
    }
    expect(result.save!.error!.message).toContain('NOTEBOOK_DIR');
    await makeWritable(dir);
    expect(await store.get(owner, doc.id)).toMatchObject({ name: 'kept', revision: 1 });
    expect(await findFiles(dir, /^\.(tmp|new|trash)-/)).toEqual([]);
  });

  it('refuses a save on a full disk with a clear StorageError and keeps the previous version', async () => {
    const mount = path.join(dir, 'small-disk');
    await fsp.mkdir(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (error) {
      console.warn(`Skipped the full-disk test: mounting a small tmpfs needs root with CAP_SYS_ADMIN (${(error as Error).message.split('\n')[0]}).`);
      return;
    }
    try {
      const small = await FileNotebookStore.open({ dir: path.join(mount, 'notebooks') });
      const doc = await small.create(sampleNotebook(owner, { name: 'small' }));
      const huge = { ...doc, name: 'huge', cells: [{ ...doc.cells[0]!, stdout: 'x'.repeat(700_000) }] };
      await expect(small.save(huge, { expectedRevision: 0 })).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringMatching(/disk .* is full.*ENOSPC/) });
      expect(await small.get(owner, doc.id)).toEqual(doc);
      expect(await findFiles(mount, /^\.tmp-/)).toEqual([]);
      await expect(small.save({ ...doc, name: 'fits' }, { expectedRevision: 0 })).resolves.toMatchObject({ revision: 1 });
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});

async function findFiles(root: string, pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fsp.readdir(root, { withFileTypes: true, recursive: true })) {
    if (pattern.test(entry.name)) found.push(path.join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Whether every folder from / down to `folder` lets other users through (o+x). */
function readableByOthers(folder: string): boolean {
  for (let current = folder; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}

async function makeReadOnly(root: string): Promise<void> {
  for (const entry of await fsp.readdir(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    await fsp.chmod(full, entry.isDirectory() ? 0o555 : 0o444);
    if (isRoot) await fsp.chown(full, 65534, 65534);
  }
  await fsp.chmod(root, 0o555);
  if (isRoot) await fsp.chown(root, 65534, 65534);
}

async function makeWritable(root: string): Promise<void> {
  await fsp.chmod(root, 0o700);
  for (const entry of await fsp.readdir(root, { withFileTypes: true, recursive: true })) {
    await fsp.chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o700 : 0o600);
  }
}
