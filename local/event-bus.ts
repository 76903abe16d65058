import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE, type EventBus } from '../shared/adapters/eventbridge/event-bus';
import type { DomainEvent } from '../shared/domain/events';

/** A queue an event type is delivered to (the local stand-in of an EventBridge rule with an SQS target). */
export interface Subscriber {
  enqueue(items: unknown[]): Promise<void>;
}

/**
 * The local stand-in for the EventBridge bus: keeps the last 500 published events for `/_local/queues`,
 * and delivers each subscribed event type to its queue in the envelope EventBridge puts on SQS
 * (`detail` is the event as published), as the rules in `infra/constructs/domain-events.ts` do.
 */
export function createLocalEventBus(
  subscriptions: Partial<Record<string, Subscriber>> = {},
): EventBus & { published: DomainEvent[] } {
  const published: DomainEvent[] = [];
  return {
    published,
    async publish(events) {
      published.push(...events);
      if (published.length > 500) published.splice(0, published.length - 500);
      for (const event of events) {
        await subscriptions[event.type]?.enqueue([
          {
            version: '0',
            id: randomUUID(),
            'detail-type': event.type,
            source: EVENT_SOURCE,
            account: '000000000000',
            time: event.occurredAt,
            region: 'us-east-1',
            resources: [],
            detail: event,
          },
        ]);
      }
      return [];
    },
  };
}
