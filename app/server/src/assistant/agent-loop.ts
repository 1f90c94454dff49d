import type { AssistantMessage, AssistantProvider, AssistantToolCall, AssistantToolResult } from '@rnb/core';
import type { ChatEvent } from '@rnb/core/wire';
import { redactString } from '../logger';
import type { AuditEntry, AssistantAuditLog } from './audit-log';
import { executeTool, TOOL_SPECS, type ToolDeps, type ToolScope } from './tools';

/** What the client receives, in order (the SSE event name is `type`): part of the wire contract (`@rnb/core/wire`). */
export type { ChatEvent };

export interface AgentRun {
  provider: AssistantProvider;
  system: string;
  messages: AssistantMessage[];
  maxTurns: number;
  scope: ToolScope;
  tools: ToolDeps;
  audit: AssistantAuditLog;
  emit(event: ChatEvent): void;
  onAuditError(error: unknown): void;
}

const AUDIT_INPUT_CHARS = 300;

/**
 * The agentic loop: model call, tool calls, results back, at most maxTurns
 * model calls. Tool calls run one after another in the order asked, as the
 * user's own edits would. Resolves when done or aborted; never throws.
 */
export async function runAgent(run: AgentRun): Promise<void> {
  const transcript: AssistantMessage[] = [...run.messages];
  const { signal } = run.scope;
  let turn = 0;
  try {
    for (;;) {
      if (signal.aborted) return;
      if (turn >= run.maxTurns) {
        run.emit({ type: 'done', turns: turn, stop_reason: 'max_turns' });
        return;
      }
      turn += 1;
      run.emit({ type: 'turn_start', turn });
      const result = await run.provider.turn(
        { system: run.system, messages: transcript, tools: TOOL_SPECS, signal },
        {
          text: (text) => run.emit({ type: 'text', turn, text }),
          toolStart: ({ id, name }) => run.emit({ type: 'tool_start', turn, id, name }),
          toolInput: (call) => run.emit({ type: 'tool_input', turn, id: call.id, name: call.name, input: call.inputError ? { invalid: call.inputError } : call.input }),
        },
      );
      if (signal.aborted) return;
      transcript.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls });
      if (result.toolCalls.length === 0) {
        run.emit({ type: 'done', turns: turn, stop_reason: result.stopReason === 'tool_use' ? 'other' : result.stopReason });
        return;
      }
      const results: AssistantToolResult[] = [];
      for (const call of result.toolCalls) {
        if (signal.aborted) return;
        results.push(await callTool(run, call, turn));
      }
      transcript.push({ role: 'tool', results });
    }
  } catch (error) {
    if (signal.aborted) return;
    run.emit({ type: 'error', message: publicMessage(error) });
  }
}

async function callTool(run: AgentRun, call: AssistantToolCall, turn: number): Promise<AssistantToolResult> {
  const outcome = await executeTool(call, run.scope, run.tools);
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    user: run.scope.owner,
    notebook_id: run.scope.notebookId,
    tool: call.name,
    input: summarizeInput(call),
    status: outcome.ok ? 'ok' : 'error',
    ...(outcome.ok ? {} : { error: outcome.summary.slice(0, 500) }),
    ...(outcome.cellId ? { cell_id: outcome.cellId } : {}),
    model: run.provider.model,
  };
  // The call already happened: a failing audit write is reported, not hidden, but does not undo it.
  await run.audit.append(entry).catch((error: unknown) => run.onAuditError(error));
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.content);
  } catch {
    parsed = outcome.content;
  }
  run.emit({ type: 'tool_result', turn, id: call.id, name: call.name, ok: outcome.ok, summary: outcome.summary, ...(outcome.cellId ? { cell_id: outcome.cellId } : {}), result: parsed });
  return { callId: call.id, content: outcome.content, isError: !outcome.ok };
}

function summarizeInput(call: AssistantToolCall): string {
  if (call.inputError) return `(invalid JSON) ${call.inputError}`.slice(0, AUDIT_INPUT_CHARS);
  const text = redactString(JSON.stringify(call.input ?? {}) ?? '');
  return text.length > AUDIT_INPUT_CHARS ? `${text.slice(0, AUDIT_INPUT_CHARS)}…` : text;
}

/** Provider errors carry the API's message (never the key); anything else is described generically. */
function publicMessage(error: unknown): string {
  const e = error as { status?: unknown; message?: unknown; name?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : 'The model request failed.';
  return redactString(`The assistant stopped: ${message}`).slice(0, 1000);
}
