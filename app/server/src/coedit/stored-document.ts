import { createHash, randomUUID } from 'node:crypto';

/**
 * What the host keeps of a notebook's co-editing document in storage
 * (`NotebookStore.saveCoedit`): a small header and the Yjs state.
 *
 * Layout: `RNBY`, format byte 1, header length (uint32, big-endian), the header
 * as UTF-8 JSON, then `Y.encodeStateAsUpdate(doc)`.
 */
export interface CoeditHeader {
  /** Names one document's life: a client whose document has another epoch starts over from the host's. */
  epoch: string;
  /** Per cell: a hash of the code the notebook store was last told (or is being told), so a restart can tell
   *  "the document is ahead of the stored code" (keep the document) from "the stored code changed outside" (take it). */
  synced: Record<string, string[]>;
}

export interface StoredCoedit {
  header: CoeditHeader;
  state: Uint8Array;
}

const MAGIC = [0x52, 0x4e, 0x42, 0x59]; // RNBY
const FORMAT = 1;

export function newHeader(): CoeditHeader {
  return { epoch: randomUUID(), synced: {} };
}

export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('base64').slice(0, 22);
}

export function encodeStoredCoedit(stored: StoredCoedit): Uint8Array {
  const header = Buffer.from(JSON.stringify(stored.header), 'utf8');
  const out = new Uint8Array(9 + header.length + stored.state.length);
  out.set(MAGIC, 0);
  out[4] = FORMAT;
  new DataView(out.buffer).setUint32(5, header.length);
  out.set(header, 9);
  out.set(stored.state, 9 + header.length);
  return out;
}

/** Null when the bytes are not a document this host wrote (then the host rebuilds from the cells' code). */
export function decodeStoredCoedit(bytes: Uint8Array): StoredCoedit | null {
  if (bytes.length < 9 || MAGIC.some((b, i) => bytes[i] !== b) || bytes[4] !== FORMAT) return null;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5);
  if (9 + length > bytes.length) return null;
  try {
    const header = JSON.parse(Buffer.from(bytes.subarray(9, 9 + length)).toString('utf8')) as CoeditHeader;
    if (typeof header.epoch !== 'string' || typeof header.synced !== 'object' || header.synced === null) return null;
    return { header, state: bytes.slice(9 + length) };
  } catch {
    return null;
  }
}
