import { MemoryNotebookStore, NotebookService, type KernelProvider, type LanguageRegistry, type NotebookView, type PortableNotebook } from '@rnb/core';

export interface CheckReport {
  /** Syntax errors, cycles, names defined twice: the notebook cannot run as it is. */
  errors: string[];
  /** Cells that read a name only a later cell defines: fine for `rnb run`, not for `python3 notebook.py`. */
  warnings: string[];
  view: NotebookView;
}

const OWNER = 'rnb-cli';
/** `check` runs nothing: a kernel asked for is a bug. */
const NO_KERNELS: KernelProvider = {
  openSession: () => Promise.reject(new Error('rnb check runs no cell')),
};

/**
 * Loads the notebook into core as the server would (the same analysers, graph
 * and messages) and reads what loading found, then looks for out-of-order reads.
 */
export async function checkNotebook(notebook: PortableNotebook, languages: LanguageRegistry): Promise<CheckReport> {
  const store = new MemoryNotebookStore();
  const now = new Date().toISOString();
  await store.create({
    id: 'checked',
    owner: OWNER,
    name: notebook.name,
    settings: {},
    lazy: notebook.lazy,
    cells: notebook.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] })),
    revision: 0,
    createdAt: now,
    updatedAt: now,
  });
  const service = new NotebookService({ store, languages, kernels: NO_KERNELS, idleReleaseMs: 0 });
  try {
    const view = await service.getNotebook(OWNER, 'checked');
    const errors: string[] = [];
    view.cells.forEach((cell, index) => {
      if ((cell.status === 'error' || cell.status === 'blocked') && cell.error) errors.push(`cell ${index + 1} (${cell.type}): ${cell.error}`);
    });
    return { errors, warnings: outOfOrderReads(view), view };
  } finally {
    await service.close();
  }
}

/** Reads of names that no cell above defines but a cell below does. */
export function outOfOrderReads(view: Pick<NotebookView, 'cells'>): string[] {
  const firstDefinition = new Map<string, number>();
  view.cells.forEach((cell, index) => {
    for (const name of cell.writes) if (!firstDefinition.has(name)) firstDefinition.set(name, index);
  });
  const warnings: string[] = [];
  view.cells.forEach((cell, index) => {
    for (const name of cell.reads) {
      const definedAt = firstDefinition.get(name);
      if (definedAt !== undefined && definedAt > index) {
        warnings.push(`cell ${index + 1} reads \`${name}\`, which is defined below it in cell ${definedAt + 1}: rnb runs it in dependency order, a plain top-to-bottom run would fail`);
      }
    }
  });
  return warnings;
}
