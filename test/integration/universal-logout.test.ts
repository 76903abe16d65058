import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { accountKeys, makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeAppWebhookRepository } from '../../shared/adapters/dynamodb/app-webhook-repository';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import {
  makeGrantLedger,
  makeLogoutTokenStore,
  makeRotateByHandList,
} from '../../shared/adapters/dynamodb/logout-repository';
import { makeRotationRepository } from '../../shared/adapters/dynamodb/rotation-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import { type AccountDeps, createAccount } from '../../shared/domain/accounts/use-cases';
import { recordGrant } from '../../shared/domain/logout/grants';
import { rotateAfterDeprovisioning } from '../../shared/domain/logout/use-cases';
import { fixedClock } from '../support/fakes';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const accounts = makeAccountRepository(doc, tableName);
const rotations = makeRotationRepository(doc, tableName);
const ledger = makeGrantLedger(doc, tableName);
const rotateByHand = makeRotateByHandList(doc, tableName);
const webhooks = makeAppWebhookRepository(doc, tableName);
const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 7)));

async function setup() {
  const clock = fixedClock(new Date().toISOString());
  const owner = await workspaceMember(users, unique('ws'));
  const deps: AccountDeps = {
    accounts,
    inbox: makeInboxRepository(doc, tableName),
    users,
    keyring,
    hmac: makeHmac(async () => Buffer.alloc(32, 3)),
    notifier: { notify: async () => undefined },
    clock,
    newId,
    security: { record: () => undefined },
    inboundEmailDomain: 'inbound.test',
  };
  const account = (appId: 'demo' | 'acme-ads') =>
    createAccount(
      owner,
      { appName: appId, appId, username: unique('u'), password: 'Initial-password-1' },
      deps,
    );
  return { clock, owner, account };
}

describe('universal logout repositories on DynamoDB Local', () => {
  it('records one grant per (user, account) and rewrites it only after the account rotated', async () => {
    const { account } = await setup();
    const acc = await account('demo');
    const userId = unique('usr');
    const first = '2026-11-29T10:00:00.000Z';

    await recordGrant(acc, { userId, issuedAt: first }, ledger);
    await recordGrant(acc, { userId, issuedAt: '2026-11-29T10:05:00.000Z' }, ledger);
    const beforeRotation = await ledger.accountsGrantedTo(userId);
    const rotated = {
      ...acc,
      lastRotation: { id: 'rot_1', status: 'succeeded' as const, at: '2026-11-29T11:00:00.000Z' },
    };
    await recordGrant(rotated, { userId, issuedAt: '2026-11-29T12:00:00.000Z' }, ledger);
    await recordGrant(rotated, { userId, issuedAt: '2026-11-29T12:30:00.000Z' }, ledger);
    const afterRotation = await ledger.accountsGrantedTo(userId);

    // Only the first grant after each rotation writes: what matters is "granted since the last rotation".
    expect(beforeRotation).toEqual([
      { userId, accountId: acc.id, workspaceId: acc.workspaceId, lastGrantAt: first },
    ]);
    expect(afterRotation.map((r) => r.lastGrantAt)).toEqual(['2026-11-29T12:00:00.000Z']);
  });

  it('lists rotate-by-hand entries per workspace as sets, pages them and clears each once', async () => {
    const workspaceId = unique('ws');
    const at = '2026-11-29T10:00:00.000Z';
    for (const accountId of ['acc_a', 'acc_b', 'acc_c']) {
      await rotateByHand.add({ workspaceId, accountId, appName: 'Acme' }, 'usr_1', 'deprovisioning', at);
    }
    await rotateByHand.add(
      { workspaceId, accountId: 'acc_a', appName: 'Acme' },
      'usr_1',
      'deprovisioning',
      at,
    );
    await rotateByHand.add(
      { workspaceId, accountId: 'acc_a', appName: 'Acme' },
      'usr_2',
      'universal_logout',
      '2026-11-29T11:00:00.000Z',
    );

    const page1 = await rotateByHand.list(workspaceId, { limit: 2 });
    const page2 = await rotateByHand.list(workspaceId, { limit: 2, cursor: page1.nextCursor ?? undefined });
    const cleared = await Promise.all([
      rotateByHand.clear(workspaceId, 'acc_b'),
      rotateByHand.clear(workspaceId, 'acc_b'),
    ]);
    const elsewhere = await rotateByHand.list(unique('ws'), { limit: 10 });

    expect(page1.items[0]).toEqual({
      workspaceId,
      accountId: 'acc_a',
      appName: 'Acme',
      userIds: ['usr_1', 'usr_2'],
      triggers: ['deprovisioning', 'universal_logout'],
      firstListedAt: at,
      lastListedAt: '2026-11-29T11:00:00.000Z',
    });
    expect([...page1.items, ...page2.items].map((e) => e.accountId)).toEqual(['acc_a', 'acc_b', 'acc_c']);
    expect(cleared.sort()).toEqual([false, true]);
    expect(elsewhere.items).toEqual([]);
  });

  it('consumes a request token id once, even under concurrent use', async () => {
    const consume = makeLogoutTokenStore(doc, tableName);
    const claims = {
      issuer: 'https://idp.example',
      jti: unique('jti'),
      issuedAt: 1,
      expiresAt: 2_000_000_000,
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => consume(claims)));
    const otherIssuer = await consume({ ...claims, issuer: 'https://other.example' });

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(otherIssuer).toBe(true);
  });

  it('queues the deprovisioned user’s supported accounts once, even when the event arrives twice at once', async () => {
    const { clock, account } = await setup();
    const supported = await account('demo');
    const byHand = await account('acme-ads');
    const event = {
      id: unique('evt'),
      workspaceId: supported.workspaceId,
      userId: unique('usr'),
      accountIds: [supported.id, byHand.id, 'acc_of_another_workspace'],
      accountIdsThroughTeams: [supported.id],
    };
    const deps = { accounts, rotations, rotateByHand, clock, newId };

    const [a, b] = await Promise.all([
      rotateAfterDeprovisioning(event, deps),
      rotateAfterDeprovisioning(event, deps),
    ]);
    // The first rotation ends; a later redelivery finds the claim, not a running rotation.
    const queued = await rotations.list(supported.id);
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: accountKeys.account(supported.id),
        UpdateExpression: 'REMOVE activeRotation',
      }),
    );
    const later = await rotateAfterDeprovisioning(event, deps);

    expect([...a.queued, ...b.queued]).toHaveLength(1);
    expect(queued).toHaveLength(1);
    expect(queued[0]?.trigger).toBe('deprovisioning');
    expect(a.rotateByHand).toEqual([{ accountId: byHand.id, appName: 'acme-ads' }]);
    expect(later).toEqual({
      queued: [],
      inProgress: [],
      rotateByHand: [{ accountId: byHand.id, appName: 'acme-ads' }],
    });
    expect(await rotations.list(supported.id)).toHaveLength(1);
  });

  it('rotates an app without a connector when its workspace configured a webhook, and lists it by hand elsewhere', async () => {
    const { clock, account } = await setup();
    const hooked = await account('acme-ads');
    const other = await setup();
    const unhooked = await other.account('acme-ads');
    const at = clock.now().toISOString();
    await webhooks.put(
      {
        workspaceId: hooked.workspaceId,
        appId: 'acme-ads',
        url: 'https://hooks.example.com/rotate',
        secret: { v: 1, edk: 'k', iv: 'i', tag: 't', ct: 'c' },
        secretCreatedAt: at,
        createdBy: 'usr_admin',
        createdAt: at,
        updatedAt: at,
        rev: 1,
      },
      undefined,
    );
    const deps = { accounts, rotations, rotateByHand, webhooks, clock, newId };
    const event = (workspaceId: string, accountId: string) => ({
      id: unique('evt'),
      workspaceId,
      userId: unique('usr'),
      accountIds: [accountId],
      accountIdsThroughTeams: [],
    });

    const withHook = await rotateAfterDeprovisioning(event(hooked.workspaceId, hooked.id), deps);
    const withoutHook = await rotateAfterDeprovisioning(event(unhooked.workspaceId, unhooked.id), deps);

    expect(withHook.queued.map((q) => q.accountId)).toEqual([hooked.id]);
    expect(withHook.rotateByHand).toEqual([]);
    expect(withoutHook.queued).toEqual([]);
    expect(withoutHook.rotateByHand).toEqual([{ accountId: unhooked.id, appName: 'acme-ads' }]);
  });
});
