import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSentEmails, type SesLocal } from '../../local/ses-local';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeChallengeRepository } from '../../shared/adapters/dynamodb/challenge-repository';
import { makeContinuityRepository } from '../../shared/adapters/dynamodb/continuity-repository';
import { makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeEmailQuota } from '../../shared/adapters/dynamodb/email-quota';
import {
  makeMailOutbox,
  makeOutboxMailDelivery,
  makeOutboxMailer,
} from '../../shared/adapters/dynamodb/outbox-mail';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import type { makeSesMailer } from '../../shared/adapters/ses/mailer';
import { RoleNotAllowedError } from '../../shared/domain/accounts/errors';
import type { Account } from '../../shared/domain/accounts/model';
import { type AccountDeps, removeMember } from '../../shared/domain/accounts/use-cases';
import {
  AccountNotOrphanedError,
  alertIfOwnerless,
  assignOrphanedAccountOwner,
  type ContinuityDeps,
  listOrphanedAccounts,
  recordIfOrphaned,
  recordOrphanedAccounts,
} from '../../shared/domain/directory/continuity';
import {
  LastWorkspaceOwnerError,
  RoleChangeConflictError,
  setWorkspaceRole,
} from '../../shared/domain/directory/roles';
import { InvalidCursorError, NotFoundError } from '../../shared/domain/errors';
import type { DomainEvent } from '../../shared/domain/events';
import {
  applyDeprovisioning,
  type DeprovisionDeps,
  deprovisionUser,
} from '../../shared/domain/users/deprovision-user';
import type { User } from '../../shared/domain/users/model';
import { makeNotifier } from '../../shared/runtime/notify';
import { localTable, unique, workspaceMember } from './dynamo';
import { localSesMailer } from './ses';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const directory = makeDirectoryRepository(doc, tableName);
const devices = makeDeviceRepository(doc, tableName);
const accounts = makeAccountRepository(doc, tableName);
const { orphans, claimAlert } = makeContinuityRepository(doc, tableName);
const clock = { now: () => new Date() };
const security = { record: () => undefined };

const roleDeps = { directory, users, clock, security };
const deprovisionDeps: DeprovisionDeps = {
  users,
  devices,
  clock,
  security,
  queue: { enqueue: async () => undefined },
  newId,
  owners: directory.owners,
};

/** A workspace with exactly two active owners. */
async function twoOwners(workspace = unique('race')): Promise<[User, User]> {
  const first = await workspaceMember(users, workspace, 'owner');
  const second = await workspaceMember(users, workspace, 'owner');
  return [first, second];
}

const settled = async (work: Promise<unknown>[]) => {
  const outcomes = await Promise.allSettled(work);
  return {
    won: outcomes.filter((o) => o.status === 'fulfilled').length,
    refused: outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : [])),
  };
};

const refusal = (error: unknown) =>
  error instanceof LastWorkspaceOwnerError || error instanceof RoleChangeConflictError;

/** The race is run several times: one lucky interleaving proves little. */
const ROUNDS = 6;

describe('the last workspace owner, under concurrent changes, on DynamoDB Local', () => {
  it('lets exactly one of two concurrent demotions of the two last owners win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        setWorkspaceRole(a, b.id, 'admin', roleDeps),
        setWorkspaceRole(b, a.id, 'admin', roleDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });

  it('lets exactly one of two owners deprovisioning each other through the API win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        deprovisionUser(a, b.id, deprovisionDeps),
        deprovisionUser(b, a.id, deprovisionDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });

  it('keeps an owner when one owner is demoted while the other is deprovisioned', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        setWorkspaceRole(a, b.id, 'admin', roleDeps),
        deprovisionUser(b, a.id, deprovisionDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });
});

const continuity: ContinuityDeps = {
  accounts,
  users,
  directory,
  orphans,
  hmac: makeHmac(async () => Buffer.alloc(32, 7)),
  clock,
  newId,
  security,
};
/** The deprovisioning as the SCIM runtime wires it: the continuity index is part of it. */
const scimDeprovision: DeprovisionDeps = {
  ...deprovisionDeps,
  accounts,
  recordOrphanedAccounts: (user) =>
    recordOrphanedAccounts(user, { accounts, users, directory, orphans, clock }),
};

async function anAccount(owner: User, appName = unique('app')): Promise<Account> {
  const at = new Date().toISOString();
  const account: Account = {
    id: newId('acc'),
    workspaceId: owner.workspaceId,
    appName,
    username: 'shared@acme.example',
    password: { v: 1, edk: 'e', iv: 'i', tag: 't', ct: 'c' },
    capabilities: { managedPhone: false, acceptsVoip: false, managedEmail: false },
    ownerCount: 1,
    createdBy: owner.id,
    createdAt: at,
    updatedAt: at,
  };
  await accounts.create(account, { accountId: account.id, userId: owner.id, role: 'owner', addedAt: at });
  return account;
}

async function share(account: Account, user: User, role: 'owner' | 'collaborator') {
  const previous = await accounts.membership(account.id, user.id);
  await accounts.putMember(
    account.id,
    { accountId: account.id, userId: user.id, role, addedAt: new Date().toISOString() },
    previous?.role,
  );
}

/** A team of `members`, shared with the account as `role`. */
async function teamOwning(account: Account, members: User[], role: 'owner' | 'collaborator' = 'owner') {
  const at = new Date().toISOString();
  const team = await directory.createTeam({
    id: newId('team'),
    workspaceId: account.workspaceId,
    displayName: unique('team'),
    memberCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  await directory.updateTeam(
    team,
    { displayName: team.displayName, add: members.map((m) => m.id), remove: [] },
    new Date(),
    (added, removed) => ({
      id: newId('evt'),
      type: 'team.membership_changed',
      occurredAt: at,
      workspaceId: account.workspaceId,
      detail: { added, removed },
    }),
  );
  await directory.putTeamGrant({ accountId: account.id, teamId: team.id, role, addedAt: at });
  return team;
}

const listedIds = async (admin: User) =>
  (await listOrphanedAccounts(admin, { limit: 100 }, continuity)).items.map((item) => item.accountId).sort();

describe('the last account owner, under concurrent removals, on DynamoDB Local', () => {
  it('lets exactly one of two concurrent removals of the two owners win (the owner count is the condition)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const workspace = unique('acct');
      const a = await workspaceMember(users, workspace, 'user');
      const b = await workspaceMember(users, workspace, 'user');
      const account = await anAccount(a);
      await share(account, b, 'owner');

      const outcomes = await Promise.all([
        accounts.removeMember(account.id, a.id, 'owner'),
        accounts.putMember(
          account.id,
          { accountId: account.id, userId: b.id, role: 'collaborator', addedAt: new Date().toISOString() },
          'owner',
        ),
      ]);

      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
      expect(
        outcomes.filter((o) => o !== 'applied').every((o) => o === 'last_owner' || o === 'conflict'),
      ).toBe(true);
      const owners = (await accounts.members(account.id)).filter((m) => m.role === 'owner');
      expect(owners).toHaveLength(1);
      expect((await accounts.get(account.id))?.ownerCount).toBe(1);
    }
  });
});

describe('orphaned accounts on DynamoDB Local', () => {
  it('lists the accounts a deprovisioned user was the last active owner of, directly or through a team', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const leaver = await workspaceMember(users, workspace, 'user');
    const colleague = await workspaceMember(users, workspace, 'user');
    const sole = await anAccount(leaver);
    const coOwned = await anAccount(leaver);
    await share(coOwned, colleague, 'owner');
    const teamOwned = await anAccount(leaver);
    await teamOwning(teamOwned, [leaver, colleague]);
    // Owned directly by someone who left earlier, and through a team whose one member is the leaver.
    const earlier = await workspaceMember(users, workspace, 'user');
    const soleViaTeam = await anAccount(earlier);
    await applyDeprovisioning(earlier, { via: 'scim' }, deprovisionDeps);
    await teamOwning(soleViaTeam, [leaver]);
    const collaboratorOnly = await anAccount(colleague);
    await share(collaboratorOnly, leaver, 'collaborator');

    await applyDeprovisioning(leaver, { via: 'scim' }, scimDeprovision);

    expect(await listedIds(admin)).toEqual([sole.id, soleViaTeam.id].sort());
    const [entry] = (await listOrphanedAccounts(admin, { limit: 100 }, continuity)).items.filter(
      (item) => item.accountId === sole.id,
    );
    expect(entry).toMatchObject({
      appName: sole.appName,
      formerOwners: [{ id: leaver.id, email: leaver.email, status: 'deprovisioned' }],
    });
    // Another workspace sees none of them.
    const stranger = await workspaceMember(users, unique('other'), 'owner');
    expect(await listedIds(stranger)).toEqual([]);
  });

  it('marks once however often the deprovisioning is retried, and pages with sealed cursors', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const leaver = await workspaceMember(users, workspace, 'user');
    const owned = [await anAccount(leaver), await anAccount(leaver), await anAccount(leaver)];

    await applyDeprovisioning(leaver, { via: 'scim' }, scimDeprovision);
    const gone = await users.getUser(leaver.id);
    await applyDeprovisioning(gone as User, { via: 'scim' }, scimDeprovision);
    const first = await listOrphanedAccounts(admin, { limit: 2 }, continuity);
    const second = await listOrphanedAccounts(
      admin,
      { limit: 2, cursor: first.nextCursor ?? '' },
      continuity,
    );
    const colleague = await workspaceMember(users, workspace, 'admin');
    const stolen = listOrphanedAccounts(colleague, { limit: 2, cursor: first.nextCursor ?? '' }, continuity);

    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    expect([...first.items, ...second.items].map((i) => i.accountId).sort()).toEqual(
      owned.map((a) => a.id).sort(),
    );
    expect(second.items.every((item) => item.formerOwners.length === 1)).toBe(true);
    await expect(stolen).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('lets an admin name a new owner once: the account leaves the list, a second admin is refused', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const otherAdmin = await workspaceMember(users, workspace, 'admin');
    const leaver = await workspaceMember(users, workspace, 'user');
    const heirA = await workspaceMember(users, workspace, 'user');
    const heirB = await workspaceMember(users, workspace, 'user');
    const account = await anAccount(leaver);
    await share(account, heirB, 'collaborator');
    await applyDeprovisioning(leaver, { via: 'scim' }, scimDeprovision);

    const outcomes = await Promise.allSettled([
      assignOrphanedAccountOwner(admin, account.id, heirA.id, continuity),
      assignOrphanedAccountOwner(otherAdmin, account.id, heirB.id, continuity),
    ]);

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')?.reason).toBeInstanceOf(AccountNotOrphanedError);
    const owners = (await accounts.members(account.id)).filter((m) => m.role === 'owner');
    expect(owners.map((m) => m.userId).sort()).toEqual(
      [leaver.id, (won[0] as PromiseFulfilledResult<{ userId: string }>).value.userId].sort(),
    );
    expect((await accounts.get(account.id))?.ownerCount).toBe(2);
    expect(await listedIds(admin)).toEqual([]);
  });

  it('refuses a new owner who is deprovisioned, a guest, from another workspace, or an account that has an owner', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const leaver = await workspaceMember(users, workspace, 'user');
    const guest = await workspaceMember(users, workspace, 'guest');
    const outsider = await workspaceMember(users, unique('other'), 'owner');
    const gone = await workspaceMember(users, workspace, 'user');
    await applyDeprovisioning(gone, { via: 'scim' }, scimDeprovision);
    const orphan = await anAccount(leaver);
    const owned = await anAccount(admin);
    await applyDeprovisioning(leaver, { via: 'scim' }, scimDeprovision);

    await expect(assignOrphanedAccountOwner(admin, orphan.id, gone.id, continuity)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(assignOrphanedAccountOwner(admin, orphan.id, guest.id, continuity)).rejects.toBeInstanceOf(
      RoleNotAllowedError,
    );
    await expect(
      assignOrphanedAccountOwner(admin, orphan.id, outsider.id, continuity),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      assignOrphanedAccountOwner(outsider, orphan.id, outsider.id, continuity),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignOrphanedAccountOwner(admin, owned.id, admin.id, continuity)).rejects.toBeInstanceOf(
      AccountNotOrphanedError,
    );
    expect(await listedIds(admin)).toEqual([orphan.id]);
  });

  it('lists an account whose last active owner leaves it to owners who are all deprovisioned', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const stayer = await workspaceMember(users, workspace, 'user');
    const gone = await workspaceMember(users, workspace, 'user');
    const account = await anAccount(stayer);
    await share(account, gone, 'owner');
    await applyDeprovisioning(gone, { via: 'scim' }, scimDeprovision);
    expect(await listedIds(admin)).toEqual([]);
    const accountDeps = {
      accounts,
      security,
      afterOwnerRemoved: (accountId: string, formerOwnerId: string) =>
        recordIfOrphaned(accountId, formerOwnerId, { accounts, users, directory, orphans, clock }),
    } as unknown as AccountDeps;

    // The owner count (2) still counts the deprovisioned owner, so the last active one may leave.
    await removeMember(stayer, account.id, stayer.id, accountDeps);

    const [entry] = (await listOrphanedAccounts(admin, { limit: 10 }, continuity)).items;
    expect(entry).toMatchObject({
      accountId: account.id,
      formerOwners: [{ id: stayer.id, status: 'active' }],
    });
  });

  it('drops an entry on read once the account has an active owner again (the former owner reactivated)', async () => {
    const workspace = unique('orph');
    const admin = await workspaceMember(users, workspace, 'owner');
    const leaver = await workspaceMember(users, workspace, 'user');
    const account = await anAccount(leaver);
    await applyDeprovisioning(leaver, { via: 'scim' }, scimDeprovision);
    expect(await listedIds(admin)).toEqual([account.id]);

    const scimUser = await directory.getUser(leaver.workspaceId, leaver.id);
    await directory.reactivateUser(scimUser as never, new Date(), {
      id: newId('evt'),
      type: 'user.reactivated',
      occurredAt: new Date().toISOString(),
      workspaceId: leaver.workspaceId,
      detail: { userId: leaver.id },
    });

    expect(await listedIds(admin)).toEqual([]);
    expect(await orphans.get(leaver.workspaceId, account.id)).toBeUndefined();
  });
});

describe('the IdP deprovisioning the last workspace owner, on DynamoDB Local and aws-ses-v2-local', () => {
  let ses: SesLocal;
  let sesMailer: ReturnType<typeof makeSesMailer>;
  beforeAll(async () => {
    ({ ses, sesMailer } = await localSesMailer());
  });
  afterAll(() => ses.stop());

  it('alerts the admins once (notification list and an email through the outbox), not while another owner is left', async () => {
    const workspace = unique('lost');
    const [owner, coOwner] = await twoOwners(workspace);
    const admin = await workspaceMember(users, workspace, 'admin');
    const superAdmin = await workspaceMember(users, workspace, 'super_admin');
    const member = await workspaceMember(users, workspace, 'user');
    const { notifier, deps: notifyDeps } = makeNotifier(doc, tableName);
    // The outbox the request path writes to, and the relay's delivery that sends each event to SES.
    const keyring = makeKeyring(localDataKeys(randomBytes(32)));
    const mailOutbox = makeMailOutbox(keyring, { clock, newId });
    const outboxed: DomainEvent[] = [];
    const recordingOutbox = {
      event: async (email: Parameters<typeof mailOutbox.event>[0]) => {
        const event = await mailOutbox.event(email);
        outboxed.push(event);
        return event;
      },
    };
    const deliver = makeOutboxMailDelivery({ keyring, mailer: sesMailer, doc, tableName });
    const alertDeps = {
      owners: directory.owners,
      workspaceAdmins: makeChallengeRepository(doc, tableName).workspaceAdmins,
      notifier,
      claimAlert,
      security,
      clock,
      mailer: makeOutboxMailer(doc, tableName, recordingOutbox),
      emailQuota: makeEmailQuota(doc, tableName),
    };
    const alert = (user: User) => alertIfOwnerless(user, alertDeps);
    const deps: DeprovisionDeps = { ...deprovisionDeps, alertOwnerLost: alert };

    const first = await applyDeprovisioning(owner, { via: 'scim' }, deps);
    const firstOutcome = await alert(first);
    const last = await applyDeprovisioning(coOwner, { via: 'scim' }, deps);
    const retried = await alert((await users.getUser(last.id)) as User);

    expect(firstOutcome).toBe('owner_left');
    expect(retried).toBe('already_alerted');
    const listed = await notifyDeps.inbox.list(admin.id, { limit: 10, since: new Date(0) });
    expect(listed.items.map((n) => ({ type: n.type, data: n.data }))).toEqual([
      { type: 'workspace_owner_lost', data: { userId: coOwner.id } },
    ]);
    expect(await directory.owners(owner.workspaceId, 5)).toEqual([]);
    // One email per admin and super admin, sent by the relay: not to the user, nor the owners.
    for (const event of outboxed) expect(await deliver(event)).toBe('sent');
    const sent = (await listSentEmails(ses.url)).filter((email) =>
      [admin, superAdmin, member, owner, coOwner].some((u) => email.destination.to.includes(u.email)),
    );
    expect(sent.map((email) => email.destination.to[0]).sort()).toEqual(
      [admin.email, superAdmin.email].sort(),
    );
    for (const email of sent) {
      expect(email.subject).toBe('Latchkey: your workspace has no owner');
      expect(email.body.text).toContain(`${coOwner.email}), the last active owner`);
      expect(email.body.text).toContain('npm run bootstrap');
    }
  });
});
