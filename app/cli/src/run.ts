import { KernelManager, MemoryNotebookStore, nameCellsByPosition, NotebookService, outputAsText, SettingsCatalog, settingsWithPackages, type NotebookEvent, type PortableNotebook } from '@rnb/core';
import type { CliLanguages } from './languages';

export interface RunOptions {
  languages: CliLanguages;
  /** Where each cell's text goes as it runs (default: nothing). */
  print?: (text: string) => void;
  printError?: (text: string) => void;
}

export interface RunResult {
  notebook: PortableNotebook;
  /** Cells that failed or could not run. */
  failed: number;
  timings: { startMs: number; firstCellMs: number | null; totalMs: number };
}

const OWNER = 'rnb-cli';

/**
 * Runs every cell once, headless, in dependency order (ties in notebook
 * order), on a real kernel process with the notebook's languages, and gives
 * the notebook back with its outputs. Text is printed as each cell finishes.
 *
 * The kernel process is started first, told to load the notebook's languages
 * (Pyodide from its snapshot) at once: that start overlaps the analysis and
 * planning here instead of following them.
 */
export async function runNotebook(notebook: PortableNotebook, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const print = options.print ?? (() => undefined);
  const printError = options.printError ?? print;
  const { registry } = options.languages;
  const used = new Set(notebook.cells.map((c) => c.type));
  const manager = new KernelManager({ languages: registry.list(), warmProcesses: 0, preloadLanguages: registry.list().map((l) => l.id).filter((id) => used.has(id)) });
  // An empty notebook runs nothing: no kernel to start.
  if (notebook.cells.length > 0) manager.startProcessFor(OWNER);
  try {
    return await runOnKernel(notebook, registry, manager, { started, print, printError });
  } finally {
    await manager.shutdown();
  }
}

async function runOnKernel(
  notebook: PortableNotebook,
  registry: CliLanguages['registry'],
  manager: KernelManager,
  { started, print, printError }: { started: number; print: (text: string) => void; printError: (text: string) => void },
): Promise<RunResult> {
  const store = new MemoryNotebookStore();
  const now = new Date().toISOString();
  await store.create({
    id: 'run',
    owner: OWNER,
    name: notebook.name,
    // The file's packages (its PEP 723 block): a headless run installs them as a new kernel of the notebook would.
    // Its header's settings (declared, not secret) apply as they would on the server.
    settings: settingsWithPackages(new SettingsCatalog(() => registry.list()).importable(notebook.settings).kept, notebook.packages ?? []),
    lazy: false,
    cells: notebook.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] })),
    revision: 0,
    createdAt: now,
    updatedAt: now,
  });
  const service = new NotebookService({ store, languages: registry, kernels: manager, idleReleaseMs: 0 });
  const position = new Map(notebook.cells.map((c, i) => [c.id, i]));
  const typeOf = new Map(notebook.cells.map((c) => [c.id, c.type]));
  let firstCellMs: number | null = null;
  const printed = new Set<string>();
  const header = (cellId: string): string => `── cell ${(position.get(cellId) ?? 0) + 1} · ${typeOf.get(cellId) ?? '?'} ──\n`;
  const unsubscribe = service.subscribe((_id, event: NotebookEvent) => {
    if (event.type === 'cell_status' && event.status === 'running' && firstCellMs === null) firstCellMs = performance.now() - started;
    if (event.type === 'cell_status' && event.status === 'running' && typeOf.get(event.cellId) !== 'markdown') {
      printed.add(event.cellId);
      print(header(event.cellId));
    }
    if (event.type === 'cell_stdout') (event.stream === 'stderr' ? printError : print)(event.data);
    // A markdown cell's rendering is for the exports (--run --to html), not the console: its text is in the file.
    if (event.type === 'cell_output' && typeOf.get(event.cellId) !== 'markdown') print(`${outputAsText(event.output)}\n`);
    if (event.type === 'cell_error' && event.error) {
      if (!printed.has(event.cellId)) print(header(event.cellId));
      printed.add(event.cellId);
      printError(`${nameCellsByPosition(event.error, (id) => position.get(id) ?? -1)}\n`);
    }
  });
  try {
    // Every cell is a root: one plan, each cell once, in dependency order.
    for (const cell of notebook.cells) await service.runCell(OWNER, 'run', cell.id);
    await service.whenIdle(OWNER, 'run');
    const view = await service.getNotebook(OWNER, 'run');
    const result: PortableNotebook = {
      name: notebook.name,
      lazy: notebook.lazy,
      ...(notebook.packages ? { packages: notebook.packages } : {}),
      ...(notebook.settings ? { settings: notebook.settings } : {}),
      ...(notebook.app ? { app: notebook.app } : {}),
      cells: view.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: c.status, stdout: c.stdout, stderr: c.stderr, outputs: c.outputs, error: c.error })),
    };
    const failed = result.cells.filter((c) => c.status !== 'success').length;
    return { notebook: result, failed, timings: { startMs: 0, firstCellMs, totalMs: performance.now() - started } };
  } finally {
    unsubscribe();
    await service.close();
  }
}
