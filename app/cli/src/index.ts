/** @rnb/cli as a library: what the `rnb` command does, for benchmarks and hosts. */
export { checkNotebook, outOfOrderReads, type CheckReport } from './check';
export { CliError } from './errors';
export { cliLanguages, type CliLanguages } from './languages';
export { loadNotebook, render, writeOutput, parseFormat, EXPORT_FORMATS, type ExportFormat, type LoadedNotebook } from './notebook-io';
export { runNotebook, type RunOptions, type RunResult } from './run';
export { applySets } from './set-params';
