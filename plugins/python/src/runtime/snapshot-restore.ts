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
 * went). The layout is Pyodide's private business; the snapshot is used only
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

/**
 * Runs `load` (Pyodide's `loadPyodide` given the array as `_loadSnapshot`)
 * with the snapshot file restored as described above. Rejects when the file
 * is not laid out as expected or Pyodide did not copy the heap the expected
 * way (the caller then loads from scratch). The override of `Int8Array#set`
 * is in place only while `load` runs, in this thread's realm, and takes only
 * the call whose argument is the heap part of this very array.
 */
export async function loadSnapshotSparsely<T>(file: string, load: (snapshot: Uint8Array) => Promise<T>): Promise<{ value: T; pagesWritten: number }> {
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
    let pagesWritten = -1;
    const prototype = Int8Array.prototype as unknown as { set(source: ArrayLike<number>, offset?: number): void };
    const original = prototype.set;
    prototype.set = function restoreFromFile(this: Int8Array, source: ArrayLike<number>, offset?: number): void {
      if (source instanceof Uint8Array && source.buffer === snapshot.buffer && source.byteOffset === heapOffset && source.length === heapLength && (offset ?? 0) === 0) {
        pagesWritten = copyFileChangedPages(fd, heapOffset, heapLength, new Uint8Array(this.buffer, this.byteOffset, this.length));
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
