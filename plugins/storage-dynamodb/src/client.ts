import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** Where the store's own client connects (ignored when the store is given a client). */
export interface DynamoDbConnectionOptions {
  /** AWS region (AWS_REGION); default us-east-1. */
  region?: string;
  /** Endpoint override (DYNAMODB_ENDPOINT), e.g. a local DynamoDB-compatible server. */
  endpoint?: string;
  /** Static credentials; default: the AWS SDK's chain, or dummy ones for a loopback endpoint. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function clientConfig(options: DynamoDbConnectionOptions): DynamoDBClientConfig {
  // Retries are ours (./retry.ts): one policy, and conditional writes know when they are retried.
  const config: DynamoDBClientConfig = { region: options.region ?? 'us-east-1', maxAttempts: 1 };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  // A local DynamoDB-compatible server accepts any key; without this the SDK refuses to sign.
  else if (options.endpoint && isLoopback(options.endpoint) && !process.env.AWS_ACCESS_KEY_ID) config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return config;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
