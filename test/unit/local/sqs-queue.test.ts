import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLocalSqsQueue } from '../../../local/sqs-queue';

/** A consumer that records every delivery and fails the messages `fail` says to fail. */
function consumer(fail: (body: string, receive: number) => boolean | 'throw') {
  const deliveries: Array<{ body: string; receive: number; sentTimestamp: string }> = [];
  const handler = async (event: SQSEvent) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const receive = Number(record.attributes.ApproximateReceiveCount);
      deliveries.push({ body: record.body, receive, sentTimestamp: record.attributes.SentTimestamp });
      const verdict = fail(record.body, receive);
      if (verdict === 'throw') throw new Error('consumer crashed');
      if (verdict) failures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures: failures };
  };
  return { deliveries, load: async () => handler };
}

describe('local SQS queue', () => {
  it('deletes delivered messages and redelivers only the failed ones, counting receives', async () => {
    const { deliveries, load } = consumer((body, receive) => body === '"b"' && receive < 2);
    const queue = createLocalSqsQueue(load, { name: 'q', visibilityTimeoutMs: 20, maxReceiveCount: 3 });

    await queue.queue.enqueue(['a', 'b']);
    await queue.drain();

    expect(deliveries.map(({ body, receive }) => [body, receive])).toEqual([
      ['"a"', 1],
      ['"b"', 1],
      ['"b"', 2],
    ]);
    expect(Number(deliveries[0]?.sentTimestamp)).toBeGreaterThan(0);
    expect(queue.snapshot()).toMatchObject({ available: 0, inFlight: 0, deadLetters: [] });
  });

  it('keeps a failed message invisible for the visibility timeout', async () => {
    const { deliveries, load } = consumer(() => true);
    const queue = createLocalSqsQueue(load, { name: 'q', visibilityTimeoutMs: 10_000, maxReceiveCount: 3 });

    await queue.queue.enqueue(['x']);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(deliveries).toHaveLength(1);
    expect(queue.snapshot()).toMatchObject({ available: 0, inFlight: 1 });
    queue.stop();
  });

  it('redrives a message to the DLQ after maxReceiveCount failed receives, also when the consumer throws', async () => {
    const { deliveries, load } = consumer(() => 'throw');
    const queue = createLocalSqsQueue(load, { name: 'q', visibilityTimeoutMs: 10, maxReceiveCount: 2 });

    await queue.queue.enqueue([{ job: 1 }]);
    await queue.drain();

    expect(deliveries.map((d) => d.receive)).toEqual([1, 2]);
    expect(queue.snapshot().deadLetters).toEqual([
      expect.objectContaining({ body: { job: 1 }, receiveCount: 2, lastError: 'consumer crashed' }),
    ]);
  });

  it('fails sends on demand without losing later ones', async () => {
    const { deliveries, load } = consumer(() => false);
    const queue = createLocalSqsQueue(load, { name: 'q' });
    queue.failNextSends(1);

    await expect(queue.queue.enqueue(['lost?'])).rejects.toThrow(/simulated SQS failure/);
    await queue.queue.enqueue(['kept']);
    await queue.drain();

    expect(deliveries.map((d) => d.body)).toEqual(['"kept"']);
  });
});
