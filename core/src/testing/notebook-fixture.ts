import type { TestKernel } from './test-kernel';

export interface Fixture {
  notebookId: string;
  cellIds: string[];
  /** Runs a cell and waits until the notebook is idle. */
  run(index: number): Promise<void>;
  edit(index: number, code: string): Promise<void>;
  /** Status, stdout, stderr, text outputs and error of every cell. */
  state(): Promise<{ status: string; stdout: string; stderr: string; text: string; error: string | null }[]>;
}

/** A notebook with one cell per given code, in order. */
export async function notebookWith(kernel: TestKernel, owner: string, codes: string[], type = 'fake'): Promise<Fixture> {
  const view = await kernel.service.createNotebook(owner, { name: 'fixture' });
  const first = view.cells[0];
  if (first) await kernel.service.deleteCell(owner, view.id, first.id);
  const cellIds: string[] = [];
  for (const code of codes) {
    const cell = await kernel.service.createCell(owner, view.id, { type, code, afterCellId: cellIds[cellIds.length - 1] ?? null });
    cellIds.push(cell.id);
  }
  return {
    notebookId: view.id,
    cellIds,
    run: async (index) => {
      await kernel.service.runCell(owner, view.id, cellIds[index]!);
      await kernel.service.whenIdle(owner, view.id);
    },
    edit: async (index, code) => {
      await kernel.service.updateCell(owner, view.id, cellIds[index]!, { code });
    },
    state: async () =>
      (await kernel.service.getNotebook(owner, view.id)).cells.map((c) => ({
        status: c.status,
        stdout: c.stdout,
        stderr: c.stderr,
        text: c.outputs.map((o) => String(o.data)).join(''),
        error: c.error,
      })),
  };
}
