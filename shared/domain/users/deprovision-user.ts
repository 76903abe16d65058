import { holdsSlot } from '../devices/model';
import { LastWorkspaceOwnerError } from '../directory/roles';
import { ForbiddenError, NotFoundError } from '../errors';
import { type DomainEvent, pushJobsEvent } from '../events';
import type {
  AccountRepository,
  Clock,
  DeviceRepository,
  IdGenerator,
  PushQueue,
  SecurityLog,
  UserRepository,
} from '../ports';
import { type User, WORKSPACE_ROLE_RANK } from './model';

export interface DeprovisionDeps {
  users: Pick<UserRepository, 'getUser'>;
  devices: Pick<DeviceRepository, 'listDevices' | 'deprovisionUser'>;
  clock: Clock;
  security: SecurityLog;
  queue: PushQueue;
  newId: IdGenerator;
  /** Where the event's account list comes from (absent only where no account exists: unit fixtures). */
  accounts?: Pick<AccountRepository, 'accountIdsOf'>;
  /** The user's teams, for the event (absent in runtimes without the directory). */
  teamsOf?: (userId: string) => Promise<string[]>;
  /** The accounts shared with the user's teams, for the event. */
  accountsThroughTeams?: (userId: string) => Promise<string[]>;
  /** Revokes the public share links the user owns (absent in runtimes without share links). */
  revokeShareLinksOf?: (ownerId: string) => Promise<unknown>;
  /** Denies the user's pending identity challenges (absent in runtimes without identity confirmation). */
  cancelPendingChallenges?: (userId: string) => Promise<unknown>;
  /** Marks the accounts left with no active owner (continuity; absent in runtimes without it). */
  recordOrphanedAccounts?: (user: User) => Promise<unknown>;
  /** Alerts the workspace admins when the IdP deprovisioned the last owner (absent without it). */
  alertOwnerLost?: (user: User) => Promise<unknown>;
  /** Active owners of a workspace: the admin route never removes the last one. */
  owners?: (workspaceId: string, limit: number) => Promise<User[]>;
}

/** Owners may deprovision anyone else; super admins and admins only users ranked below them. */
export function mayDeprovision(actor: User, target: User): boolean {
  if (actor.id === target.id) return false;
  return (
    actor.workspaceRole === 'owner' ||
    WORKSPACE_ROLE_RANK[actor.workspaceRole] > WORKSPACE_ROLE_RANK[target.workspaceRole]
  );
}

/** Who asked: an admin through the API, or the workspace's identity provider through SCIM. */
export type DeprovisionedBy = { via: 'admin'; actorUserId: string } | { via: 'scim' };

async function accountsOf(userId: string, deps: DeprovisionDeps): Promise<string[]> {
  if (!deps.accounts) return [];
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.accounts.accountIdsOf(userId, { limit: 100, cursor });
    ids.push(...page.ids);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/**
 * THE deprovisioning use case (admin route, SCIM `active:false` and SCIM DELETE all come here): the
 * user and all their devices are disabled in one transaction with the `user.deprovisioned` outbox item,
 * so their very next request is refused. The event carries the accounts the user could use at that
 * moment, directly and through teams. The share links the user owns are revoked after the commit,
 * the accounts left without an active owner are listed for admins, and the admins are alerted when
 * the IdP took away the workspace's last owner.
 * Idempotent: an already deprovisioned user is returned as it is, and its links revoked again (so a
 * retry finishes a revocation that failed half-way).
 */
export async function applyDeprovisioning(
  target: User,
  by: DeprovisionedBy,
  deps: DeprovisionDeps,
): Promise<User> {
  const user = await disableUser(target, by, deps);
  if (user.status === 'deprovisioned') {
    await deps.revokeShareLinksOf?.(user.id);
    // Pending device approvals went with the devices (disabled in the same transaction).
    await deps.cancelPendingChallenges?.(user.id);
    await deps.recordOrphanedAccounts?.(user);
    // Only the IdP can take the last owner away (the API refuses): then the admins must know.
    if (by.via === 'scim') await deps.alertOwnerLost?.(user);
  }
  return user;
}

/**
 * The API never removes the last active owner: another active owner is named here and checked again
 * in the deprovisioning transaction (so two owners removing each other cannot both win). The IdP
 * (SCIM) may remove the last owner: it is the source of truth, and admins are alerted instead.
 */
async function otherOwner(target: User, deps: DeprovisionDeps): Promise<string | undefined> {
  if (target.workspaceRole !== 'owner' || !deps.owners) return undefined;
  const other = (await deps.owners(target.workspaceId, 2)).find((owner) => owner.id !== target.id);
  if (!other) throw new LastWorkspaceOwnerError();
  return other.id;
}

async function disableUser(target: User, by: DeprovisionedBy, deps: DeprovisionDeps): Promise<User> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? target : await deps.users.getUser(target.id);
    if (!current || current.status === 'deprovisioned') return current ?? target;
    const keepOwnerId = by.via === 'admin' ? await otherOwner(current, deps) : undefined;
    const now = deps.clock.now();
    const devices = (await deps.devices.listDevices(current.id)).filter((device) => holdsSlot(device.status));
    const [accountIds, teamIds, teamAccountIds] = await Promise.all([
      accountsOf(current.id, deps),
      deps.teamsOf ? deps.teamsOf(current.id) : Promise.resolve([]),
      deps.accountsThroughTeams ? deps.accountsThroughTeams(current.id) : Promise.resolve([]),
    ]);
    const event: DomainEvent = {
      id: deps.newId('evt'),
      type: 'user.deprovisioned',
      occurredAt: now.toISOString(),
      workspaceId: current.workspaceId,
      detail: {
        userId: current.id,
        email: current.email,
        workspaceRole: current.workspaceRole,
        by,
        // What rotation and share-link consumers need, as it was at this moment.
        accountIds,
        teamIds,
        accountIdsThroughTeams: teamAccountIds,
        devicesDisabled: devices.length,
      },
    };
    const endpointArns = devices.flatMap((device) =>
      device.push?.endpointArn ? [device.push.endpointArn] : [],
    );
    // The endpoints' deletion is written with the deprovisioning (outbox): it cannot be lost in between.
    const cleanup = endpointArns.length
      ? [
          pushJobsEvent(
            [{ kind: 'delete_endpoints', userId: current.id, endpointArns }],
            deps.newId('evt'),
            now.toISOString(),
          ),
        ]
      : [];
    const outcome = await deps.devices.deprovisionUser(
      current,
      devices,
      now,
      [event, ...cleanup],
      keepOwnerId,
    );
    if (outcome === 'applied') {
      deps.security.record({
        event: 'user.deprovisioned',
        userId: current.id,
        ...(by.via === 'admin' ? { actorUserId: by.actorUserId } : { actor: 'scim' }),
        outcome: 'success',
        reason: `${devices.length} devices disabled`,
      });
      return { ...current, status: 'deprovisioned', updatedAt: now.toISOString() };
    }
  }
  throw new Error(`user ${target.id} kept changing while being deprovisioned`);
}

/** The admin route: a user of the actor's workspace whom the actor's role outranks. */
export async function deprovisionUser(
  actor: User,
  targetUserId: string,
  deps: DeprovisionDeps,
): Promise<User> {
  const target = await deps.users.getUser(targetUserId);
  if (!target || target.workspaceId !== actor.workspaceId) throw new NotFoundError('No such user.');
  if (!mayDeprovision(actor, target)) {
    deps.security.record({
      event: 'user.deprovisioned',
      userId: target.id,
      actorUserId: actor.id,
      outcome: 'failure',
      reason: 'forbidden',
    });
    throw new ForbiddenError(
      actor.id === target.id ? 'You cannot deprovision yourself.' : 'Your role cannot deprovision this user.',
    );
  }
  return applyDeprovisioning(target, { via: 'admin', actorUserId: actor.id }, deps);
}
