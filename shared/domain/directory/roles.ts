import { DomainError, ForbiddenError, NotFoundError } from '../errors';
import { pageFor } from '../pagination';
import type { Clock, Hmac, SecurityLog } from '../ports';
import { type User, WORKSPACE_ROLE_RANK, type WorkspaceRole } from '../users/model';
import type { DirectoryRepository } from './ports';

export interface RoleDeps {
  directory: Pick<DirectoryRepository, 'searchUsers' | 'setRole' | 'owners'>;
  users: { getUser(userId: string): Promise<User | undefined> };
  clock: Clock;
  security: SecurityLog;
}

/** The workspace's users for the sharing picker: never guests or login-only users. */
export async function searchWorkspaceUsers(
  caller: User,
  query: { q?: string | undefined; limit?: number | undefined; cursor?: string | undefined },
  deps: Pick<RoleDeps, 'directory'> & { hmac: Hmac },
) {
  const limit = query.limit ?? 25;
  const prefix = query.q?.trim() || undefined;
  const { items: users, nextCursor } = await pageFor(
    async (cursor) => {
      const found = await deps.directory.searchUsers(caller.workspaceId, { prefix, limit, cursor });
      return { items: found.users, nextCursor: found.nextCursor };
    },
    query.cursor,
    { list: `users:${prefix ?? ''}`, callerId: caller.id },
    deps.hmac,
  );
  const visible = users.filter(
    (user) => user.workspaceRole !== 'guest' && user.workspaceRole !== 'login_only',
  );
  return {
    items: visible.map((user) => ({
      id: user.id,
      name: user.name,
      email: user.email,
      workspaceRole: user.workspaceRole,
      status: user.status,
    })),
    nextCursor,
  };
}

/** A concurrent change got there first; the client may retry. */
export class RoleChangeConflictError extends DomainError {}

/** The workspace's last active owner cannot be demoted. */
export class LastWorkspaceOwnerError extends DomainError {
  constructor() {
    super('The workspace must keep an owner: make someone else owner first.');
  }
}

/**
 * Changes a user's workspace role. Only an owner grants or takes away `owner`; super admins and admins
 * change only users ranked below them, to roles below their own. The last owner stays an owner: the
 * demotion checks another active owner in the same transaction.
 */
export async function setWorkspaceRole(
  caller: User,
  userId: string,
  role: WorkspaceRole,
  deps: RoleDeps,
): Promise<User> {
  const target = await deps.users.getUser(userId);
  if (!target || target.workspaceId !== caller.workspaceId) throw new NotFoundError('No such user.');
  const isOwner = caller.workspaceRole === 'owner';
  const allowed =
    isOwner ||
    (WORKSPACE_ROLE_RANK[caller.workspaceRole] > WORKSPACE_ROLE_RANK[target.workspaceRole] &&
      WORKSPACE_ROLE_RANK[caller.workspaceRole] > WORKSPACE_ROLE_RANK[role]);
  if (!allowed) {
    deps.security.record({
      event: 'user.role_changed',
      outcome: 'failure',
      reason: 'forbidden',
      userId: target.id,
      actorUserId: caller.id,
    });
    throw new ForbiddenError(
      role === 'owner' ? 'Only an owner can grant owner.' : 'Your role cannot change this user’s role.',
    );
  }
  if (target.workspaceRole === role) return target;
  if (target.status !== 'active') throw new NotFoundError('No such user.');
  for (let attempt = 0; attempt < 3; attempt++) {
    const other =
      target.workspaceRole === 'owner'
        ? (await deps.directory.owners(caller.workspaceId, 2)).find((owner) => owner.id !== target.id)
        : undefined;
    if (target.workspaceRole === 'owner' && !other) throw new LastWorkspaceOwnerError();
    const now = deps.clock.now();
    if ((await deps.directory.setRole(target, target.workspaceRole, role, other?.id, now)) === 'applied') {
      deps.security.record({
        event: 'user.role_changed',
        outcome: 'success',
        reason: `${target.workspaceRole}->${role}`,
        userId: target.id,
        actorUserId: caller.id,
      });
      return { ...target, workspaceRole: role, updatedAt: now.toISOString() };
    }
    const current = await deps.users.getUser(userId);
    if (!current || current.workspaceRole !== target.workspaceRole)
      throw new RoleChangeConflictError('The user changed meanwhile; retry.');
  }
  throw new RoleChangeConflictError('The workspace owners kept changing; retry.');
}
