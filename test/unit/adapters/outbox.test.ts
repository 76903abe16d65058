import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../../../functions/events/outbox-relay';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { makeOutboxPushQueue, outboxEventOf, outboxPut } from '../../../shared/adapters/dynamodb/outbox';
import { makeEventBridgeBus } from '../../../shared/adapters/eventbridge/event-bus';
import { type DomainEvent, MAIL_EVENT, pushJobsEvent } from '../../../shared/domain/events';
import type { PushJob } from '../../../shared/domain/ports';

const deprovisioned: DomainEvent = {
  id: 'evt_1',
  type: 'user.deprovisioned',
  occurredAt: '2026-11-29T15:00:00.000Z',
  workspaceId: 'acme',
  detail: { userId: 'usr_1' },
};
const job: PushJob = { kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['arn:1'] };
const pushEvent = pushJobsEvent([job], 'evt_2', deprovisioned.occurredAt);
const deliver = (n: number): PushJob => ({
  kind: 'deliver',
  notificationId: `ntf_${n}`,
  userId: 'usr_1',
  type: 'trusted_device_request',
  title: 't',
  body: 'b',
  data: {},
  targets: [],
});

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
  function relayWith(options: { refuse?: boolean; queueFails?: boolean; mailFails?: boolean } = {}) {
    const queued: PushJob[][] = [];
    const published: DomainEvent[] = [];
    const mailed: DomainEvent[] = [];
    const handler = createOutboxRelay({
      async deliverMail(mail) {
        if (options.mailFails) throw new Error('SES down');
        mailed.push(mail);
      },
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
    return { handler, queued, published, mailed };
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

  it('hands mail events to the mail delivery, never to the bus; a failed send is retried by the stream', async () => {
    const mail: DomainEvent = {
      id: 'evt_mail',
      type: MAIL_EVENT,
      occurredAt: '2026-11-23T12:00:00.000Z',
      workspaceId: '',
      detail: { sealed: { v: 1, edk: 'k', iv: 'i', tag: 't', ct: 'c' } },
    };
    const ok = relayWith();
    const down = relayWith({ mailFails: true });

    const sent = await ok.handler(event(streamRecord(outboxPut('t', mail).Put.Item, '5')));
    const failed = await down.handler(
      event(
        streamRecord(outboxPut('t', mail).Put.Item, '6'),
        streamRecord(outboxPut('t', deprovisioned).Put.Item, '7'),
      ),
    );

    expect(sent).toEqual({ batchItemFailures: [] });
    expect(ok.mailed).toEqual([mail]);
    expect(ok.published).toEqual([]);
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: '6' }, { itemIdentifier: '7' }]);
    expect(down.published).toEqual([]);
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

    expect(a.batchItemFailures[0]).toEqual({ itemIdentifier: '7' });
    expect(b).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
  });

  it('stops at the first failed record: nothing after it is published, it and the rest are retried', async () => {
    const published: DomainEvent[] = [];
    const later = { ...deprovisioned, id: 'evt_later' };
    const handler = createOutboxRelay({
      deliverMail: async () => undefined,
      pushQueue: {
        async enqueue() {
          throw new Error('SQS down');
        },
      },
      bus: {
        async publish(events) {
          published.push(...events);
          return [];
        },
      },
    });

    const response = await handler(
      event(
        streamRecord(outboxPut('t', deprovisioned).Put.Item, '10'),
        streamRecord(outboxPut('t', pushEvent).Put.Item, '11'),
        streamRecord(outboxPut('t', later).Put.Item, '12'),
      ),
    );

    // Lambda checkpoints before 11: 10 is done and never relayed again, 11 and 12 come back in order.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }, { itemIdentifier: '12' }] });
    expect(published).toEqual([deprovisioned]);
  });

  it('sends the jobs of one event 10 per SendMessageBatch, and still reads an older one-job item', async () => {
    const { handler, queued } = relayWith();
    const many = pushJobsEvent(
      Array.from({ length: 23 }, (_, n) => deliver(n)),
      'evt_many',
      deprovisioned.occurredAt,
    );
    const older: DomainEvent = { ...deprovisioned, id: 'evt_old', type: 'push.job', detail: { ...job } };

    const response = await handler(
      event(
        streamRecord(outboxPut('t', many).Put.Item, '20'),
        streamRecord(outboxPut('t', older).Put.Item, '21'),
      ),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(queued.map((batch) => batch.length)).toEqual([10, 10, 3, 1]);
    expect(queued.flat().slice(0, 23)).toEqual(many.detail.jobs);
    expect(queued[3]).toEqual([job]);
  });

  it('fails a push.job event that carries no push job instead of dropping it', async () => {
    const { handler, queued } = relayWith();
    const broken = { ...pushEvent, detail: { kind: 'nonsense' } };

    const response = await handler(event(streamRecord(outboxPut('t', broken).Put.Item, '5')));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '5' }] });
    expect(queued).toEqual([]);
  });
});

describe('makeOutboxPushQueue', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  it('writes the jobs of one call as one outbox item: one conditional Put, no transaction', async () => {
    dynamo.on(PutCommand).resolves({});
    const queue = makeOutboxPushQueue(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
      't',
      {
        clock: { now: () => new Date(deprovisioned.occurredAt) },
        newId: () => 'evt_q',
      },
    );

    await queue.enqueue([deliver(1), deliver(2)]);
    await queue.enqueue([]);

    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input)).toEqual([
      outboxPut('t', pushJobsEvent([deliver(1), deliver(2)], 'evt_q', deprovisioned.occurredAt)).Put,
    ]);
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
