import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { KernelError } from '../errors';
import { kernelExitReason } from './crash-reason';
import { CELL_ENTERED_FD, CELL_ENTERED_RECORD, parseCellEntered, parseKernelMessage, ProtocolError, type CellEntered, type IsolationReport, type KernelMessage, type ServerMessage } from './protocol';
import { descendantsMemoryBytes } from './process-tree';
import { kernelCommand, type IsolationLayers } from './sandbox';

export interface KernelProcessOptions {
  entry: string;
  readPaths: string[];
  nodeArgs: string[];
  payload: string;
  layers: IsolationLayers;
  maxFrameBytes: number;
  startTimeoutMs: number;
  /** A language starts its own sandboxed processes (RuntimeModuleSpec.allowChildProcesses). */
  allowChildProcesses?: boolean;
}

/**
 * glibc's allocator in a kernel process. Each worker thread (one per notebook) otherwise gets its own malloc arena,
 * and what start-up frees there (compiler zones, Pyodide's buffers) stays resident in it: about 21 MB per notebook
 * measured with bench/kernel-memory.js. Two arenas shared by all threads reuse what one worker freed for the next,
 * and large blocks (typed arrays) are mapped on their own, so freeing them gives the memory back.
 */
export const KERNEL_MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072';

/**
 * The server's handle on one kernel process: spawns it in its own process
 * group with an empty environment, parses (and distrusts) its frames, and
 * kills the whole group when told to or when it misbehaves.
 */
export class KernelProcess extends EventEmitter<{
  message: [KernelMessage];
  exit: [string];
}> {
  readonly ready: Promise<IsolationReport>;
  pid = -1;
  private readonly child: ChildProcess;
  private exited = false;
  private exitReason = '';
  private inbox = '';
  /** The last cell each session's worker entered (CELL_ENTERED_FD), for naming the culprit when the process dies. */
  private readonly entered = new Map<string, CellEntered>();

  constructor(private readonly options: KernelProcessOptions) {
    super();
    const { command, args } = kernelCommand(options.layers, options.entry, options.readPaths, options.nodeArgs, options.payload, options.allowChildProcesses === true);
    const enteredFile = openEnteredFile();
    try {
      this.child = spawn(command, args, {
        // Nothing of the server's environment; only glibc's allocator settings, read at exec and deleted by the kernel
        // at once (child/main.ts), so nothing in the kernel sees them.
        env: { GLIBC_TUNABLES: KERNEL_MALLOC_TUNABLES },
        detached: true,
        stdio: ['pipe', 'ignore', 'pipe', 'pipe', enteredFile], // 3: the protocol, 4: CELL_ENTERED_FD
        cwd: '/',
      });
    } catch (error) {
      fs.closeSync(enteredFile);
      throw error;
    }
    this.pid = this.child.pid ?? -1;
    const stderr = this.child.stderr as Readable;
    let stderrTail = '';
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-16_000);
    });
    const channel = this.child.stdio[3] as Readable;
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => this.receive(chunk));
    channel.on('error', () => undefined);
    (this.child.stdin as Writable).on('error', () => undefined);
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const reason = this.exitReason || kernelExitReason(code, signal, stderrTail);
      // Which cell each worker had entered: read now, before anyone is told (the file holds it, the process is gone).
      this.readEntered(enteredFile);
      this.emit('exit', reason);
    });
    this.child.on('error', (error) => {
      this.exitReason = `the kernel process could not start: ${error.message}`;
    });
    this.ready = new Promise<IsolationReport>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        // Once more round the event loop first: when this process was busy for the whole time (a long run of work
        // without I/O), the kernel's `ready` may be waiting unread behind this timer, and the kernel is not late.
        setImmediate(() => {
          if (!started) this.kill(`the kernel process did not start within ${options.startTimeoutMs} ms`);
        });
      }, options.startTimeoutMs);
      const onMessage = (message: KernelMessage): void => {
        if (message.t !== 'ready') return;
        started = true;
        clearTimeout(timer);
        this.off('message', onMessage);
        resolve(message.isolation);
      };
      this.on('message', onMessage);
      this.once('exit', (reason) => {
        clearTimeout(timer);
        reject(new KernelError(`Kernel failed to start: ${reason}`));
      });
    });
    this.ready.catch(() => undefined);
  }

  private readEntered(fd: number): void {
    try {
      const size = Math.min(fs.fstatSync(fd).size, 64 * 1024 * 1024);
      const bytes = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, bytes, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      // One record per worker the process ever started (CELL_ENTERED_RECORD bytes each); a session's newest worker last.
      for (let at = 0; at + CELL_ENTERED_RECORD <= read; at += CELL_ENTERED_RECORD) {
        const parsed = parseCellEntered(bytes.toString('utf8', at, at + CELL_ENTERED_RECORD).trim());
        if (parsed) this.entered.set(parsed.session, parsed.entered);
      }
    } catch {
      // Unreadable: the culprit is then unknown, as for a worker that had not entered any cell.
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The cell a session's worker entered last, per the cell-entered channel. */
  lastEnteredCell(session: string): CellEntered | undefined {
    return this.entered.get(session);
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(message: ServerMessage): void {
    if (this.exited) return;
    (this.child.stdin as Writable).write(JSON.stringify(message) + '\n');
  }

  /** Kills the kernel's whole process group. */
  kill(reason: string): void {
    if (this.exited) return;
    if (!this.exitReason) this.exitReason = reason;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /**
   * Resident memory of the kernel process, read by the server (the kernel
   * cannot lie about it), plus the processes it started when a language runs
   * its own sandbox: their memory is this kernel's too.
   */
  rssBytes(): number | undefined {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (!match) return undefined;
      const own = Number(match[1]) * 1024;
      return this.options.allowChildProcesses ? own + descendantsMemoryBytes(this.pid) : own;
    } catch {
      return undefined;
    }
  }

  private receive(chunk: string): void {
    // Once condemned, nothing more from this kernel is trusted: frames already in the pipe behind the offending one
    // (a cell's "finished", say) must not settle a run before the kill is reported.
    if (this.exitReason) return;
    this.inbox += chunk;
    let newline: number;
    while ((newline = this.inbox.indexOf('\n')) >= 0) {
      const line = this.inbox.slice(0, newline);
      this.inbox = this.inbox.slice(newline + 1);
      if (line.length > this.options.maxFrameBytes) return this.kill('the kernel sent a frame over the size limit');
      if (!line) continue;
      let message: KernelMessage;
      try {
        message = parseKernelMessage(line);
      } catch (error) {
        const detail = error instanceof ProtocolError ? error.message : String(error);
        return this.kill(`the kernel broke the protocol (${detail})`);
      }
      this.emit('message', message);
      if (this.exited || this.exitReason) return;
    }
    if (this.inbox.length > this.options.maxFrameBytes) this.kill('the kernel sent a frame over the size limit');
  }
}

/** An anonymous file (created and unlinked at once) for the kernel's cell-entered records; only its descriptors remain. */
function openEnteredFile(): number {
  const file = path.join(os.tmpdir(), `rnb-entered-${process.pid}-${randomBytes(8).toString('hex')}`);
  const fd = fs.openSync(file, 'wx+', 0o600);
  fs.unlinkSync(file);
  return fd;
}
