/**
 * One compiled Pyodide module per kernel process, shared by its Python
 * workers (one per notebook of the owner). Compiling `pyodide.asm.wasm` in
 * every worker kept the wasm bytes and the compiled code once per notebook;
 * a `WebAssembly.Module` handed to the other workers is instantiated there
 * without either (measured: about 13 MB less PSS per further notebook).
 *
 * The workers find each other on a BroadcastChannel, which only threads of
 * this process share: all of them run the same owner's notebooks, so nothing
 * crosses an owner boundary. Python code cannot reach the channel (its `js`
 * module sees a minimal global object). Any failure or silence just means the
 * worker compiles the module itself, as before.
 */
import * as fs from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';

const CHANNEL = 'rnb-python-pyodide-wasm';

/** The part of the WebAssembly API used here (the project's TypeScript lib has no WebAssembly types). */
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  compile(bytes: unknown): Promise<WasmModule>;
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type ChannelMessage = { type: 'want' } | { type: 'module'; module: unknown };

let shared: WasmModule | null = null;
let channel: BroadcastChannel | null = null;
let waiting: ((module: WasmModule) => void) | null = null;
/** Where this worker's module came from, for the start-up log line. */
let source: 'a peer' | 'compiled here' | 'unknown' = 'unknown';

export function pyodideModuleSource(): string {
  return source;
}

function open(): BroadcastChannel {
  if (channel) return channel;
  const made = new BroadcastChannel(CHANNEL);
  made.onmessage = (event: unknown) => {
    const data = (event as { data?: ChannelMessage }).data;
    if (data?.type === 'want' && shared) made.postMessage({ type: 'module', module: shared });
    else if (data?.type === 'module' && data.module instanceof wasm.Module && waiting) waiting(data.module);
  };
  // The channel must not keep a worker alive that has nothing else to do.
  (made as BroadcastChannel & { unref?: () => void }).unref?.();
  channel = made;
  return made;
}

/** Asks the process's other Python workers for their compiled module; null when none answers in time. */
function askPeers(waitMs: number): Promise<WasmModule | null> {
  const ch = open();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting = null;
      resolve(null);
    }, waitMs);
    waiting = (module) => {
      clearTimeout(timer);
      waiting = null;
      resolve(module);
    };
    ch.postMessage({ type: 'want' });
  });
}

/**
 * Pyodide's loader keeps the file's bytes (9.2 MB) referenced for the instance's lifetime (its instantiateWasm
 * closure). Once compiled they are not needed: the array is detached (its memory moved to a clone nobody holds, freed
 * by the next collection) so each worker does not keep its own copy.
 */
function releaseBytes(bytes: unknown): void {
  const buffer = ArrayBuffer.isView(bytes) ? bytes.buffer : bytes;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
  try {
    structuredClone(buffer, { transfer: [buffer] });
  } catch {
    // Not transferable (a pooled buffer): it stays, as before.
  }
}

/**
 * The whole file in one read on libuv's threadpool: nothing of it on this thread, which the rest of the start-up keeps
 * busy (read synchronously, 9.6 MB took it 13 to 35 ms; fs.readFile's 512 KB chunks would each wait for its event loop).
 */
function readWhole(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.open(file, 'r', (openError, fd) => {
      if (openError) return reject(openError);
      const done = (error: Error | null, bytes?: Buffer): void => fs.close(fd, () => (error ? reject(error) : resolve(bytes!)));
      fs.fstat(fd, (statError, stat) => {
        if (statError) return done(statError);
        // Not from the pool: its own memory, which releaseBytes can hand back once compiled.
        const bytes = Buffer.allocUnsafeSlow(stat.size);
        const readFrom = (offset: number): void => {
          fs.read(fd, bytes, offset, bytes.length - offset, offset, (readError, read) => {
            if (readError) return done(readError);
            if (read === 0) return done(new Error('the wasm file ended early'));
            if (offset + read < bytes.length) readFrom(offset + read);
            else done(null, bytes);
          });
        };
        readFrom(0);
      });
    });
  });
}

/**
 * Reads the wasm file and compiles it, its bytes released once compiled. Null when that fails: Pyodide's own bytes are
 * compiled instead.
 */
async function compileFile(file: string): Promise<WasmModule | null> {
  try {
    const bytes = await readWhole(file);
    const module = await wasm.compile(bytes);
    releaseBytes(bytes);
    return module;
  } catch {
    return null;
  }
}

/**
 * Runs `load` (Pyodide's start-up) with WebAssembly.instantiate routed to the
 * shared module: compiled once here if no peer has it, then offered to later
 * workers. `askPeers` is false for a process's first worker (nobody to ask).
 * `wasmFile` (pyodide.asm.wasm): with no peer's module, its compilation starts
 * at once, alongside the rest of Pyodide's start-up (loading pyodide.asm.mjs,
 * its lock file and standard library), rather than when Pyodide asks for the
 * instance after all that.
 */
export async function withSharedPyodideModule<T>(load: () => Promise<T>, options: { askPeers: boolean; waitMs?: number; wasmFile?: string }): Promise<T> {
  open();
  if (!shared && options.askPeers) shared = await askPeers(options.waitMs ?? 250);
  if (shared) source = 'a peer';
  const early = !shared && options.wasmFile ? compileFile(options.wasmFile) : null;
  const original = wasm.instantiate;
  // Only Pyodide's own start-up runs in here, so the only bytes instantiated are pyodide.asm.wasm.
  wasm.instantiate = async (bytes, imports) => {
    if (bytes instanceof wasm.Module) return original.call(wasm, bytes, imports);
    if (!shared) source = 'compiled here';
    const module = shared ?? (early ? await early : null) ?? (await wasm.compile(bytes));
    shared = module;
    releaseBytes(bytes);
    return { instance: await original.call(wasm, module, imports), module };
  };
  try {
    return await load();
  } finally {
    wasm.instantiate = original;
  }
}
