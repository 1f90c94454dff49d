/**
 * The contract of a runtime module: the half of a language plugin that runs
 * inside the notebook's sandboxed kernel process (a worker thread in it).
 *
 * A runtime module is a CommonJS file whose default export (or
 * `module.exports`) is a {@link RuntimeFactory}. It must import nothing from
 * `@rnb/core` at run time (type-only imports are fine): the kernel process can
 * read only the files the language lists in `runtime.readPaths`.
 */
import type { JsonValue, Output } from '../model/types';

/**
 * One value in the notebook's shared namespace. The language that defined it
 * keeps its own representation (`native`, e.g. a Python object); every other
 * language reads it as plain JavaScript through `toJS()`, converted on first
 * use only, so values never cross a language boundary nobody asked for.
 */
export interface NamespaceEntry {
  /** Language id of the cell that defined the value. */
  language: string;
  /** The defining language's own representation; other languages must not touch it. */
  native?: unknown;
  /**
   * The value as plain JavaScript: null, boolean, number, bigint, string,
   * Date, arrays, plain objects, typed arrays. A list of records is an array
   * of plain objects (that is how SQL sees a table).
   */
  toJS(): unknown;
  /**
   * The same value by columns when it is a table whose rows all have the same keys in the same order (a Python list
   * of such dicts, a DataFrame): languages that read tables (SQL) build their rows from it in one pass per column
   * instead of converting record by record. Optional; null when the value is not such a table. Converted on first use
   * and kept, like `toJS()`: an entry is replaced when its name is defined again.
   */
  toColumns?(): TableColumns | null;
}

/**
 * A table by columns: row `r` is `{ [names[0]]: columns[0][r], [names[1]]: columns[1][r], ... }` in that key order,
 * exactly what `toJS()` gives as its r-th record. Numbers may come as a Float64Array.
 */
export interface TableColumns {
  names: string[];
  columns: ArrayLike<unknown>[];
  rowCount: number;
}

/** The values of one notebook, shared by all its languages. Lives in the kernel process only. */
export interface Namespace {
  has(name: string): boolean;
  /** The plain-JavaScript view of a value, or undefined when no cell defines it. */
  get(name: string): unknown;
  entry(name: string): NamespaceEntry | undefined;
  /** Defines `name` with a plain-JavaScript value. */
  set(name: string, value: unknown, language: string): void;
  /** Defines `name` with a language's own representation and its converter. */
  setEntry(name: string, entry: NamespaceEntry): void;
  delete(name: string): boolean;
  names(): string[];
}

/** One cell to run, as the kernel hands it to a runtime. */
export interface CellRun {
  cellId: string;
  code: string;
  defines: readonly string[];
  references: readonly string[];
  meta?: { [key: string]: JsonValue };
}

/** Where a running cell writes. Output is batched and capped by the kernel. */
export interface CellIO {
  stdout(text: string): void;
  stderr(text: string): void;
  output(output: Output): void;
  /** Aborted when the user interrupts this cell. */
  readonly signal: AbortSignal;
}

/** What a runtime module's factory receives. */
export interface RuntimeContext {
  language: string;
  namespace: Namespace;
  options: JsonValue;
  /**
   * Ask the server for something the sandbox cannot do itself (a database
   * query, a package): only the services the language declared exist.
   */
  hostCall(service: string, payload: JsonValue): Promise<JsonValue>;
  /**
   * An Int32Array over a SharedArrayBuffer. The supervisor writes 2 (SIGINT)
   * at index 0 when the user interrupts, from another thread, so a runtime
   * that polls it (Pyodide's setInterruptBuffer) stops even while it spins.
   * The kernel resets it to 0 before each cell.
   */
  interruptBuffer: Int32Array;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /**
   * `waited-on`: a notebook is waiting for this runtime to load (its kernel
   * process was started because no warm one was ready). `background`: it loads
   * ahead of use (a warm pool process, a spare worker). A runtime may trade
   * memory for a faster start in the first case only.
   */
  startup: 'waited-on' | 'background';
  /**
   * Characters one output's data may take (as JSON). The kernel replaces a
   * larger output with a note; a runtime should check before it builds a
   * huge value (a repr string) rather than after. Absent: no limit known.
   */
  maxOutputChars?: number;
}

/** A failure of user code: the message and traceback the user sees. */
export interface CellFailureShape {
  message: string;
  traceback?: string;
}

export interface LanguageRuntime {
  /**
   * Runs one cell. Resolve when it finished; throw (an Error, optionally with
   * a `traceback` string property) when the user's code failed.
   */
  run(cell: CellRun, io: CellIO): Promise<void> | void;
  /** Forget names (their cell was deleted or no longer defines them). */
  deleteNames?(names: readonly string[]): void;
  /**
   * Answers a question from the page (completions, a widget's new value): the
   * one channel from a client to a runtime. `method` is the runtime's own
   * vocabulary (Python answers `complete`); throw
   * an Error for an unknown method or a bad payload. The answer must be
   * JSON and small (the kernel refuses one over its limit), and quick: the
   * caller gets a timeout error after the time budget (2 s by default), and a
   * call made while a cell runs synchronously is refused as busy (see
   * docs/protocol.md, "Runtime calls"). `signal` aborts when the caller gave up.
   */
  call?(method: string, payload: JsonValue, signal: AbortSignal): Promise<JsonValue> | JsonValue;
  /**
   * Describes the names this runtime holds (for the page's variable
   * explorer), asked after every plan and after names are deleted. Include
   * the runtime's private names (`_x`) too: the page hides them unless asked.
   * Keep it cheap: never convert or copy a value, stop at `budget.maxNames`
   * and at `budget.deadline` (Date.now() of the kernel). Absent: the kernel
   * describes the language's namespace entries from their plain-JavaScript
   * view (see docs/protocol.md, "variables").
   */
  describeVariables?(budget: VariableBudget): VariableDescription[] | Promise<VariableDescription[]>;
  /**
   * These cells were deleted: drop what the runtime keeps for them apart from
   * names (live tables of their outputs). Their names go by `deleteNames`.
   */
  forgetCells?(cellIds: readonly string[]): void;
  dispose?(): void | Promise<void>;
}

export type RuntimeFactory = (context: RuntimeContext) => LanguageRuntime | Promise<LanguageRuntime>;

/** What a runtime may spend describing its names. */
export interface VariableBudget {
  maxNames: number;
  /** Date.now() after which the runtime stops and returns what it has. */
  deadline: number;
}

/** One name as the variable explorer shows it. */
export interface VariableDescription {
  name: string;
  /** The value's type in the language's words (`int`, `DataFrame`, `table`). */
  type: string;
  /** A short value or shape: `42`, `list[3]`, `DataFrame 10,000 × 12`, `ndarray (3, 4) float64`. */
  summary: string;
  /** Approximate bytes in memory, or null when unknown. */
  size: number | null;
}
