import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { STREAM_RETRY_ATTEMPTS } from '../shared/config/stream-consumers';
import { LOCAL_AWS } from './dynamodb-local';

/**
 * The Streams API spells the TTL deleter `{PrincipalId, Type}`; Lambda hands it to functions (and
 * matches event filters against it) as `{principalId, type}`. Everything else passes as read.
 */
export function asLambdaRecord(record: StreamRecord) {
  const identity = record.userIdentity;
  if (!identity) return record;
  return { ...record, userIdentity: { type: identity.Type, principalId: identity.PrincipalId } };
}

type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export interface StreamDeadLetter {
  sequenceNumber: string;
  eventName?: string;
  keys: unknown;
  attempts: number;
  failedAt: string;
}

/**
 * The local stand-in for Lambda's DynamoDB Streams event source: polls DynamoDB Local's own stream of
 * the table, hands each batch to the consumer, and on a partial batch failure retries from the first
 * failed record (as `reportBatchItemFailures` does); after `maxRetries` (default: the deployed event
 * source mappings' `retryAttempts`) the failed record goes to a dead-letter list (the on-failure
 * destination; the batch split of `bisectBatchOnError` isolates it the same way) and the shard moves
 * on to the records after it. `failedAttempts` counts every failed hand-over, so a fault run can wait
 * for a retry to be under way.
 */
export async function startStreamRelay(options: {
  /** How `/_local/queues` and the log name this consumer (default `outbox-relay`). */
  name?: string;
  endpoint: string;
  tableName: string;
  consumer: () => Promise<StreamConsumer>;
  pollIntervalMs?: number;
  maxRetries?: number;
  log?: (line: string) => void;
}) {
  const config = { ...LOCAL_AWS, endpoint: options.endpoint };
  const tables = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const table = await tables.send(new DescribeTableCommand({ TableName: options.tableName }));
  tables.destroy();
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const maxRetries = options.maxRetries ?? STREAM_RETRY_ATTEMPTS;
  const name = options.name ?? 'outbox-relay';
  const iterators = new Map<string, string | undefined>();
  const deadLetters: StreamDeadLetter[] = [];
  let recordsRead = 0;
  let failedAttempts = 0;
  let stopped = false;

  async function refreshShards() {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      // From the oldest record kept: an outbox item written before a crash is still relayed (at least once).
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      iterators.set(shard.ShardId, ShardIterator);
    }
  }

  async function deliver(records: StreamRecord[]) {
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const event = { Records: pending.map(asLambdaRecord) } as unknown as DynamoDBStreamEvent;
      let failedFrom = -1;
      try {
        const response = await (await options.consumer())(event);
        const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
        failedFrom = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      } catch (error) {
        options.log?.(`[${name}] consumer failed the batch: ${(error as Error).message}`);
        failedFrom = 0;
      }
      if (failedFrom < 0) {
        recordsRead += pending.length;
        return;
      }
      recordsRead += failedFrom;
      failedAttempts++;
      pending = pending.slice(failedFrom);
      if (attempt > maxRetries) {
        const [first] = pending;
        deadLetters.push({
          sequenceNumber: first?.dynamodb?.SequenceNumber ?? '',
          ...(first?.eventName ? { eventName: first.eventName } : {}),
          keys: first?.dynamodb?.Keys,
          attempts: attempt,
          failedAt: new Date().toISOString(),
        });
        pending = pending.slice(1);
        attempt = 0;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }

  /** One pass over every shard; answers how many records it handed over. */
  async function pollOnce(): Promise<number> {
    await refreshShards();
    let count = 0;
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const output = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      iterators.set(shardId, output.NextShardIterator);
      const records = output.Records ?? [];
      if (records.length > 0) await deliver(records);
      count += records.length;
    }
    return count;
  }

  // One poller at a time: the background loop and drain() share this chain.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };
  const loop = async () => {
    while (!stopped) {
      await serial(pollOnce).catch((error: unknown) =>
        options.log?.(`[${name}] poll failed: ${(error as Error).message}`),
      );
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 100));
    }
  };
  const running = loop();

  return {
    /** Relays everything the stream holds now; resolves when a pass finds nothing new. */
    drain: () =>
      serial(async () => {
        while ((await pollOnce()) > 0);
      }),
    snapshot: () => ({ name, recordsRead, failedAttempts, deadLetters: [...deadLetters] }),
    async stop() {
      stopped = true;
      await running;
      streams.destroy();
    },
  };
}

export type StreamRelay = Awaited<ReturnType<typeof startStreamRelay>>;
