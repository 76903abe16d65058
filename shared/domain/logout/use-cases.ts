import { holdsSlot } from '../devices/model';
import { ForbiddenError, NotFoundError } from '../errors';
import { type DomainEvent, pushJobsEvent } from '../events';
import type {
  AccountRepository,
  Clock,
  DeviceRepository,
  IdGenerator,
  SecurityLog,
  UserRepository,
} from '../ports';
import type { RotationRepository } from '../rotation/ports';
import { queueTriggeredRotation } from '../rotation/queue';
import { type AppWebhookRepository, rotationSupported } from '../rotation/webhooks';
import { mayDeprovision } from '../users/deprovision-user';
import type { User } from '../users/model';
import { passwordSince } from './grants';
import type { GrantLedger, RotateByHandList } from './ports';

export interface RotationTriggerDeps {
  accounts: Pick<AccountRepository, 'get'>;
  rotations: RotationRepository;
  rotateByHand: RotateByHandList;
  /** An app without a connector rotates through its workspace's webhook when one is configured. */
  webhooks?: Pick<AppWebhookRepository, 'get'>;
  clock: Clock;
  newId: IdGenerator;
}

export interface LogoutDeps extends RotationTriggerDeps {
  users: Pick<UserRepository, 'getUser'>;
  devices: Pick<DeviceRepository, 'listDevices' | 'disableAll'>;
  ledger: GrantLedger;
  security: SecurityLog;
  /** Denies the user's pending identity challenges (an old push or magic link can no longer approve). */
  cancelPendingChallenges?: (userId: string) => Promise<unknown>;
}

/** Which rotations a trigger queued, found running, or could not queue (no connector). */
export interface RotationReport {
  queued: Array<{ accountId: string; rotationId: string }>;
  inProgress: Array<{ accountId: string; rotationId?: string }>;
  rotateByHand: Array<{ accountId: string; appName: string }>;
}

export interface LogoutReport {
  userId: string;
  devicesSignedOut: number;
  rotations: RotationReport;
}

export type LogoutBy = { via: 'admin'; actorUserId: string } | { via: 'idp'; issuer: string };

type Trigger = 'universal_logout' | 'deprovisioning';

/**
 * Rotates what can be rotated and lists the rest "by hand": the accounts of `workspaceId` only (an id
 * from elsewhere is skipped), a rotation already running is reported, not duplicated. `claimOf`
 * makes each queued rotation once-only per trigger event (a redelivery queues nothing twice).
 */
export async function rotateAccounts(
  accountIds: readonly string[],
  context: {
    workspaceId: string;
    userId: string;
    trigger: Trigger;
    requestedBy: string;
    claim?: string;
  },
  deps: RotationTriggerDeps,
): Promise<RotationReport> {
  const report: RotationReport = { queued: [], inProgress: [], rotateByHand: [] };
  const now = deps.clock.now().toISOString();
  for (const accountId of new Set(accountIds)) {
    const account = await deps.accounts.get(accountId);
    if (!account || account.workspaceId !== context.workspaceId) continue;
    if (!(await rotationSupported(account, deps.webhooks))) {
      await deps.rotateByHand.add(
        { workspaceId: account.workspaceId, accountId, appName: account.appName },
        context.userId,
        context.trigger,
        now,
      );
      report.rotateByHand.push({ accountId, appName: account.appName });
      continue;
    }
    const result = await queueTriggeredRotation(
      account,
      context.trigger,
      context.requestedBy,
      deps,
      context.claim,
    );
    if (result.outcome === 'queued') report.queued.push({ accountId, rotationId: result.rotation.id });
    else if (result.outcome === 'in_progress')
      report.inProgress.push({ accountId, ...(result.rotationId ? { rotationId: result.rotationId } : {}) });
  }
  return report;
}

/** Ends every session of the user: all slot-holding devices disabled in one transaction. */
async function endSessions(user: User, deps: LogoutDeps): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.clock.now();
    const devices = (await deps.devices.listDevices(user.id)).filter((device) => holdsSlot(device.status));
    const endpointArns = devices.flatMap((device) =>
      device.push?.endpointArn ? [device.push.endpointArn] : [],
    );
    // As in deprovisioning: the endpoints' deletion commits with the devices (outbox).
    const cleanup: DomainEvent[] = endpointArns.length
      ? [
          pushJobsEvent(
            [{ kind: 'delete_endpoints', userId: user.id, endpointArns }],
            deps.newId('evt'),
            now.toISOString(),
          ),
        ]
      : [];
    if ((await deps.devices.disableAll(user.id, devices, now, cleanup)) === 'applied') {
      await deps.cancelPendingChallenges?.(user.id);
      return devices.length;
    }
  }
  throw new Error(`the devices of user ${user.id} kept changing during a universal logout`);
}

/**
 * THE universal logout (admin route and the IdP's Global Token Revocation request): every session of
 * the user ends (each device must be registered and trusted again), and the supported accounts the
 * user received a login grant for since their last successful rotation are rotated. Safe to repeat: a
 * rotation already running is reported, and once a rotation succeeded the grant is older than it.
 */
export async function logOutEverywhere(target: User, by: LogoutBy, deps: LogoutDeps): Promise<LogoutReport> {
  const devicesSignedOut = await endSessions(target, deps);
  const granted = await deps.ledger.accountsGrantedTo(target.id);
  const needed: string[] = [];
  for (const record of granted) {
    const account = await deps.accounts.get(record.accountId);
    if (!account) continue;
    const since = passwordSince(account);
    if (since === undefined || record.lastGrantAt > since) needed.push(account.id);
  }
  const rotations = await rotateAccounts(
    needed,
    {
      workspaceId: target.workspaceId,
      userId: target.id,
      trigger: 'universal_logout',
      requestedBy: by.via === 'admin' ? by.actorUserId : target.id,
    },
    deps,
  );
  deps.security.record({
    event: 'user.universal_logout',
    outcome: 'success',
    userId: target.id,
    actorUserId: by.via === 'admin' ? by.actorUserId : 'idp',
    reason: `${devicesSignedOut} devices; ${rotations.queued.length} rotations queued; ${rotations.rotateByHand.length} by hand`,
  });
  return { userId: target.id, devicesSignedOut, rotations };
}

/** `POST /v1/users/{userId}/universal-logout`: whom the actor may deprovision, they may log out. */
export async function universalLogout(actor: User, targetUserId: string, deps: LogoutDeps) {
  const target = await deps.users.getUser(targetUserId);
  if (!target || target.workspaceId !== actor.workspaceId) throw new NotFoundError('No such user.');
  if (!mayDeprovision(actor, target)) {
    deps.security.record({
      event: 'user.universal_logout',
      outcome: 'failure',
      userId: target.id,
      actorUserId: actor.id,
      reason: 'forbidden',
    });
    throw new ForbiddenError(
      actor.id === target.id
        ? 'You cannot log yourself out everywhere here.'
        : 'Your role cannot log this user out.',
    );
  }
  return logOutEverywhere(target, { via: 'admin', actorUserId: actor.id }, deps);
}

/** The `user.deprovisioned` event as the rotation consumer reads it. */
export interface DeprovisionedEvent {
  id: string;
  workspaceId: string;
  userId: string;
  accountIds: string[];
  accountIdsThroughTeams: string[];
}

/**
 * The rotation consumer of `user.deprovisioned`: every account of the event's set (direct and through
 * teams) whose app supports rotation gets one, the others go on the "rotate by hand" list. The event
 * id is the claim: a redelivered event queues nothing twice.
 */
export async function rotateAfterDeprovisioning(
  event: DeprovisionedEvent,
  deps: RotationTriggerDeps,
): Promise<RotationReport> {
  return rotateAccounts(
    [...event.accountIds, ...event.accountIdsThroughTeams],
    {
      workspaceId: event.workspaceId,
      userId: event.userId,
      trigger: 'deprovisioning',
      requestedBy: event.userId,
      claim: event.id,
    },
    deps,
  );
}

export async function listRotateByHand(
  caller: User,
  page: { limit?: number | undefined; cursor?: string | undefined },
  deps: { rotateByHand: RotateByHandList },
) {
  return deps.rotateByHand.list(caller.workspaceId, { limit: page.limit ?? 50, cursor: page.cursor });
}

export async function clearRotateByHand(
  caller: User,
  accountId: string,
  deps: { rotateByHand: RotateByHandList; security: SecurityLog },
) {
  if (!(await deps.rotateByHand.clear(caller.workspaceId, accountId)))
    throw new NotFoundError('That account is not on the rotate-by-hand list.');
  deps.security.record({
    event: 'rotation.by_hand_cleared',
    outcome: 'success',
    userId: caller.id,
    reason: accountId,
  });
}
