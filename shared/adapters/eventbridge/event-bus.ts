import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../domain/events';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface EventBus {
  /** Publishes the events; the ids of those the bus refused come back (to be retried). */
  publish(events: DomainEvent[]): Promise<string[]>;
}

export const EVENT_SOURCE = 'latchkey';

/** EventBridge `PutEvents`, at most 10 entries per call: source `latchkey`, detail-type = event type. */
export function makeEventBridgeBus(
  client: EventBridgeClient,
  config: { busName: string; budget: CallBudget },
): EventBus {
  return {
    async publish(events) {
      const refused: string[] = [];
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const output = await client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: config.busName,
              Source: EVENT_SOURCE,
              DetailType: event.type,
              Time: new Date(event.occurredAt),
              Detail: JSON.stringify(event),
            })),
          }),
          deadline(config.budget),
        );
        // Entries answer in order; a failed one has an ErrorCode instead of an EventId.
        (output.Entries ?? []).forEach((entry, index) => {
          const event = batch[index];
          if (entry.ErrorCode && event) refused.push(event.id);
        });
      }
      return refused;
    },
  };
}
