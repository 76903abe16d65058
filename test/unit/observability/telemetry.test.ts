import { readdirSync, readFileSync } from 'node:fs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../../../functions/events/outbox-relay';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { outboxPut } from '../../../shared/adapters/dynamodb/outbox';
import { makeSqsPushQueue } from '../../../shared/adapters/sqs/push-queue';
import type { DomainEvent } from '../../../shared/domain/events';
import type { PushJob } from '../../../shared/domain/ports';
import { outcomeMetrics } from '../../../shared/http/outcome-metrics';
import { logger } from '../../../shared/observability';
import {
  CORRELATION_ATTRIBUTE,
  correlationIdsOf,
  currentCorrelationId,
  withCorrelation,
} from '../../../shared/observability/correlation';
import { METRICS } from '../../../shared/observability/metrics';
import { instrument } from '../../../shared/observability/telemetry';
import { httpEvent } from '../../support/http-event';

const job: PushJob = { kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['arn:1'] };
const event = (id: string, correlationId?: string): DomainEvent => ({
  id,
  type: 'push.job',
  occurredAt: '2026-11-29T15:00:00.000Z',
  workspaceId: '',
  detail: { ...job },
  ...(correlationId ? { correlationId } : {}),
});
const streamRecord = (item: Record<string, unknown>, sequence: string): DynamoDBRecord =>
  ({
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: sequence,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
    },
  }) as DynamoDBRecord;

describe('every Lambda entry', () => {
  it('goes through an instrumented factory (group handler, lazy group handler, SCIM handler, lazyHandler or instrument)', () => {
    const root = new URL('../../../functions/', import.meta.url);
    const entries = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(entries.length).toBeGreaterThan(15);
    for (const entry of entries) {
      const source = readFileSync(new URL(entry, root), 'utf8');
      const exported = source.slice(source.indexOf('export const handler'));
      expect(exported, entry).toMatch(
        /^export const handler = (createGroupHandler|createLazyGroupHandler|createScimHandler|lazyHandler|instrument|createHandler)\(/,
      );
      // An entry that exports `createHandler(adapters)` for the local runtime returns a wrapped handler.
      if (exported.startsWith('export const handler = createHandler(')) {
        expect(source, entry).toMatch(
          /export function createHandler\([^)]*\) \{\s*(\/\/[^\n]*\n\s*)*return (createGroupHandler|createLazyGroupHandler|lazyHandler|instrument)\(/,
        );
      }
    }
  });
});

describe('correlation ids', () => {
  it('takes a sane x-correlation-id header, else the API request id, and ignores an unsafe header', () => {
    const withHeader = httpEvent({ routeKey: 'GET /v1/me', headers: { 'x-correlation-id': 'client-abc.1' } });
    expect(correlationIdsOf(withHeader)).toEqual(['client-abc.1']);
    const hostile = httpEvent({ routeKey: 'GET /v1/me', headers: { 'x-correlation-id': 'a b\n{"level"' } });
    expect(correlationIdsOf(hostile)).toEqual([hostile.requestContext.requestId]);
  });

  it('reads queue message attributes and outbox stream records, one id per distinct request', () => {
    const sqs = {
      Records: [
        { messageId: 'm1', messageAttributes: { [CORRELATION_ATTRIBUTE]: { stringValue: 'req-1' } } },
        { messageId: 'm2', messageAttributes: { [CORRELATION_ATTRIBUTE]: { stringValue: 'req-1' } } },
        { messageId: 'm3', messageAttributes: { [CORRELATION_ATTRIBUTE]: { stringValue: 'req-2' } } },
      ],
    } as unknown as SQSEvent;
    expect(correlationIdsOf(sqs)).toEqual(['req-1', 'req-2']);
    const stream = { Records: [streamRecord(outboxPut('t', event('evt_1', 'req-9')).Put.Item, '1')] };
    expect(correlationIdsOf(stream)).toEqual(['req-9']);
  });
});

describe('instrument', () => {
  it('runs the handler under the request correlation id, in the log keys too, and nests harmlessly', async () => {
    const seen: Array<string | undefined> = [];
    const inner = instrument(async (_event: unknown) => {
      seen.push(currentCorrelationId(), logger.getCorrelationId() as string | undefined);
      return 'done';
    });
    const outer = instrument(async (e: unknown) => inner(e));
    const result = await outer(
      httpEvent({ routeKey: 'GET /v1/me', headers: { 'x-correlation-id': 'req-42' } }),
    );
    expect(result).toBe('done');
    expect(seen).toEqual(['req-42', 'req-42']);
    // Keys are reset after the invocation: nothing leaks into the next one.
    expect(logger.getCorrelationId()).toBeUndefined();
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('gives a batch that mixes requests an id of its own instead of borrowing one', async () => {
    let id: string | undefined;
    const handler = instrument(async (_event: unknown) => {
      id = currentCorrelationId();
    });
    await handler({
      Records: [
        { messageId: 'm1', messageAttributes: { [CORRELATION_ATTRIBUTE]: { stringValue: 'req-1' } } },
        { messageId: 'm2', messageAttributes: { [CORRELATION_ATTRIBUTE]: { stringValue: 'req-2' } } },
      ],
    });
    expect(id).toBeDefined();
    expect(['req-1', 'req-2']).not.toContain(id);
  });
});

describe('the correlation id through outbox, relay and queue', () => {
  it('is written into the outbox envelope by the work that writes it', async () => {
    const put = await withCorrelation('req-7', async () => outboxPut('t', event('evt_1')));
    expect((put.Put.Item.event as DomainEvent).correlationId).toBe('req-7');
    // Outside any request nothing is invented.
    expect((outboxPut('t', event('evt_2')).Put.Item.event as DomainEvent).correlationId).toBeUndefined();
  });

  it('rides each queue message as an attribute, per outbox record the relay handles', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const pushQueue = makeSqsPushQueue(new SQSClient({ region: 'us-east-1' }), {
      queueUrl: 'https://sqs.test/q',
      budget: CALL_BUDGETS.worker,
    });
    const relay = createOutboxRelay({
      pushQueue,
      bus: { publish: async () => [] },
      deliverMail: async () => undefined,
    });
    const stream: DynamoDBStreamEvent = {
      Records: [
        streamRecord(outboxPut('t', event('evt_1', 'req-a')).Put.Item, '1'),
        streamRecord(outboxPut('t', event('evt_2', 'req-b')).Put.Item, '2'),
      ],
    };
    const response = await relay(stream);
    expect(response.batchItemFailures).toEqual([]);
    const attributes = sqs
      .commandCalls(SendMessageBatchCommand)
      .map(
        (call) => call.args[0].input.Entries?.[0]?.MessageAttributes?.[CORRELATION_ATTRIBUTE]?.StringValue,
      );
    expect(attributes).toEqual(['req-a', 'req-b']);
    sqs.restore();
  });
});

describe('business outcomes read off API answers', () => {
  const base = { group: 'devices', durationMs: 5, response: () => ({}), body: undefined };
  it('counts codes sent, verified, failed, exhausted and expired', () => {
    const names = (o: Partial<Parameters<typeof outcomeMetrics>[0]>) =>
      outcomeMetrics({ ...base, routeId: undefined, status: 200, ...o }).map(([name]) => name);
    expect(
      names({
        routeId: 'registerDevice',
        status: 201,
        response: () => ({ verification: { method: 'email_code' } }),
      }),
    ).toEqual([METRICS.codesSent]);
    expect(
      names({
        routeId: 'registerDevice',
        status: 201,
        response: () => ({ verification: { method: 'approval' } }),
      }),
    ).toEqual([METRICS.approvalsRequested]);
    expect(names({ routeId: 'verifyDevice' })).toEqual([METRICS.codesVerified]);
    expect(names({ routeId: 'verifyDevice', status: 400, error: 'invalid_code' })).toEqual([
      METRICS.codeVerificationsFailed,
    ]);
    expect(names({ routeId: 'verifyDevice', status: 429, error: 'too_many_attempts' })).toEqual([
      METRICS.codeVerificationsFailed,
      METRICS.codesExhausted,
    ]);
    expect(names({ routeId: 'verifyDevice', status: 410, error: 'code_expired' })).toEqual([
      METRICS.codesExpired,
    ]);
    expect(names({ routeId: 'createLoginGrant', status: 201 })).toEqual([METRICS.loginGrantsIssued]);
    expect(names({ routeId: 'createLoginGrant', status: 409, error: 'device_key_missing' })).toEqual([]);
    expect(names({ routeId: 'denyDevice', body: { report: true } })).toEqual([
      METRICS.approvalsDenied,
      METRICS.approvalsReported,
    ]);
  });

  it('counts identity challenges by outcome and method, on any route that asks for one', () => {
    const found = (o: Partial<Parameters<typeof outcomeMetrics>[0]>) =>
      outcomeMetrics({ ...base, routeId: undefined, status: 200, ...o });
    expect(
      found({ routeId: 'getAccountSecret', status: 403, error: 'identity_confirmation_required' }),
    ).toEqual([[METRICS.identityChallenges, { Outcome: 'requested', Method: 'any' }]]);
    expect(found({ routeId: 'approveIdentityChallenge', status: 400, error: 'wrong_number' })).toEqual([
      [METRICS.identityChallenges, { Outcome: 'wrong_number', Method: 'push' }],
    ]);
    expect(found({ routeId: 'confirmMagicLink' })).toEqual([
      [METRICS.identityChallenges, { Outcome: 'approved', Method: 'email' }],
    ]);
    expect(found({ routeId: 'listDevices' })).toEqual([]);
  });
});
