import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkNotebookId } from '@rnb/core';

/** One tool call of the assistant: who, where, what, and how it ended. */
export interface AuditEntry {
  time: string;
  user: string;
  notebook_id: string;
  tool: string;
  /** The input, shortened: enough to see what was asked, not a copy of every cell. */
  input: string;
  status: 'ok' | 'error';
  error?: string;
  cell_id?: string;
  model?: string;
}

export interface AssistantAuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries of one notebook, oldest first. */
  read(notebookId: string, limit: number): Promise<AuditEntry[]>;
}

/**
 * JSON lines, one file per notebook under a folder, appended in order. One
 * writer chain per file keeps lines whole even when tool calls overlap.
 */
export class JsonLinesAuditLog implements AssistantAuditLog {
  private readonly chains = new Map<string, Promise<void>>();
  private made = false;

  constructor(private readonly dir: string) {}

  append(entry: AuditEntry): Promise<void> {
    const file = this.fileOf(entry.notebook_id);
    const previous = this.chains.get(file) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!this.made) {
        await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
        this.made = true;
      }
      await fs.promises.appendFile(file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
    });
    const settled = next.catch(() => undefined);
    this.chains.set(file, settled);
    void settled.then(() => {
      if (this.chains.get(file) === settled) this.chains.delete(file);
    });
    return next;
  }

  async read(notebookId: string, limit: number): Promise<AuditEntry[]> {
    const file = this.fileOf(notebookId);
    await this.chains.get(file);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A line cut by a crash mid-write is skipped, not fatal.
      }
    }
    return entries.slice(-limit);
  }

  private fileOf(notebookId: string): string {
    // The id pattern has no dots or slashes: the file stays inside the folder.
    return path.join(this.dir, `${checkNotebookId(notebookId)}.jsonl`);
  }
}
