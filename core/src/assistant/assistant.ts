import { createToken } from '../plugin/tokens';

/**
 * The contract between the host's notebook assistant and a model provider.
 * The host owns the conversation loop, the tools, authorization and the audit
 * log; a provider only turns one request into one streamed model answer. That
 * keeps every provider small and every provider equally safe.
 */

/** A JSON Schema object describing a tool's input (`{ type: 'object', properties, required }`). */
export interface AssistantJsonSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface AssistantToolSpec {
  name: string;
  description: string;
  inputSchema: AssistantJsonSchema;
}

/** A tool call the model asked for. `inputError` is set when its input was not valid JSON. */
export interface AssistantToolCall {
  id: string;
  name: string;
  input: unknown;
  inputError?: string;
}

export interface AssistantToolResult {
  callId: string;
  /** What the model reads back (JSON text for structured results). */
  content: string;
  isError: boolean;
}

/** A provider-neutral transcript: user text, assistant text with its tool calls, tool results. */
export type AssistantMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: AssistantToolCall[] }
  | { role: 'tool'; results: AssistantToolResult[] };

export interface AssistantTurnRequest {
  system: string;
  messages: AssistantMessage[];
  tools: AssistantToolSpec[];
  /** Aborted when the client goes away or presses stop: the provider must cancel its request. */
  signal: AbortSignal;
}

/** Called while the answer streams in, in order. */
export interface AssistantTurnListener {
  text(delta: string): void;
  toolStart(call: { id: string; name: string }): void;
  /** The call's complete input (or its parse error), once its block is finished. */
  toolInput(call: AssistantToolCall): void;
}

export interface AssistantTurnResult {
  text: string;
  toolCalls: AssistantToolCall[];
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens' | 'other';
}

export interface AssistantProvider {
  /** e.g. `anthropic`. */
  readonly id: string;
  /** The model name, for logs and the audit. */
  readonly model: string;
  /** Null when ready; otherwise a sentence saying what to configure (the host answers 503 with it). */
  unavailableReason(): string | null;
  /** One model call. Rejects on provider errors (messages must not hold secrets) and on abort. */
  turn(request: AssistantTurnRequest, listener: AssistantTurnListener): Promise<AssistantTurnResult>;
}

export const AssistantProvider = createToken<AssistantProvider>('core:assistant-provider');
