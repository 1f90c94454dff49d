#!/usr/bin/env node
/**
 * rnb: notebooks as files from the command line. Exit codes: 0 fine, 1 the
 * notebook has errors (check found some, a cell failed), 2 the command could
 * not do its work (missing file, wrong format, unreadable notebook).
 */
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './errors';
import type { ExportFormat } from './notebook-io';

// Each command loads what it uses when it runs (the imports in the actions): core, the language plugins and the
// server cost a start-up every command would pay, and `rnb run` is timed from the process start to its first cell.

const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

export function buildProgram(): Command {
  const program = new Command('rnb')
    .description('Reactive notebooks as files: check, run, export, import and edit percent-format .py notebooks.')
    .version('0.1.0')
    .showHelpAfterError('(rnb <command> --help for usage)')
    .exitOverride();

  program
    .command('check')
    .description('Check a notebook for syntax errors, cycles and names defined twice (exit 1 if any); warn about reads of names defined further down.')
    .argument('<notebook>', 'a .py (percent format) or .ipynb notebook')
    .option('--strict', 'also fail (exit 1) on out-of-order reads')
    .action(async (file: string, options: { strict?: boolean }) => {
      const [{ loadNotebook }, { cliLanguages }, { checkNotebook }] = await Promise.all([import('./notebook-io'), import('./languages'), import('./check')]);
      const { notebook, notes } = loadNotebook(file);
      const languages = cliLanguages();
      try {
        const report = await checkNotebook(notebook, languages.registry);
        for (const note of notes) err(`note: ${note}\n`);
        for (const error of report.errors) err(`error: ${error}\n`);
        for (const warning of report.warnings) err(`warning: ${warning}\n`);
        const failed = report.errors.length > 0 || (options.strict === true && report.warnings.length > 0);
        out(`${file}: ${notebook.cells.length} cells, ${report.errors.length} errors, ${report.warnings.length} warnings\n`);
        if (failed) process.exitCode = 1;
      } finally {
        await languages.close();
      }
    });

  program
    .command('run')
    .description('Run every cell once in dependency order on a real kernel, print what each cell prints and shows; exit 1 if a cell fails.')
    .argument('<notebook>', 'a .py (percent format) or .ipynb notebook')
    .option('--set <name=value>', 'replace a top-level constant `name = <literal>` before the run (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--output <file>', 'also write the results as JSON (cells with status, stdout, stderr, outputs, error)')
    .option('--timings', 'print the time to the first cell and the total to stderr')
    .option('--app', 'instead: start the local server on this .py file and print the URL of its app view (outputs only, code hidden, Stop)')
    .option('-p, --port <port>', 'with --app: port to listen on (0: any free port)', '8000')
    .option('--host <host>', 'with --app: address to listen on', '127.0.0.1')
    .action(async (file: string, options: { set: string[]; output?: string; timings?: boolean; app?: boolean; port: string; host: string }) => {
      if (options.app) {
        if (options.set.length > 0 || options.output) throw new CliError('rnb run --app takes no --set or --output: the app view runs the notebook as it is.');
        const { startApp } = await import('./edit');
        const session = await startApp(file, { port: options.port, host: options.host });
        out(`rnb: app of ${path.resolve(file)}\n${session.url}\n`);
        const stop = (): void => {
          void session.server.stop().finally(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return;
      }
      const [{ loadNotebook }, { applySets }, { cliLanguages }, { runNotebook }] = await Promise.all([import('./notebook-io'), import('./set-params'), import('./languages'), import('./run')]);
      const loaded = loadNotebook(file);
      const notebook = applySets(loaded.notebook, options.set);
      const languages = cliLanguages(notebook.cells.map((c) => c.type));
      try {
        const result = await runNotebook(notebook, { languages, print: out, printError: err });
        if (options.output) {
          writeJson(options.output, { notebook: result.notebook.name, ok: result.failed === 0, cells: result.notebook.cells });
        }
        if (options.timings) {
          err(`timings: first cell started after ${Math.round(result.timings.firstCellMs ?? 0)} ms, total ${Math.round(result.timings.totalMs)} ms\n`);
        }
        if (result.failed > 0) {
          err(`${result.failed} of ${result.notebook.cells.length} cells did not succeed.\n`);
          process.exitCode = 1;
        }
      } finally {
        await languages.close();
      }
    });

  program
    .command('export')
    .description('Write a notebook as .ipynb (with outputs), self-contained HTML, markdown or percent-format .py.')
    .argument('<notebook>', 'a .py (percent format) or .ipynb notebook')
    .addOption(new Option('--to <format>', 'the format to write').choices(['ipynb', 'html', 'md', 'py']).makeOptionMandatory())
    .option('-o, --output <file>', 'the file to write (default: standard output)')
    .option('--no-code', 'HTML: leave the code out, show text and outputs only')
    .option('--run', 'run the notebook first, so the export has fresh outputs')
    .action(async (file: string, options: { to: string; output?: string; code: boolean; run?: boolean }) => {
      const { loadNotebook, parseFormat, render, writeOutput } = await import('./notebook-io');
      const format: ExportFormat = parseFormat(options.to);
      let { notebook } = loadNotebook(file);
      if (options.run) {
        const [{ cliLanguages }, { runNotebook }] = await Promise.all([import('./languages'), import('./run')]);
        const languages = cliLanguages(notebook.cells.map((c) => c.type));
        try {
          notebook = (await runNotebook(notebook, { languages })).notebook;
        } finally {
          await languages.close();
        }
      }
      const text = render(notebook, format, { showCode: options.code });
      if (options.output) {
        writeOutput(options.output, text, format);
        err(`wrote ${options.output}\n`);
      } else out(text);
    });

  program
    .command('import')
    .description('Turn a Jupyter notebook (.ipynb, nbformat 4) into a percent-format .py notebook; report what depends on execution order.')
    .argument('<notebook>', 'a .ipynb file')
    .option('-o, --output <file>', 'the .py file to write (default: beside the .ipynb, same name)')
    .action(async (file: string, options: { output?: string }) => {
      if (path.extname(file).toLowerCase() !== '.ipynb') throw new CliError(`${file}: rnb import reads .ipynb files; a .py notebook needs no import.`);
      const [{ loadNotebook, render, writeOutput }, { cliLanguages }, { checkNotebook }] = await Promise.all([import('./notebook-io'), import('./languages'), import('./check')]);
      const { notebook, notes } = loadNotebook(file);
      const target = options.output ?? path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.py`);
      const languages = cliLanguages();
      try {
        const report = await checkNotebook(notebook, languages.registry);
        for (const note of notes) err(`note: ${note}\n`);
        for (const error of report.errors) err(`error: ${error}\n`);
        for (const warning of report.warnings) err(`warning: ${warning}\n`);
      } finally {
        await languages.close();
      }
      writeOutput(target, render(notebook, 'py'), 'py');
      err(`wrote ${target} (${notebook.cells.length} cells)\n`);
    });

  program
    .command('edit')
    .description('Start the notebook server on a .py notebook (created when missing) or a folder of them, and print its URL.')
    .argument('[file-or-folder]', 'a .py notebook or a folder', '.')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '8000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (target: string, options: { port: string; host: string }) => {
      // The server (Koa, socket.io) loads only for this command: the others start faster.
      const { startEditing } = await import('./edit');
      const session = await startEditing(target, options);
      out(`rnb: editing ${path.resolve(target)}\n${session.url}\n`);
      const stop = (): void => {
        void session.server.stop().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  return program;
}

function writeJson(file: string, value: unknown): void {
  try {
    require('node:fs').writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  } catch (error) {
    throw new CliError(`Cannot write ${file}: ${(error as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof CliError) {
      err(`rnb: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    err(`rnb: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main(process.argv);
