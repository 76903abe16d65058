import { randomUUID } from 'node:crypto';
import { LOCAL_AWS } from '../local/dynamodb-local';
import { sqsSmsEvent } from '../local/messaging-simulator';
import type { LocalStack } from '../local/stack';
import { makeAccountRepository } from '../shared/adapters/dynamodb/account-repository';
import { makeDocumentClient } from '../shared/adapters/dynamodb/client';
import { makeUserRepository } from '../shared/adapters/dynamodb/user-repository';
import { newId } from '../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../shared/adapters/kms/keyring';
import { INBOUND_REQUESTS } from './capacity';
import { countDynamoRequests, countedScope } from './local-stack';
import { round, summarize } from './stats';

/**
 * Inbound SMS, event to stored message and queued notification: the real handler module (as Lambda
 * runs it) fed SNS events against DynamoDB Local, for an account with 3 members. New messages, then
 * replays of the same messages (deduplicated: nothing stored or sent twice).
 */
export async function benchInboundSms(stack: LocalStack, messages = 500) {
  const doc = makeDocumentClient({ region: LOCAL_AWS.region, endpoint: stack.dynamodbEndpoint });
  const users = makeUserRepository(doc, stack.tableName);
  const accounts = makeAccountRepository(doc, stack.tableName);
  const workspace = `bench-sms-${randomUUID().slice(0, 6)}`;
  const members = [];
  for (let i = 0; i < 3; i++) {
    const { user } = await users.provision({
      identity: {
        issuer: 'bench',
        subject: randomUUID(),
        email: `m${i}@bench.example`,
        name: `M${i}`,
        workspaceName: workspace,
      },
      userId: newId('usr'),
      newWorkspaceId: newId('ws'),
      role: 'user',
      now: new Date(),
    });
    members.push(user);
  }
  const accountId = newId('acc');
  const at = new Date().toISOString();
  const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 1)));
  await accounts.create(
    {
      id: accountId,
      workspaceId: members[0]?.workspaceId ?? '',
      appName: 'Bench',
      username: 'bench',
      password: await keyring.seal('x', { accountId, purpose: 'account-password' }),
      capabilities: { managedPhone: true, acceptsVoip: true, managedEmail: true },
      ownerCount: 1,
      createdBy: members[0]?.id ?? '',
      createdAt: at,
      updatedAt: at,
    },
    { accountId, userId: members[0]?.id ?? '', role: 'owner', addedAt: at },
  );
  for (const member of members.slice(1)) {
    await accounts.putMember(
      accountId,
      { accountId, userId: member.id, role: 'collaborator', addedAt: at },
      undefined,
    );
  }
  const phone = '+15550199999';
  await accounts.assignPhone(accountId, { phoneNumber: phone, phoneNumberId: 'bench' }, new Date());

  const { handler } = await import('../functions/events/inbound-sms');
  const counter = await countDynamoRequests();
  const events = Array.from({ length: messages }, (_, i) =>
    sqsSmsEvent({
      from: '+12025550123',
      to: phone,
      body: `Your Bench code is ${String(100000 + i)}.`,
      inboundMessageId: randomUUID(),
    }),
  );
  const time = async (list: typeof events) => {
    const samples: number[] = [];
    const before = counter.requests;
    let own = 0;
    for (const event of list) {
      const started = performance.now();
      own += (await countedScope(() => handler(event))).requests;
      samples.push(performance.now() - started);
    }
    // The outbox relay and the push fan-out run in this process too: wait for them before counting.
    await stack.push.drain();
    return {
      ms: summarize(samples.slice(Math.min(20, samples.length - 1))),
      requests: own / list.length,
      downstream: (counter.requests - before - own) / list.length,
    };
  };
  await stack.push.drain();
  const fresh = await time(events);
  await stack.push.drain();
  const replayed = await time(events);
  return [
    {
      case: 'new SMS with a code (store + notify 3 members)',
      n: fresh.ms.n,
      'p50 ms': round(fresh.ms.p50),
      'p99 ms': round(fresh.ms.p99),
      [INBOUND_REQUESTS]: round(fresh.requests, 1),
      'downstream DynamoDB requests (relay, fan-out)': round(fresh.downstream, 1),
    },
    {
      case: 'replayed SMS (deduplicated)',
      n: replayed.ms.n,
      'p50 ms': round(replayed.ms.p50),
      'p99 ms': round(replayed.ms.p99),
      [INBOUND_REQUESTS]: round(replayed.requests, 1),
      'downstream DynamoDB requests (relay, fan-out)': round(replayed.downstream, 1),
    },
  ];
}
