import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { accountKeys, makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeInboxRepository } from '../../shared/adapters/dynamodb/inbox-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import {
  InvalidLoginTimeError,
  LastOwnerError,
  RoleNotAllowedError,
} from '../../shared/domain/accounts/errors';
import { ingestInbound } from '../../shared/domain/accounts/ingest';
import {
  type AccountDeps,
  createAccount,
  listAccountInbox,
  listAccounts,
  listInbox,
  provisionPhone,
  putMember,
  recordLoginResult,
  removeMember,
  requireMember,
  securityLevel,
  viewPassword,
} from '../../shared/domain/accounts/use-cases';
import { ForbiddenError, InvalidCursorError, NotFoundError } from '../../shared/domain/errors';
import type { WorkspaceRole } from '../../shared/domain/users/model';
import { makeNotifier } from '../../shared/runtime/notify';
import { fixedClock } from '../support/fakes';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);

function setup() {
  const notified: Array<{ type: string; recipients: string[] }> = [];
  let phones = 0;
  const requestedTypes: string[] = [];
  const deps: AccountDeps & {
    phoneNumbers: {
      request: (type: string) => Promise<{ phoneNumber: string; phoneNumberId: string }>;
      release: () => Promise<void>;
    };
  } = {
    accounts: makeAccountRepository(doc, tableName),
    inbox: makeInboxRepository(doc, tableName),
    users,
    keyring: makeKeyring(localDataKeys(Buffer.alloc(32, 5))),
    hmac: makeHmac(async () => Buffer.alloc(32, 6)),
    notifier: {
      notify: async (type, recipients) => {
        notified.push({ type, recipients });
      },
    },
    clock: fixedClock('2026-11-23T12:00:00.000Z'),
    newId,
    security: { record: () => undefined },
    inboundEmailDomain: 'inbound.test',
    phoneNumbers: {
      request: async (type) => {
        requestedTypes.push(type);
        return {
          phoneNumber: `+1555099${String(Date.now() % 10000).padStart(4, '0')}${phones++}`,
          phoneNumberId: newId('phone'),
        };
      },
      release: async () => undefined,
    },
  };
  return { deps, notified, requestedTypes };
}

const member = (workspace: string, role?: WorkspaceRole) => workspaceMember(users, workspace, role);

const input = { appName: 'Acme Ads', username: 'ads@acme.example', password: 'correct horse battery staple' };

describe('accounts on DynamoDB Local', () => {
  it('creates an account owned by its creator, with the password sealed at rest', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));

    const account = await createAccount(owner, input, deps);
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: accountKeys.account(account.id) }),
    );

    expect(JSON.stringify(Item)).not.toContain('battery');
    expect(await viewPassword(owner, account.id, deps)).toBe(input.password);
    expect((await listAccounts(owner, { limit: 10 }, deps)).items.map((i) => [i.account.id, i.role])).toEqual(
      [[account.id, 'owner']],
    );
  });

  it('answers 404 to strangers and other workspaces, 403 to collaborators on owner actions', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const collaborator = await member(workspace);
    const stranger = await member(workspace);
    const outsider = await member(unique('ws'));
    const account = await createAccount(owner, input, deps);
    await putMember(owner, account.id, collaborator.id, 'collaborator', deps);

    await expect(requireMember(stranger, account.id, deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(requireMember(outsider, account.id, deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(viewPassword(collaborator, account.id, deps)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(requireMember(collaborator, account.id, deps)).resolves.toMatchObject({
      membership: { role: 'collaborator' },
    });
  });

  it('keeps guests and login-only users to collaborator, and refuses them account creation', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const guest = await member(workspace, 'guest');
    const account = await createAccount(owner, input, deps);

    await expect(putMember(owner, account.id, guest.id, 'owner', deps)).rejects.toBeInstanceOf(
      RoleNotAllowedError,
    );
    await expect(putMember(owner, account.id, guest.id, 'collaborator', deps)).resolves.toMatchObject({
      role: 'collaborator',
    });
    await expect(createAccount(guest, input, deps)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('keeps the last owner even when two owners remove each other at once', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const first = await member(workspace);
    const second = await member(workspace);
    const account = await createAccount(first, input, deps);
    await putMember(first, account.id, second.id, 'owner', deps);

    const results = await Promise.allSettled([
      removeMember(first, account.id, second.id, deps),
      removeMember(second, account.id, first.id, deps),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const owners = (await deps.accounts.members(account.id)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
    const onlyOwner = owners[0]?.userId === first.id ? first : second;
    await expect(removeMember(onlyOwner, account.id, onlyOwner.id, deps)).rejects.toBeInstanceOf(
      LastOwnerError,
    );
  });

  it('claims a number or address for one account at a time, and frees it only from its holder', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const a = await createAccount(owner, input, deps);
    const b = await createAccount(owner, { ...input, appName: 'Other' }, deps);
    const repo = deps.accounts;
    const now = new Date('2026-11-23T12:00:00.000Z');
    const number = { phoneNumber: `+1555${String(Date.now()).slice(-7)}`, phoneNumberId: newId('phone') };
    const route = async (key: Record<string, string>) =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    const load = async (id: string) => {
      const account = await repo.get(id);
      if (!account) throw new Error(`account ${id} is gone`);
      return account;
    };

    expect(await repo.assignPhone(a.id, number, now)).toBe('applied');
    expect(await repo.assignPhone(b.id, number, now)).toBe('conflict');
    const second = { phoneNumber: `${number.phoneNumber}9`, phoneNumberId: newId('phone') };
    expect(await repo.assignPhone(a.id, second, now)).toBe('conflict');
    expect(await route(accountKeys.phoneRoute(number.phoneNumber))).toMatchObject({ accountId: a.id });
    expect(await route(accountKeys.phoneRoute(second.phoneNumber))).toBeUndefined();
    expect((await load(b.id)).phoneNumber).toBeUndefined();

    const heldA = await load(a.id);
    expect(heldA.phoneNumber).toBe(number.phoneNumber);
    expect(await repo.releasePhone(heldA, now)).toEqual({ phoneNumberId: number.phoneNumberId });
    expect(await repo.releasePhone(heldA, now)).toBeUndefined();
    expect(await route(accountKeys.phoneRoute(number.phoneNumber))).toBeUndefined();
    expect(await repo.assignPhone(b.id, number, now)).toBe('applied');

    const address = `lk-${unique('x')}@inbound.test`;
    expect(await repo.assignEmail(a.id, address, now)).toBe('applied');
    expect(await repo.assignEmail(b.id, address, now)).toBe('conflict');
    const staleA = await load(a.id);
    await repo.releaseEmail(staleA, now);
    expect(await repo.assignEmail(b.id, address, now)).toBe('applied');
    // A's stale view still names the address; releasing again must not free B's claim.
    await repo.releaseEmail(staleA, now);
    expect(await route(accountKeys.emailRoute(address))).toMatchObject({ accountId: b.id });
    expect((await load(b.id)).emailAddress).toBe(address);
  });

  it('routes an SMS to its account: stored once over three replays, one notification to every member', async () => {
    const { deps, notified } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const collaborator = await member(workspace);
    const account = await createAccount(owner, input, deps);
    await putMember(owner, account.id, collaborator.id, 'collaborator', deps);
    notified.length = 0;
    const phone = await provisionPhone(owner, account.id, 'voip', deps);
    const sms = {
      channel: 'sms' as const,
      naturalId: unique('in'),
      from: '+12025550123',
      to: phone,
      text: 'G-572913 is your Google verification code.',
      receivedAt: '2026-11-23T11:59:00.000Z',
    };

    // The real notifier: it marks the message's claim notified in the same write as the notifications.
    const real = makeNotifier(doc, tableName).notifier;
    const notifier = {
      notify: async (...args: Parameters<typeof real.notify>) => {
        notified.push({ type: args[0], recipients: args[1] });
        await real.notify(...args);
      },
    };
    for (let i = 0; i < 3; i++)
      await ingestInbound({ ...sms, receivedAt: `2026-11-23T11:59:0${i}.000Z` }, { ...deps, notifier });
    const inbox = await listAccountInbox(collaborator, account.id, { limit: 10 }, deps);

    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toMatchObject({ code: '572913', channel: 'sms', to: phone });
    expect(notified).toEqual([
      { type: 'otp_code_received', recipients: expect.arrayContaining([owner.id, collaborator.id]) },
    ]);
    expect(
      (await securityLevel(owner, account.id, deps)).milestones.find((m) => m.id === 'managed_mfa')?.done,
    ).toBe(true);
  });

  it('merges the inboxes of every account, newest first, page by page', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const a = await createAccount(owner, input, deps);
    const b = await createAccount(owner, { ...input, appName: 'Other' }, deps);
    const phoneA = await provisionPhone(owner, a.id, 'voip', deps);
    const phoneB = await provisionPhone(owner, b.id, 'voip', deps);
    for (let i = 0; i < 4; i++) {
      await ingestInbound(
        {
          channel: 'sms',
          naturalId: unique('in'),
          from: '+1',
          to: i % 2 ? phoneB : phoneA,
          text: `Your code is 10000${i}`,
          receivedAt: `2026-11-23T10:0${i}:00.000Z`,
        },
        deps,
      );
    }

    const first = await listInbox(owner, { limit: 3 }, deps);
    const second = await listInbox(owner, { limit: 3, cursor: first.nextCursor ?? '' }, deps);

    expect(first.items.map((m) => m.code)).toEqual(['100003', '100002', '100001']);
    expect(second.items.map((m) => m.code)).toEqual(['100000']);
    expect(second.nextCursor).toBeNull();
  });
});

describe('accounts: input that must not make a false record', () => {
  it('gives an app that refuses VoIP a non-VoIP number when no type is asked for', async () => {
    const { deps, requestedTypes } = setup();
    const owner = await member(unique('ws'));
    const refusing = await createAccount(owner, { ...input, capabilities: { acceptsVoip: false } }, deps);
    const accepting = await createAccount(owner, input, deps);

    await provisionPhone(owner, refusing.id, undefined, deps);
    await provisionPhone(owner, accepting.id, undefined, deps);

    expect(requestedTypes).toEqual(['non_voip', 'voip']);
  });

  it('accepts only a real, recent login time', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const account = await createAccount(owner, input, deps);
    const record = (at: string) => recordLoginResult(owner, account.id, { success: true, at }, deps);

    for (const at of [
      '2099-99-99T99:99:99Z',
      '2026-02-30T10:00:00Z',
      '2026-11-23T12:05:01Z',
      '2026-10-01T00:00:00Z',
    ]) {
      await expect(record(at), at).rejects.toBeInstanceOf(InvalidLoginTimeError);
    }
    await expect(record('2026-11-23T12:04:59Z')).resolves.toMatchObject({ at: '2026-11-23T12:04:59.000Z' });
    await expect(record('2026-11-01T00:00:00.5Z')).resolves.toMatchObject({ at: '2026-11-01T00:00:00.500Z' });
  });

  it('removes control and bidi characters from names and flags the account', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));

    const account = await createAccount(owner, { ...input, appName: 'Acme\u202E sdA\u0007' }, deps);

    expect(account).toMatchObject({ appName: 'Acme sdA', flags: ['sanitized'] });
    const clean = await createAccount(owner, input, deps);
    expect(clean.flags).toBeUndefined();
  });
});

describe('list cursors', () => {
  it('refuses a crafted, foreign or cross-list cursor with InvalidCursorError, never a database error', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const other = await member(workspace);
    for (let i = 0; i < 3; i++) await createAccount(owner, { ...input, appName: `App ${i}` }, deps);
    const page = await listAccounts(owner, { limit: 1 }, deps);
    const cursor = page.nextCursor ?? '';

    const attempts = [
      () => listInbox(owner, { limit: 10, cursor: 'TUVTU0FHRSM' }, deps),
      () => listInbox(owner, { limit: 10, cursor: `TUVTU0FHRSM.${'0'.repeat(32)}` }, deps),
      () => listInbox(owner, { limit: 10, cursor }, deps),
      () => listAccounts(other, { limit: 1, cursor }, deps),
    ];

    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(InvalidCursorError);
    expect(cursor).not.toBe('');
    expect((await listAccounts(owner, { limit: 5, cursor }, deps)).items).toHaveLength(2);
  });
});
