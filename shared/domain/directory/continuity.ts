import { RoleNotAllowedError } from '../accounts/errors';
import { type Account, type Membership, mayOwnAccounts } from '../accounts/model';
import { type EmailCapDeps, sendNotice } from '../email-caps';
import { DomainError, NotFoundError } from '../errors';
import type { DomainEvent } from '../events';
import { pageFor } from '../pagination';
import type {
  AccountRepository,
  Clock,
  Hmac,
  IdGenerator,
  Notifier,
  OutgoingEmail,
  SecurityLog,
} from '../ports';
import { cleanLabel } from '../text/sanitize';
import type { User } from '../users/model';
import type { DirectoryRepository } from './ports';
import { RoleChangeConflictError } from './roles';

/**
 * Continuity of access: an account whose owners are all deprovisioned (directly, or through teams
 * with no active member left) is *orphaned*. The deprovisioning marks it in a per-workspace index;
 * admins list the index and name a new owner. The index is a candidate set, not the truth: every
 * listed entry is checked again on read, and one that has an active owner again (the former owner
 * reactivated, someone joined an owning team) or whose account is gone is dropped from the index.
 */
export interface OrphanedAccountEntry {
  accountId: string;
  workspaceId: string;
  orphanedAt: string;
  /** The owners whose deprovisioning left the account without one. */
  formerOwnerIds: string[];
}

export interface OrphanedAccountIndex {
  /** Adds the account (or the former owner to its entry); only while the account exists. */
  mark(workspaceId: string, accountId: string, formerOwnerId: string, now: Date): Promise<void>;
  list(
    workspaceId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: OrphanedAccountEntry[]; nextCursor: string | null }>;
  get(workspaceId: string, accountId: string): Promise<OrphanedAccountEntry | undefined>;
  /** Drops a stale entry (the account has an owner again, or is gone). */
  clear(workspaceId: string, accountId: string): Promise<void>;
  /**
   * The new owner's membership, the account's owner count and the removal of the entry in one
   * transaction, with its event: `not_orphaned` when the entry is gone (another admin was first).
   */
  assignOwner(
    account: Account,
    membership: Membership,
    previous: Membership['role'] | undefined,
    event: DomainEvent,
  ): Promise<'applied' | 'not_orphaned' | 'conflict'>;
}

/** The account has an active owner (or was given one meanwhile): nothing to assign. */
export class AccountNotOrphanedError extends DomainError {
  constructor() {
    super('This account has an active owner: its owners manage who else owns it.');
  }
}

export interface OwnershipDeps {
  accounts: Pick<AccountRepository, 'members'>;
  users: { getUser(userId: string): Promise<User | undefined> };
  directory: Pick<DirectoryRepository, 'teamGrants' | 'listTeamMembers'>;
}

/** Users who may own accounts and are active (a deprovisioned owner keeps its membership, inert). */
async function anyActiveOwner(userIds: string[], deps: OwnershipDeps): Promise<boolean> {
  // A few at a time: an owning team of thousands usually answers within its first members.
  for (let i = 0; i < userIds.length; i += 25) {
    const users = await Promise.all(userIds.slice(i, i + 25).map((id) => deps.users.getUser(id)));
    if (users.some((user) => user?.status === 'active' && mayOwnAccounts(user.workspaceRole))) return true;
  }
  return false;
}

/** Directly, or through a team shared as owner with at least one active member who may own accounts. */
export async function hasActiveOwner(accountId: string, deps: OwnershipDeps): Promise<boolean> {
  const direct = (await deps.accounts.members(accountId)).filter((m) => m.role === 'owner');
  if (
    await anyActiveOwner(
      direct.map((m) => m.userId),
      deps,
    )
  )
    return true;
  const owningTeams = (await deps.directory.teamGrants(accountId)).filter((g) => g.role === 'owner');
  for (const grant of owningTeams) {
    const members = await deps.directory.listTeamMembers(grant.teamId);
    if (
      await anyActiveOwner(
        members.map((m) => m.value),
        deps,
      )
    )
      return true;
  }
  return false;
}

export interface RecordOrphansDeps extends OwnershipDeps {
  accounts: Pick<AccountRepository, 'members' | 'accountIdsOf' | 'getMany'>;
  directory: OwnershipDeps['directory'] & Pick<DirectoryRepository, 'teamsOfUser' | 'accountsOfTeam'>;
  orphans: Pick<OrphanedAccountIndex, 'mark'>;
  clock: Clock;
}

/**
 * After a deprovisioning: the accounts the user owned (directly, or through a team shared as owner)
 * that no active owner is left for are marked orphaned. Idempotent, so a retried deprovisioning
 * finishes what a failed one started.
 */
export async function recordOrphanedAccounts(user: User, deps: RecordOrphansDeps): Promise<string[]> {
  const candidates = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await deps.accounts.accountIdsOf(user.id, { limit: 100, cursor });
    for (const id of page.ids) if (page.roles[id] === 'owner') candidates.add(id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const teamId of await deps.directory.teamsOfUser(user.id)) {
    for (const accountId of await deps.directory.accountsOfTeam(teamId)) {
      const grant = (await deps.directory.teamGrants(accountId)).find((g) => g.teamId === teamId);
      if (grant?.role === 'owner') candidates.add(accountId);
    }
  }
  const accounts = await deps.accounts.getMany([...candidates]);
  const orphaned: string[] = [];
  for (const account of accounts) {
    if (account.workspaceId !== user.workspaceId || (await hasActiveOwner(account.id, deps))) continue;
    await deps.orphans.mark(account.workspaceId, account.id, user.id, deps.clock.now());
    orphaned.push(account.id);
  }
  return orphaned;
}

/**
 * After an owner left an account or was demoted through the API: the owners still counted may all be
 * deprovisioned, in which case the account is marked orphaned like a deprovisioning would have.
 */
export async function recordIfOrphaned(
  accountId: string,
  formerOwnerId: string,
  deps: OwnershipDeps & {
    accounts: Pick<AccountRepository, 'get'>;
    orphans: Pick<OrphanedAccountIndex, 'mark'>;
    clock: Clock;
  },
): Promise<boolean> {
  const account = await deps.accounts.get(accountId);
  if (!account || (await hasActiveOwner(accountId, deps))) return false;
  await deps.orphans.mark(account.workspaceId, accountId, formerOwnerId, deps.clock.now());
  return true;
}

export interface ContinuityDeps extends OwnershipDeps {
  accounts: Pick<AccountRepository, 'members' | 'membership' | 'get' | 'getMany'>;
  orphans: OrphanedAccountIndex;
  hmac: Hmac;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  notifier?: Notifier;
}

const person = (user: User | undefined, id: string) =>
  user
    ? { id, name: user.name, email: user.email, status: user.status }
    : { id, name: '', email: '', status: 'deprovisioned' as const };

/**
 * The orphaned accounts of the caller's workspace, a page at a time (sealed cursors). Entries that
 * have an owner again, or whose account is gone, are dropped on the way (so a page may be short;
 * `nextCursor` says whether more follow).
 */
export async function listOrphanedAccounts(
  caller: User,
  query: { limit?: number | undefined; cursor?: string | undefined },
  deps: ContinuityDeps,
) {
  const limit = query.limit ?? 25;
  const page = await pageFor(
    (cursor) => deps.orphans.list(caller.workspaceId, { limit, cursor }),
    query.cursor,
    { list: 'orphaned-accounts', callerId: caller.id },
    deps.hmac,
  );
  const accounts = new Map(
    (await deps.accounts.getMany(page.items.map((entry) => entry.accountId))).map((a) => [a.id, a]),
  );
  const items = [];
  for (const entry of page.items) {
    const account = accounts.get(entry.accountId);
    if (!account || account.workspaceId !== caller.workspaceId || (await hasActiveOwner(account.id, deps))) {
      await deps.orphans.clear(caller.workspaceId, entry.accountId);
      continue;
    }
    const formerOwners = await Promise.all(
      entry.formerOwnerIds.map(async (id) => person(await deps.users.getUser(id), id)),
    );
    items.push({
      accountId: account.id,
      appName: account.appName,
      username: account.username,
      orphanedAt: entry.orphanedAt,
      formerOwners,
    });
  }
  return { items, nextCursor: page.nextCursor };
}

/**
 * An admin names a new owner of an orphaned account: an active user of the workspace who may own
 * accounts. The membership, the owner count and the index entry change in one transaction, so two
 * admins assigning at once give the account one new owner, not two.
 */
export async function assignOrphanedAccountOwner(
  caller: User,
  accountId: string,
  userId: string,
  deps: ContinuityDeps,
): Promise<Membership> {
  const account = await deps.accounts.get(accountId);
  if (!account || account.workspaceId !== caller.workspaceId) throw new NotFoundError('No such account.');
  const user = await deps.users.getUser(userId);
  if (!user || user.workspaceId !== caller.workspaceId || user.status !== 'active')
    throw new NotFoundError('No such user.');
  if (!mayOwnAccounts(user.workspaceRole)) throw new RoleNotAllowedError();
  const entry = await deps.orphans.get(caller.workspaceId, accountId);
  if (!entry) throw new AccountNotOrphanedError();
  if (await hasActiveOwner(accountId, deps)) {
    await deps.orphans.clear(caller.workspaceId, accountId);
    throw new AccountNotOrphanedError();
  }
  const now = deps.clock.now();
  const previous = await deps.accounts.membership(accountId, userId);
  const membership: Membership = {
    accountId,
    userId,
    role: 'owner',
    addedAt: previous?.addedAt ?? now.toISOString(),
  };
  const event: DomainEvent = {
    id: deps.newId('evt'),
    type: 'account.owner_assigned',
    occurredAt: now.toISOString(),
    workspaceId: caller.workspaceId,
    detail: { accountId, userId, actorUserId: caller.id, formerOwnerIds: entry.formerOwnerIds },
  };
  const outcome = await deps.orphans.assignOwner(account, membership, previous?.role, event);
  if (outcome === 'not_orphaned') throw new AccountNotOrphanedError();
  if (outcome === 'conflict') throw new RoleChangeConflictError('The membership changed meanwhile; retry.');
  deps.security.record({
    event: 'account.owner_assigned',
    outcome: 'success',
    userId,
    actorUserId: caller.id,
    reason: accountId,
  });
  if (!previous) await deps.notifier?.notify('account_shared', [userId], { accountId });
  return membership;
}

/** The operator-level email that goes with the `workspace_owner_lost` notification. */
export function ownerLostEmail(input: { to: string; lost: User; at: Date }): OutgoingEmail {
  const who = `${cleanLabel(input.lost.name).text} (${cleanLabel(input.lost.email).text})`;
  return {
    to: input.to,
    subject: 'Latchkey: your workspace has no owner',
    text:
      `Your identity provider deprovisioned ${who}, the last active owner of your Latchkey workspace ` +
      `(${input.lost.workspaceId}), at ${input.at.toISOString()}.\n\n` +
      'Until a new owner is named, nobody can do what only owners do (assign owner roles, recover the ' +
      'workspace). Name a new owner now: provision an owner through your identity provider, or have your ' +
      'operator run `npm run bootstrap -- --workspace <workspace> --owner-email <email>`.\n\n' +
      'If you did not expect this, check the identity provider: someone may have removed the owner on purpose.',
  };
}

export interface OwnerLostDeps extends EmailCapDeps {
  owners: (workspaceId: string, limit: number) => Promise<User[]>;
  /** Active owners, super admins and admins (no owner is left: super admins and admins). */
  workspaceAdmins: (workspaceId: string) => Promise<User[]>;
  notifier: Notifier;
  /** True the first time `key` is claimed in the workspace: a retried deprovisioning alerts once. */
  claimAlert: (workspaceId: string, key: string, now: Date) => Promise<boolean>;
  security: SecurityLog;
  clock: Clock;
}

export type OwnerLostOutcome = 'not_owner' | 'owner_left' | 'already_alerted' | 'alerted';

/**
 * After the IdP deprovisioned a workspace owner (SCIM is the source of truth: the API would have
 * refused): when no active owner is left, the workspace admins get a `workspace_owner_lost`
 * notification (their notification list and a push) and an email, once per deprovisioning. A new owner is then
 * named with the bootstrap command (`npm run bootstrap -- --workspace W --owner-email E`).
 */
export async function alertIfOwnerless(user: User, deps: OwnerLostDeps): Promise<OwnerLostOutcome> {
  if (user.workspaceRole !== 'owner') return 'not_owner';
  if ((await deps.owners(user.workspaceId, 1)).length > 0) return 'owner_left';
  const now = deps.clock.now();
  if (!(await deps.claimAlert(user.workspaceId, `owner_lost#${user.id}#${user.updatedAt}`, now)))
    return 'already_alerted';
  const admins = (await deps.workspaceAdmins(user.workspaceId)).filter((admin) => admin.id !== user.id);
  await deps.notifier.notify(
    'workspace_owner_lost',
    admins.map((admin) => admin.id),
    { userId: user.id },
  );
  // Push may reach no one (no registered phone, a policy that turned the type off): every admin also
  // gets an email, through the outbox (sealed at rest, sent by the relay after this write).
  for (const admin of admins) {
    await sendNotice(
      deps,
      admin.id,
      'security_alert',
      ownerLostEmail({ to: admin.email, lost: user, at: now }),
    );
  }
  deps.security.record({
    event: 'workspace.owner_lost',
    outcome: 'success',
    userId: user.id,
    reason: `${admins.length} admins alerted`,
  });
  return 'alerted';
}
