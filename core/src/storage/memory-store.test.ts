import { describeStorageConformance } from '../testing/storage-conformance';
import { MemoryNotebookStore } from './memory-store';

describeStorageConformance('MemoryNotebookStore', async () => ({ store: new MemoryNotebookStore(), cleanup: async () => undefined }), { listsSharedWith: true });
