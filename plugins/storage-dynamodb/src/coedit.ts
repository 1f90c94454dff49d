import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { checkOwner, isValidNotebookId, NotFoundError, StorageError } from '@rnb/core';
import { newBodyId, READ_ATTEMPTS, type BodyChunks, type ChunkPointer } from './chunks';
import { readHead } from './head';
import { coeditKey } from './table';
import type { TableAccess } from './table-access';

export interface CoeditDocumentsOptions extends TableAccess {
  chunks: BodyChunks;
  /** Bytes of the document per chunk item. */
  chunkBytes: number;
}

/**
 * The co-editing document, in the notebook's partition: chunks `body#<id>#coedit-<gen>#<index>` written first,
 * then the pointer item `coedit#<id>` moved to them, then the old chunks deleted (as a save's body). Deleting the
 * notebook removes both (the chunks share the notebook's body prefix).
 */
export class CoeditDocuments {
  constructor(private readonly options: CoeditDocumentsOptions) {}

  async load(owner: string, id: string): Promise<Uint8Array | null> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      if (!(await readHead(this.options, owner, id))) throw new NotFoundError('notebook', id);
      const pointer = await this.readPointer(owner, id);
      if (!pointer) return null;
      const chunks = await this.options.chunks.read(owner, id, pointer);
      if (chunks) return new Uint8Array(Buffer.concat(chunks));
    }
    throw new StorageError(`The co-editing document of "${id}" changed too often while being read; try again.`);
  }

  async save(owner: string, id: string, state: Uint8Array): Promise<void> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    if (!(await readHead(this.options, owner, id))) throw new NotFoundError('notebook', id);
    const { docs, table, send, chunks, chunkBytes } = this.options;
    const bodyId = `coedit-${newBodyId()}`;
    const data = Buffer.from(state);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < data.length || parts.length === 0; offset += chunkBytes) parts.push(data.subarray(offset, offset + chunkBytes));
    await chunks.put(owner, id, bodyId, parts, `store the co-editing document of "${id}"`);
    const result = await send(`store the co-editing document of "${id}"`, () =>
      docs.send(new PutCommand({ TableName: table, Item: { ...coeditKey(owner, id), bodyId, chunks: parts.length }, ReturnValues: 'ALL_OLD' })),
    );
    const old = result.Attributes as { bodyId?: unknown; chunks?: unknown } | undefined;
    if (typeof old?.bodyId === 'string' && typeof old.chunks === 'number') await chunks.delete(owner, id, old.bodyId, old.chunks);
    // The notebook may have been deleted meanwhile: then nothing of the document may stay.
    if (!(await readHead(this.options, owner, id))) {
      await chunks.deleteKeys([coeditKey(owner, id)]).catch(() => undefined);
      await chunks.delete(owner, id, bodyId, parts.length);
      throw new NotFoundError('notebook', id);
    }
  }

  private async readPointer(owner: string, id: string): Promise<ChunkPointer | null> {
    const { docs, table, send } = this.options;
    const result = await send(`read the co-editing document of "${id}"`, () => docs.send(new GetCommand({ TableName: table, Key: coeditKey(owner, id), ConsistentRead: true })));
    const item = result.Item as { bodyId?: unknown; chunks?: unknown } | undefined;
    return typeof item?.bodyId === 'string' && typeof item.chunks === 'number' ? { bodyId: item.bodyId, chunks: item.chunks } : null;
  }
}
