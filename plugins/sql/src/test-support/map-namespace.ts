import type { Namespace, NamespaceEntry } from '@rnb/core';

/** The kernel's shared namespace, as a plain map: enough to run the SQL runtime in a test process. */
export class MapNamespace implements Namespace {
  readonly entries = new Map<string, NamespaceEntry>();
  has = (name: string): boolean => this.entries.has(name);
  get = (name: string): unknown => this.entries.get(name)?.toJS();
  entry = (name: string): NamespaceEntry | undefined => this.entries.get(name);
  set = (name: string, value: unknown, language: string): void => void this.entries.set(name, { language, native: value, toJS: () => value });
  setEntry = (name: string, entry: NamespaceEntry): void => void this.entries.set(name, entry);
  delete = (name: string): boolean => this.entries.delete(name);
  names = (): string[] => [...this.entries.keys()];
}
