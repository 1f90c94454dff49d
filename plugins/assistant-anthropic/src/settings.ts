import { ConfigError } from '@rnb/core';

/** What the Anthropic provider reads from the host's configuration (names: docs/configuration.md). */
export interface AnthropicSettings {
  /** Null when ANTHROPIC_API_KEY is unset: the assistant then answers 503 rather than stopping the server. */
  apiKey: string | null;
  baseURL: string;
  model: string;
  maxTokens: number;
  maxRetries: number;
  timeoutMs: number;
}

export const ANTHROPIC_DEFAULTS = {
  ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
  ASSISTANT_MODEL: 'claude-sonnet-4-6',
  ASSISTANT_MAX_TOKENS: '4096',
  ASSISTANT_MAX_RETRIES: '2',
  ASSISTANT_TIMEOUT_SECONDS: '120',
} as const;

/** Reads and checks the settings; every invalid value is reported at once, each naming its variable. */
export function readSettings(config: Readonly<Record<string, string | undefined>>): AnthropicSettings {
  const get = (key: keyof typeof ANTHROPIC_DEFAULTS): string => {
    const value = config[key]?.trim();
    return value === undefined || value === '' ? ANTHROPIC_DEFAULTS[key] : value;
  };
  const problems: string[] = [];
  const baseURL = get('ANTHROPIC_BASE_URL');
  if (!/^https?:\/\/[^\s]+$/i.test(baseURL)) problems.push(`ANTHROPIC_BASE_URL must be an http(s) URL; got "${baseURL}".`);
  const model = get('ASSISTANT_MODEL');
  if (!/^[\w.:@/-]{1,200}$/.test(model)) problems.push(`ASSISTANT_MODEL is not a model name: "${model}".`);
  const maxTokens = integer(get('ASSISTANT_MAX_TOKENS'), 'ASSISTANT_MAX_TOKENS', 1, 1_000_000, problems);
  const maxRetries = integer(get('ASSISTANT_MAX_RETRIES'), 'ASSISTANT_MAX_RETRIES', 0, 10, problems);
  const timeoutSeconds = integer(get('ASSISTANT_TIMEOUT_SECONDS'), 'ASSISTANT_TIMEOUT_SECONDS', 1, 3600, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid assistant configuration:\n  - ${problems.join('\n  - ')}`);
  const key = config.ANTHROPIC_API_KEY?.trim();
  return { apiKey: key ? key : null, baseURL, model, maxTokens, maxRetries, timeoutMs: timeoutSeconds * 1000 };
}

function integer(text: string, name: string, min: number, max: number, problems: string[]): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}; got "${text}".`);
    return min;
  }
  return value;
}
