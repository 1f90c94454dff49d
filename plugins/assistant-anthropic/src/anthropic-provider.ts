import Anthropic from '@anthropic-ai/sdk';
import type {
  AssistantProvider,
  AssistantToolCall,
  AssistantTurnListener,
  AssistantTurnRequest,
  AssistantTurnResult,
} from '@rnb/core';
import { toAnthropicMessages, toAnthropicTools } from './convert';
import type { AnthropicSettings } from './settings';

interface OpenBlock {
  kind: 'text' | 'tool_use' | 'other';
  id: string;
  name: string;
  json: string;
}

/**
 * One streamed Messages API call per turn (`messages.create({ stream: true })`).
 * The raw events are folded here rather than with the SDK's MessageStream
 * helper so that tool input that is not valid JSON becomes a tool error the
 * model can correct, not a failed stream.
 */
export class AnthropicAssistant implements AssistantProvider {
  readonly id = 'anthropic';
  readonly model: string;
  private readonly client: Anthropic | null;

  constructor(private readonly settings: AnthropicSettings) {
    this.model = settings.model;
    this.client = settings.apiKey
      ? new Anthropic({
          apiKey: settings.apiKey,
          // Explicit, so that ANTHROPIC_AUTH_TOKEN or a credentials profile in the server's environment cannot change who pays.
          authToken: null,
          baseURL: settings.baseURL,
          maxRetries: settings.maxRetries,
          timeout: settings.timeoutMs,
        })
      : null;
  }

  unavailableReason(): string | null {
    return this.client ? null : 'The assistant is not configured: set ANTHROPIC_API_KEY on the server and restart it.';
  }

  async turn(request: AssistantTurnRequest, listener: AssistantTurnListener): Promise<AssistantTurnResult> {
    if (!this.client) throw new Error(this.unavailableReason() ?? 'The assistant is not configured.');
    const stream = await this.client.messages.create(
      {
        model: this.settings.model,
        max_tokens: this.settings.maxTokens,
        system: request.system,
        messages: toAnthropicMessages(request.messages),
        tools: toAnthropicTools(request.tools),
        stream: true,
      },
      { signal: request.signal },
    );
    const blocks = new Map<number, OpenBlock>();
    const calls: AssistantToolCall[] = [];
    let text = '';
    let stopReason: AssistantTurnResult['stopReason'] = 'other';
    for await (const event of stream) {
      // The SDK ends an aborted stream quietly, and may still hand out buffered events: stop at once and say so.
      if (request.signal.aborted) break;
      switch (event.type) {
        case 'content_block_start': {
          const block = event.content_block;
          if (block.type === 'tool_use') {
            blocks.set(event.index, { kind: 'tool_use', id: block.id, name: block.name, json: '' });
            listener.toolStart({ id: block.id, name: block.name });
          } else if (block.type === 'text') {
            blocks.set(event.index, { kind: 'text', id: '', name: '', json: '' });
            if (block.text) {
              text += block.text;
              listener.text(block.text);
            }
          } else blocks.set(event.index, { kind: 'other', id: '', name: '', json: '' });
          break;
        }
        case 'content_block_delta': {
          const block = blocks.get(event.index);
          if (event.delta.type === 'text_delta') {
            text += event.delta.text;
            listener.text(event.delta.text);
          } else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool_use') {
            block.json += event.delta.partial_json;
          }
          break;
        }
        case 'content_block_stop': {
          const block = blocks.get(event.index);
          if (block?.kind === 'tool_use') {
            const call = parseCall(block);
            calls.push(call);
            listener.toolInput(call);
          }
          break;
        }
        case 'message_delta':
          stopReason = mapStopReason(event.delta.stop_reason);
          break;
        default:
          break;
      }
    }
    if (request.signal.aborted) {
      stream.controller.abort();
      throw new Error('The model request was cancelled.');
    }
    return { text, toolCalls: calls, stopReason };
  }
}

function parseCall(block: OpenBlock): AssistantToolCall {
  // An empty input streams no delta at all: that is {}.
  if (block.json.trim() === '') return { id: block.id, name: block.name, input: {} };
  try {
    return { id: block.id, name: block.name, input: JSON.parse(block.json) as unknown };
  } catch (error) {
    return { id: block.id, name: block.name, input: null, inputError: `The tool input is not valid JSON (${(error as Error).message}).` };
  }
}

function mapStopReason(reason: string | null | undefined): AssistantTurnResult['stopReason'] {
  if (reason === 'end_turn' || reason === 'tool_use' || reason === 'max_tokens') return reason;
  return 'other';
}
