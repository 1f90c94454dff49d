/**
 * A second process for the fault tests: it opens the same folder as the test
 * and writes through a real FileNotebookStore. Modes:
 * - `loop <dir> <owner> <id>`: saves forever, printing "saving v<k>" before and
 *   "saved v<k>" after each save, until the test kills it (kill -9 mid-write).
 * - `editor <dir> <owner> <id> <tag> <count> <go file>`: prints "ready", waits for
 *   the go file, adds <count> cells one save at a time, retrying on conflicts;
 *   prints {"conflicts": n} at the end.
 * - `probe <dir> <owner> <id>`: tries every operation and prints what happened.
 */
import { existsSync } from 'node:fs';
import type { NotebookDocument, StoredCell } from '@rnb/core';
import { FileNotebookStore } from '../file-store';

const [mode, dir, owner, id, ...rest] = process.argv.slice(2) as [string, string, string, string, ...string[]];

function cellsFor(version: string, count: number, size: number): StoredCell[] {
  const filler = `# ${version} `.padEnd(size, '#');
  return Array.from({ length: count }, (_, i) => ({
    id: `c${i}`, type: 'python', code: `${filler}\nx${i} = "${version}"`, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [`x${i}`],
  }));
}

function describe(error: unknown): { code: string | undefined; message: string } {
  return { code: (error as { code?: string }).code, message: (error as Error).message };
}

async function main(): Promise<void> {
  const store = await FileNotebookStore.open({ dir });
  if (mode === 'loop') {
    for (let k = 1; ; k++) {
      const doc = await store.get(owner, id);
      const version = `v${k}`;
      process.stdout.write(`saving ${version}\n`);
      await store.save({ ...doc, name: version, cells: cellsFor(version, 100, 20_000) }, { expectedRevision: doc.revision });
      process.stdout.write(`saved ${version}\n`);
    }
  }
  if (mode === 'editor') {
    const [tag, count, go] = [rest[0]!, Number(rest[1]), rest[2]];
    // Start together: the test creates the `go` file once every editor is ready.
    process.stdout.write('ready\n');
    while (go && !existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
    let conflicts = 0;
    for (let i = 0; i < count; i++) {
      for (;;) {
        const doc: NotebookDocument = await store.get(owner, id);
        const cell: StoredCell = { id: `${tag}-${i}`, type: 'python', code: `${tag} = ${i}`, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] };
        try {
          await store.save({ ...doc, cells: [...doc.cells, cell] }, { expectedRevision: doc.revision });
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== 'RNB_ERR_CONFLICT') throw error;
          conflicts++;
        }
      }
    }
    process.stdout.write(JSON.stringify({ conflicts }));
    return;
  }
  if (mode === 'probe') {
    const result: Record<string, unknown> = {};
    const attempt = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        result[name] = { ok: await fn() };
      } catch (error) {
        result[name] = { error: describe(error) };
      }
    };
    let doc: NotebookDocument | undefined;
    await attempt('get', async () => (doc = await store.get(owner, id)).name);
    await attempt('list', async () => (await store.list(owner)).map((s) => s.id));
    await attempt('save', async () => doc && (await store.save({ ...doc, name: 'changed' }, { expectedRevision: doc.revision })).revision);
    await attempt('create', async () => doc && (await store.create({ ...doc, id: `${id}-copy` })).id);
    await attempt('delete', async () => store.delete(owner, id));
    process.stdout.write(JSON.stringify(result));
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
