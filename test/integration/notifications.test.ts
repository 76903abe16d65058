import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { deviceKeys, makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { inboxKeys } from '../../shared/adapters/dynamodb/inbox-repository';
import {
  makeNotificationRepository,
  notificationKeys,
} from '../../shared/adapters/dynamodb/notification-repository';
import { makePushCoalescer } from '../../shared/adapters/dynamodb/push-coalescer';
import { makePushDevicesReader, pushDevicesKey } from '../../shared/adapters/dynamodb/push-devices';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { joseDeviceKeys } from '../../shared/adapters/jose/device-keys';
import { defaultDeviceEmails } from '../../shared/domain/devices/emails';
import type { Device } from '../../shared/domain/devices/model';
import { disableDevice } from '../../shared/domain/devices/use-cases';
import { InvalidCursorError } from '../../shared/domain/errors';
import { deliverPushJobs } from '../../shared/domain/notifications/deliver';
import {
  listMyNotifications,
  notify,
  registerPush,
  updateWorkspaceNotificationSettings,
} from '../../shared/domain/notifications/use-cases';
import type { PushGateway, PushJob } from '../../shared/domain/ports';
import { fixedClock, mailOnCommit } from '../support/fakes';
import { localTable, outboxJobsOf, signedIn, unique } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const devices = makeDeviceRepository(doc, tableName);
const { settings, inbox, deliveries } = makeNotificationRepository(doc, tableName);

function setup() {
  const queued: PushJob[] = [];
  const clock = fixedClock('2026-11-23T12:00:00.000Z');
  const deps = {
    users,
    devices,
    settings,
    clock,
    newId,
    hmac: makeHmac(async () => Buffer.alloc(32, 9)),
    pushWindows: makePushCoalescer(doc, tableName),
    // The real transactions, minus the outbox items: the jobs are kept here to assert on.
    inbox: {
      ...inbox,
      commit: async (batch: Parameters<typeof inbox.commit>[0]) => {
        queued.push(...batch.jobs);
        return inbox.commit({ ...batch, jobs: [] });
      },
    },
  };
  return { deps, queued, clock };
}

async function member(workspace: string) {
  return signedIn(users, {
    issuer: 'https://idp.test',
    subject: unique('sub'),
    email: `${unique('u')}@acme.example`,
    name: 'M',
    workspaceName: workspace,
  });
}

/** A trusted mobile device written straight to the table (the devices flow is tested elsewhere). */
async function trustedMobile(userId: string, workspaceId: string, push?: Device['push']): Promise<Device> {
  const at = '2026-11-23T11:00:00.000Z';
  const device: Device = {
    id: newId('dev'),
    userId,
    workspaceId,
    clientType: 'mobile',
    os: 'iOS',
    name: unique('phone'),
    status: 'pending_approval',
    verificationMethod: 'approval',
    credentialHash: 'ab'.repeat(32),
    createdAt: at,
    updatedAt: at,
    lastSeenAt: at,
    pendingUntil: '2026-11-23T11:15:00.000Z',
  };
  await devices.create(device, 20);
  await devices.approve(device, new Date('2026-11-23T11:01:00.000Z'));
  const trusted = { ...device, status: 'trusted' as const };
  delete trusted.pendingUntil;
  if (push) await devices.setPush(trusted, push, new Date(at));
  return { ...trusted, ...(push ? { push } : {}) };
}

const activePush = (arn: string) => ({
  platform: 'APNS' as const,
  tokenHash: 'h',
  endpointArn: arn,
  active: true,
  updatedAt: '2026-11-23T11:00:00.000Z',
});

/** An SNS that answers each publish with `publish(arn)` (and manages no endpoints). */
const gatewayWith = (publish: PushGateway['publish']): PushGateway => ({
  platformConfigured: () => true,
  createEndpoint: async () => '',
  updateEndpoint: async () => 'updated',
  deleteEndpoint: async () => undefined,
  publish,
});

describe('notifications on DynamoDB Local', () => {
  it('delivers by policy: enforced beats a preference, an off preference suppresses, off types go nowhere', async () => {
    const { deps, queued } = setup();
    const workspace = unique('ws');
    const admin = await member(workspace);
    const user = await member(workspace);
    await trustedMobile(user.id, user.workspaceId, activePush(`arn:${unique('e')}`));
    await settings.updatePreferences(
      user.id,
      { account_shared: { enabled: false }, otp_code_received: { enabled: false } },
      new Date(),
    );
    await updateWorkspaceNotificationSettings(
      admin,
      {
        account_shared: { enabled: true, enforced: true },
        identity_verification_request: { enabled: false, enforced: false },
      },
      deps,
    );

    const enforced = await notify('account_shared', [user.id], { accountId: 'acc_1' }, deps);
    const optedOut = await notify(
      'otp_code_received',
      [user.id],
      { accountId: 'acc_1', messageId: 'm' },
      deps,
    );
    const disabled = await notify('identity_verification_request', [user.id], { challengeId: 'c' }, deps);

    expect([enforced.delivered, optedOut.delivered, disabled.delivered]).toEqual([1, 0, 0]);
    expect(queued.map((job) => job.kind === 'deliver' && job.type)).toEqual(['account_shared']);
    const listed = await listMyNotifications(user, { limit: 10 }, deps);
    expect(listed.items.map((item) => item.type)).toEqual(['account_shared']);
  });

  it('targets only trusted mobile devices with an active endpoint, and keeps payloads to ids', async () => {
    const { deps, queued } = setup();
    const user = await member(unique('ws'));
    const live = await trustedMobile(user.id, user.workspaceId, activePush('arn:live'));
    await trustedMobile(user.id, user.workspaceId, { ...activePush('arn:dead'), active: false });
    await trustedMobile(user.id, user.workspaceId);

    const result = await notify(
      'trusted_device_request',
      [user.id],
      { deviceId: 'dev_new', code: '123456' },
      deps,
    );
    const published: string[] = [];
    const gateway = gatewayWith(async (arn) => {
      published.push(arn);
      return 'sent';
    });
    const report = await deliverPushJobs(queued, {
      gateway,
      deliveries,
      devices,
      clock: { now: () => new Date() },
      concurrency: 4,
    });

    expect(result.delivered).toBe(1);
    expect(queued).toEqual([
      expect.objectContaining({ kind: 'deliver', userId: user.id, data: { deviceId: 'dev_new' } }),
    ]);
    expect(published).toEqual(['arn:live']);
    expect(report).toMatchObject({ sent: 1, undeliverable: 1 });
    expect(live.push?.endpointArn).toBe('arn:live');
  });

  it('pages notifications newest first with an opaque cursor bound to the caller', async () => {
    const { deps, clock } = setup();
    const user = await member(unique('ws'));
    const other = await member(unique('ws'));
    for (let i = 0; i < 5; i++) {
      clock.set(`2026-11-23T12:0${i}:00.000Z`);
      await notify('account_shared', [user.id], { accountId: `acc_${i}` }, deps);
    }
    await notify('account_shared', [other.id], { accountId: 'theirs' }, deps);

    const first = await listMyNotifications(user, { limit: 2 }, deps);
    const second = await listMyNotifications(user, { limit: 2, cursor: first.nextCursor ?? '' }, deps);
    const stolen = listMyNotifications(other, { limit: 10, cursor: first.nextCursor ?? '' }, deps);

    expect(first.items.map((i) => i.data.accountId)).toEqual(['acc_4', 'acc_3']);
    expect(second.items.map((i) => i.data.accountId)).toEqual(['acc_2', 'acc_1']);
    await expect(stolen).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listMyNotifications(user, { limit: 2, cursor: 'garbage' }, deps)).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('hides notifications older than 30 days even before TTL removes them', async () => {
    const { deps, clock } = setup();
    const user = await member(unique('ws'));
    clock.set('2026-10-01T00:00:00.000Z');
    await notify('account_shared', [user.id], { accountId: 'old' }, deps);
    clock.set('2026-11-23T12:00:00.000Z');

    expect((await listMyNotifications(user, { limit: 10 }, deps)).items).toEqual([]);
  });

  it('lets one of ten simultaneous workers claim a push job, and none once it is done', async () => {
    const notification = unique('ntf');
    const now = new Date();

    const claims = await Promise.all(
      Array.from({ length: 10 }, () => deliveries.claimJobs([notification], now, 60)),
    );

    const granted = claims.flat().filter((claim) => claim.granted);
    expect(granted).toHaveLength(1);
    const [winner] = granted;
    if (!winner) throw new Error('no claim granted');
    await deliveries.completeJobs([
      { notificationId: notification, leaseUntil: winner.leaseUntil, delivered: ['dev_1'], done: true },
    ]);
    const later = await deliveries.claimJobs([notification], new Date(now.getTime() + 3_600_000), 60);
    expect(later.map((claim) => claim.granted)).toEqual([false]);
  });

  it('lets one of five simultaneous batched claims take each job, and skips completed ones', async () => {
    const notifications = [unique('ntf'), unique('ntf'), unique('ntf')];
    const now = new Date();

    const rounds = await Promise.all(
      Array.from({ length: 5 }, () => deliveries.claimJobs(notifications, now, 60)),
    );

    expect(notifications.map((_, i) => rounds.filter((round) => round[i]?.granted).length)).toEqual([
      1, 1, 1,
    ]);
    const leaseUntil = new Date(now.getTime() + 60_000).toISOString();
    await deliveries.completeJobs(
      notifications.map((notificationId) => ({ notificationId, leaseUntil, delivered: [], done: true })),
    );
    const later = await deliveries.claimJobs(notifications, new Date(now.getTime() + 3_600_000), 60);
    expect(later.map((claim) => claim.granted)).toEqual([false, false, false]);
  });

  it('marks an inbound message notified with its notifications, once: a replay writes nothing', async () => {
    const { deps } = setup();
    const user = await member(unique('ws'));
    const messageId = unique('msg');
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...inboxKeys.claim(messageId), entity: 'InboundClaim', notified: false },
      }),
    );
    const send = () =>
      notify(
        'otp_code_received',
        [user.id],
        { accountId: 'acc_1', messageId },
        { ...deps, inbox },
        { inboundMessageId: messageId },
      );

    const first = await send();
    const replay = await send();

    expect([first.delivered, replay.delivered]).toEqual([1, 0]);
    expect((await listMyNotifications(user, { limit: 10 }, deps)).items).toHaveLength(1);
    const claim = await doc.send(
      new GetCommand({ TableName: tableName, Key: inboxKeys.claim(messageId), ConsistentRead: true }),
    );
    expect(claim.Item?.notified).toBe(true);
  });

  it('lets a claim be taken over once its lease ran out, and ignores the late completion of the first worker', async () => {
    const notification = unique('ntf');
    const [first] = await deliveries.claimJobs([notification], new Date('2026-11-23T12:00:00.000Z'), 60);
    expect(first?.granted).toBe(true);

    const early = await deliveries.claimJobs([notification], new Date('2026-11-23T12:00:30.000Z'), 60);
    expect(early[0]?.granted).toBe(false);
    const [second] = await deliveries.claimJobs([notification], new Date('2026-11-23T12:01:01.000Z'), 60);
    expect(second).toMatchObject({ granted: true, delivered: [] });

    // The first worker's completion comes too late: it must not end the job the second one holds.
    await deliveries.completeJobs([
      { notificationId: notification, leaseUntil: first?.leaseUntil ?? '', delivered: ['dev_1'], done: true },
    ]);
    const stored = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: notificationKeys.delivery(notification),
        ConsistentRead: true,
      }),
    );
    expect(stored.Item).toMatchObject({ status: 'sending', leaseUntil: second?.leaseUntil });
    expect(stored.Item?.delivered).toBeUndefined();
  });

  it('retries a job after a partial publish failure: only the devices not yet reached get the push', async () => {
    const user = await member(unique('ws'));
    const phones = await Promise.all(
      ['arn:a', 'arn:b', 'arn:c'].map((arn) => trustedMobile(user.id, user.workspaceId, activePush(arn))),
    );
    const published: string[] = [];
    let failing = true;
    const gateway = gatewayWith(async (arn) => {
      if (arn === 'arn:b' && failing) throw Object.assign(new Error('slow down'), { name: 'Throttling' });
      published.push(arn);
      return 'sent';
    });
    const job: PushJob = {
      kind: 'deliver',
      notificationId: unique('ntf'),
      userId: user.id,
      type: 'account_shared',
      title: 't',
      body: 'b',
      data: {},
    };
    const deps = { gateway, deliveries, devices, clock: { now: () => new Date() }, concurrency: 4 };

    const first = await deliverPushJobs([job], deps);
    expect(first).toMatchObject({ sent: 2, failed: 1, failedJobs: [0] });
    failing = false;
    // SQS redelivers the failed job, and a duplicate copy of it arrives afterwards.
    const retry = await deliverPushJobs([job], deps);
    const duplicate = await deliverPushJobs([job], deps);

    expect(retry).toMatchObject({ sent: 1, skipped: 2, failedJobs: [] });
    expect(duplicate).toMatchObject({ sent: 0, skipped: 3, failedJobs: [] });
    expect(published.sort()).toEqual(['arn:a', 'arn:b', 'arn:c']);
    const stored = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: notificationKeys.delivery(job.notificationId),
        ConsistentRead: true,
      }),
    );
    expect(stored.Item?.status).toBe('done');
    expect([...(stored.Item?.delivered as string[])].sort()).toEqual(phones.map((p) => p.id).sort());
  });

  it('carries a notification to 10 recipients per job: one claim each, every recipient reached once, a dead endpoint disabled under its owner', async () => {
    const { deps, queued } = setup();
    const workspace = unique('ws');
    const people = await Promise.all(Array.from({ length: 12 }, () => member(workspace)));
    const phones = await Promise.all(
      people.map((person, i) => trustedMobile(person.id, person.workspaceId, activePush(`arn:${i}`))),
    );
    const published: string[] = [];
    let failing = true;
    const gateway = gatewayWith(async (arn) => {
      if (arn === 'arn:3' && failing) throw Object.assign(new Error('slow down'), { name: 'Throttling' });
      if (arn === 'arn:11') return 'endpoint_disabled';
      published.push(arn);
      return 'sent';
    });
    const deliverDeps = { gateway, deliveries, devices, clock: { now: () => new Date() }, concurrency: 4 };

    const result = await notify(
      'account_shared',
      people.map((person) => person.id),
      { accountId: unique('acc') },
      deps,
    );
    const first = await deliverPushJobs(queued, deliverDeps);
    failing = false;
    const retry = await deliverPushJobs(queued, deliverDeps);

    expect(result.delivered).toBe(12);
    // Two jobs: the first ten recipients, then two; each keyed by its first recipient's record.
    expect(queued.map((job) => job.kind === 'deliver' && (job.recipients ?? [job.userId]).length)).toEqual([
      10, 2,
    ]);
    const [group] = queued as Array<Extract<PushJob, { kind: 'deliver' }>>;
    expect(group?.recipients).toEqual(people.slice(0, 10).map((person) => person.id));
    expect(group?.userId).toBe(people[0]?.id);
    const records = await listMyNotifications(people[0] as (typeof people)[0], { limit: 5 }, deps);
    expect(records.items.map((item) => item.id)).toContain(group?.notificationId);
    // The throttled publish failed its group only; the retry reached just that device.
    expect(first).toMatchObject({ sent: 10, disabled: 1, failed: 1, failedJobs: [0] });
    // (the disabled endpoint is no target any more: marked inactive by the first run)
    expect(retry).toMatchObject({ sent: 1, skipped: 10, failedJobs: [] });
    expect(published.sort()).toEqual(Array.from({ length: 11 }, (_, i) => `arn:${i}`).sort());
    for (const job of queued) {
      const stored = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: notificationKeys.delivery((job as { notificationId: string }).notificationId),
        }),
      );
      expect(stored.Item).toMatchObject({ status: 'done' });
    }
    expect((await devices.getDevice(people[11]?.id as string, phones[11]?.id as string))?.push).toMatchObject(
      {
        active: false,
      },
    );
  });

  it('sends no second push when the same job is delivered again, and disables a dead endpoint', async () => {
    const user = await member(unique('ws'));
    const phone = await trustedMobile(user.id, user.workspaceId, activePush('arn:phone'));
    const published: string[] = [];
    const gateway = gatewayWith(async (arn) => {
      published.push(arn);
      return arn === 'arn:phone' ? 'sent' : 'endpoint_disabled';
    });
    const job: PushJob = {
      kind: 'deliver',
      notificationId: unique('ntf'),
      userId: user.id,
      type: 'account_shared',
      title: 't',
      body: 'b',
      data: {},
      targets: [{ deviceId: phone.id, endpointArn: 'arn:phone', platform: 'APNS' }],
    };
    const deps = { gateway, deliveries, devices, clock: { now: () => new Date() }, concurrency: 4 };

    await deliverPushJobs([job], deps);
    await deliverPushJobs([job], deps);
    expect(published).toEqual(['arn:phone']);

    const dead = await trustedMobile(user.id, user.workspaceId, activePush('arn:dead'));
    await deliverPushJobs(
      [
        {
          ...job,
          notificationId: unique('ntf'),
          targets: [{ deviceId: dead.id, endpointArn: 'arn:dead', platform: 'APNS' }],
        },
      ],
      deps,
    );
    expect((await devices.getDevice(user.id, dead.id))?.push).toMatchObject({
      active: false,
      endpointArn: 'arn:dead',
    });
  });

  it('registers a push token once: a second call with a new token updates the same endpoint', async () => {
    const user = await member(unique('ws'));
    const phone = await trustedMobile(user.id, user.workspaceId);
    const calls: string[] = [];
    const gateway: PushGateway = {
      platformConfigured: () => true,
      createEndpoint: async (_p, token) => {
        calls.push(`create:${token}`);
        return 'arn:endpoint';
      },
      updateEndpoint: async (arn, token) => {
        calls.push(`update:${arn}:${token}`);
        return 'updated';
      },
      deleteEndpoint: async () => undefined,
      publish: async () => 'sent',
    };
    const deps = {
      devices,
      gateway,
      hmac: makeHmac(async () => Buffer.alloc(32, 2)),
      clock: fixedClock(),
      security: { record: () => undefined },
    };

    await registerPush(user, phone, phone.id, { platform: 'APNS', token: 'token-one' }, deps);
    const stored = (await devices.getDevice(user.id, phone.id)) as Device;
    await registerPush(user, stored, phone.id, { platform: 'APNS', token: 'token-one' }, deps);
    await registerPush(user, stored, phone.id, { platform: 'APNS', token: 'token-two' }, deps);

    expect(calls).toEqual(['create:token-one', 'update:arn:endpoint:token-two']);
    const after = await devices.getDevice(user.id, phone.id);
    expect(after?.push).toMatchObject({ endpointArn: 'arn:endpoint', active: true, platform: 'APNS' });
    expect(JSON.stringify(after)).not.toContain('token-two');
  });
});

describe('push coalescing', () => {
  it('pushes once per (recipient, type, subject) per minute, lists every event, never coalesces codes', async () => {
    const { deps, queued, clock } = setup();
    const user = await member(unique('ws'));
    await trustedMobile(user.id, user.workspaceId, activePush(`arn:${unique('e')}`));

    for (let i = 0; i < 20; i++)
      await notify('account_shared', [user.id], { accountId: 'acc_toggled' }, deps);
    await notify('account_shared', [user.id], { accountId: 'acc_other' }, deps);
    for (let i = 0; i < 3; i++) {
      await notify('otp_code_received', [user.id], { accountId: 'acc_toggled', messageId: `m${i}` }, deps);
    }
    clock.set('2026-11-23T12:01:00.000Z');
    await notify('account_shared', [user.id], { accountId: 'acc_toggled' }, deps);

    const pushed = queued.map((job) => (job.kind === 'deliver' ? `${job.type}:${job.data.accountId}` : ''));
    expect(pushed).toEqual([
      'account_shared:acc_toggled',
      'account_shared:acc_other',
      'otp_code_received:acc_toggled',
      'otp_code_received:acc_toggled',
      'otp_code_received:acc_toggled',
      'account_shared:acc_toggled',
    ]);
    expect((await listMyNotifications(user, { limit: 100 }, deps)).items).toHaveLength(25);
  });
});

describe('one push token, one device', () => {
  it('moves a token to the device that registered it last; only the holder deletes the endpoint', async () => {
    const { deps } = setup();
    const alice = await member(unique('ws'));
    const bob = await member(unique('ws'));
    const oldPhone = await trustedMobile(alice.id, alice.workspaceId);
    const newPhone = await trustedMobile(bob.id, bob.workspaceId);
    const events: string[] = [];
    // SNS answers the same endpoint for the same token: both devices would hold one ARN.
    const gateway: PushGateway = {
      platformConfigured: () => true,
      createEndpoint: async (_platform, token) => `arn:endpoint:${token}`,
      updateEndpoint: async () => 'updated',
      deleteEndpoint: async () => undefined,
      publish: async () => 'sent',
    };
    const pushDeps = {
      ...deps,
      gateway,
      security: { record: (e: { event: string }) => void events.push(e.event) },
    };
    const token = `apns-${unique('t')}`;

    await registerPush(alice, oldPhone, oldPhone.id, { platform: 'APNS', token }, pushDeps);
    const moved = await registerPush(bob, newPhone, newPhone.id, { platform: 'APNS', token }, pushDeps);
    const old = await devices.getDevice(alice.id, oldPhone.id);
    const deviceDeps = {
      ...deps,
      mailer: { send: async () => ({ messageId: 'm' }) },
      mailOutbox: mailOnCommit().mailOutbox,
      notifier: { notify: async () => undefined },
      queue: {
        enqueue: async () => {
          throw new Error('a write after the commit');
        },
      },
      emailQuota: { take: async () => true, release: async () => undefined },
      security: { record: () => undefined },
      emails: defaultDeviceEmails,
      deviceKeys: joseDeviceKeys,
      workspaceAdmins: async () => [],
    };
    await disableDevice(alice, oldPhone, oldPhone.id, deviceDeps);
    await disableDevice(bob, newPhone, newPhone.id, deviceDeps);

    expect(moved).toMatchObject({ active: true, endpointArn: `arn:endpoint:${token}` });
    expect(old?.push).toMatchObject({ active: false });
    expect(old?.push?.endpointArn).toBeUndefined();
    expect(events).toContain('device.push_token_moved');
    expect(await outboxJobsOf(doc, tableName, alice.id)).toEqual([]);
    expect(await outboxJobsOf(doc, tableName, bob.id)).toEqual([
      { kind: 'delete_endpoints', userId: bob.id, endpointArns: [`arn:endpoint:${token}`] },
    ]);
  });

  it("keeps each user's push devices in step with the device writes, from one item once it is built", async () => {
    const user = await member(unique('ws'));
    const a = await trustedMobile(user.id, user.workspaceId, activePush('arn:a'));
    const b = await trustedMobile(user.id, user.workspaceId, activePush('arn:b'));
    const c = await trustedMobile(user.id, user.workspaceId, { ...activePush('arn:c'), tokenHash: 'tc' });
    const read = async () =>
      Object.fromEntries(
        ((await devices.pushDevices([user.id])).get(user.id) ?? []).map((d) => [d.id, d.push]),
      );

    expect(Object.keys(await read()).sort()).toEqual([a.id, b.id, c.id].sort());
    await devices.markPushInactive(user.id, b.id, 'arn:b', 'endpoint_disabled');
    await devices.releasePushToken(user.id, c.id, 'tc');
    await devices.retire(a, 'disabled', new Date());
    const item = (await doc.send(new GetCommand({ TableName: tableName, Key: pushDevicesKey(user.id) })))
      .Item;

    // Disabled from a read taken before it registered: its entry goes all the same.
    const late = await trustedMobile(user.id, user.workspaceId);
    await devices.setPush(late, activePush('arn:late'), new Date());
    await devices.retire(late, 'disabled', new Date());

    expect(item?.complete).toBe(true);
    expect(await read()).toEqual({
      [b.id]: { platform: 'APNS', endpointArn: 'arn:b', active: false },
      [c.id]: { platform: 'APNS', active: false },
    });
  });

  it('builds the push devices of registrations made before the item existed, never over a write that raced it', async () => {
    const user = await member(unique('ws'));
    const phone = await trustedMobile(user.id, user.workspaceId);
    // A registration written the way it was before the item existed: on the device only.
    const legacy = { ...phone, push: activePush('arn:legacy') };
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...deviceKeys.device(user.id, phone.id), entity: 'Device', ...legacy },
      }),
    );
    // The device is disabled while the first read's Query runs: that read answers what it saw, but
    // must not store it.
    const racing = makePushDevicesReader(doc, tableName, async (userId) => {
      const seen = await devices.listDevices(userId);
      await devices.retire(legacy, 'disabled', new Date());
      return seen;
    });

    const first = await racing([user.id]);
    const stored = (await doc.send(new GetCommand({ TableName: tableName, Key: pushDevicesKey(user.id) })))
      .Item;
    const next = await devices.pushDevices([user.id]);

    expect(first.get(user.id)?.map((d) => d.id)).toEqual([phone.id]);
    expect(stored?.complete).toBeUndefined();
    expect(next.get(user.id)).toEqual([]);

    const other = await member(unique('ws'));
    const otherPhone = await trustedMobile(other.id, other.workspaceId);
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...deviceKeys.device(other.id, otherPhone.id),
          entity: 'Device',
          ...otherPhone,
          push: activePush('arn:backfilled'),
        },
      }),
    );
    expect((await devices.pushDevices([other.id])).get(other.id)).toMatchObject([
      { id: otherPhone.id, push: { endpointArn: 'arn:backfilled' } },
    ]);
    const built = (await doc.send(new GetCommand({ TableName: tableName, Key: pushDevicesKey(other.id) })))
      .Item;
    expect(built).toMatchObject({
      complete: true,
      [`push_${otherPhone.id}`]: { endpointArn: 'arn:backfilled' },
    });
  });
});
