/**
 * Restoring the build's Pyodide memory snapshot without paying for it twice.
 *
 * Pyodide takes the snapshot as one byte array (`_loadSnapshot`): a header
 * (Uint32 magic, the offset where the heap starts, the length of a JSON
 * description), then the heap, which it copies into the new wasm memory with
 * one `HEAP8.set(snapshot.subarray(heapOffset))`. Done that way, a worker held
 * the file's 31 MB twice (the array stays referenced from Pyodide's
 * configuration and is freed only by a garbage collection an idle worker does
 * not run) and every page of the heap became resident, the 16 MB of zeros
 * included: about 55 MB more than an instance loaded from scratch, which is
 * why only a worker a notebook waited for used to restore it.
 *
 * Here the array handed to Pyodide is zero-filled memory of the file's size of
 * which only the header is ever written (the rest never becomes resident), and
 * that one copy is redirected: the heap is read from the file in chunks, and
 * only the pages that differ from what the new memory holds are written (a
 * fresh wasm memory reads as zeros except where the module's data segments
 * went). With the runs of non-zero pages the build recorded (make-snapshot.ts,
 * `heapRuns`) only those are read, straight into the memory, and only the pages
 * between them are compared, with zero: comparing and copying all 30 MB page
 * by page took a kernel about 40 ms of CPU. The layout is Pyodide's private business; the snapshot is used only
 * with the Pyodide version it was made with (make-snapshot.ts), and if the copy
 * is not seen the load counts as failed and the caller loads from scratch.
 */
import * as fs from 'node:fs';

/** The size of the pages compared and copied: the kernel's page size, where residency is decided. */
export const PAGE_BYTES = 4096;
const CHUNK_BYTES = 64 * PAGE_BYTES;

/**
 * Copies `source` into `target` at `targetOffset`, leaving alone every page
 * whose bytes `target` already has (reading an untouched page of fresh memory
 * does not make it resident; writing zeros over it would). Returns how many
 * pages it wrote.
 */
export function copyChangedPages(target: Uint8Array, targetOffset: number, source: Uint8Array): number {
  if (targetOffset + source.length > target.length) throw new RangeError('the snapshot is larger than the memory it is restored into');
  const targetBytes = Buffer.from(target.buffer, target.byteOffset + targetOffset, source.length);
  const sourceBytes = Buffer.from(source.buffer, source.byteOffset, source.length);
  let written = 0;
  for (let offset = 0; offset < source.length; offset += PAGE_BYTES) {
    const end = Math.min(offset + PAGE_BYTES, source.length);
    const page = sourceBytes.subarray(offset, end);
    const present = targetBytes.subarray(offset, end);
    if (page.equals(present)) continue;
    present.set(page);
    written++;
  }
  return written;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const read = fs.readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) throw new Error('the snapshot file ended early');
    done += read;
  }
}

/** Reads the file from `fileOffset` to its end into `target`, writing only the pages that change (see copyChangedPages). */
function copyFileChangedPages(fd: number, fileOffset: number, length: number, target: Uint8Array): number {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let written = 0;
  for (let done = 0; done < length; done += CHUNK_BYTES) {
    const part = chunk.subarray(0, Math.min(CHUNK_BYTES, length - done));
    readFully(fd, part, fileOffset + done);
    written += copyChangedPages(target, done, part);
  }
  return written;
}

/** Pages `[first, count]` of a snapshot's heap holding any non-zero byte, in order (make-snapshot.ts records them). */
export type HeapRuns = readonly (readonly [number, number])[];

/** The heap's non-zero pages as runs (for the build, which records them beside the snapshot). */
export function heapRunsOf(heap: Uint8Array): [number, number][] {
  const zero = Buffer.alloc(PAGE_BYTES);
  const bytes = Buffer.from(heap.buffer, heap.byteOffset, heap.length);
  const runs: [number, number][] = [];
  for (let page = 0; page * PAGE_BYTES < bytes.length; page++) {
    const start = page * PAGE_BYTES;
    const end = Math.min(start + PAGE_BYTES, bytes.length);
    if (bytes.subarray(start, end).equals(zero.subarray(0, end - start))) continue;
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === page) last[1]++;
    else runs.push([page, 1]);
  }
  return runs;
}

/** `[first page, count]` pairs of numbers, or null (snapshot-restore.ts checks that they fit the file). */
export function heapRunsOption(value: unknown): HeapRuns | null {
  if (!Array.isArray(value)) return null;
  const runs: [number, number][] = [];
  for (const run of value) {
    if (!Array.isArray(run) || run.length !== 2 || typeof run[0] !== 'number' || typeof run[1] !== 'number') return null;
    runs.push([run[0], run[1]]);
  }
  return runs;
}

/** Runs in order, not overlapping, inside a heap of `heapLength` bytes. */
function fitRuns(runs: HeapRuns | null | undefined, heapLength: number): HeapRuns | null {
  if (!runs) return null;
  const pages = Math.ceil(heapLength / PAGE_BYTES);
  let next = 0;
  for (const run of runs) {
    const [first, count] = run;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < next || count < 1 || first + count > pages) return null;
    next = first + count;
  }
  return runs;
}

/**
 * The heap restored by its runs of non-zero pages: each run read from the file straight into the memory (no copy, no
 * comparison); between runs the snapshot is all zeros, so only the pages the fresh memory has non-zero there (the
 * module's data segments) are cleared, and the others are left untouched (not resident). Returns the pages written.
 */
function restoreRuns(fd: number, fileOffset: number, heapLength: number, target: Uint8Array, runs: HeapRuns): number {
  if (heapLength > target.length) throw new RangeError('the snapshot is larger than the memory it is restored into');
  const zero = Buffer.alloc(PAGE_BYTES);
  const memory = Buffer.from(target.buffer, target.byteOffset, heapLength);
  let written = 0;
  const clearGap = (from: number, to: number): void => {
    for (let offset = from; offset < to; offset += PAGE_BYTES) {
      const page = memory.subarray(offset, Math.min(offset + PAGE_BYTES, to));
      if (page.equals(zero.subarray(0, page.length))) continue;
      page.fill(0);
      written++;
    }
  };
  let at = 0;
  for (const [first, count] of runs) {
    const start = first * PAGE_BYTES;
    const end = Math.min((first + count) * PAGE_BYTES, heapLength);
    clearGap(at, start);
    readFully(fd, memory.subarray(start, end), fileOffset + start);
    written += count;
    at = end;
  }
  clearGap(at, heapLength);
  return written;
}

/**
 * Runs `load` (Pyodide's `loadPyodide` given the array as `_loadSnapshot`)
 * with the snapshot file restored as described above. Rejects when the file
 * is not laid out as expected or Pyodide did not copy the heap the expected
 * way (the caller then loads from scratch). The override of `Int8Array#set`
 * is in place only while `load` runs, in this thread's realm, and takes only
 * the call whose argument is the heap part of this very array.
 */
export async function loadSnapshotSparsely<T>(file: string, load: (snapshot: Uint8Array) => Promise<T>, heapRuns?: HeapRuns | null): Promise<{ value: T; pagesWritten: number }> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // Zero-filled and untouched (calloc'd pages stay virtual): only the header below is written.
    const snapshot = Buffer.alloc(size);
    readFully(fd, snapshot.subarray(0, 16), 0);
    const heapOffset = snapshot.readUInt32LE(4);
    if (heapOffset < 16 || heapOffset % 16 !== 0 || heapOffset >= size) throw new Error('the snapshot file is not laid out as this Pyodide writes it');
    readFully(fd, snapshot.subarray(16, heapOffset), 16);
    const heapLength = size - heapOffset;
    // The build's record of the non-zero pages (make-snapshot.ts): without it, or if it does not fit, every page is compared.
    const runs = fitRuns(heapRuns, heapLength);
    let pagesWritten = -1;
    const prototype = Int8Array.prototype as unknown as { set(source: ArrayLike<number>, offset?: number): void };
    const original = prototype.set;
    prototype.set = function restoreFromFile(this: Int8Array, source: ArrayLike<number>, offset?: number): void {
      if (source instanceof Uint8Array && source.buffer === snapshot.buffer && source.byteOffset === heapOffset && source.length === heapLength && (offset ?? 0) === 0) {
        const memory = new Uint8Array(this.buffer, this.byteOffset, this.length);
        pagesWritten = runs ? restoreRuns(fd, heapOffset, heapLength, memory, runs) : copyFileChangedPages(fd, heapOffset, heapLength, memory);
        return;
      }
      original.call(this, source, offset);
    };
    let value: T;
    try {
      value = await load(snapshot);
    } finally {
      prototype.set = original;
    }
    if (pagesWritten < 0) throw new Error('Pyodide did not restore the snapshot the way this version was expected to');
    forgetSnapshotBytes(value);
    return { value, pagesWritten };
  } finally {
    fs.closeSync(fd);
  }
}

/** Drops Pyodide's reference to the snapshot array (its configuration keeps what it was given). */
function forgetSnapshotBytes(pyodide: unknown): void {
  const config = (pyodide as { _api?: { config?: Record<string, unknown> } } | null)?._api?.config;
  if (config && '_loadSnapshot' in config) delete config._loadSnapshot;
}
