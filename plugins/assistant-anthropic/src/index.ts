/**
 * @rnb/plugin-assistant-anthropic: the notebook assistant's model provider,
 * Anthropic's Messages API through the official SDK. The host's chat route
 * (app/server) finds it by the AssistantProvider token; another provider is
 * another plugin providing that token.
 */
import { AssistantProvider, definePlugin } from '@rnb/core';
import { AnthropicAssistant } from './anthropic-provider';
import { readSettings } from './settings';

export { AnthropicAssistant } from './anthropic-provider';
export { readSettings, ANTHROPIC_DEFAULTS, type AnthropicSettings } from './settings';
export { toAnthropicMessages, toAnthropicTools } from './convert';

export default function anthropicAssistantPlugin(options: { config?: Record<string, string | undefined> } = {}) {
  return definePlugin({
    id: '@rnb/plugin-assistant-anthropic:provider',
    description: 'Notebook assistant backed by the Anthropic Messages API',
    provides: AssistantProvider,
    activate: (context) => {
      const settings = readSettings({ ...context.config, ...options.config });
      // The key is never logged: only whether there is one.
      context.log('info', 'assistant provider ready', { provider: 'anthropic', model: settings.model, configured: settings.apiKey !== null });
      return new AnthropicAssistant(settings);
    },
  });
}
