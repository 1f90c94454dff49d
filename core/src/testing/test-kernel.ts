import type { LanguageDefinition } from '../language/language';
import { DefaultLanguageRegistry } from '../language/registry';
import { KernelManager, type KernelManagerOptions } from '../kernel/kernel-manager';
import type { NotebookEvent } from '../session/events';
import { NotebookService } from '../session/notebook-service';
import { MemoryNotebookStore } from '../storage/memory-store';
import type { NotebookStore } from '../storage/storage';
import { fakeLanguage } from './fake-language';

export interface TestKernelOptions {
  languages?: LanguageDefinition[];
  store?: NotebookStore;
  manager?: Partial<Omit<KernelManagerOptions, 'languages'>>;
}

export interface RecordedEvent {
  notebookId: string;
  event: NotebookEvent;
}

export interface TestKernel {
  service: NotebookService;
  manager: KernelManager;
  store: NotebookStore;
  events: RecordedEvent[];
  /** The events of one notebook, optionally of one type. */
  eventsOf<T extends NotebookEvent['type']>(notebookId: string, type?: T): Extract<NotebookEvent, { type: T }>[];
  close(): Promise<void>;
}

/**
 * Core with real kernel processes and the given languages (the fake one by
 * default) and an in-memory store: what core's and plugins' tests run on.
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const languages = new DefaultLanguageRegistry();
  for (const language of options.languages ?? [fakeLanguage()]) languages.register(language);
  const manager = new KernelManager({ languages: languages.list(), warmProcesses: 1, ...options.manager });
  const store = options.store ?? new MemoryNotebookStore();
  const service = new NotebookService({ store, languages, kernels: manager });
  const events: RecordedEvent[] = [];
  service.subscribe((notebookId, event) => events.push({ notebookId, event }));
  return {
    service,
    manager,
    store,
    events,
    eventsOf: <T extends NotebookEvent['type']>(notebookId: string, type?: T) =>
      events.filter((e) => e.notebookId === notebookId && (type === undefined || e.event.type === type)).map((e) => e.event) as Extract<NotebookEvent, { type: T }>[],
    close: async () => {
      await service.close();
      await manager.shutdown();
    },
  };
}
