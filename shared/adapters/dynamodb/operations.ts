import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import { cancellationCodes } from './conditions';

export type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;

/** An update whose condition may fail: the output, or undefined when the condition refused it. */
export async function conditionalUpdate(doc: DynamoDBDocumentClient, tableName: string, input: UpdateInput) {
  try {
    return await doc.send(new UpdateCommand({ TableName: tableName, ...input }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** Deletes items 25 at a time, resending whatever DynamoDB leaves unprocessed. */
export async function deleteKeys(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    while (requests.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
    }
  }
}

/**
 * Every item a query matches, page after page. With a `cap`, stops paging once it holds more than
 * `cap` items, so a caller can tell "too many" without reading a whole partition.
 */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, 'TableName'>,
  cap = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ...input,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
    if (items.length > cap) return items;
  } while (cursor);
  return items;
}

/** Every item of a partition whose sort key starts with `prefix`, page after page, read consistently. */
export function queryPrefix(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(doc, tableName, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
    ConsistentRead: true,
  });
}

/**
 * One more in a fixed clock-hour window, refused at the cap: a rate limit in one conditional write
 * (never read-then-write). `hour` is epoch hours; TTL cleans the counter up an hour after its window.
 */
export function hourlyCount(
  tableName: string,
  key: Record<string, string>,
  cap: number,
  hour: number,
  entity: string,
) {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #ttl = :ttl, #entity = :entity',
    ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
    ExpressionAttributeNames: {
      '#count': 'count',
      '#ttl': TABLE.ttlAttribute,
      '#entity': TABLE.entityAttribute,
    },
    ExpressionAttributeValues: {
      ':zero': 0,
      ':one': 1,
      ':cap': cap,
      ':ttl': (hour + 2) * 3600,
      ':entity': entity,
    },
  };
}

/** An item without the table's own attributes (keys, index keys, entity tag, TTL): the domain fields. */
export function withoutTableAttributes(item: Record<string, unknown>): Record<string, unknown> {
  const {
    [TABLE.partitionKey]: _pk,
    [TABLE.sortKey]: _sk,
    [TABLE.gsi1.partitionKey]: _gpk,
    [TABLE.gsi1.sortKey]: _gsk,
    [TABLE.entityAttribute]: _entity,
    [TABLE.ttlAttribute]: _ttl,
    ...rest
  } = item;
  return rest;
}

/**
 * Every item of `keys` (one table), 100 keys per BatchGetItem, resending what DynamoDB leaves
 * unprocessed; consistent reads. Items come back in no particular order: callers match them by key.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const items: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...(out.Responses?.[tableName] ?? []));
        pending = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
      return items;
    }),
  );
  return pages.flat();
}

/** Puts items 25 at a time (BatchWriteItem: unconditional), resending what DynamoDB leaves unprocessed. */
export async function batchPutAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    chunks.map(async (chunk) => {
      let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
      }
    }),
  );
}

/**
 * Conditional writes for many independent items, up to 100 per TransactWriteItems: a write whose own
 * condition fails is dropped (reported false) and the rest of its transaction is sent again without it;
 * a transaction cancelled for another reason (a conflicting write) is retried a few times.
 */
export async function transactEach(
  doc: DynamoDBDocumentClient,
  operations: Record<string, unknown>[],
): Promise<boolean[]> {
  const applied = operations.map(() => true);
  const chunks: number[][] = [];
  for (let i = 0; i < operations.length; i += 100) {
    chunks.push(Array.from({ length: Math.min(100, operations.length - i) }, (_, k) => i + k));
  }
  await Promise.all(
    chunks.map(async (indexes) => {
      let pending = indexes;
      for (let attempt = 0; pending.length > 0; attempt++) {
        try {
          await doc.send(
            new TransactWriteCommand({ TransactItems: pending.map((index) => operations[index]) as never }),
          );
          return;
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes || attempt >= 5) throw error;
          const refused = new Set(pending.filter((_, k) => codes[k] === 'ConditionalCheckFailed'));
          for (const index of refused) applied[index] = false;
          pending = pending.filter((index) => !refused.has(index));
          if (refused.size === 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        }
      }
    }),
  );
  return applied;
}
