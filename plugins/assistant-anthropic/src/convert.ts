import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import type { AssistantMessage, AssistantToolSpec } from '@rnb/core';

/**
 * The neutral transcript in the Messages API's shape: tool calls become
 * `tool_use` blocks of the assistant turn, tool results one user turn of
 * `tool_result` blocks, as the API requires.
 */
export function toAnthropicMessages(messages: AssistantMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const message of messages) {
    if (message.role === 'user') out.push({ role: 'user', content: message.content });
    else if (message.role === 'assistant') {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) {
        out.push({ role: 'assistant', content: message.content });
        continue;
      }
      out.push({
        role: 'assistant',
        content: [
          ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : []),
          // Input that failed to parse goes back as {}: the API requires an object, and the tool result says what went wrong.
          ...calls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: isObject(call.input) ? call.input : {} })),
        ],
      });
    } else {
      out.push({
        role: 'user',
        content: message.results.map((result) => ({ type: 'tool_result' as const, tool_use_id: result.callId, content: result.content, is_error: result.isError })),
      });
    }
  }
  return out;
}

export function toAnthropicTools(tools: AssistantToolSpec[]): Tool[] {
  return tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { ...tool.inputSchema } }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
