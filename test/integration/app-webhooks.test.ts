import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeAppWebhookRepository } from '../../shared/adapters/dynamodb/app-webhook-repository';
import { makeChallengeRepository } from '../../shared/adapters/dynamodb/challenge-repository';
import { makeEmailQuota } from '../../shared/adapters/dynamodb/email-quota';
import { outboxKey } from '../../shared/adapters/dynamodb/outbox';
import { makeMailOutbox, makeOutboxMailer } from '../../shared/adapters/dynamodb/outbox-mail';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import type { Account } from '../../shared/domain/accounts/model';
import type { OutgoingEmail, SecurityEvent } from '../../shared/domain/ports';
import {
  type AppWebhook,
  deleteAppWebhook,
  getAppWebhook,
  putAppWebhook,
  WebhookConflictError,
  type WebhookDeps,
  webhookSecretContext,
} from '../../shared/domain/rotation/webhooks';
import { toAccountViews } from '../../shared/http/account-views';
import { makeNotifier } from '../../shared/runtime/notify';
import { aUser, fixedClock } from '../support/fakes';
import { commandsOf, localTable, unique, workspaceMember } from './dynamo';

describe('app webhooks on DynamoDB Local', () => {
  const { doc, tableName } = localTable();
  const webhooks = makeAppWebhookRepository(doc, tableName);
  const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 5)));
  let secrets = 0;
  const clock = fixedClock();
  const notifications = makeNotifier(doc, tableName);
  const outboxMailer = makeOutboxMailer(doc, tableName, makeMailOutbox(keyring, { clock, newId }));
  /** What the use cases logged and emailed (the emails also land, sealed, in the outbox). */
  const logged: SecurityEvent[] = [];
  const emailed: Array<OutgoingEmail & { messageId: string }> = [];
  const deps: WebhookDeps = {
    webhooks,
    keyring,
    clock,
    security: { record: (event) => logged.push(event) },
    checkUrl: (url) => (url.startsWith('https://') ? undefined : 'not HTTPS'),
    newSecret: () => `whsec_${Buffer.alloc(32, ++secrets).toString('base64')}`,
    notifier: notifications.notifier,
    workspaceAdmins: makeChallengeRepository(doc, tableName).workspaceAdmins,
    emailQuota: makeEmailQuota(doc, tableName),
    mailer: {
      send: async (email) => {
        const sent = await outboxMailer.send(email);
        emailed.push({ ...email, ...sent });
        return sent;
      },
    },
  };
  const users = makeUserRepository(doc, tableName);

  const webhook = (workspaceId: string, rev: number, url = 'https://hooks.example.com/a'): AppWebhook => ({
    workspaceId,
    appId: 'acme-ads',
    url,
    secret: { v: 1, edk: 'k', iv: 'i', tag: 't', ct: 'c' },
    secretCreatedAt: '2026-11-29T00:00:00.000Z',
    createdBy: 'usr_1',
    createdAt: '2026-11-29T00:00:00.000Z',
    updatedAt: '2026-11-29T00:00:00.000Z',
    rev,
  });

  it('creates once: of concurrent first writes exactly one wins', async () => {
    const workspaceId = unique('ws');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        webhooks.put(webhook(workspaceId, 1, `https://h${i}.example.com/`), undefined),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('updates only from the revision read: of concurrent updates from one revision exactly one wins', async () => {
    const workspaceId = unique('ws');
    expect(await webhooks.put(webhook(workspaceId, 1), undefined)).toBe(true);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        webhooks.put(webhook(workspaceId, 2, `https://h${i}.example.com/`), 1),
      ),
    );
    const stale = await webhooks.put(webhook(workspaceId, 2), 1);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(stale).toBe(false);
    expect((await webhooks.get(workspaceId, 'acme-ads'))?.rev).toBe(2);
  });

  it('keeps the secret sealed to its workspace and app; the use cases return it once and delete it', async () => {
    const caller = aUser({ id: unique('usr'), workspaceId: unique('ws') });
    const created = await putAppWebhook(caller, 'acme-ads', { url: 'https://hooks.example.com/x' }, deps);
    const stored = await webhooks.get(caller.workspaceId, 'acme-ads');
    const opened = await keyring.open(
      stored?.secret as AppWebhook['secret'],
      webhookSecretContext(caller.workspaceId, 'acme-ads'),
    );
    const wrongContext = await keyring
      .open(stored?.secret as AppWebhook['secret'], webhookSecretContext('other', 'acme-ads'))
      .then(
        () => 'opened',
        () => 'refused',
      );
    const moved = await putAppWebhook(caller, 'acme-ads', { url: 'https://hooks.example.com/y' }, deps);
    const shown = await getAppWebhook(caller, 'acme-ads', deps);
    await deleteAppWebhook(caller, 'acme-ads', deps);

    expect(opened).toBe(created.secret);
    expect(JSON.stringify(stored)).not.toContain(created.secret);
    expect(wrongContext).toBe('refused');
    expect(moved.secret).toBeUndefined();
    expect(shown).toMatchObject({ url: 'https://hooks.example.com/y', appId: 'acme-ads' });
    expect(shown).not.toHaveProperty('secret');
    expect(await webhooks.get(caller.workspaceId, 'acme-ads')).toBeUndefined();
    expect(await webhooks.remove(caller.workspaceId, 'acme-ads')).toBe(false);
  });

  it('answers a conflict when another admin wrote between the read and the write', async () => {
    const caller = aUser({ id: unique('usr'), workspaceId: unique('ws') });
    await putAppWebhook(caller, 'acme-ads', { url: 'https://hooks.example.com/x' }, deps);
    const racing: WebhookDeps = {
      ...deps,
      webhooks: {
        ...webhooks,
        // Another admin's write lands right after this request read the item.
        get: async (workspaceId, appId) => {
          const read = await webhooks.get(workspaceId, appId);
          if (read)
            await webhooks.put({ ...read, url: 'https://other.example.com/', rev: read.rev + 1 }, read.rev);
          return read;
        },
      },
    };
    await expect(
      putAppWebhook(caller, 'acme-ads', { url: 'https://hooks.example.com/z' }, racing),
    ).rejects.toBeInstanceOf(WebhookConflictError);
    expect((await webhooks.get(caller.workspaceId, 'acme-ads'))?.url).toBe('https://other.example.com/');
  });

  const account = (workspaceId: string, i: number, appId?: string): Account => ({
    id: `acc_${i}`,
    workspaceId,
    appName: appId ?? 'Custom',
    ...(appId ? { appId } : {}),
    username: `u${i}`,
    password: { v: 1, edk: 'k', iv: 'i', tag: 't', ct: 'c' },
    capabilities: { managedPhone: false, acceptsVoip: false, managedEmail: true },
    ownerCount: 1,
    createdBy: 'usr_1',
    createdAt: '2026-11-29T00:00:00.000Z',
    updatedAt: '2026-11-29T00:00:00.000Z',
  });

  it('account views show passwordRotation where the workspace has a webhook, for one query per page whatever its size', async () => {
    const workspaceId = unique('ws');
    const other = unique('ws');
    expect(await webhooks.put(webhook(workspaceId, 1), undefined)).toBe(true);
    expect(await webhooks.put({ ...webhook(other, 1), appId: 'vendor-portal' }, undefined)).toBe(true);
    const apps = ['acme-ads', 'vendor-portal', 'demo', undefined];
    const page = Array.from({ length: 100 }, (_, i) => ({
      account: account(workspaceId, i, apps[i % apps.length]),
      role: 'owner' as const,
    }));
    const withoutWebhookApps = page.filter(({ account }) => account.appId === 'demo' || !account.appId);

    let views: Awaited<ReturnType<typeof toAccountViews>> = [];
    const pageCalls = await commandsOf(doc, async () => {
      views = await toAccountViews(workspaceId, page, webhooks);
    });
    const noWebhookAppCalls = await commandsOf(doc, () =>
      toAccountViews(workspaceId, withoutWebhookApps, webhooks),
    );
    const rotatable = Object.fromEntries(
      views.map((v) => [v.appId ?? 'none', v.capabilities.passwordRotation]),
    );

    // acme-ads has the workspace's webhook, demo its own connector; vendor-portal's webhook is another
    // workspace's, and an account without a catalogue app never rotates.
    expect(rotatable).toEqual({ 'acme-ads': true, 'vendor-portal': false, demo: true, none: false });
    expect(pageCalls).toEqual(['QueryCommand']);
    expect(noWebhookAppCalls).toEqual([]);
    expect(JSON.stringify(views)).not.toContain('"ct"');
  });

  it('tells the workspace owners when a webhook is set up, pointed elsewhere or removed: notification list and outboxed email; never the secret', async () => {
    const workspace = unique('ws');
    const owner = await workspaceMember(users, workspace, 'owner');
    const admin = await workspaceMember(users, workspace, 'admin');
    const stranger = await workspaceMember(users, unique('ws'), 'owner');
    const inbox = (userId: string) =>
      notifications.deps.inbox.list(userId, { limit: 10, since: new Date('2026-01-01T00:00:00Z') });
    const before = emailed.length;

    const created = await putAppWebhook(
      admin,
      'acme-ads',
      { url: 'https://hooks.acme.example/t/SECRETPATH' },
      deps,
    );
    const rotated = await putAppWebhook(
      admin,
      'acme-ads',
      { url: 'https://hooks.acme.example/t/SECRETPATH', rotateSecret: true },
      deps,
    );
    clock.set('2026-11-23T12:02:00.000Z');
    await putAppWebhook(admin, 'acme-ads', { url: 'https://evil.example.net:8443/x' }, deps);
    await deleteAppWebhook(admin, 'acme-ads', deps);

    const ownerList = (await inbox(owner.id)).items;
    const mails = emailed.slice(before);
    const stored = await Promise.all(
      mails.map(
        async (m) =>
          (await doc.send(new GetCommand({ TableName: tableName, Key: outboxKey(m.messageId) }))).Item,
      ),
    );
    const everything = JSON.stringify({ ownerList, mails, stored, logged });

    // Three changes of where passwords go (a new secret alone is not one), each named for the owner.
    expect(
      ownerList.map((n) => [n.type, n.data.change, n.data.origin, n.data.actorUserId, n.data.appId]),
    ).toEqual([
      ['app_webhook_changed', 'deleted', 'https://evil.example.net:8443', admin.id, 'acme-ads'],
      ['app_webhook_changed', 'updated', 'https://evil.example.net:8443', admin.id, 'acme-ads'],
      ['app_webhook_changed', 'created', 'https://hooks.acme.example', admin.id, 'acme-ads'],
    ]);
    // Owners only while there is one: the admin who acted, and other workspaces, get nothing.
    expect((await inbox(admin.id)).items).toEqual([]);
    expect((await inbox(stranger.id)).items).toEqual([]);
    expect(mails.map((m) => m.to)).toEqual([owner.email, owner.email, owner.email]);
    expect(mails[0]?.subject).toContain('set up a webhook for Acme Ads');
    expect(mails[1]?.text).toContain(
      'now sent to: https://evil.example.net:8443 (before: https://hooks.acme.example)',
    );
    expect(mails[2]?.text).toContain('Rotations of Acme Ads accounts are refused');
    for (const item of stored) expect(item?.event).toMatchObject({ type: 'email.send' });
    // The secrets (both generated ones) and the URL's path appear nowhere: list, emails, outbox, logs.
    for (const secret of [created.secret, rotated.secret]) {
      expect(secret).toMatch(/^whsec_/);
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain('SECRETPATH');
  });
});
