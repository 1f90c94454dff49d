import type { ChatEvent, ChatMessage } from '../api/chat';

/** One piece of an assistant answer, in the order it streamed in. */
export type ChatPart =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string; input?: unknown; state: 'running' | 'ok' | 'error'; summary?: string; cellId?: string };

export type ChatEntry =
  | { id: number; role: 'user'; text: string }
  | { id: number; role: 'assistant'; parts: ChatPart[]; state: 'streaming' | 'done' | 'stopped' | 'failed'; error?: string; note?: string };

type AssistantEntry = Extract<ChatEntry, { role: 'assistant' }>;

/** Folds one stream event into the answer being written (pure: the panel keeps entries immutable). */
export function applyChatEvent(entry: AssistantEntry, event: ChatEvent): AssistantEntry {
  const parts = [...entry.parts];
  const last = parts[parts.length - 1];
  const updateTool = (id: string, patch: Partial<Extract<ChatPart, { kind: 'tool' }>>): void => {
    const index = parts.findIndex((p) => p.kind === 'tool' && p.id === id);
    if (index >= 0) parts[index] = { ...(parts[index] as Extract<ChatPart, { kind: 'tool' }>), ...patch };
  };
  switch (event.type) {
    case 'text':
      if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + event.text };
      else parts.push({ kind: 'text', text: event.text });
      return { ...entry, parts };
    case 'tool_start':
      parts.push({ kind: 'tool', id: event.id, name: event.name, state: 'running' });
      return { ...entry, parts };
    case 'tool_input':
      updateTool(event.id, { input: event.input });
      return { ...entry, parts };
    case 'tool_result':
      updateTool(event.id, { state: event.ok ? 'ok' : 'error', summary: event.summary, ...(event.cell_id ? { cellId: event.cell_id } : {}) });
      return { ...entry, parts };
    case 'done':
      return { ...entry, state: 'done', ...(event.stop_reason === 'max_turns' ? { note: `Stopped after ${event.turns} steps (the server's limit). Ask again to continue.` } : {}) };
    case 'error':
      return { ...entry, state: 'failed', error: event.message };
    default:
      return entry;
  }
}

/** The conversation as the server takes it: text only; tool steps are summarised for the model's memory. */
export function toMessages(entries: readonly ChatEntry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const entry of entries) {
    if (entry.role === 'user') messages.push({ role: 'user', content: entry.text });
    else {
      const text = entry.parts.filter((p) => p.kind === 'text').map((p) => (p as { text: string }).text).join('').trim();
      const tools = entry.parts.filter((p) => p.kind === 'tool').map((p) => `${(p as { name: string }).name}: ${(p as { summary?: string }).summary ?? 'not finished'}`);
      const content = [text, tools.length > 0 ? `[tools used: ${tools.join('; ')}]` : ''].filter(Boolean).join('\n');
      if (content) messages.push({ role: 'assistant', content });
    }
  }
  return messages;
}
