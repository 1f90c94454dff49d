import * as path from 'node:path';
import { ConfigError } from '@rnb/core';

/** The host's half of the assistant's settings (the provider reads its own: model, tokens, key). */
export interface AssistantSettings {
  /** Model calls one chat request may make at most (ASSISTANT_MAX_TURNS, default 10). */
  maxTurns: number;
  /** Folder of the audit log, one JSON-lines file per notebook (ASSISTANT_AUDIT_DIR). */
  auditDir: string;
  /** How long run_cell waits for its cascade to settle (ASSISTANT_RUN_TIMEOUT_SECONDS, default 60). */
  runTimeoutMs: number;
}

export function readAssistantSettings(config: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): AssistantSettings {
  const problems: string[] = [];
  const maxTurns = integer(config.ASSISTANT_MAX_TURNS, 'ASSISTANT_MAX_TURNS', 10, 1, 100, problems);
  const runTimeoutSeconds = integer(config.ASSISTANT_RUN_TIMEOUT_SECONDS, 'ASSISTANT_RUN_TIMEOUT_SECONDS', 60, 1, 3600, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid assistant configuration:\n  - ${problems.join('\n  - ')}`);
  const dir = config.ASSISTANT_AUDIT_DIR?.trim();
  return { maxTurns, auditDir: path.resolve(cwd, dir ? dir : 'assistant-audit'), runTimeoutMs: runTimeoutSeconds * 1000 };
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return fallback;
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}; got "${trimmed}".`);
    return fallback;
  }
  return value;
}
