import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../../../functions/events/outbox-relay';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { outboxEventOf, outboxPut } from '../../../shared/adapters/dynamodb/outbox';
import { makeEventBridgeBus } from '../../../shared/adapters/eventbridge/event-bus';
import type { DomainEvent } from '../../../shared/domain/events';
import type { PushJob } from '../../../shared/domain/ports';

const deprovisioned: DomainEvent = {
  id: 'evt_1',
  type: 'user.deprovisioned',
  occurredAt: '2026-11-29T15:00:00.000Z',
  workspaceId: 'acme',
  detail: { userId: 'usr_1' },
};
const job: PushJob = { kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['arn:1'] };
const pushEvent: DomainEvent = { ...deprovisioned, id: 'evt_2', type: 'push.job', detail: { ...job } };

function streamRecord(item: Record<string, unknown>, sequence: string, eventName = 'INSERT'): DynamoDBRecord {
  return {
    eventName,
    dynamodb: { SequenceNumber: sequence, NewImage: marshall(item) as never },
  } as DynamoDBRecord;
}

describe('outboxPut', () => {
  it('is one conditional Put of the event under OUTBOX#<id>, with a clean-up TTL', () => {
    expect(outboxPut('t', deprovisioned)).toEqual({
      Put: {
        TableName: 't',
        Item: {
          pk: 'OUTBOX#evt_1',
          sk: 'OUTBOX',
          entity: 'outbox_event',
          event: deprovisioned,
          expiresAt: Date.parse(deprovisioned.occurredAt) / 1000 + 7 * 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    });
  });

  it('round-trips through outboxEventOf, which ignores every other item', () => {
    expect(outboxEventOf(outboxPut('t', deprovisioned).Put.Item)).toEqual(deprovisioned);
    expect(outboxEventOf({ pk: 'USER#1', sk: 'PROFILE', entity: 'user' })).toBeUndefined();
  });
});

describe('outbox relay', () => {
  function relayWith(options: { refuse?: boolean; queueFails?: boolean } = {}) {
    const queued: PushJob[][] = [];
    const published: DomainEvent[] = [];
    const handler = createOutboxRelay({
      pushQueue: {
        async enqueue(jobs) {
          if (options.queueFails) throw new Error('SQS down');
          queued.push(jobs);
        },
      },
      bus: {
        async publish(events) {
          published.push(...events);
          return options.refuse ? events.map((e) => e.id) : [];
        },
      },
    });
    return { handler, queued, published };
  }
  const event = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

  it('sends push jobs to the push queue and every other event to the bus, skipping non-outbox records', async () => {
    const { handler, queued, published } = relayWith();

    const response = await handler(
      event(
        streamRecord(outboxPut('t', pushEvent).Put.Item, '1'),
        streamRecord(outboxPut('t', deprovisioned).Put.Item, '2'),
        streamRecord({ pk: 'USER#1', sk: 'PROFILE', entity: 'user' }, '3'),
        streamRecord(outboxPut('t', deprovisioned).Put.Item, '4', 'REMOVE'),
      ),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(queued).toEqual([[job]]);
    expect(published).toEqual([deprovisioned]);
  });

  it('reports the records it could not relay, by sequence number, so the stream retries them', async () => {
    const down = relayWith({ queueFails: true });
    const refused = relayWith({ refuse: true });

    const a = await down.handler(
      event(
        streamRecord(outboxPut('t', pushEvent).Put.Item, '7'),
        streamRecord(outboxPut('t', deprovisioned).Put.Item, '8'),
      ),
    );
    const b = await refused.handler(event(streamRecord(outboxPut('t', deprovisioned).Put.Item, '9')));

    expect(a).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
    expect(down.published).toEqual([deprovisioned]);
    expect(b).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
  });

  it('fails a push.job event that carries no push job instead of dropping it', async () => {
    const { handler, queued } = relayWith();
    const broken = { ...pushEvent, detail: { kind: 'nonsense' } };

    const response = await handler(event(streamRecord(outboxPut('t', broken).Put.Item, '5')));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '5' }] });
    expect(queued).toEqual([]);
  });
});

describe('makeEventBridgeBus (PutEvents)', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => events.reset());
  const bus = makeEventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), {
    busName: 'latchkey-events',
    budget: CALL_BUDGETS.worker,
  });

  it('puts each event with source latchkey, its type as detail-type, and answers the refused ids', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    const second = { ...deprovisioned, id: 'evt_9' };

    const refused = await bus.publish([deprovisioned, second]);

    expect(refused).toEqual(['evt_9']);
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({
      Entries: [deprovisioned, second].map((e) => ({
        EventBusName: 'latchkey-events',
        Source: 'latchkey',
        DetailType: 'user.deprovisioned',
        Time: new Date(e.occurredAt),
        Detail: JSON.stringify(e),
      })),
    });
  });
});
