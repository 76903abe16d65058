import type { Account } from '../accounts/model';
import { type AccessDeps, requireMember, requireOwner } from '../accounts/use-cases';
import { NotFoundError } from '../errors';
import type { Clock, IdGenerator, Keyring, SecurityLog } from '../ports';
import type { User } from '../users/model';
import { effectiveCapabilities, findApp } from './apps';
import { passwordContext } from './engine';
import { MfaAlreadyEnrolledError, RotationInProgressError, RotationNotSupportedError } from './errors';
import { boundedSettings } from './generator';
import {
  DEFAULT_POLICY,
  type Rotation,
  type RotationKind,
  type RotationPolicy,
  type RotationTrigger,
} from './model';
import type { RotationRepository } from './ports';
import { newRotation, rotationJob } from './queue';
import { type AppWebhookRepository, rotationSupported } from './webhooks';

export interface RotationDeps extends AccessDeps {
  rotations: RotationRepository;
  keyring: Keyring;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  /** How long a grant should wait while a password change runs (seconds). */
  rotationRetryAfterSeconds?: number;
  /** The workspaces' webhooks: an app without a connector rotates through one when configured. */
  webhooks?: Pick<AppWebhookRepository, 'get'>;
}

function retryAfterOf(deps: Pick<RotationDeps, 'rotationRetryAfterSeconds'>) {
  return deps.rotationRetryAfterSeconds ?? 30;
}

/** Queues a rotation (or an MFA enrolment) of `account`: the record, the marker and the job commit together. */
async function queue(
  account: Account,
  kind: RotationKind,
  trigger: RotationTrigger,
  requestedBy: string,
  deps: Pick<RotationDeps, 'rotations' | 'clock' | 'newId' | 'rotationRetryAfterSeconds'>,
): Promise<Rotation> {
  const rotation = newRotation(account, kind, trigger, requestedBy, deps);
  const outcome = await deps.rotations.start(rotation, rotationJob(rotation, deps.newId));
  if (outcome === 'missing') throw new NotFoundError('No such account.');
  if (outcome !== 'applied') {
    throw new RotationInProgressError(retryAfterOf(deps), account.activeRotation?.id);
  }
  return rotation;
}

/** `POST /v1/accounts/{id}/rotations`: owners rotate an account whose app has a rotation connector. */
export async function startRotation(caller: User, accountId: string, deps: RotationDeps): Promise<Rotation> {
  const { account } = await requireOwner(caller, accountId, deps);
  if (!(await rotationSupported(account, deps.webhooks)))
    throw new RotationNotSupportedError('password rotation');
  const rotation = await queue(account, 'password', 'manual', caller.id, deps);
  deps.security.record({
    event: 'password.rotation_requested',
    outcome: 'success',
    userId: caller.id,
    reason: accountId,
  });
  return rotation;
}

/** `POST /v1/accounts/{id}/mfa-enrollment`: the connector turns on TOTP; the seed is sealed first. */
export async function startMfaEnrollment(
  caller: User,
  accountId: string,
  deps: RotationDeps,
): Promise<Rotation> {
  const { account } = await requireOwner(caller, accountId, deps);
  if (!effectiveCapabilities(account).mfaEnrollment) throw new RotationNotSupportedError('MFA enrolment');
  if (account.totp) throw new MfaAlreadyEnrolledError();
  return queue(account, 'mfa', 'manual', caller.id, deps);
}

export async function listRotations(caller: User, accountId: string, deps: RotationDeps) {
  await requireMember(caller, accountId, deps);
  return (await deps.rotations.list(accountId)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function getRotation(caller: User, accountId: string, rotationId: string, deps: RotationDeps) {
  await requireMember(caller, accountId, deps);
  const rotation = await deps.rotations.get(accountId, rotationId);
  if (!rotation) throw new NotFoundError('No such rotation.');
  return rotation;
}

/** Owners list the password versions (no secrets): number, status, when, which rotation. */
export async function listPasswordHistory(caller: User, accountId: string, deps: RotationDeps) {
  const { account } = await requireOwner(caller, accountId, deps);
  const versions = await deps.rotations.versions(accountId);
  const current = account.passwordVersion ?? 1;
  const listed = versions.map(({ secret: _secret, ...rest }) => rest);
  // Accounts from before versions: the current password is version 1 without an item of its own.
  if (!versions.some((v) => v.version === current)) {
    listed.push({
      accountId,
      version: current,
      status: 'current',
      kind: 'password',
      createdBy: account.createdBy,
      createdAt: account.updatedAt,
    });
  }
  return listed.sort((a, b) => b.version - a.version);
}

/** One version's password, under the `password.history.view` confirmation (owners). */
export async function viewPasswordVersion(
  caller: User,
  accountId: string,
  version: number,
  deps: RotationDeps,
): Promise<string> {
  await requireOwner(caller, accountId, deps);
  const secret = await deps.rotations.sealedPassword(accountId, version);
  if (!secret) throw new NotFoundError('No such password version.');
  const password = await deps.keyring.open(secret, passwordContext(accountId));
  deps.security.record({
    event: 'password.history_viewed',
    outcome: 'success',
    userId: caller.id,
    reason: `${accountId}:${version}`,
  });
  return password;
}

/**
 * The login-grant hook: refuses (409 `rotation_in_progress`, `retryAfter`) while a rotation is
 * changing the account's password at the app, when the password may be either version.
 */
export function assertPasswordStable(
  account: Pick<Account, 'activeRotation'>,
  deps: Pick<RotationDeps, 'rotationRetryAfterSeconds'> = {},
) {
  const active = account.activeRotation;
  if (active?.kind === 'password' && active.changingSince) {
    throw new RotationInProgressError(retryAfterOf(deps), active.id);
  }
}

/**
 * The after-login hook: a successful login of an account whose policy rotates after logins marks it
 * due `afterLoginDelayMinutes` later (the sweep starts it). Never throws for a missing policy.
 */
export async function afterLogin(
  accountId: string,
  deps: Pick<RotationDeps, 'rotations' | 'clock'>,
): Promise<string | undefined> {
  const policy = await deps.rotations.getPolicy(accountId);
  if (!policy?.afterLogin) return undefined;
  const dueAt = new Date(deps.clock.now().getTime() + policy.afterLoginDelayMinutes * 60_000).toISOString();
  await deps.rotations.markDue(accountId, dueAt);
  return dueAt;
}

export interface PolicyInput {
  everyDays: number | null;
  afterLogin: boolean;
  afterLoginDelayMinutes?: number | undefined;
  generator?: Partial<RotationPolicy['generator']> | undefined;
}

function completePolicy(input: PolicyInput, base: RotationPolicy): RotationPolicy {
  return {
    everyDays: input.everyDays,
    afterLogin: input.afterLogin,
    afterLoginDelayMinutes: input.afterLoginDelayMinutes ?? base.afterLoginDelayMinutes,
    generator: { ...base.generator, ...input.generator },
  };
}

/** The account's own policy, else the workspace default, else the built-in default. */
export async function getRotationPolicy(caller: User, accountId: string, deps: RotationDeps) {
  const { account } = await requireMember(caller, accountId, deps);
  const own = await deps.rotations.getPolicy(accountId);
  if (own) return { policy: own, source: 'account' as const };
  const workspace = await deps.rotations.getWorkspacePolicy(account.workspaceId);
  return workspace
    ? { policy: workspace, source: 'workspace' as const }
    : { policy: DEFAULT_POLICY, source: 'default' as const };
}

/** Owners set the account's policy; the app's rules bound the generator; the next due time is indexed. */
export async function putRotationPolicy(
  caller: User,
  accountId: string,
  input: PolicyInput,
  deps: RotationDeps,
) {
  const { account } = await requireOwner(caller, accountId, deps);
  const workspace = await deps.rotations.getWorkspacePolicy(account.workspaceId);
  const policy = completePolicy(input, workspace ?? DEFAULT_POLICY);
  const app = findApp(account.appId);
  if (
    (policy.everyDays !== null || policy.afterLogin) &&
    !(await rotationSupported(account, deps.webhooks))
  ) {
    throw new RotationNotSupportedError('password rotation');
  }
  if (app) policy.generator = boundedSettings(policy.generator, app.passwordRules);
  const now = deps.clock.now();
  const since =
    account.lastRotation?.status === 'succeeded' ? Date.parse(account.lastRotation.at) : now.getTime();
  const nextDueAt =
    policy.everyDays === null ? undefined : new Date(since + policy.everyDays * 86_400_000).toISOString();
  if (!(await deps.rotations.putPolicy(account, policy, nextDueAt, now)))
    throw new NotFoundError('No such account.');
  return { policy, source: 'account' as const, ...(nextDueAt ? { nextDueAt } : {}) };
}

export async function putWorkspaceRotationPolicy(caller: User, input: PolicyInput, deps: RotationDeps) {
  const policy = completePolicy(input, DEFAULT_POLICY);
  await deps.rotations.putWorkspacePolicy(caller.workspaceId, policy, deps.clock.now());
  return { policy, source: 'workspace' as const };
}

export async function getWorkspaceRotationPolicy(caller: User, deps: RotationDeps) {
  const policy = await deps.rotations.getWorkspacePolicy(caller.workspaceId);
  return policy
    ? { policy, source: 'workspace' as const }
    : { policy: DEFAULT_POLICY, source: 'default' as const };
}

/**
 * The scheduled sweep: reads only the sparse index of due accounts (nothing is read when nothing is
 * due) and queues one rotation per due account. An account with a rotation running is skipped; its
 * due mark stays, so a later sweep picks it up.
 */
export async function sweepDueRotations(
  deps: Pick<RotationDeps, 'rotations' | 'clock' | 'newId' | 'accounts' | 'webhooks'> & { limit?: number },
) {
  const due = await deps.rotations.due(deps.clock.now(), deps.limit ?? 500);
  let started = 0;
  let skipped = 0;
  for (const item of due) {
    const account = await deps.accounts.get(item.accountId);
    if (!account || !(await rotationSupported(account, deps.webhooks))) {
      // It cannot be rotated any more (its app changed): out of the index, or every sweep reads it again.
      if (account) await deps.rotations.clearDue(account.id);
      skipped++;
      continue;
    }
    try {
      await queue(account, 'password', 'schedule', account.createdBy, deps);
      started++;
    } catch (error) {
      if (!(error instanceof RotationInProgressError)) throw error;
      skipped++;
    }
  }
  return { due: due.length, started, skipped };
}
