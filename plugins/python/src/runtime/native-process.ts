/**
 * One notebook's CPython process (native runtime) and the synchronous line protocol with it: JSON requests on its
 * stdin, JSON frames on its stdout, a byte per interrupt on fd 3 (python/native_driver.py). Imports only Node built-ins.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Output } from '@rnb/core';

export type CellResult =
  | { status: 'ok'; outputs: Output[]; defined: string[] }
  | { status: 'error'; message: string; traceback: string; type: string };

export type Frame =
  | { t: 'ready'; pid: number; uid: number; seccomp: boolean }
  | { t: 'loaded' }
  | { t: 'out'; s: 'stdout' | 'stderr'; d: string }
  /** An output display() (or plt.show()) shows while the cell runs. */
  | { t: 'output'; o: Output }
  /** A cell's end; `c`: its id. */
  | { t: 'done'; c?: string; result: CellResult }
  /** The end of a plan sent ahead (`op: plan`): every cell of it has its `done` before this, but blocked ones. */
  | { t: 'plan_done' }
  /** A runner call's answer (JSON text), or a name's value inline (`v`; a ColumnTable when `table`, a DataFrame by columns). */
  | { t: 'value'; json?: string; v?: unknown; table?: boolean }
  | { t: 'fail'; error: string };

/** The process ended (or stopped answering): its values are lost. */
export class ProcessGone extends Error {}

interface PipeHandle {
  fd: number;
  readStop(): number;
  reading: boolean;
}

function handleOf(stream: unknown): PipeHandle {
  // The pipes' file descriptors, for synchronous reads and writes; libuv is told to stop reading them.
  const handle = (stream as { _handle?: PipeHandle })._handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0) throw new Error('the Python process has no pipe');
  return handle;
}

/** One notebook's CPython process and the synchronous line protocol with it. */
export class NativeProcess {
  private readonly inFd: number;
  private readonly interruptFd: number;
  private readonly outFd: number;
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly chunk = Buffer.alloc(1024 * 1024);
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  private stderrTail = '';
  exitDescription: string | null = null;

  constructor(private readonly child: ChildProcess) {
    const input = handleOf(child.stdin);
    const output = handleOf(child.stdout);
    output.readStop();
    output.reading = false;
    this.inFd = input.fd;
    this.interruptFd = handleOf(child.stdio[3]).fd;
    this.outFd = output.fd;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
  }

  send(request: object): void {
    this.sendText(JSON.stringify(request));
  }

  /** One request already in JSON text (a cell's, built without parsing its values back). */
  sendText(json: string): void {
    const bytes = Buffer.from(json + '\n', 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += fs.writeSync(this.inFd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw new ProcessGone(this.gone());
        this.pause(0.05); // the pipe is full: CPython is reading it (a large table), back in a moment
      }
    }
  }

  /** One byte on the interrupt pipe: the driver's interrupt thread raises KeyboardInterrupt in the running cell. */
  interrupt(): void {
    try {
      fs.writeSync(this.interruptFd, Buffer.from('!'));
    } catch {
      // gone or full: an interrupt is already on its way, or the process is
    }
  }

  /**
   * The next frame. `onIdle` runs while nothing has arrived yet (polling the
   * interrupt buffer); `deadline` (ms since epoch) ends the wait with an error.
   */
  receive(onIdle?: () => void, deadline = Infinity): Frame {
    let idle = 0;
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (line) return JSON.parse(line) as Frame;
        continue;
      }
      // Nothing to read is an exception (EAGAIN), thrown at each poll: without a stack it costs a third less (28 against
      // 44 µs a poll, measured at load average 25), CPU the CPython it waits for could use.
      let read = -1;
      let failure: unknown = null;
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        read = fs.readSync(this.outFd, this.chunk, 0, this.chunk.length, null);
      } catch (error) {
        failure = error;
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
      if (failure) {
        if ((failure as NodeJS.ErrnoException).code !== 'EAGAIN') throw new ProcessGone(this.gone());
        onIdle?.();
        if (Date.now() > deadline) throw new ProcessGone('the Python process did not answer in time');
        // A few quick polls, then 50 µs sleeps, then 1 ms. Not a long spin: on a busy machine a spinning worker takes the
        // core CPython needs to answer (a spin of 2,000 polls here and 0.5 ms in the driver made the 100-cell chain
        // 960 ms instead of 163 ms at load average 21 on 2 cores; bench/native-python.js --chain-only).
        if (idle >= 50) this.pause(idle < 2000 ? 0.05 : 1);
        idle++;
        continue;
      }
      if (read === 0) throw new ProcessGone(this.gone());
      idle = 0;
      this.buffer += this.decoder.decode(this.chunk.subarray(0, read), { stream: true });
    }
  }

  kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  private pause(ms: number): void {
    Atomics.wait(this.sleeper, 0, 0, ms);
  }

  private gone(): string {
    const detail = this.stderrTail.trim().split('\n').slice(-3).join(' ').slice(0, 1000);
    return `the Python process ended${this.exitDescription ? ` (${this.exitDescription})` : ''}${detail ? `: ${detail}` : ''}`;
  }
}
