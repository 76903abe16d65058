import type { EventBus } from '../shared/adapters/eventbridge/event-bus';
import type { DomainEvent } from '../shared/domain/events';

/** The local stand-in for the EventBridge bus: keeps the last 500 published events for `/_local/queues`. */
export function createLocalEventBus(): EventBus & { published: DomainEvent[] } {
  const published: DomainEvent[] = [];
  return {
    published,
    async publish(events) {
      published.push(...events);
      if (published.length > 500) published.splice(0, published.length - 500);
      return [];
    },
  };
}
