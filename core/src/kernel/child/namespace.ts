/** The notebook's names in the kernel worker, across languages: each entry keeps its language's own value. */
import type { Namespace, NamespaceEntry } from '../../language/runtime-api';

export class MapNamespace implements Namespace {
  private readonly entries = new Map<string, NamespaceEntry>();
  has(name: string): boolean {
    return this.entries.has(name);
  }
  get(name: string): unknown {
    return this.entries.get(name)?.toJS();
  }
  entry(name: string): NamespaceEntry | undefined {
    return this.entries.get(name);
  }
  set(name: string, value: unknown, language: string): void {
    this.entries.set(name, { language, native: value, toJS: () => value });
  }
  setEntry(name: string, entry: NamespaceEntry): void {
    this.entries.set(name, entry);
  }
  delete(name: string): boolean {
    return this.entries.delete(name);
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
}
