import { generateSecret } from 'otplib';
import type { Account } from '../accounts/model';
import type {
  AccountRepository,
  Clock,
  Keyring,
  Mailer,
  Notifier,
  SecurityLog,
  UserRepository,
} from '../ports';
import { findApp } from './apps';
import { ConnectorError } from './errors';
import { generatePassword } from './generator';
import { DEFAULT_POLICY, type Rotation, type RotationPolicy, type StepRecord } from './model';
import type { Connector, ConnectorRequest, RotationEffect, RotationRepository } from './ports';

export const passwordContext = (accountId: string) => ({ accountId, purpose: 'account-password' });
export const totpSeedContext = (accountId: string) => ({ accountId, purpose: 'account-totp-seed' });

export interface EngineDeps {
  rotations: RotationRepository;
  accounts: Pick<AccountRepository, 'get' | 'members'>;
  users: Pick<UserRepository, 'getUser'>;
  keyring: Keyring;
  connector: Connector;
  clock: Clock;
  notifier: Notifier;
  mailer: Mailer;
  security: SecurityLog;
  /** Counts an outcome (`RotationsSucceeded` / `RotationsFailed`) for the alarm. */
  count(metric: 'RotationsSucceeded' | 'RotationsFailed'): void;
  /** How long a worker holds a rotation: longer than a connector call may take, with margin. */
  leaseMs: number;
  /** Share links carry the password they were made with: a rotated password retires them. */
  revokeShareLinks?: (resource: { type: 'account'; id: string }) => Promise<unknown>;
}

/** `done`: ended (or nothing left to do); `retry`: the queue should deliver the job again later. */
export type AdvanceOutcome = 'done' | 'retry';

const TERMINAL = new Set(['succeeded', 'failed']);

/** The rotation a connector request is about, in the request's own terms. */
function request(rotation: Rotation, account: Account, op: ConnectorRequest['op']): ConnectorRequest {
  const appId = account.appId ?? '';
  const pending = rotation.pendingVersion ?? rotation.fromVersion;
  const base = { appId, accountId: account.id, username: account.username, rotationId: rotation.id };
  if (rotation.kind === 'mfa') {
    return op === 'check_login'
      ? { ...base, op, passwordVersion: rotation.fromVersion, totp: 'pending' }
      : { ...base, op, passwordVersion: rotation.fromVersion };
  }
  if (op === 'change_password') {
    return { ...base, op, passwordVersion: rotation.fromVersion, newVersion: pending };
  }
  return { ...base, op, passwordVersion: pending, ...(account.totp ? { totp: 'account' as const } : {}) };
}

/**
 * Runs a rotation forward from whatever state is stored, step by step, until it ends or must wait for
 * a retry. Every transition is conditional on the revision read; before any connector call the worker
 * claims a lease in that same way, so two workers racing on one rotation cannot both act: the loser's
 * write fails and it backs off. A crash leaves the last committed step, which the next delivery
 * resumes; a change the app may have accepted (a timeout) is probed with a login before it is retried.
 */
export async function advanceRotation(
  ref: { accountId: string; rotationId: string },
  deps: EngineDeps,
): Promise<AdvanceOutcome> {
  for (let guard = 0; guard < 20; guard++) {
    const rotation = await deps.rotations.get(ref.accountId, ref.rotationId);
    if (rotation?.ownersEmailPending) {
      const account = await deps.accounts.get(ref.accountId);
      if (account) await emailOwners(rotation, account, deps);
      return 'done';
    }
    if (!rotation || TERMINAL.has(rotation.status)) return 'done';
    const now = deps.clock.now();
    if (rotation.leaseUntil && Date.parse(rotation.leaseUntil) > now.getTime()) return 'retry';
    const account = await deps.accounts.get(ref.accountId);
    if (!account) return 'done';
    const changing = rotation.step === 'change' || rotation.step === 'verify';
    const claimed = await deps.rotations.save(
      rotation,
      {
        ...rotation,
        status: 'running',
        attempts: rotation.attempts + (rotation.step === 'change' ? 1 : 0),
        leaseUntil: new Date(now.getTime() + deps.leaseMs).toISOString(),
        updatedAt: now.toISOString(),
        rev: rotation.rev + 1,
      },
      changing && rotation.kind === 'password' ? [{ type: 'markChanging', at: now.toISOString() }] : [],
    );
    // Another worker moved it first: it acts, this one comes back later to see the outcome.
    if (!claimed) return 'retry';
    const outcome = await step(claimed, account, deps);
    if (outcome === 'retry') return 'retry';
  }
  return 'retry';
}

type StepOutcome = 'continue' | 'retry';

function record(rotation: Rotation, entry: Omit<StepRecord, 'at' | 'attempt'>, at: Date): StepRecord[] {
  return [...rotation.steps, { ...entry, at: at.toISOString(), attempt: rotation.attempts }];
}

/** The next state, released (no lease) and one revision up. */
function next(rotation: Rotation, changes: Partial<Rotation>, at: Date): Rotation {
  const { leaseUntil: _lease, ...rest } = rotation;
  return { ...rest, ...changes, updatedAt: at.toISOString(), rev: rotation.rev + 1 };
}

/**
 * Ends the current step: records how it went, writes `changes` as the next revision (with `effects`),
 * and answers 'continue' when this worker's conditional write won, 'retry' when a racing one did.
 */
async function endStep(
  rotation: Rotation,
  deps: EngineDeps,
  now: Date,
  entry: Omit<StepRecord, 'at' | 'attempt'>,
  changes: Partial<Rotation>,
  effects?: RotationEffect[],
): Promise<StepOutcome> {
  const saved = await deps.rotations.save(
    rotation,
    next(rotation, { ...changes, steps: record(rotation, entry, now) }, now),
    effects,
  );
  return saved ? 'continue' : 'retry';
}

async function step(rotation: Rotation, account: Account, deps: EngineDeps): Promise<StepOutcome> {
  switch (rotation.step) {
    case 'seal':
      return seal(rotation, account, deps);
    case 'change':
      return change(rotation, account, deps);
    case 'verify':
      return verify(rotation, account, deps);
    case 'promote':
      return promote(rotation, account, deps);
    default:
      return 'continue';
  }
}

async function policyOf(account: Account, deps: EngineDeps): Promise<RotationPolicy> {
  return (
    (await deps.rotations.getPolicy(account.id)) ??
    (await deps.rotations.getWorkspacePolicy(account.workspaceId)) ??
    DEFAULT_POLICY
  );
}

/** Step 1: the new secret is generated and stored sealed as pending before the app is touched. */
async function seal(rotation: Rotation, account: Account, deps: EngineDeps): Promise<StepOutcome> {
  const now = deps.clock.now();
  const effects: RotationEffect[] = [];
  let changes: Partial<Rotation>;
  if (rotation.kind === 'mfa') {
    // 160 bits, base32 (RFC 4226's recommended length), sealed on the rotation record.
    const seed = generateSecret({ length: 20 });
    changes = { pendingSeed: await deps.keyring.seal(seed, totpSeedContext(account.id)) };
  } else {
    const app = findApp(account.appId);
    if (!app) return fail(rotation, account, 'the account names no catalogue app', deps);
    const policy = await policyOf(account, deps);
    const password = generatePassword(policy.generator, app.passwordRules);
    const versions = await deps.rotations.versions(account.id);
    const version = Math.max(rotation.fromVersion, ...versions.map((v) => v.version)) + 1;
    // Accounts from before versions hold version 1 only on their own item: give it a history item.
    if (!versions.some((v) => v.version === rotation.fromVersion)) {
      effects.push({
        type: 'putVersion',
        version: {
          accountId: account.id,
          version: rotation.fromVersion,
          status: 'current',
          kind: 'password',
          secret: account.password,
          createdBy: account.createdBy,
          createdAt: account.updatedAt,
        },
      });
    }
    effects.push({
      type: 'putVersion',
      version: {
        accountId: account.id,
        version,
        status: 'pending',
        kind: 'password',
        secret: await deps.keyring.seal(password, passwordContext(account.id)),
        rotationId: rotation.id,
        createdBy: rotation.requestedBy,
        createdAt: now.toISOString(),
      },
    });
    changes = { pendingVersion: version };
  }
  return endStep(
    rotation,
    deps,
    now,
    { step: 'seal', outcome: 'done' },
    { ...changes, step: 'change' },
    effects,
  );
}

async function probe(rotation: Rotation, account: Account, deps: EngineDeps): Promise<boolean> {
  try {
    return (await deps.connector.run(request(rotation, account, 'check_login'))).ok;
  } catch {
    return false;
  }
}

/** Step 2: the connector changes the secret at the app (after a failed try: first, does the new one work?). */
async function change(rotation: Rotation, account: Account, deps: EngineDeps): Promise<StepOutcome> {
  // A change the app accepts but whose login keeps failing loops change -> verify: bounded here too.
  if (rotation.attempts > rotation.maxAttempts) {
    return fail(rotation, account, rotation.error ?? 'the new secret did not log in after the change', deps);
  }
  if (rotation.attempts > 1 && (await probe(rotation, account, deps))) {
    // The app took the change last time even though the call failed (accept then time out): roll forward.
    return endStep(
      rotation,
      deps,
      deps.clock.now(),
      { step: 'change', outcome: 'rolled_forward', detail: 'the new secret already logs in' },
      { step: 'promote' },
    );
  }
  let detail: string | undefined;
  let final = false;
  try {
    const result = await deps.connector.run(
      request(rotation, account, rotation.kind === 'mfa' ? 'enroll_totp' : 'change_password'),
    );
    if (!result.ok) detail = result.detail ?? 'the app refused the change';
    final = result.final === true;
  } catch (error) {
    detail = error instanceof ConnectorError ? error.message : 'the connector failed';
  }
  if (detail === undefined) {
    return endStep(rotation, deps, deps.clock.now(), { step: 'change', outcome: 'done' }, { step: 'verify' });
  }
  // A refusal for good (a webhook's `failed`) ends the rotation now: retrying cannot change the answer.
  if (final) return fail(rotation, account, detail, deps);
  return retryOrFail(rotation, account, 'change', detail, deps);
}

/** Step 3: a login with the new secret proves the app has it. */
async function verify(rotation: Rotation, account: Account, deps: EngineDeps): Promise<StepOutcome> {
  const works = await probe(rotation, account, deps);
  const now = deps.clock.now();
  if (works) return endStep(rotation, deps, now, { step: 'verify', outcome: 'done' }, { step: 'promote' });
  // The app said yes but the new secret does not log in: change again (counted) or end.
  return endStep(
    rotation,
    deps,
    now,
    { step: 'verify', outcome: 'failed', detail: 'login refused' },
    { step: 'change', error: 'the new secret did not log in after the change' },
  );
}

async function retryOrFail(
  rotation: Rotation,
  account: Account,
  at: 'change',
  detail: string,
  deps: EngineDeps,
): Promise<StepOutcome> {
  if (rotation.attempts >= rotation.maxAttempts) return fail(rotation, account, detail, deps);
  // Either way the step is tried again: by this worker after the failure, or by the one whose write won.
  await endStep(rotation, deps, deps.clock.now(), { step: at, outcome: 'failed', detail }, { error: detail });
  return 'retry';
}

/** Step 4: the new secret becomes current; previous versions stay. */
async function promote(rotation: Rotation, account: Account, deps: EngineDeps): Promise<StepOutcome> {
  const now = deps.clock.now();
  const effects: RotationEffect[] = [];
  if (rotation.kind === 'mfa') {
    if (!rotation.pendingSeed) return fail(rotation, account, 'no sealed seed', deps);
    effects.push({ type: 'promoteTotp', seed: rotation.pendingSeed });
  } else {
    const version = rotation.pendingVersion as number;
    const secret = await deps.rotations.sealedPassword(account.id, version);
    if (!secret) return fail(rotation, account, 'the pending version is missing', deps);
    const policy = await policyOf(account, deps);
    effects.push(
      {
        type: 'promotePassword',
        secret,
        version,
        fromVersion: rotation.fromVersion,
        ...(policy.everyDays
          ? { nextDueAt: new Date(now.getTime() + policy.everyDays * 86_400_000).toISOString() }
          : {}),
      },
      { type: 'versionStatus', version, status: 'current' },
      { type: 'versionStatus', version: rotation.fromVersion, status: 'previous' },
    );
  }
  const saved = await deps.rotations.save(
    rotation,
    next(
      rotation,
      {
        status: 'succeeded',
        step: 'done',
        finishedAt: now.toISOString(),
        steps: record(rotation, { step: 'promote', outcome: 'done' }, now),
      },
      now,
    ),
    effects,
  );
  if (!saved) return 'retry';
  if (rotation.kind === 'password') await deps.revokeShareLinks?.({ type: 'account', id: account.id });
  deps.count('RotationsSucceeded');
  deps.security.record({
    event: rotation.kind === 'mfa' ? 'mfa.enrolled' : 'password.rotated',
    outcome: 'success',
    userId: rotation.requestedBy,
    reason: `${account.id}:${rotation.id}`,
  });
  return 'continue';
}

/**
 * Retries are used up. A pending secret that already logs in is promoted (the app has it); otherwise
 * the rotation ends `failed`, the version the app had stays current, and the owners hear about it.
 */
async function fail(
  rotation: Rotation,
  account: Account,
  detail: string,
  deps: EngineDeps,
): Promise<StepOutcome> {
  if (
    (rotation.pendingVersion !== undefined || rotation.pendingSeed) &&
    (await probe(rotation, account, deps))
  ) {
    return promote(rotation, account, deps);
  }
  const now = deps.clock.now();
  const saved = await deps.rotations.save(
    rotation,
    next(
      rotation,
      {
        status: 'failed',
        step: 'done',
        error: detail,
        ownersEmailPending: true,
        finishedAt: now.toISOString(),
        steps: record(rotation, { step: rotation.step, outcome: 'failed', detail }, now),
      },
      now,
    ),
    [
      ...(rotation.pendingVersion !== undefined
        ? [{ type: 'versionStatus', version: rotation.pendingVersion, status: 'abandoned' } as const]
        : []),
      { type: 'release' },
    ],
  );
  if (!saved) return 'retry';
  deps.count('RotationsFailed');
  deps.security.record({
    event: rotation.kind === 'mfa' ? 'mfa.enrolment_failed' : 'password.rotation_failed',
    outcome: 'failure',
    userId: rotation.requestedBy,
    reason: `${account.id}:${rotation.id}`,
  });
  await deps.notifier.notify('rotation_failed', await ownerIds(account, deps), {
    accountId: account.id,
    rotationId: rotation.id,
  });
  await emailOwners(saved, account, deps);
  return 'continue';
}

const ownerIds = async (account: Account, deps: EngineDeps) =>
  (await deps.accounts.members(account.id)).filter((m) => m.role === 'owner').map((m) => m.userId);

/**
 * Emails the owners about a failed rotation, then clears `ownersEmailPending`. A failing SES throws
 * out of the worker: the job comes back (and ends in the DLQ if SES stays down) and the next delivery
 * sends them, since the flag is still set. An owner may get the email twice then, never zero times.
 */
async function emailOwners(rotation: Rotation, account: Account, deps: EngineDeps) {
  const what = rotation.kind === 'mfa' ? 'Turning on TOTP' : 'A password rotation';
  for (const id of await ownerIds(account, deps)) {
    const user = await deps.users.getUser(id);
    if (user?.status !== 'active') continue;
    await deps.mailer.send({
      to: user.email,
      subject: `${what} failed for ${account.appName}`,
      text:
        `${what} for ${account.appName} (${account.username}) failed after ${rotation.attempts} attempt(s): ${rotation.error ?? 'unknown error'}.\n` +
        'The password that works at the app is still the current one in Latchkey; nothing was lost.\n' +
        `Rotation ${rotation.id}.`,
    });
  }
  const now = deps.clock.now();
  const { ownersEmailPending: _sent, ...rest } = rotation;
  await deps.rotations.save(rotation, { ...rest, updatedAt: now.toISOString(), rev: rotation.rev + 1 });
}
