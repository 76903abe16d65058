import { randomUUID, webcrypto } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import type { LocalStack } from '../../local/stack';
import {
  checkInboundMessages,
  checkIssuedCodes,
  checkLoginGrants,
  type IssuedGrant,
  injectFault,
  injectGrantFault,
} from '../../scripts/load-consistency';
import { stackClient } from '../../scripts/stack-client';
import { deviceKeys } from '../../shared/adapters/dynamodb/device-repository';
import { loginKeys } from '../../shared/adapters/dynamodb/login-grant-repository';
import { queryPrefix } from '../../shared/adapters/dynamodb/operations';
import { TABLE } from '../../shared/config/table';

/**
 * `npm run load`'s consistency check catches what it is for: a lost or duplicated message, a long-lived
 * code, a login grant missing from universal logout's ledger, living too long or taking a second code.
 */
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

  /** An extension user with a key on a trusted device, member of a fresh account; `count` grants, the first with its SMS code. */
  async function grantsIssued(count: number) {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ])) as webcrypto.CryptoKeyPair;
    const extension = await api.webSession(`x-${randomUUID().slice(0, 6)}@acme.example`, workspace, false, {
      clientType: 'extension',
      os: 'macOS',
      browser: 'Chrome',
      publicKey: await webcrypto.subtle.exportKey('jwk', pair.publicKey),
    });
    const account = await api.sharedAccount(owner, [extension.userId]);
    const as = { token: extension.token, device: extension.credential };
    const grants: IssuedGrant[] = [];
    for (let i = 0; i < count; i++) {
      const granted = await api.call('POST', `/v1/accounts/${account.id}/login-grants`, as);
      expect(granted.status).toBe(201);
      grants.push({
        grantId: granted.body.grant.id,
        accountId: account.id,
        userId: extension.userId,
        deviceId: extension.deviceId,
      });
    }
    const sent = await api.call('POST', '/_local/inbound/sms', {
      body: { from: '+12025550199', to: account.phoneNumber, body: 'Your Fault Ads code is 246810.' },
    });
    expect(sent.status).toBe(202);
    const first = grants[0] as IssuedGrant;
    let poll = await api.call('GET', `/v1/accounts/${account.id}/login-grants/${first.grantId}/code`, as);
    for (let i = 0; i < 50 && poll.body?.status === 'waiting'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      poll = await api.call('GET', `/v1/accounts/${account.id}/login-grants/${first.grantId}/code`, as);
    }
    expect(poll.body?.status).toBe('ready');
    const [claim] = await queryPrefix(doc, stack.tableName, `ACCOUNT#${account.id}`, 'GRANT_CODE#');
    first.codeMessageId = String(claim?.[TABLE.sortKey]).slice('GRANT_CODE#'.length);
    const ledger = {
      grants,
      users: [extension.userId],
      accounts: [account.id],
      secrets: ['p@ss-Word-42'],
    };
    return { ledger, first };
  }

  it('passes the grants the stack issued, and fails one missing from the logout grant ledger', async () => {
    const { ledger, first } = await grantsIssued(2);

    const before = await checkLoginGrants(doc, stack.tableName, ledger);
    await injectGrantFault(doc, stack.tableName, ledger.grants, 'grant-unledgered');
    const after = await checkLoginGrants(doc, stack.tableName, ledger);

    expect(before).toEqual([]);
    expect(after).toEqual([
      `user ${first.userId} received grants for ${first.accountId}; the logout grant ledger does not list it`,
    ]);
  });

  it('fails a grant whose credentials live too long, or one that took a second code', async () => {
    const { ledger, first } = await grantsIssued(1);

    await injectGrantFault(doc, stack.tableName, ledger.grants, 'grant-long-lived');
    const longLived = await checkLoginGrants(doc, stack.tableName, ledger);
    await injectGrantFault(doc, stack.tableName, ledger.grants, 'grant-code-twice');
    const both = await checkLoginGrants(doc, stack.tableName, ledger);

    expect(longLived).toEqual([
      expect.stringMatching(
        new RegExp(`^grant ${first.grantId}: credentials live \\d+(\\.\\d+)? s, not 60$`),
      ),
    ]);
    expect(both).toEqual([...longLived, `grant ${first.grantId} took 2 codes`]);
  });

  it('fails a grant that was not counted toward the hourly caps', async () => {
    const { ledger, first } = await grantsIssued(1);
    const { Item } = await doc.send(
      new GetCommand({ TableName: stack.tableName, Key: loginKeys.grant(first.grantId) }),
    );
    const hour = Math.floor(Date.parse(String(Item?.issuedAt)) / 3_600_000);

    await doc.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: loginKeys.accountGrants(first.accountId, hour),
        UpdateExpression: 'SET #count = :zero',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
    const problems = await checkLoginGrants(doc, stack.tableName, ledger);

    expect(problems).toEqual([`account ${first.accountId}: 0 grants counted for 1 issued in the hour`]);
  });
});
