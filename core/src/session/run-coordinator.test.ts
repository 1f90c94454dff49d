import { DependencyGraph } from '../graph/dependency-graph';
import type { SessionListener } from '../kernel/kernel-manager';
import type { PlanItem, RuntimeCallAsk } from '../kernel/protocol';
import type { CellStatus, JsonValue } from '../model/types';
import type { CellError, CellErrorKind } from './cell-error';
import { CellRunStates, type CellDocument } from './cell-run-state';
import type { NotebookEvent } from './events';
import { RunCoordinator, type KernelProvider, type RunHost, type RunKernel } from './run-coordinator';

/**
 * The coordinator against an in-memory kernel that answers from a script:
 * no processes, no timers, every case deterministic. Reports reach the
 * coordinator on the microtask queue, as they would from a real kernel.
 */

/** What the scripted kernel does with a cell: finish it, fail it, die while running it, or run it until interrupted. */
type Outcome = 'success' | 'error' | 'dies' | 'hangs';

/** A cell of a case: `[id, defines, references]`, in notebook order. */
type CaseCell = [id: string, defines: string[], references: string[]];

/** Where the scripted runtime says a cell failed, apart from the message (as Python reports it). */
const tracebackOf = (cell: string): string => `Traceback (most recent call last):\n  File "<cell ${cell}>", line 1\nValueError in ${cell}\n`;

class ScriptedKernel implements RunKernel {
  closed = false;
  readonly plans: string[][] = [];
  readonly deleted: string[][] = [];
  private hanging: { runId: number; cell: string } | null = null;
  /** How many times each cell started: a list of outcomes scripts one per run. */
  private readonly starts = new Map<string, number>();

  constructor(
    private readonly listener: SessionListener,
    private readonly outcomes: Record<string, Outcome | Outcome[]>,
  ) {}

  private outcomeOf(cell: string): Outcome {
    const n = this.starts.get(cell) ?? 0;
    this.starts.set(cell, n + 1);
    const scripted = this.outcomes[cell] ?? 'success';
    return typeof scripted === 'string' ? scripted : (scripted[n] ?? 'success');
  }

  /** Runtime calls the kernel got: `alone`, or ahead of the plan with this index in `plans`. */
  readonly calls: { method: string; payload: JsonValue; withPlan: number | 'alone' }[] = [];

  run(runId: number, plan: PlanItem[], calls: readonly RuntimeCallAsk[] = []): Promise<JsonValue>[] {
    this.plans.push(plan.map((item) => item.cellId));
    for (const call of calls) this.calls.push({ method: call.method, payload: call.payload, withPlan: this.plans.length - 1 });
    void Promise.resolve().then(() => this.play(runId, plan));
    // Answered before the plan runs, as the kernel does.
    return calls.map((call) => Promise.resolve({ answered: call.payload }));
  }

  /** Runs the plan as the kernel does: a cell whose parent failed is reported blocked. */
  private play(runId: number, plan: PlanItem[]): void {
    const failed = new Set<number>();
    for (const [index, item] of plan.entries()) {
      const cell = item.cellId;
      if (item.parents.some((p) => failed.has(p))) {
        failed.add(index);
        this.listener.onReports(runId, [{ k: 'finish', cell, status: 'blocked' }]);
        continue;
      }
      const outcome = this.outcomeOf(cell);
      this.listener.onReports(runId, [{ k: 'start', cell }, { k: 'stdout', cell, data: `${cell} ran\n`, stream: 'stdout' }]);
      if (outcome === 'dies') {
        this.closed = true;
        return this.listener.onLost('the kernel process exited (code 1)');
      }
      if (outcome === 'hangs') {
        this.hanging = { runId, cell };
        return;
      }
      if (outcome === 'error') failed.add(index);
      this.listener.onReports(runId, [outcome === 'error' ? { k: 'finish', cell, status: 'error', error: `ValueError in ${cell}`, traceback: tracebackOf(cell) } : { k: 'finish', cell, status: 'success' }]);
    }
    this.listener.onRunDone(runId);
  }

  cancel(): void {}
  interrupt(): void {
    const hanging = this.hanging;
    if (!hanging) return;
    this.hanging = null;
    void Promise.resolve().then(() => {
      this.listener.onReports(hanging.runId, [{ k: 'finish', cell: hanging.cell, status: 'error', error: 'KeyboardInterrupt' }]);
      this.listener.onRunDone(hanging.runId);
    });
  }
  deleteNames(names: string[]): void {
    this.deleted.push(names);
  }
  call(_language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    this.calls.push({ method, payload, withPlan: 'alone' });
    return Promise.resolve({ answered: payload });
  }
  close(): void {
    this.closed = true;
  }
}

/** A notebook for the coordinator alone: a graph, run states and the few facts it asks for. */
function notebookOf(cells: CaseCell[], staticErrors: Record<string, CellError>, events: NotebookEvent[]): RunHost {
  const order = cells.map(([id]) => id);
  const graph = new DependencyGraph((id) => order.indexOf(id));
  // As in a session: a cell that does not parse defines and reads nothing.
  const parses = (id: string): boolean => staticErrors[id]?.kind !== 'analysis';
  graph.load(cells.map(([id, defines, references]) => ({ id, defines: parses(id) ? defines : [], references: parses(id) ? references : [] })));
  const documents = new Map<string, CellDocument>(cells.map(([id, writes, reads]) => [id, { id, type: 'fake', code: id, reads, writes }]));
  const states = new CellRunStates((event) => events.push(event));
  for (const id of order) states.add(id);
  return {
    id: 'nb',
    owner: 'owner',
    lazy: false,
    pluginSettings: () => ({}),
    graph,
    states,
    hasCell: (id) => documents.has(id),
    cell: (id) => documents.get(id)!,
    cellIds: () => order,
    label: (id) => `cell ${id}`,
    staticError: (id) => staticErrors[id],
    analysisOf: () => undefined,
    scheduleSave: () => undefined,
  };
}

type Action = { run: string } | 'runAll' | 'restart' | 'interrupt';

interface CoordinatorCase {
  name: string;
  cells: CaseCell[];
  outcomes?: Record<string, Outcome | Outcome[]>;
  staticErrors?: Record<string, CellError>;
  /** The kernel cannot be opened, with this message. */
  openFails?: string;
  actions: Action[];
  /** Every cell's status when the coordinator is idle again. */
  statuses: Record<string, CellStatus>;
  /** The kind of each cell's error (cells not named have none). */
  errors?: Record<string, CellErrorKind>;
  /** What cells printed, as the page shows it. */
  stdout?: Record<string, string>;
  /** The plans the kernel was sent, in order. */
  plans?: string[][];
  /** The status events of one cell, in order. */
  statusEvents?: [cell: string, statuses: CellStatus[]];
}

const chain: CaseCell[] = [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['y']]];

const cases: CoordinatorCase[] = [
  {
    name: 'a chain runs in one plan, each cell queued, running, then success',
    cells: chain,
    actions: [{ run: 'a' }],
    statuses: { a: 'success', b: 'success', c: 'success' },
    plans: [['a', 'b', 'c']],
    statusEvents: ['b', ['queued', 'running', 'success']],
  },
  {
    name: 'a cell that fails has an error; what reads it is blocked behind it',
    cells: chain,
    outcomes: { a: 'error' },
    actions: [{ run: 'a' }],
    statuses: { a: 'error', b: 'blocked', c: 'blocked' },
    errors: { a: 'runtime', b: 'upstream', c: 'upstream' },
  },
  {
    name: 'the kernel dying on a cell: that cell has the error, what held values is stale, what follows is blocked',
    cells: chain,
    outcomes: { b: 'dies' },
    actions: [{ run: 'a' }],
    statuses: { a: 'stale', b: 'error', c: 'blocked' },
    errors: { b: 'kernel-lost', c: 'upstream' },
  },
  {
    name: 'a cell that ran before and kills the kernel when run again has the error, not stale',
    cells: chain,
    outcomes: { b: ['success', 'dies'] },
    actions: [{ run: 'a' }, { run: 'b' }],
    statuses: { a: 'stale', b: 'error', c: 'blocked' },
    errors: { b: 'kernel-lost', c: 'upstream' },
  },
  {
    name: 'a restart leaves every cell that ran stale, its outputs kept',
    cells: chain,
    actions: [{ run: 'a' }, 'restart'],
    statuses: { a: 'stale', b: 'stale', c: 'stale' },
    stdout: { a: 'a ran\n', b: 'b ran\n', c: 'c ran\n' },
  },
  {
    name: 'an interrupted run: the cell stopped has its error, a cell never run before is idle again',
    cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['x']]],
    outcomes: { b: 'hangs' },
    actions: [{ run: 'a' }, 'interrupt'],
    statuses: { a: 'success', b: 'error', c: 'idle' },
    errors: { b: 'runtime' },
    statusEvents: ['c', ['queued', 'idle']],
  },
  {
    name: 'an interrupted run: what reads the stopped cell is blocked behind it',
    cells: chain,
    outcomes: { b: 'hangs' },
    actions: [{ run: 'a' }, 'interrupt'],
    statuses: { a: 'success', b: 'error', c: 'blocked' },
    errors: { b: 'runtime', c: 'upstream' },
  },
  {
    // A cell that does not parse defines nothing, so no cell reads it.
    name: 'a cell whose code does not parse is an error without reaching the kernel',
    cells: chain,
    staticErrors: { a: { kind: 'analysis', message: 'SyntaxError (line 1)' } },
    actions: [{ run: 'a' }],
    statuses: { a: 'error', b: 'idle', c: 'idle' },
    errors: { a: 'analysis' },
    plans: [],
  },
  {
    name: 'a cell whose ancestor cannot run is blocked behind it',
    cells: chain,
    staticErrors: { a: { kind: 'multiple-definitions', message: '`x` is defined in cells a and d.', cells: ['d'] } },
    actions: [{ run: 'c' }],
    statuses: { a: 'blocked', b: 'blocked', c: 'blocked' },
    errors: { a: 'multiple-definitions', b: 'upstream', c: 'upstream' },
    plans: [],
  },
  {
    name: 'a cell in a cycle is blocked, not in error',
    cells: [['a', ['x'], []], ['b', ['y'], []]],
    staticErrors: { b: { kind: 'cycle', message: 'This cell is part of a cycle: cell b → cell b.', cells: ['b'] } },
    actions: ['runAll'],
    statuses: { a: 'success', b: 'blocked' },
    errors: { b: 'cycle' },
    plans: [['a']],
  },
  {
    name: 'a kernel that cannot be opened gives every planned cell its error',
    cells: chain,
    openFails: 'no kernel process could be started',
    actions: [{ run: 'a' }],
    statuses: { a: 'error', b: 'error', c: 'error' },
    errors: { a: 'kernel-lost', b: 'kernel-lost', c: 'kernel-lost' },
  },
  {
    name: 'running a cell whose ancestors ran only runs it and what reads it',
    cells: chain,
    actions: [{ run: 'a' }, { run: 'b' }],
    statuses: { a: 'success', b: 'success', c: 'success' },
    plans: [['a', 'b', 'c'], ['b', 'c']],
  },
];

/** Lets queued microtasks and one turn of the event loop pass: the scripted kernel answers on the microtask queue. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('run coordinator', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const events: NotebookEvent[] = [];
    const notebook = notebookOf(testCase.cells, testCase.staticErrors ?? {}, events);
    const kernels: ScriptedKernel[] = [];
    const provider: KernelProvider = {
      openSession: async (_owner, _notebook, listener) => {
        if (testCase.openFails) throw new Error(testCase.openFails);
        const kernel = new ScriptedKernel(listener, testCase.outcomes ?? {});
        kernels.push(kernel);
        return kernel;
      },
    };
    const coordinator = new RunCoordinator(notebook, provider);
    for (const action of testCase.actions) {
      if (action === 'runAll') coordinator.requestAll();
      else if (action === 'restart') coordinator.restart('restarted by the user');
      else if (action === 'interrupt') coordinator.interrupt();
      else coordinator.request(action.run);
      await settle();
      if (action !== 'interrupt' && testCase.outcomes && Object.values(testCase.outcomes).flat().includes('hangs')) continue;
      await coordinator.whenIdle();
    }
    await coordinator.whenIdle();
    const ids = testCase.cells.map(([id]) => id);
    expect(Object.fromEntries(ids.map((id) => [id, notebook.states.status(id)]))).toEqual(testCase.statuses);
    const errors = Object.fromEntries(ids.flatMap((id) => (notebook.states.error(id) ? [[id, notebook.states.error(id)!.kind]] : [])));
    expect(errors).toEqual(testCase.errors ?? {});
    if (testCase.stdout) expect(Object.fromEntries(Object.keys(testCase.stdout).map((id) => [id, notebook.states.view(notebook.cell(id)).stdout]))).toEqual(testCase.stdout);
    if (testCase.plans) expect(kernels.flatMap((k) => k.plans)).toEqual(testCase.plans);
    if (testCase.statusEvents) {
      const [cell, statuses] = testCase.statusEvents;
      expect(events.flatMap((e) => (e.type === 'cell_status' && e.cellId === cell ? [e.status] : []))).toEqual(statuses);
    }
    coordinator.close();
  });

  it('tells the page the text of each error, made from its kind', async () => {
    const events: NotebookEvent[] = [];
    const notebook = notebookOf(chain, {}, events);
    const provider: KernelProvider = { openSession: async (_o, _n, listener) => new ScriptedKernel(listener, { a: 'error' }) };
    const coordinator = new RunCoordinator(notebook, provider);
    coordinator.request('a');
    await coordinator.whenIdle();
    expect(events.flatMap((e) => (e.type === 'cell_error' ? [[e.cellId, e.error]] : []))).toEqual([
      // The runtime's traceback already ends with the message: it is the text.
      ['a', tracebackOf('a')],
      ['b', 'Not run: upstream cell a did not succeed.'],
      ['c', 'Not run: upstream cell b did not succeed.'],
    ]);
    expect(notebook.states.error('b')).toEqual({ kind: 'upstream', message: 'Not run: upstream cell a did not succeed.', cells: ['a'] });
    // The message and the traceback the kernel reported stay apart, in the state, the view and the event.
    expect(notebook.states.error('a')).toEqual({ kind: 'runtime', message: 'ValueError in a', traceback: tracebackOf('a') });
    expect(notebook.states.view(notebook.cell('a'))).toMatchObject({ error: tracebackOf('a'), error_detail: { kind: 'runtime', message: 'ValueError in a', traceback: tracebackOf('a') } });
    expect(events.find((e) => e.type === 'cell_error' && e.cellId === 'a')).toMatchObject({ detail: { traceback: tracebackOf('a') } });
  });
  it('a lost kernel says so first, then the cell it ran fails, then what it held is stale', async () => {
    const events: NotebookEvent[] = [];
    const notebook = notebookOf(chain, {}, events);
    const provider: KernelProvider = { openSession: async (_o, _n, listener) => new ScriptedKernel(listener, { b: 'dies' }) };
    const coordinator = new RunCoordinator(notebook, provider);
    coordinator.request('a');
    await coordinator.whenIdle();
    const from = events.findIndex((e) => e.type === 'kernel_restarted');
    const after = events.slice(from).map((e) => (e.type === 'kernel_restarted' ? e.type : e.type === 'cell_status' ? `${e.cellId} ${e.status}` : e.type === 'cell_error' ? `${e.cellId} says why` : e.type));
    expect(after).toEqual(['kernel_restarted', 'b error', 'b says why', 'a stale', 'c blocked', 'c says why']);
  });
  it('sends a call and the run of the readers of names in one message, the call answered ahead of the plan', async () => {
    const notebook = notebookOf(chain, {}, []);
    let kernel: ScriptedKernel | undefined;
    const provider: KernelProvider = { openSession: async (_o, _n, listener) => (kernel = new ScriptedKernel(listener, {})) };
    const coordinator = new RunCoordinator(notebook, provider);
    coordinator.request('a');
    await coordinator.whenIdle();
    const answer = coordinator.callThenRunReadersOf({ language: 'fake', method: 'set_widget_value', payload: 7 }, ['x']);
    expect(await answer).toEqual({ answered: 7 });
    await coordinator.whenIdle();
    // The readers of x and their descendants, never a; the value went with that plan, not on its own.
    expect(kernel!.plans).toEqual([['a', 'b', 'c'], ['b', 'c']]);
    expect(kernel!.calls).toEqual([{ method: 'set_widget_value', payload: 7, withPlan: 1 }]);
    // A name nobody reads: nothing to run, the call goes alone.
    expect(await coordinator.callThenRunReadersOf({ language: 'fake', method: 'set_widget_value', payload: 8 }, ['nobody'])).toEqual({ answered: 8 });
    await coordinator.whenIdle();
    expect(kernel!.plans).toHaveLength(2);
    expect(kernel!.calls[1]).toEqual({ method: 'set_widget_value', payload: 8, withPlan: 'alone' });
  });
});
