import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import { type DomainEvent, pushJobsEvent } from '../../domain/events';
import type { Clock, IdGenerator, PushQueue } from '../../domain/ports';
import { currentCorrelationId } from '../../observability/correlation';

export const OUTBOX_ENTITY = 'outbox_event';
/** Outbox items are deleted by TTL a week after the event; the stream has long relayed them by then. */
const OUTBOX_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export const outboxKey = (eventId: string) => ({
  [TABLE.partitionKey]: `OUTBOX#${eventId}`,
  [TABLE.sortKey]: 'OUTBOX',
});

/**
 * The outbox item of one event, as one operation of a `TransactWriteItems`: put it in the same
 * transaction as the change the event reports, and the table's stream relays it after commit. The
 * condition makes a replayed write of the same event id fail instead of publishing it twice.
 */
export function outboxPut(tableName: string, event: DomainEvent) {
  // The envelope carries the correlation id of the work that wrote it, so the relay passes it on.
  const correlationId = event.correlationId ?? currentCorrelationId();
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...outboxKey(event.id),
        [TABLE.entityAttribute]: OUTBOX_ENTITY,
        event: correlationId ? { ...event, correlationId } : event,
        [TABLE.ttlAttribute]: Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    },
  };
}

/** The event an outbox item carries, or undefined when the item is not an outbox item. */
export function outboxEventOf(item: Record<string, unknown> | undefined): DomainEvent | undefined {
  if (!item || item[TABLE.entityAttribute] !== OUTBOX_ENTITY) return undefined;
  const event = item.event as DomainEvent | undefined;
  return event && typeof event.id === 'string' && typeof event.type === 'string' ? event : undefined;
}

/**
 * The push queue of paths whose jobs are their own write (a notification's pushes): the jobs of one
 * call become one outbox item, one conditional Put (no transaction needed for one item). No SQS call
 * happens inside the request; the relay sends the jobs to SQS after commit and retries until they are
 * queued or dead-lettered. A change that causes jobs writes `pushJobsEvent` in its own transaction.
 */
export function makeOutboxPushQueue(
  doc: DynamoDBDocumentClient,
  tableName: string,
  deps: { clock: Clock; newId: IdGenerator },
): PushQueue {
  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      const event = pushJobsEvent(jobs, deps.newId('evt'), deps.clock.now().toISOString());
      await doc.send(new PutCommand(outboxPut(tableName, event).Put));
    },
  };
}

/**
 * A redrive of an outbox item the relay dead-lettered (its stream record's `Keys`, unmarshalled): the
 * item's event written again as a new item in the same partition (`REDRIVE#<time>`), so the stream
 * carries a fresh INSERT and the relay relays it. A Put over the item itself would not do: an
 * unchanged item writes no stream record, a changed one a MODIFY, which the relay's filter drops.
 * Consumers dedupe on the event id (an email already sent is skipped), so redriving twice sends
 * nothing twice. Answers the redriven event's id, or undefined when the key holds no outbox item.
 */
export async function redriveOutboxItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
  now = new Date(),
): Promise<string | undefined> {
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const event = outboxEventOf(Item);
  if (!Item || !event) return undefined;
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...Item,
        [TABLE.sortKey]: `REDRIVE#${now.toISOString()}`,
        [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    }),
  );
  return event.id;
}
