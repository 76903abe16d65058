import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../local/dynamodb-local';
import type { LocalStack } from '../local/stack';
import { makeDocumentClient } from '../shared/adapters/dynamodb/client';
import { deviceKeys, makeDeviceRepository } from '../shared/adapters/dynamodb/device-repository';
import { makeNotificationRepository } from '../shared/adapters/dynamodb/notification-repository';
import { makePushCoalescer } from '../shared/adapters/dynamodb/push-coalescer';
import { completePushDevicesItem } from '../shared/adapters/dynamodb/push-devices';
import { userKeys } from '../shared/adapters/dynamodb/user-repository';
import { newId, systemClock } from '../shared/adapters/ids';
import { PUSH_FANOUT } from '../shared/config/push-fanout';
import { TABLE, tableDefinition } from '../shared/config/table';
import type { Device } from '../shared/domain/devices/model';
import { deliverPushJobs } from '../shared/domain/notifications/deliver';
import { notify } from '../shared/domain/notifications/use-cases';
import type { PushGateway, PushJob } from '../shared/domain/ports';
import { round } from './stats';

const SNS_LATENCY_MS = 20;
const BATCH_SIZE = PUSH_FANOUT.batchSize; // SQS -> Lambda batch, as deployed
const INVOCATIONS = 5; // concurrent fan-out invocations (SQS pollers start at five)
const CONCURRENCY = PUSH_FANOUT.concurrency; // publishes in flight per invocation (the function's setting)

function counted(doc: DynamoDBDocumentClient) {
  const counter = { requests: 0, byCommand: {} as Record<string, { n: number; ms: number }> };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      counter.requests++;
      const t0 = performance.now();
      try {
        return await next(args);
      } finally {
        const name = String(context.commandName).replace(/Command$/, '');
        const entry = counter.byCommand[name] ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - t0;
        counter.byCommand[name] = entry;
      }
    },
    { step: 'initialize', name: 'benchFanoutCounter' },
  );
  return counter;
}

async function seed(doc: DynamoDBDocumentClient, tableName: string, recipients: number, endpoints: number) {
  const at = new Date().toISOString();
  const workspaceId = newId('ws');
  const items: Record<string, unknown>[] = [];
  const userIds: string[] = [];
  for (let u = 0; u < recipients; u++) {
    const id = newId('usr');
    userIds.push(id);
    items.push({
      ...userKeys.user(id),
      entity: 'User',
      id,
      workspaceId,
      email: `bench-${u}@fanout.example`,
      name: `Bench ${u}`,
      workspaceRole: 'user',
      status: 'active',
      createdAt: at,
      updatedAt: at,
    });
    const devices: Device[] = [];
    for (let d = 0; d < endpoints; d++) {
      const deviceId = newId('dev');
      const device: Device = {
        id: deviceId,
        userId: id,
        workspaceId,
        clientType: 'mobile',
        os: 'iOS',
        name: `phone ${d}`,
        status: 'trusted',
        verificationMethod: 'approval',
        credentialHash: 'ab'.repeat(32),
        createdAt: at,
        updatedAt: at,
        lastSeenAt: at,
        trustedAt: at,
        push: {
          platform: 'APNS',
          tokenHash: 'h',
          endpointArn: `arn:bench:${deviceId}`,
          active: true,
          updatedAt: at,
        },
      };
      devices.push(device);
      items.push({ ...deviceKeys.device(id, deviceId), [TABLE.entityAttribute]: 'Device', ...device });
    }
    // The user's push-devices item as the device writes keep it (built: the steady state).
    items.push(completePushDevicesItem(id, devices, endpoints));
  }
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  return userIds;
}

/**
 * One notification to 1,000 recipients with 3 endpoints each: `notify` (policy, inbox, targets, queue)
 * against DynamoDB Local, then the fan-out over SQS-sized batches against an SNS that answers in 20 ms.
 */
export async function benchPushFanout(stack: LocalStack, recipients = 1000, endpoints = 3) {
  const doc = makeDocumentClient({ region: LOCAL_AWS.region, endpoint: stack.dynamodbEndpoint });
  // A table of its own, without a stream: the outbox items notify writes (the push jobs) are counted
  // but not relayed to the stack's own fan-out while this one is timed.
  const tableName = `bench-fanout-${newId('t').slice(2, 10)}`;
  const { StreamSpecification: _stream, ...definition } = tableDefinition(tableName);
  await new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint }).send(
    new CreateTableCommand(definition),
  );
  const userIds = await seed(doc, tableName, recipients, endpoints);
  const counter = counted(doc);
  const repos = makeNotificationRepository(doc, tableName);
  const jobs: PushJob[] = [];
  const notifyDeps = {
    devices: makeDeviceRepository(doc, tableName),
    settings: repos.settings,
    // The real transactions (records and outbox items); the jobs are also kept to feed the fan-out.
    inbox: {
      ...repos.inbox,
      commit: async (batch: Parameters<typeof repos.inbox.commit>[0]) => {
        jobs.push(...batch.jobs);
        return repos.inbox.commit(batch);
      },
    },
    pushWindows: makePushCoalescer(doc, tableName),
    clock: systemClock,
    newId,
  };
  let started = performance.now();
  await notify('account_shared', userIds, { accountId: 'acc_bench' }, notifyDeps);
  const notifyMs = performance.now() - started;
  const notifyRequests = counter.requests;

  let published = 0;
  const gateway: PushGateway = {
    platformConfigured: () => true,
    createEndpoint: async () => '',
    updateEndpoint: async () => 'updated',
    deleteEndpoint: async () => undefined,
    publish: async () => {
      await new Promise((resolve) => setTimeout(resolve, SNS_LATENCY_MS));
      published++;
      return 'sent';
    },
  };
  const deliverDeps = {
    gateway,
    deliveries: repos.deliveries,
    devices: notifyDeps.devices,
    clock: systemClock,
    concurrency: CONCURRENCY,
  };
  const batches: PushJob[][] = [];
  for (let i = 0; i < jobs.length; i += BATCH_SIZE) batches.push(jobs.slice(i, i + BATCH_SIZE));
  const before = counter.requests;
  counter.byCommand = {};
  started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: INVOCATIONS }, async () => {
      while (next < batches.length) await deliverPushJobs(batches[next++] as PushJob[], deliverDeps);
    }),
  );
  const fanoutMs = performance.now() - started;
  const totalEndpoints = recipients * endpoints;
  const idealMs = (totalEndpoints * SNS_LATENCY_MS) / (INVOCATIONS * CONCURRENCY);
  return {
    recipients,
    'endpoints per recipient': endpoints,
    'notify wall ms': round(notifyMs),
    'notify DynamoDB requests per recipient': round(notifyRequests / recipients, 2),
    // One SQS message per job; a job carries the notification to up to PUSH_FANOUT.recipientsPerJob people.
    'push jobs': jobs.length,
    'fan-out wall ms': round(fanoutMs),
    'Publish calls': published,
    'Publish calls/s': round((published / fanoutMs) * 1000),
    'ideal ms (20 ms SNS, 5 invocations x 16 in flight)': round(idealMs),
    'scheduling overhead per endpoint ms': round((fanoutMs - idealMs) / totalEndpoints, 3),
    'fan-out DynamoDB requests per endpoint': round((counter.requests - before) / totalEndpoints, 2),
    // Where the fan-out's DynamoDB time goes: calls per operation and their mean latency in this run
    // (DynamoDB Local on a shared machine: the latency is the environment's, the counts are the code's).
    'fan-out DynamoDB calls (mean ms)': Object.entries(counter.byCommand)
      .map(([name, { n, ms }]) => `${name} ${n} (${round(ms / n)})`)
      .join(', '),
  };
}
