import { holdsSlot } from '../devices/model';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Clock, DeviceRepository, PushQueue, SecurityLog, UserRepository } from '../ports';
import type { User, WorkspaceRole } from './model';

export interface DeprovisionDeps {
  users: Pick<UserRepository, 'getUser'>;
  devices: Pick<DeviceRepository, 'listDevices' | 'deprovisionUser'>;
  clock: Clock;
  security: SecurityLog;
  queue: PushQueue;
}

const RANK: Record<WorkspaceRole, number> = {
  owner: 5,
  super_admin: 4,
  admin: 3,
  user: 2,
  login_only: 1,
  guest: 0,
};

/** Owners may deprovision anyone else; super admins and admins only users ranked below them. */
export function mayDeprovision(actor: User, target: User): boolean {
  if (actor.id === target.id) return false;
  return actor.workspaceRole === 'owner' || RANK[actor.workspaceRole] > RANK[target.workspaceRole];
}

/**
 * Deprovisions a user of the actor's workspace and disables all their devices in one transaction, so
 * their very next request is refused. Idempotent. SCIM will call this same use case.
 */
export async function deprovisionUser(
  actor: User,
  targetUserId: string,
  deps: DeprovisionDeps,
): Promise<User> {
  const target = await deps.users.getUser(targetUserId);
  if (!target || target.workspaceId !== actor.workspaceId) throw new NotFoundError('No such user.');
  const event = { event: 'user.deprovisioned', userId: target.id, actorUserId: actor.id };
  if (!mayDeprovision(actor, target)) {
    deps.security.record({ ...event, outcome: 'failure', reason: 'forbidden' });
    throw new ForbiddenError(
      actor.id === target.id ? 'You cannot deprovision yourself.' : 'Your role cannot deprovision this user.',
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? target : await deps.users.getUser(targetUserId);
    if (!current || current.status === 'deprovisioned') return current ?? target;
    const now = deps.clock.now();
    const devices = (await deps.devices.listDevices(current.id)).filter((device) => holdsSlot(device.status));
    if ((await deps.devices.deprovisionUser(current, devices, now)) === 'applied') {
      const endpointArns = devices.flatMap((device) =>
        device.push?.endpointArn ? [device.push.endpointArn] : [],
      );
      if (endpointArns.length)
        await deps.queue.enqueue([{ kind: 'delete_endpoints', userId: current.id, endpointArns }]);
      deps.security.record({ ...event, outcome: 'success', reason: `${devices.length} devices disabled` });
      return { ...current, status: 'deprovisioned', updatedAt: now.toISOString() };
    }
  }
  throw new Error(`user ${targetUserId} kept changing while being deprovisioned`);
}
