import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import type { LocalStack } from '../../local/stack';
import { checkInboundMessages, checkIssuedCodes, injectFault } from '../../scripts/load-consistency';
import { stackClient } from '../../scripts/stack-client';
import { deviceKeys } from '../../shared/adapters/dynamodb/device-repository';

/** `npm run load`'s consistency check catches what it is for: a lost or duplicated message, a long-lived code. */
describe('load consistency check', () => {
  let stack: LocalStack;
  let doc: DynamoDBDocumentClient;
  let api: ReturnType<typeof stackClient>;
  let workspace: string;
  let owner: Awaited<ReturnType<ReturnType<typeof stackClient>['userWithPhone']>>;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint }));
    api = stackClient(stack);
    const email = `load-${randomUUID().slice(0, 6)}@acme.example`;
    workspace = await api.bootstrap(`load-${randomUUID().slice(0, 8)}`, email, ['acme.example']);
    owner = await api.userWithPhone(email, workspace);
  });
  afterAll(() => stack?.stop());

  async function accountWithMessages(count: number) {
    const account = await api.sharedAccount(owner);
    const accepted = Array.from({ length: count }, () => randomUUID());
    for (const inboundMessageId of accepted) {
      const sent = await api.call('POST', '/_local/inbound/sms', {
        body: {
          from: '+12025550123',
          to: account.phoneNumber,
          body: 'Your code is 123456.',
          inboundMessageId,
        },
      });
      expect(sent.status).toBe(202);
    }
    // A replay is accepted too and must not count twice.
    await api.call('POST', '/_local/inbound/sms', {
      body: {
        from: '+12025550123',
        to: account.phoneNumber,
        body: 'Your code is 123456.',
        inboundMessageId: accepted[0],
      },
    });
    return { accountId: account.id, accepted, members: [owner.userId] };
  }

  it('passes on what the stack stored, and fails when a message is stored twice', async () => {
    const ledger = await accountWithMessages(2);

    const before = await checkInboundMessages(doc, stack.tableName, ledger);
    await injectFault(doc, stack.tableName, ledger.accountId, 'duplicate');
    const after = await checkInboundMessages(doc, stack.tableName, ledger);

    expect(before).toEqual([]);
    expect(after).toEqual(
      expect.arrayContaining([expect.stringMatching(/stored 2 times$/), '3 messages stored for 2 accepted']),
    );
  });

  it('fails when an accepted message is lost', async () => {
    const ledger = await accountWithMessages(2);

    await injectFault(doc, stack.tableName, ledger.accountId, 'lost');
    const problems = await checkInboundMessages(doc, stack.tableName, ledger);

    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/stored 0 times$/), '1 messages stored for 2 accepted']),
    );
  });

  it('passes consumed and pending codes, and fails a code stored to live past its lifetime', async () => {
    const issuedAt = Date.now();
    const consumed = await api.webSession(`c-${randomUUID().slice(0, 6)}@acme.example`, workspace);
    const pending = await api.webSession(`p-${randomUUID().slice(0, 6)}@acme.example`, workspace, true);
    const issued = [consumed, pending].map((s) => ({
      userId: s.userId as string,
      deviceId: s.deviceId as string,
      issuedAt,
      verified: s.verified,
    }));

    const before = await checkIssuedCodes(doc, stack.tableName, issued);
    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: deviceKeys.device(pending.userId, pending.deviceId),
        UpdateExpression: 'SET #code.#expiresAt = :later',
        ExpressionAttributeNames: { '#code': 'code', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':later': new Date(Date.now() + 60 * 60 * 1000).toISOString() },
      }),
    );
    const after = await checkIssuedCodes(doc, stack.tableName, issued);

    expect(before).toEqual([]);
    expect(after).toEqual([`device ${pending.deviceId}: code lives past its lifetime`]);
  });
});
