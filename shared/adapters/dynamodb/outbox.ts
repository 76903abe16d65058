import type { DomainEvent } from '../../domain/events';

/**
 * The outbox item for a domain event, as one TransactWriteItems entry: written in the same transaction
 * as the change, so the event exists if and only if the change committed. The relay picks it up.
 */
export function outboxPut(tableName: string, event: DomainEvent) {
  return {
    Put: {
      TableName: tableName,
      Item: { pk: `OUTBOX#${event.id}`, sk: 'OUTBOX', entity: 'outbox_event', event },
    },
  };
}
