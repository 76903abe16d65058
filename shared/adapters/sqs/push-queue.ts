import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { PushJob, PushQueue } from '../../ports';
import { makeSignedJsonClient } from '../aws/signed-request';

export interface SqsQueueConfig {
  queueUrl: string;
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

interface BatchResult {
  Successful?: { Id: string }[];
  Failed?: { Id: string; Code?: string; SenderFault?: boolean }[];
}

/**
 * SQS `SendMessageBatch` (AWS JSON protocol) as a signed request: the SDK's SQS client would cost every
 * HTTP bundle that notifies ~40 KB. Entries that fail are retried once, then the call fails.
 */
/** Any JSON-serialisable messages, in batches of up to 10. */
export function makeSqsQueue<T>(config: SqsQueueConfig): { enqueue(items: T[]): Promise<void> } {
  const request = makeSignedJsonClient({
    service: 'sqs',
    region: config.region,
    endpoint: new URL(config.queueUrl).origin,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const send = (entries: { Id: string; MessageBody: string }[]) =>
    request<BatchResult>(
      '/',
      { QueueUrl: config.queueUrl, Entries: entries },
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch' },
    );
  return {
    async enqueue(items: T[]) {
      if (items.length > 10) throw new Error('SendMessageBatch takes at most 10 messages');
      let entries = items.map((item, index) => ({ Id: String(index), MessageBody: JSON.stringify(item) }));
      for (let attempt = 0; attempt < 2 && entries.length > 0; attempt++) {
        const failed = new Set(((await send(entries)).Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
      if (entries.length > 0) throw new Error(`SQS refused ${entries.length} push job(s)`);
    },
  };
}

export const makeSqsPushQueue = (config: SqsQueueConfig): PushQueue => makeSqsQueue<PushJob>(config);
