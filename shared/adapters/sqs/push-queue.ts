import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PushJob, PushQueue } from '../../domain/ports';
import { CORRELATION_ATTRIBUTE, currentCorrelationId } from '../../observability/correlation';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface SqsQueueConfig {
  queueUrl: string;
  /** The whole call's deadline; the client holds the attempt count and per-attempt timeouts. */
  budget: CallBudget;
}

/**
 * Any JSON-serialisable messages through `SendMessageBatch`, at most 10 per call. The client retries
 * the call itself (standard mode); entries SQS refuses inside a successful batch are sent once more,
 * then the call fails naming how many.
 */
export function makeSqsQueue<T>(
  client: SQSClient,
  config: SqsQueueConfig,
): { enqueue(items: T[]): Promise<void> } {
  const { budget } = config;
  return {
    async enqueue(items: T[]) {
      if (items.length > 10) throw new Error('SendMessageBatch takes at most 10 messages');
      // The correlation id rides in a message attribute: the body stays the job its consumer parses.
      const correlationId = currentCorrelationId();
      const attributes = correlationId
        ? {
            MessageAttributes: {
              [CORRELATION_ATTRIBUTE]: { DataType: 'String', StringValue: correlationId },
            },
          }
        : {};
      let entries = items.map((item, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(item),
        ...attributes,
      }));
      for (let attempt = 0; attempt < 2 && entries.length > 0; attempt++) {
        const output = await client.send(
          new SendMessageBatchCommand({ QueueUrl: config.queueUrl, Entries: entries }),
          deadline(budget),
        );
        const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
      if (entries.length > 0) throw new Error(`SQS refused ${entries.length} message(s)`);
    },
  };
}

export const makeSqsPushQueue = (client: SQSClient, config: SqsQueueConfig): PushQueue =>
  makeSqsQueue<PushJob>(client, config);
