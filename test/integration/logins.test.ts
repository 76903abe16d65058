import { compactDecrypt, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import { makeLoginGrantRepository } from '../../shared/adapters/dynamodb/login-grant-repository';
import { joseDeviceKeys } from '../../shared/adapters/jose/device-keys';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import type { InboxMessage } from '../../shared/domain/accounts/model';
import { createAccount, putMember } from '../../shared/domain/accounts/use-cases';
import type { Device } from '../../shared/domain/devices/model';
import { NotFoundError } from '../../shared/domain/errors';
import {
  DeviceKeyMissingError,
  GrantExpiredError,
  LoginGrantLimitError,
} from '../../shared/domain/logins/errors';
import {
  issueLoginGrant,
  type LoginDeps,
  pollGrantCode,
  reportUnrecognizedLogin,
} from '../../shared/domain/logins/use-cases';
import type { PushJob } from '../../shared/domain/ports';
import { deviceDepsOnTable } from '../support/device-deps';
import { aDevice } from '../support/fakes';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();

function setup(loginRules: LoginDeps['loginRules'] = {}) {
  const { base, clock, emails, events } = deviceDepsOnTable(doc, tableName, {
    start: '2026-11-29T12:00:00.000Z',
    hmacKeyByte: 9,
  });
  const notified: Array<{ type: string; recipients: string[]; payload: Record<string, string> }> = [];
  const grants = makeLoginGrantRepository(doc, tableName);
  const deps: LoginDeps = {
    ...base,
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    keyring: makeKeyring(localDataKeys(Buffer.alloc(32, 7))),
    notifier: {
      notify: async (type, recipients, payload) => {
        notified.push({ type, recipients, payload });
      },
    },
    queue: { enqueue: async (_jobs: PushJob[]) => undefined },
    workspaceAdmins: async () => [],
    inboundEmailDomain: 'inbound.test',
    grants,
    loginRules,
  };
  return { deps, clock, emails, events, notified, grants };
}

/** A trusted device of `user` holding a fresh P-256 key, stored through the real repository. */
async function keyedDevice(deps: LoginDeps, user: { id: string; workspaceId: string }) {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' });
  const key = await joseDeviceKeys.parsePublicKey(await exportJWK(publicKey), deps.clock.now());
  const device: Device = aDevice({
    id: unique('dev'),
    userId: user.id,
    workspaceId: user.workspaceId,
    name: unique('n'),
  });
  expect(await deps.devices.create(device, 20)).toBe('applied');
  expect(await deps.devices.setPublicKey(device, key, deps.clock.now())).toBe('applied');
  return Object.assign({ ...device, publicKey: key }, { privateKey });
}

async function codeIn(poll: Awaited<ReturnType<typeof pollGrantCode>>, key: CryptoKeyLike) {
  if (poll.status !== 'ready') return poll.status;
  const { plaintext } = await compactDecrypt(poll.jwe, key);
  return JSON.parse(new TextDecoder().decode(plaintext)).code as string;
}
type CryptoKeyLike = Parameters<typeof compactDecrypt>[1];

async function sharedAccount(deps: LoginDeps) {
  const workspace = unique('ws');
  const owner = await workspaceMember(deps.users as never, workspace, 'owner');
  const collaborator = await workspaceMember(deps.users as never, workspace);
  const account = await createAccount(owner, { appName: 'Ads', username: 'u', password: 'pw-secret' }, deps);
  await putMember(owner, account.id, collaborator.id, 'collaborator', deps);
  return { owner, collaborator, account };
}

function smsAt(accountId: string, receivedAt: string, code: string, from = '+12025550123'): InboxMessage {
  return {
    id: unique('msg'),
    accountId,
    channel: 'sms',
    from,
    to: '+15550000000',
    receivedAt,
    text: `Your code is ${code}`,
    code,
    kind: 'keyword',
    confidence: 1,
    links: [],
    flags: [],
  };
}

describe('login grants on DynamoDB Local', () => {
  it('counts grants per user and per account in one transaction; a refused grant writes nothing', async () => {
    const { deps, events } = setup({ grantsPerUserPerHour: 2, grantsPerAccountPerHour: 3 });
    const { owner, collaborator, account } = await sharedAccount(deps);
    const mine = await keyedDevice(deps, collaborator);
    const owners = await keyedDevice(deps, owner);

    await issueLoginGrant(collaborator, mine, account.id, '192.0.2.1', deps);
    await issueLoginGrant(collaborator, mine, account.id, '192.0.2.1', deps);
    const userCapped = await issueLoginGrant(collaborator, mine, account.id, '192.0.2.1', deps).catch(
      (e) => e,
    );
    await issueLoginGrant(owner, owners, account.id, '192.0.2.1', deps);
    const accountCapped = await issueLoginGrant(owner, owners, account.id, '192.0.2.1', deps).catch((e) => e);

    expect(userCapped).toBeInstanceOf(LoginGrantLimitError);
    expect(userCapped.details.scope).toBe('user');
    expect(userCapped.details.retryAfter).toBe(3600);
    expect(accountCapped).toBeInstanceOf(LoginGrantLimitError);
    expect(accountCapped.details.scope).toBe('account');
    const granted = events.filter((e) => e.event === 'login.granted');
    expect(granted.map((e) => e.outcome)).toEqual(['success', 'success', 'failure', 'success', 'failure']);
    expect(granted[0]).toMatchObject({ ip: '192.0.2.1', deviceId: mine.id, userId: collaborator.id });
  });

  it('refuses a device without a key, and a non-member, before counting anything', async () => {
    const { deps } = setup({ grantsPerUserPerHour: 1 });
    const { collaborator, account } = await sharedAccount(deps);
    const stranger = await workspaceMember(deps.users as never, unique('ws'));
    const keyless = aDevice({ userId: collaborator.id });

    await expect(
      issueLoginGrant(collaborator, keyless, account.id, '192.0.2.1', deps),
    ).rejects.toBeInstanceOf(DeviceKeyMissingError);
    await expect(
      issueLoginGrant(stranger, await keyedDevice(deps, stranger), account.id, '192.0.2.1', deps),
    ).rejects.toBeInstanceOf(NotFoundError);
    // The one grant of the hour is still free.
    const grant = await issueLoginGrant(
      collaborator,
      await keyedDevice(deps, collaborator),
      account.id,
      '192.0.2.1',
      deps,
    );
    expect(grant.jwe.split('.')).toHaveLength(5);
  });

  it('warns once per new network, not on the first, and again after 90 days without use', async () => {
    const { deps, clock, notified } = setup();
    const { collaborator, account } = await sharedAccount(deps);
    const device = await keyedDevice(deps, collaborator);
    const grant = (ip: string) => issueLoginGrant(collaborator, device, account.id, ip, deps);

    await grant('192.0.2.10');
    await grant('192.0.2.99');
    const [a, b] = await Promise.all([grant('198.51.100.1'), grant('198.51.100.2')]);
    clock.set('2027-02-20T12:00:00.000Z'); // 83 days on: both networks still known
    await grant('192.0.2.1');
    clock.set('2027-05-21T12:00:01.000Z'); // 90 days after 198.51.100.x was last used
    const stale = await grant('198.51.100.3');

    const warnings = notified.filter((n) => n.type === 'unrecognized_login');
    expect(warnings).toHaveLength(2);
    expect([a.id, b.id]).toContain(warnings[0]?.payload.grantId);
    expect(warnings[1]?.payload).toEqual({ grantId: stale.id, accountId: account.id, deviceId: device.id });
    expect(warnings.every((w) => w.recipients.join() === collaborator.id)).toBe(true);
  });

  it('gives each code to one grant, only codes received after it, and dies after the code window', async () => {
    const { deps, clock } = setup();
    const { owner, collaborator, account } = await sharedAccount(deps);
    const first = await keyedDevice(deps, collaborator);
    const second = await keyedDevice(deps, owner);
    await deps.inbox.store(smsAt(account.id, '2026-11-29T11:59:59.000Z', '100000'), 30);
    const g1 = await issueLoginGrant(collaborator, first, account.id, '192.0.2.1', deps);
    const g2 = await issueLoginGrant(owner, second, account.id, '192.0.2.1', deps);
    await deps.inbox.store(smsAt(account.id, '2026-11-29T12:00:05.000Z', '200000', '+1999'), 30);
    await deps.inbox.store(smsAt(account.id, '2026-11-29T12:00:06.000Z', '300000'), 30);
    clock.set('2026-11-29T12:00:10.000Z');

    const [p1, p2] = await Promise.all([
      pollGrantCode(collaborator, first, account.id, g1.id, '+12025550123', deps),
      pollGrantCode(owner, second, account.id, g2.id, undefined, deps),
    ]);
    const p2again = await pollGrantCode(owner, second, account.id, g2.id, undefined, deps);
    const otherDevice = await pollGrantCode(collaborator, second, account.id, g1.id, undefined, deps).catch(
      (e) => e,
    );
    clock.set('2026-11-29T12:05:00.000Z');
    const late = await pollGrantCode(collaborator, first, account.id, g1.id, undefined, deps).catch((e) => e);

    // g1 named the app's usual sender and got 300000; g2 took the oldest code left, 200000; nobody
    // got 100000, which came before both grants.
    expect(await codeIn(p1, first.privateKey)).toBe('300000');
    expect(await codeIn(p2, second.privateKey)).toBe('200000');
    expect(await codeIn(p2again, second.privateKey)).toBe('200000');
    await expect(codeIn(p2, first.privateKey)).rejects.toThrow();
    expect(otherDevice).toBeInstanceOf(NotFoundError);
    expect(late).toBeInstanceOf(GrantExpiredError);
  });

  it('"not me" disables the asking device once', async () => {
    const { deps, events } = setup();
    const { collaborator, account } = await sharedAccount(deps);
    const device = await keyedDevice(deps, collaborator);
    const phone = aDevice({ id: unique('dev'), userId: collaborator.id, clientType: 'mobile' });
    const grant = await issueLoginGrant(collaborator, device, account.id, '192.0.2.1', deps);

    const reported = await reportUnrecognizedLogin(collaborator, phone, account.id, grant.id, deps);
    const again = await reportUnrecognizedLogin(collaborator, phone, account.id, grant.id, deps).catch(
      (e) => e,
    );
    const stored = await deps.devices.getDevice(collaborator.id, device.id);

    expect(reported.device.status).toBe('disabled');
    expect(stored?.status).toBe('disabled');
    expect(again.name).toBe('GrantAlreadyReportedError');
    expect(events.filter((e) => e.event === 'login.reported')).toHaveLength(1);
  });
});
