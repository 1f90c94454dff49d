import type { NotebookEvent } from '../wire';

/**
 * Everything that happens to a notebook, named as in the wire contract
 * (docs/protocol.md): the union is defined from the wire's event payloads
 * (`NotebookEventPayloads` in ../wire), so core emits exactly what clients
 * read. A host broadcasts them.
 */
export type { NotebookEvent, NotebookEventName, NotebookEventPayloads } from '../wire';

export type NotebookEventListener = (notebookId: string, event: NotebookEvent) => void;
