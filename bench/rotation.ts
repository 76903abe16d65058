import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, LOCAL_AWS } from '../local/dynamodb-local';
import type { LocalStack } from '../local/stack';
import { accountKeys, makeAccountRepository } from '../shared/adapters/dynamodb/account-repository';
import { makeDocumentClient } from '../shared/adapters/dynamodb/client';
import { makeRotationRepository, rotationKeys } from '../shared/adapters/dynamodb/rotation-repository';
import { newId } from '../shared/adapters/ids';
import { TABLE } from '../shared/config/table';
import { sweepDueRotations } from '../shared/domain/rotation/use-cases';
import { call, ownerWithPhone } from './identity';
import { countDynamoRequests } from './local-stack';
import { round, summarize } from './stats';

/**
 * Rotation wall time on the demo app: `POST .../rotations` to `succeeded`, through the outbox, the
 * stream relay, the local rotation queue, the worker and the connector (HTTP to the demo app).
 */
async function rotationWallTime(stack: LocalStack, rotations: number) {
  const { asWeb } = await ownerWithPhone(stack);
  const counter = await countDynamoRequests();
  const samples: number[] = [];
  let requests = 0;
  let succeeded = 0;
  for (let i = 0; i < rotations + 3; i++) {
    const username = `bench-${randomUUID().slice(0, 8)}`;
    await call(stack, 'POST', '/_local/apps/demo/users', {}, { username, password: 'Bench-initial-1' });
    const created = await call(stack, 'POST', '/v1/accounts', asWeb, {
      appName: 'Demo',
      appId: 'demo',
      username,
      password: 'Bench-initial-1',
    });
    const accountId = created.body.account.id as string;
    const before = counter.requests;
    const started = performance.now();
    const rotation = await call(stack, 'POST', `/v1/accounts/${accountId}/rotations`, asWeb);
    await stack.push.drain();
    const elapsed = performance.now() - started;
    const used = counter.requests - before;
    const done = await call(
      stack,
      'GET',
      `/v1/accounts/${accountId}/rotations/${rotation.body.rotation.id}`,
      asWeb,
    );
    // The first rotations load the worker and connector modules: dropped as warm-up.
    if (i < 3) continue;
    samples.push(elapsed);
    requests += used;
    if (done.body.rotation.status === 'succeeded') succeeded++;
  }
  const ms = summarize(samples);
  return {
    rotations,
    succeeded,
    p50Ms: round(ms.p50),
    p90Ms: round(ms.p90),
    maxMs: round(ms.max),
    dynamoRequestsPerRotation: round(requests / rotations, 1),
  };
}

/**
 * The sweep's cost with `accounts` scheduled accounts of which `duePercent` are due, on a table of its
 * own in the same DynamoDB Local (no relay watches it, so the queued rotations stay queued). Every
 * scheduled account carries its due mark in the sparse index; the sweep's Query reads only those whose
 * due time has passed. Read capacity is counted from the Query's own ConsumedCapacity.
 */
async function sweepCost(stack: LocalStack, accounts: number, duePercent: number) {
  const tableName = `bench-sweep-${randomUUID().slice(0, 8)}`;
  await ensureTable(stack.dynamodbEndpoint, tableName);
  const doc = makeDocumentClient({ region: LOCAL_AWS.region, endpoint: stack.dynamodbEndpoint });
  const counted = { requests: 0, readUnits: 0, writeUnits: 0, byCommand: {} as Record<string, number> };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const name = String(context.commandName);
      counted.requests++;
      counted.byCommand[name] = (counted.byCommand[name] ?? 0) + 1;
      const consumed = (output.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const unit of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const c = unit as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };
        if (/^(Query|GetItem|BatchGetItem)Command$/.test(name)) counted.readUnits += c.CapacityUnits ?? 0;
        else counted.writeUnits += c.CapacityUnits ?? 0;
      }
      return output;
    },
    { step: 'initialize', name: 'benchSweepCounter' },
  );

  const now = Date.now();
  const dueEvery = Math.round(100 / duePercent);
  const seedStarted = performance.now();
  const items = Array.from({ length: accounts }, (_, i) => {
    const id = `acc_bench${String(i).padStart(7, '0')}`;
    const due = i % dueEvery === 0;
    // Due ones: within the last day; the others: spread over the next 30 days.
    const dueAt = new Date(
      due ? now - (i % 86_400) * 1000 : now + 60_000 + (i % 2_592_000) * 1000,
    ).toISOString();
    return {
      ...accountKeys.account(id),
      ...rotationKeys.due(dueAt, id),
      [TABLE.entityAttribute]: 'Account',
      id,
      workspaceId: 'ws_bench',
      appName: 'Demo',
      appId: 'demo',
      username: `user-${i}`,
      password: { v: 1, edk: 'x'.repeat(240), iv: 'x'.repeat(16), tag: 'x'.repeat(24), ct: 'x'.repeat(44) },
      passwordVersion: 1,
      capabilities: { managedPhone: true, acceptsVoip: true, managedEmail: true },
      rotates: true,
      ownerCount: 1,
      createdBy: 'usr_bench',
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
  });
  const seeding = makeDocumentClient({ region: LOCAL_AWS.region, endpoint: stack.dynamodbEndpoint });
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        let requests = (batches[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const out = await seeding.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
        }
      }
    }),
  );
  const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);

  const rotations = makeRotationRepository(doc, tableName);
  const deps = { rotations, accounts: makeAccountRepository(doc, tableName), newId, limit: accounts };
  const run = async (at: number) => {
    Object.assign(counted, { requests: 0, readUnits: 0, writeUnits: 0, byCommand: {} });
    const started = performance.now();
    const report = await sweepDueRotations({ ...deps, clock: { now: () => new Date(at) } });
    return {
      ...report,
      ms: round(performance.now() - started),
      requests: counted.requests,
      byCommand: { ...counted.byCommand },
      readUnits: round(counted.readUnits, 1),
      writeUnits: round(counted.writeUnits, 1),
    };
  };
  // Before anything is due (an hour ago), then now (1% due), then again (nothing left due).
  const nothingDue = await run(now - 86_400_000 - 3_600_000);
  const onePercent = await run(now);
  const afterwards = await run(now);
  return { accounts, duePercent, seedSeconds, nothingDue, onePercentDue: onePercent, afterwards };
}

/**
 * Seeding 100,000 accounts into DynamoDB Local takes about 7 minutes on the development machine, so the
 * default run seeds 10,000 (`BENCH_SWEEP_ACCOUNTS=100000` for the full size) and models 100,000 from the
 * measured requests: the sweep's Query reads only due items, so its cost follows the due count.
 */
export async function benchRotation(stack: LocalStack) {
  const wallTime = await rotationWallTime(stack, 20);
  const accounts = Number(process.env.BENCH_SWEEP_ACCOUNTS ?? 10_000);
  const sweep = await sweepCost(stack, accounts, 1);
  const due = sweep.onePercentDue.due;
  const perDue = due > 0 ? (sweep.onePercentDue.requests - 1) / due : 0;
  const dueAt100k = 1_000;
  return {
    wallTime,
    sweep,
    modelFor100k: {
      measuredOn: accounts,
      nothingDueRequests: sweep.nothingDue.requests,
      requestsPerDueAccount: round(perDue, 2),
      onePercentDueRequests: Math.round(1 + perDue * dueAt100k),
      onePercentDueReadUnits: round(due > 0 ? (sweep.onePercentDue.readUnits / due) * dueAt100k : 0, 1),
      onePercentDueWriteUnits: round(due > 0 ? (sweep.onePercentDue.writeUnits / due) * dueAt100k : 0, 1),
    },
  };
}
