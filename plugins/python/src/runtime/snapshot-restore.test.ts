import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyChangedPages, heapRunsOf, loadSnapshotSparsely, PAGE_BYTES } from './snapshot-restore';

/** A file laid out as Pyodide writes a snapshot: [magic, heap offset, JSON length, 0], JSON, heap. */
function writeSnapshot(file: string, heap: Uint8Array): number {
  const heapOffset = 64;
  const bytes = new Uint8Array(heapOffset + heap.length);
  new DataView(bytes.buffer).setUint32(0, 0x1234, true);
  new DataView(bytes.buffer).setUint32(4, heapOffset, true);
  bytes.set(heap, heapOffset);
  fs.writeFileSync(file, bytes);
  return heapOffset;
}

/** What Pyodide does with `_loadSnapshot`: reads the header, then one HEAP8.set of the heap part. */
function pyodideLikeRestore(snapshot: Uint8Array, memory: Int8Array): { header: number } {
  const header = new Uint32Array(snapshot.buffer, snapshot.byteOffset, 4);
  memory.set(snapshot.subarray(header[1]!));
  return { header: header[0]! };
}

describe('copyChangedPages', () => {
  it('writes only the pages that differ, and the target ends equal to the source', () => {
    const source = new Uint8Array(4 * PAGE_BYTES);
    source[PAGE_BYTES + 5] = 7; // page 1 differs from a zero target
    const target = new Uint8Array(5 * PAGE_BYTES);
    target[3 * PAGE_BYTES] = 9; // page 3: zero in the source, not in the target (a data segment): must be cleared
    expect(copyChangedPages(target, 0, source)).toBe(2);
    expect(Buffer.from(target.subarray(0, source.length)).equals(Buffer.from(source))).toBe(true);
  });
});

describe('loadSnapshotSparsely', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-restore-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("restores the heap from the file into the memory, never filling the array it hands over beyond the header", async () => {
    const heap = new Uint8Array(40 * PAGE_BYTES);
    for (let i = 0; i < heap.length; i += 3 * PAGE_BYTES + 11) heap[i] = (i % 251) + 1;
    const file = path.join(dir, 'pyodide.snapshot');
    const heapOffset = writeSnapshot(file, heap);
    const memory = new Int8Array(48 * PAGE_BYTES);
    let handed: Uint8Array | null = null;
    const { value, pagesWritten } = await loadSnapshotSparsely(file, async (snapshot) => {
      handed = snapshot;
      return pyodideLikeRestore(snapshot, memory);
    });
    expect(value.header).toBe(0x1234);
    expect(Buffer.from(memory.buffer, 0, heap.length).equals(Buffer.from(heap))).toBe(true);
    expect(pagesWritten).toBe(new Set(Array.from({ length: heap.length }, (_, i) => i).filter((i) => heap[i] !== 0).map((i) => Math.floor(i / PAGE_BYTES))).size);
    expect(handed!.subarray(heapOffset).every((b) => b === 0)).toBe(true);
    // The override is gone afterwards.
    const plain = new Int8Array(4);
    plain.set(new Uint8Array([1, 2, 3, 4]));
    expect(Array.from(plain)).toEqual([1, 2, 3, 4]);
  });

  it("with the build's runs of non-zero pages: reads only those into the memory, and clears the fresh memory's other non-zero pages", async () => {
    const heap = new Uint8Array(40 * PAGE_BYTES);
    heap.fill(3, 2 * PAGE_BYTES, 5 * PAGE_BYTES); // pages 2-4
    heap[20 * PAGE_BYTES + 7] = 9; // page 20
    heap[heap.length - 1] = 1; // the last page
    const runs = heapRunsOf(heap);
    expect(runs).toEqual([[2, 3], [20, 1], [39, 1]]);
    const file = path.join(dir, 'pyodide.snapshot');
    const heapOffset = writeSnapshot(file, heap);
    // A data segment where the snapshot has zeros (page 10), and one where it has data (page 3).
    const memory = new Int8Array(48 * PAGE_BYTES);
    memory[10 * PAGE_BYTES + 1] = 5;
    memory[3 * PAGE_BYTES] = 8;
    const { pagesWritten } = await loadSnapshotSparsely(file, async (snapshot) => pyodideLikeRestore(snapshot, memory), runs);
    expect(Buffer.from(memory.buffer, 0, heap.length).equals(Buffer.from(heap))).toBe(true);
    expect(pagesWritten).toBe(3 + 1 + 1 + 1); // the runs, and page 10 cleared

    // The runs drive it: a page the record leaves out is not read (here the file's page 20 differs from the record).
    const skipped = new Int8Array(48 * PAGE_BYTES);
    await loadSnapshotSparsely(file, async (snapshot) => pyodideLikeRestore(snapshot, skipped), [[2, 3], [39, 1]]);
    expect(skipped[20 * PAGE_BYTES + 7]).toBe(0);
    expect(heapOffset).toBeGreaterThan(0);
  });

  it('compares every page when the recorded runs do not fit the file (out of order, overlapping or past its end)', async () => {
    const heap = new Uint8Array(8 * PAGE_BYTES);
    heap[5 * PAGE_BYTES] = 1;
    const file = path.join(dir, 'pyodide.snapshot');
    writeSnapshot(file, heap);
    for (const runs of [[[5, 1], [2, 1]], [[1, 3], [2, 1]], [[7, 2]], [[-1, 1]]] as [number, number][][]) {
      const memory = new Int8Array(8 * PAGE_BYTES);
      await loadSnapshotSparsely(file, async (snapshot) => pyodideLikeRestore(snapshot, memory), runs);
      expect(Buffer.from(memory.buffer).equals(Buffer.from(heap))).toBe(true);
    }
  });

  it('fails (so the caller loads from scratch) when Pyodide did not restore the heap the expected way', async () => {
    const file = path.join(dir, 'pyodide.snapshot');
    writeSnapshot(file, new Uint8Array(8 * PAGE_BYTES).fill(1));
    await expect(loadSnapshotSparsely(file, async () => 'loaded otherwise')).rejects.toThrow(/did not restore the snapshot/);
  });

  it('refuses a file that is not laid out as a snapshot', async () => {
    const file = path.join(dir, 'pyodide.snapshot');
    fs.writeFileSync(file, Buffer.alloc(3 * PAGE_BYTES, 0xff));
    await expect(loadSnapshotSparsely(file, async () => null)).rejects.toThrow(/not laid out/);
  });
});
