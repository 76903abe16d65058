import { randomBytes } from 'node:crypto';
import { ForbiddenError, NotFoundError } from '../errors';
import { openCursor, pageFor, sealCursor } from '../pagination';
import type {
  AccountRepository,
  Clock,
  Hmac,
  IdGenerator,
  InboxRepository,
  Keyring,
  LoginGrantRepository,
  Notifier,
  PhoneNumbers,
  PhoneNumberType,
  SecurityLog,
  UserRepository,
} from '../ports';
import { effectiveCapabilities, findApp } from '../rotation/apps';
import { PasswordVersionConflictError, RotationInProgressError } from '../rotation/errors';
import { type AppWebhookRepository, rotationSupported } from '../rotation/webhooks';
import { cleanLabel } from '../text/sanitize';
import type { User } from '../users/model';
import {
  AlreadyProvisionedError,
  InvalidLoginTimeError,
  LastOwnerError,
  NotSupportedError,
  RoleNotAllowedError,
} from './errors';
import {
  type Account,
  type AccountRole,
  type Capabilities,
  DEFAULT_CAPABILITIES,
  INBOX_DEFAULT_RETENTION_DAYS,
  type Membership,
  mayOwnAccounts,
} from './model';

export interface AccountDeps {
  accounts: AccountRepository;
  inbox: InboxRepository;
  users: Pick<UserRepository, 'getUser'>;
  keyring: Keyring;
  /** Seals list cursors (see `domain/pagination.ts`). */
  hmac: Hmac;
  notifier: Notifier;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  /** The domain managed email addresses live on (SES receiving). */
  inboundEmailDomain: string;
  inboxRetentionDays?: number;
  teamAccess?: AccessDeps['teamAccess'];
  /** Login grants, for results that name the grant they came from. */
  grants?: Pick<LoginGrantRepository, 'get'>;
  /** Revokes the public share links of an account whose password changed or that was removed. */
  revokeShareLinks?: (resource: { type: 'account'; id: string }) => Promise<unknown>;
  /** The rotation policy's after-login trigger (`domain/rotation/use-cases.ts` `afterLogin`). */
  afterLogin?: (accountId: string) => Promise<unknown>;
  /**
   * An owner left or was demoted: the owners left may all be deprovisioned (the owner count still
   * counts them), so the account may now need an admin (`domain/directory/continuity.ts`).
   */
  afterOwnerRemoved?: (accountId: string, formerOwnerId: string) => Promise<unknown>;
  /** The workspace's webhook connectors: an app without a connector of its own may rotate through one. */
  webhooks?: Pick<AppWebhookRepository, 'get'>;
}

/** What the managed-number routes and account deletion need (no keyring, no notifier). */
export type PhoneDeps = Pick<
  AccountDeps,
  'accounts' | 'inbox' | 'clock' | 'security' | 'revokeShareLinks'
> & {
  phoneNumbers: PhoneNumbers;
};

export const passwordContext = (accountId: string) => ({ accountId, purpose: 'account-password' });

/** Enough to check access: the account and the caller's membership. */
export type AccessDeps = {
  accounts: Pick<AccountRepository, 'get' | 'membership'>;
  /** Access through a team the account is shared with, when there is no direct membership. */
  teamAccess?: (accountId: string, user: User) => Promise<Membership | undefined>;
};

/** The caller's membership, or 404: someone else's account and a missing one look the same (BOLA). */
export async function requireMember(
  caller: User,
  accountId: string,
  deps: AccessDeps,
): Promise<{ account: Account; membership: Membership }> {
  const [account, membership] = await Promise.all([
    deps.accounts.get(accountId),
    deps.accounts.membership(accountId, caller.id),
  ]);
  const effective =
    membership ?? (account && deps.teamAccess ? await deps.teamAccess(accountId, caller) : undefined);
  if (!account || !effective || account.workspaceId !== caller.workspaceId)
    throw new NotFoundError('No such account.');
  return { account, membership: effective };
}

export async function requireOwner(caller: User, accountId: string, deps: AccessDeps) {
  const found = await requireMember(caller, accountId, deps);
  if (found.membership.role !== 'owner') throw new ForbiddenError('Only the account’s owners can do this.');
  return found;
}

export interface CreateAccountInput {
  appName: string;
  loginUrl?: string | undefined;
  username: string;
  password: string;
  capabilities?: Partial<Capabilities> | undefined;
  /** A catalogue app (`GET /v1/apps`); its capabilities win over `capabilities`. */
  appId?: string | undefined;
  /** Edits only: the password version the new password replaces (409 when it is no longer current). */
  passwordVersion?: number | undefined;
}

const TEXT_SANITIZED = 'sanitized';

/** Names people see lose control and bidi characters at write time; `changed` sets the flag. */
function cleanNames(input: { appName?: string | undefined; username?: string | undefined }) {
  const clean = (value: string | undefined) => {
    if (value === undefined) return { value, changed: false };
    const { text, changed } = cleanLabel(value);
    return { value: text === '' ? '-' : text, changed };
  };
  const appName = clean(input.appName);
  const username = clean(input.username);
  return { appName: appName.value, username: username.value, changed: appName.changed || username.changed };
}

export async function createAccount(
  caller: User,
  input: CreateAccountInput,
  deps: AccountDeps,
): Promise<Account> {
  if (!mayOwnAccounts(caller.workspaceRole))
    throw new ForbiddenError('Your workspace role cannot create accounts.');
  const now = deps.clock.now().toISOString();
  const id = deps.newId('acc');
  const names = cleanNames(input);
  if (input.appId !== undefined && !findApp(input.appId))
    throw new NotFoundError('No such app in the catalogue.');
  const account: Account = {
    id,
    workspaceId: caller.workspaceId,
    appName: names.appName ?? input.appName,
    ...(input.appId ? { appId: input.appId } : {}),
    ...(input.loginUrl ? { loginUrl: input.loginUrl } : {}),
    username: names.username ?? input.username,
    ...(names.changed ? { flags: [TEXT_SANITIZED] } : {}),
    password: await deps.keyring.seal(input.password, passwordContext(id)),
    passwordVersion: 1,
    capabilities: { ...DEFAULT_CAPABILITIES, ...input.capabilities },
    ownerCount: 1,
    createdBy: caller.id,
    createdAt: now,
    updatedAt: now,
  };
  await deps.accounts.create(account, { accountId: id, userId: caller.id, role: 'owner', addedAt: now });
  deps.security.record({ event: 'account.created', outcome: 'success', userId: caller.id, reason: id });
  return account;
}

export async function listAccounts(
  caller: User,
  options: { limit: number; cursor?: string | undefined },
  deps: Pick<AccountDeps, 'accounts' | 'hmac'>,
) {
  const scope = { list: 'accounts', callerId: caller.id };
  const position = await openCursor(options.cursor, scope, deps.hmac);
  const page = await deps.accounts.accountIdsOf(caller.id, { limit: options.limit, cursor: position });
  const accounts = (await deps.accounts.getMany(page.ids)).filter(
    (a) => a.workspaceId === caller.workspaceId,
  );
  return {
    items: accounts.map((account) => ({
      account,
      role: page.roles[account.id] ?? ('collaborator' as const),
    })),
    nextCursor: await sealCursor(page.nextCursor, scope, deps.hmac),
  };
}

export async function updateAccount(
  caller: User,
  accountId: string,
  changes: Partial<CreateAccountInput>,
  deps: AccountDeps,
): Promise<Account> {
  const { account } = await requireOwner(caller, accountId, deps);
  const names = cleanNames(changes);
  const flags = [...new Set([...(account.flags ?? []), TEXT_SANITIZED])];
  if (changes.appId !== undefined && !findApp(changes.appId))
    throw new NotFoundError('No such app in the catalogue.');
  if (changes.password !== undefined) await replacePassword(caller, account, changes, deps);
  const updated = await deps.accounts.update(
    accountId,
    {
      ...(names.appName !== undefined ? { appName: names.appName } : {}),
      ...(changes.appId !== undefined ? { appId: changes.appId } : {}),
      ...(changes.loginUrl !== undefined ? { loginUrl: changes.loginUrl } : {}),
      ...(names.username !== undefined ? { username: names.username } : {}),
      ...(names.changed ? { flags } : {}),
      ...(changes.capabilities ? { capabilities: { ...account.capabilities, ...changes.capabilities } } : {}),
    },
    deps.clock.now(),
  );
  if (!updated) throw new NotFoundError('No such account.');
  // A link carries the password it was made with: a new password retires it.
  if (changes.password !== undefined) await deps.revokeShareLinks?.({ type: 'account', id: accountId });
  return updated;
}

/**
 * An owner's edit of the password names the version it replaces: a rotation or another owner that
 * changed it meanwhile makes it a 409, never a silent overwrite. The replaced version stays in history.
 */
async function replacePassword(
  caller: User,
  account: Account,
  changes: Partial<CreateAccountInput>,
  deps: AccountDeps,
) {
  const current = account.passwordVersion ?? 1;
  if (account.activeRotation) throw new RotationInProgressError(30, account.activeRotation.id);
  if (changes.passwordVersion !== current) throw new PasswordVersionConflictError(current);
  const secret = await deps.keyring.seal(changes.password as string, passwordContext(account.id));
  const outcome = await deps.accounts.replacePassword(account, current, secret, caller.id, deps.clock.now());
  if (outcome === 'conflict') {
    const fresh = await deps.accounts.get(account.id);
    if (fresh?.activeRotation) throw new RotationInProgressError(30, fresh.activeRotation.id);
    throw new PasswordVersionConflictError(fresh?.passwordVersion ?? current);
  }
}

/** Owners only; the password is decrypted for this response and never logged. */
/**
 * The account with its password opened, for its owners only: one owner check for both (share links
 * hand out the name and the password together; checking again to open the password read it all twice).
 */
export async function revealAccount(
  caller: User,
  accountId: string,
  deps: AccessDeps & Pick<AccountDeps, 'keyring' | 'security'>,
): Promise<{ account: Account; password: string }> {
  const { account } = await requireOwner(caller, accountId, deps);
  const password = await deps.keyring.open(account.password, passwordContext(accountId));
  deps.security.record({
    event: 'password.viewed',
    outcome: 'success',
    userId: caller.id,
    reason: accountId,
  });
  return { account, password };
}

export async function viewPassword(caller: User, accountId: string, deps: AccountDeps): Promise<string> {
  return (await revealAccount(caller, accountId, deps)).password;
}

export async function listMembers(caller: User, accountId: string, deps: AccountDeps) {
  await requireMember(caller, accountId, deps);
  return deps.accounts.members(accountId);
}

/** Owners share (or change a role). Guests and login-only users can only be collaborators. */
export async function putMember(
  caller: User,
  accountId: string,
  userId: string,
  role: AccountRole,
  deps: AccountDeps,
): Promise<Membership> {
  await requireOwner(caller, accountId, deps);
  const user = await deps.users.getUser(userId);
  if (!user || user.workspaceId !== caller.workspaceId || user.status !== 'active')
    throw new NotFoundError('No such user.');
  if (role === 'owner' && !mayOwnAccounts(user.workspaceRole)) throw new RoleNotAllowedError();
  const previous = await deps.accounts.membership(accountId, userId);
  const membership: Membership = {
    accountId,
    userId,
    role,
    addedAt: previous?.addedAt ?? deps.clock.now().toISOString(),
  };
  if (previous?.role === role) return previous;
  const outcome = await deps.accounts.putMember(accountId, membership, previous?.role);
  if (outcome === 'last_owner') throw new LastOwnerError();
  if (outcome === 'conflict') throw new NotFoundError('No such account.');
  if (previous?.role === 'owner') await deps.afterOwnerRemoved?.(accountId, userId);
  deps.security.record({
    event: 'share.created',
    outcome: 'success',
    userId,
    actorUserId: caller.id,
    reason: `${accountId}:${role}`,
  });
  if (!previous) await deps.notifier.notify('account_shared', [userId], { accountId });
  return membership;
}

export async function removeMember(
  caller: User,
  accountId: string,
  userId: string,
  deps: AccountDeps,
): Promise<void> {
  await requireOwner(caller, accountId, deps);
  const membership = await deps.accounts.membership(accountId, userId);
  if (!membership) throw new NotFoundError('No such member.');
  const outcome = await deps.accounts.removeMember(accountId, userId, membership.role);
  if (outcome === 'last_owner') throw new LastOwnerError();
  if (outcome === 'applied' && membership.role === 'owner') await deps.afterOwnerRemoved?.(accountId, userId);
  deps.security.record({
    event: 'share.removed',
    outcome: 'success',
    userId,
    actorUserId: caller.id,
    reason: accountId,
  });
}

export async function provisionPhone(
  caller: User,
  accountId: string,
  requested: PhoneNumberType | undefined,
  deps: PhoneDeps,
): Promise<string> {
  const { account } = await requireOwner(caller, accountId, deps);
  const capabilities = effectiveCapabilities(account);
  if (!capabilities.managedPhone) throw new NotSupportedError('managed phone numbers');
  // No type asked for: what the app accepts (an app refusing VoIP gets a non-VoIP number).
  const type = requested ?? (capabilities.acceptsVoip ? 'voip' : 'non_voip');
  if (type === 'voip' && !capabilities.acceptsVoip) throw new NotSupportedError('VoIP numbers');
  if (account.phoneNumber) throw new AlreadyProvisionedError('phone number');
  const phone = await deps.phoneNumbers.request(type, accountId);
  if ((await deps.accounts.assignPhone(accountId, phone, deps.clock.now())) === 'conflict') {
    // Someone else assigned a number meanwhile: give this one back rather than leak it.
    await deps.phoneNumbers.release(phone.phoneNumberId);
    throw new AlreadyProvisionedError('phone number');
  }
  return phone.phoneNumber;
}

export async function releasePhone(caller: User, accountId: string, deps: PhoneDeps) {
  const { account } = await requireOwner(caller, accountId, deps);
  const released = await deps.accounts.releasePhone(account, deps.clock.now());
  if (released) await deps.phoneNumbers.release(released.phoneNumberId);
}

/** A random, unguessable local part (96 bits) on the inbound domain. */
export async function provisionEmail(caller: User, accountId: string, deps: AccountDeps): Promise<string> {
  const { account } = await requireOwner(caller, accountId, deps);
  if (!effectiveCapabilities(account).managedEmail) throw new NotSupportedError('managed email addresses');
  if (account.emailAddress) throw new AlreadyProvisionedError('email address');
  const address = `lk-${randomBytes(12).toString('hex')}@${deps.inboundEmailDomain}`;
  if ((await deps.accounts.assignEmail(accountId, address, deps.clock.now())) === 'conflict') {
    throw new AlreadyProvisionedError('email address');
  }
  return address;
}

export async function releaseEmail(caller: User, accountId: string, deps: AccountDeps): Promise<void> {
  const { account } = await requireOwner(caller, accountId, deps);
  await deps.accounts.releaseEmail(account, deps.clock.now());
}

/** Releases the number and address, deletes the inbox and the TOTP seed with the account. */
export async function deleteAccount(caller: User, accountId: string, deps: PhoneDeps): Promise<void> {
  const { account } = await requireOwner(caller, accountId, deps);
  const phone = await deps.accounts.releasePhone(account, deps.clock.now());
  if (phone) await deps.phoneNumbers.release(phone.phoneNumberId);
  await deps.inbox.deleteAll(accountId);
  await deps.accounts.delete(account);
  await deps.revokeShareLinks?.({ type: 'account', id: accountId });
  deps.security.record({
    event: 'account.deleted',
    outcome: 'success',
    userId: caller.id,
    reason: accountId,
  });
}

/** Clocks drift: a client's "now" may be this far ahead of ours. */
export const LOGIN_TIME_SKEW_SECONDS = 5 * 60;

/**
 * A reported login time must be a real instant (no 2099-99-99), not in the future beyond the skew,
 * and not older than the inbox retention (older results say nothing about the account today).
 */
function loginTime(at: string | undefined, deps: Pick<AccountDeps, 'clock' | 'inboxRetentionDays'>): string {
  const now = deps.clock.now();
  if (at === undefined) return now.toISOString();
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 19) !== at.slice(0, 19)) {
    throw new InvalidLoginTimeError('not a real date and time');
  }
  if (instant.getTime() > now.getTime() + LOGIN_TIME_SKEW_SECONDS * 1000) {
    throw new InvalidLoginTimeError('in the future');
  }
  if (instant < retentionStart(deps)) throw new InvalidLoginTimeError('older than the inbox retention');
  return instant.toISOString();
}

export async function recordLoginResult(
  caller: User,
  accountId: string,
  result: { success: boolean; at?: string | undefined; grantId?: string | undefined },
  deps: AccountDeps,
) {
  await requireMember(caller, accountId, deps);
  const at = loginTime(result.at, deps);
  const { grantId } = result;
  if (grantId !== undefined) {
    // Only the caller's own grant on this account: a result cannot borrow someone else's login.
    const grant = await deps.grants?.get(grantId);
    if (!grant || grant.userId !== caller.id || grant.accountId !== accountId)
      throw new NotFoundError('No such login grant.');
  }
  const recorded = { success: result.success, at, ...(grantId ? { grantId } : {}) };
  await deps.accounts.update(accountId, { lastLoginResult: recorded }, deps.clock.now());
  // A real login event: the rotation policy may rotate after it (marks the account due; never fails the call).
  if (result.success) await deps.afterLogin?.(accountId);
  return recorded;
}

export interface Milestone {
  id: 'correct_credentials' | 'managed_contact' | 'managed_mfa' | 'shared' | 'passwords_rotated';
  done: boolean;
  reason: string;
}

/** The five milestones of an account's security level, each with why it is (not) done. */
export async function securityLevel(caller: User, accountId: string, deps: AccountDeps) {
  const { account } = await requireMember(caller, accountId, deps);
  const members = await deps.accounts.members(accountId);
  const managed = Boolean(account.phoneNumber || account.emailAddress);
  const codeSeen = Boolean(account.lastCodeReceivedAt);
  const milestones: Milestone[] = [
    {
      id: 'correct_credentials',
      done: account.lastLoginResult?.success === true,
      reason: account.lastLoginResult
        ? `The last automated login (${account.lastLoginResult.at}${account.lastLoginResult.grantId ? ', with a Latchkey login grant' : ''}) ${account.lastLoginResult.success ? 'succeeded' : 'failed'}.`
        : 'No automated login result has been recorded yet.',
    },
    {
      id: 'managed_contact',
      done: managed,
      reason: managed
        ? 'The account has a managed phone number or email address.'
        : 'Add a managed phone number or email address.',
    },
    {
      id: 'managed_mfa',
      done: Boolean(account.totp) || (managed && codeSeen),
      reason: account.totp
        ? 'Latchkey generates the TOTP codes.'
        : managed && codeSeen
          ? 'Verification codes arrive at the managed phone or email.'
          : 'Enrol TOTP in Latchkey, or point the app’s MFA at the managed phone or email.',
    },
    {
      id: 'shared',
      done: members.length > 1,
      reason:
        members.length > 1
          ? `Shared with ${members.length - 1} other member(s).`
          : 'Share it with a collaborator.',
    },
    await passwordsRotated(account, deps),
  ];
  const next = milestones.find((m) => !m.done);
  return {
    level: milestones.filter((m) => m.done).length,
    milestones,
    nextStep: next ? { milestone: next.id, action: next.reason } : null,
  };
}

/**
 * Milestone 5: a policy rotates the account (schedule or after logins) and its last rotation
 * succeeded. Rotatable as the rotation routes decide it: a connector, or the workspace's webhook.
 */
async function passwordsRotated(account: Account, deps: Pick<AccountDeps, 'webhooks'>): Promise<Milestone> {
  const id = 'passwords_rotated';
  if (!(await rotationSupported(account, deps.webhooks))) {
    return {
      id,
      done: false,
      reason: findApp(account.appId)
        ? 'This app has no connector: an admin can configure the workspace’s webhook for it (PUT /v1/apps/{appId}/webhook).'
        : 'Name a catalogue app whose connector rotates passwords (GET /v1/apps).',
    };
  }
  if (!account.rotates) {
    return { id, done: false, reason: 'Set a rotation policy: on a schedule or after logins.' };
  }
  if (account.lastRotation?.status !== 'succeeded') {
    return {
      id,
      done: false,
      reason: account.lastRotation
        ? `The last rotation (${account.lastRotation.at}) failed: rotate the password now.`
        : 'Rotate the password once now: the policy takes over from there.',
    };
  }
  return {
    id,
    done: true,
    reason: `Rotated by policy; the last rotation succeeded (${account.lastRotation.at}).`,
  };
}

export async function listAccountInbox(
  caller: User,
  accountId: string,
  options: { limit: number; cursor?: string | undefined },
  deps: AccountDeps,
) {
  await requireMember(caller, accountId, deps);
  return pageFor(
    (cursor) => deps.inbox.list([accountId], { limit: options.limit, cursor, since: retentionStart(deps) }),
    options.cursor,
    { list: `inbox:${accountId}`, callerId: caller.id },
    deps.hmac,
  );
}

/** Every account the caller can access (up to 100), newest message first. */
export async function listInbox(
  caller: User,
  options: { limit: number; cursor?: string | undefined },
  deps: AccountDeps,
) {
  const accounts = await deps.accounts.accountIdsOf(caller.id, { limit: 100 });
  return pageFor(
    (cursor) => deps.inbox.list(accounts.ids, { limit: options.limit, cursor, since: retentionStart(deps) }),
    options.cursor,
    { list: 'inbox', callerId: caller.id },
    deps.hmac,
  );
}

function retentionStart(deps: Pick<AccountDeps, 'clock' | 'inboxRetentionDays'>): Date {
  const days = deps.inboxRetentionDays ?? INBOX_DEFAULT_RETENTION_DAYS;
  return new Date(deps.clock.now().getTime() - days * 86_400_000);
}
