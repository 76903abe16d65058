import { randomBytes } from 'node:crypto';
import type {
  AccountRepository,
  Clock,
  IdGenerator,
  InboxRepository,
  Keyring,
  Notifier,
  PhoneNumbers,
  PhoneNumberType,
  SecurityLog,
  UserRepository,
} from '../../ports';
import { ForbiddenError, NotFoundError } from '../errors';
import type { User } from '../users/model';
import { AlreadyProvisionedError, LastOwnerError, NotSupportedError, RoleNotAllowedError } from './errors';
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
  notifier: Notifier;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  /** The domain managed email addresses live on (SES receiving). */
  inboundEmailDomain: string;
  inboxRetentionDays?: number;
  /** Revokes the public share links of an account whose password changed or that was removed. */
  revokeShareLinks?: (resource: { type: 'account'; id: string }) => Promise<unknown>;
}

/** What the managed-number routes and account deletion need (no keyring, no notifier). */
export type PhoneDeps = Pick<
  AccountDeps,
  'accounts' | 'inbox' | 'clock' | 'security' | 'revokeShareLinks'
> & {
  phoneNumbers: PhoneNumbers;
};

const passwordContext = (accountId: string) => ({ accountId, purpose: 'account-password' });

/** Enough to check access: the account and the caller's membership. */
export type AccessDeps = { accounts: Pick<AccountRepository, 'get' | 'membership'> };

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
  if (!account || !membership || account.workspaceId !== caller.workspaceId)
    throw new NotFoundError('No such account.');
  return { account, membership };
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
  const account: Account = {
    id,
    workspaceId: caller.workspaceId,
    appName: input.appName,
    ...(input.loginUrl ? { loginUrl: input.loginUrl } : {}),
    username: input.username,
    password: await deps.keyring.seal(input.password, passwordContext(id)),
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
  deps: Pick<AccountDeps, 'accounts'>,
) {
  const page = await deps.accounts.accountIdsOf(caller.id, options);
  const accounts = (await deps.accounts.getMany(page.ids)).filter(
    (a) => a.workspaceId === caller.workspaceId,
  );
  return {
    items: accounts.map((account) => ({
      account,
      role: page.roles[account.id] ?? ('collaborator' as const),
    })),
    nextCursor: page.nextCursor,
  };
}

export async function updateAccount(
  caller: User,
  accountId: string,
  changes: Partial<CreateAccountInput>,
  deps: AccountDeps,
): Promise<Account> {
  const { account } = await requireOwner(caller, accountId, deps);
  const updated = await deps.accounts.update(
    accountId,
    {
      ...(changes.appName !== undefined ? { appName: changes.appName } : {}),
      ...(changes.loginUrl !== undefined ? { loginUrl: changes.loginUrl } : {}),
      ...(changes.username !== undefined ? { username: changes.username } : {}),
      ...(changes.password !== undefined
        ? { password: await deps.keyring.seal(changes.password, passwordContext(accountId)) }
        : {}),
      ...(changes.capabilities ? { capabilities: { ...account.capabilities, ...changes.capabilities } } : {}),
    },
    deps.clock.now(),
  );
  if (!updated) throw new NotFoundError('No such account.');
  // A link carries the password it was made with: a new password retires it.
  if (changes.password !== undefined) await deps.revokeShareLinks?.({ type: 'account', id: accountId });
  return updated;
}

/** Owners only; the password is decrypted for this response and never logged. */
export async function viewPassword(caller: User, accountId: string, deps: AccountDeps): Promise<string> {
  const { account } = await requireOwner(caller, accountId, deps);
  const password = await deps.keyring.open(account.password, passwordContext(accountId));
  deps.security.record({
    event: 'password.viewed',
    outcome: 'success',
    userId: caller.id,
    reason: accountId,
  });
  return password;
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
  type: PhoneNumberType,
  deps: PhoneDeps,
): Promise<string> {
  const { account } = await requireOwner(caller, accountId, deps);
  if (!account.capabilities.managedPhone) throw new NotSupportedError('managed phone numbers');
  if (type === 'voip' && !account.capabilities.acceptsVoip) throw new NotSupportedError('VoIP numbers');
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
  if (!account.capabilities.managedEmail) throw new NotSupportedError('managed email addresses');
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

export async function recordLoginResult(
  caller: User,
  accountId: string,
  result: { success: boolean; at?: string | undefined },
  deps: AccountDeps,
) {
  await requireMember(caller, accountId, deps);
  const at = result.at ?? deps.clock.now().toISOString();
  await deps.accounts.update(
    accountId,
    { lastLoginResult: { success: result.success, at } },
    deps.clock.now(),
  );
  return { success: result.success, at };
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
        ? `The last automated login (${account.lastLoginResult.at}) ${account.lastLoginResult.success ? 'succeeded' : 'failed'}.`
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
    { id: 'passwords_rotated', done: false, reason: 'Password rotation is not available yet.' },
  ];
  const next = milestones.find((m) => !m.done);
  return {
    level: milestones.filter((m) => m.done).length,
    milestones,
    nextStep: next ? { milestone: next.id, action: next.reason } : null,
  };
}

export async function listAccountInbox(
  caller: User,
  accountId: string,
  options: { limit: number; cursor?: string | undefined },
  deps: AccountDeps,
) {
  await requireMember(caller, accountId, deps);
  return deps.inbox.list([accountId], { ...options, since: retentionStart(deps) });
}

/** Every account the caller can access (up to 100), newest message first. */
export async function listInbox(
  caller: User,
  options: { limit: number; cursor?: string | undefined },
  deps: AccountDeps,
) {
  const accounts = await deps.accounts.accountIdsOf(caller.id, { limit: 100 });
  return deps.inbox.list(accounts.ids, { ...options, since: retentionStart(deps) });
}

function retentionStart(deps: Pick<AccountDeps, 'clock' | 'inboxRetentionDays'>): Date {
  const days = deps.inboxRetentionDays ?? INBOX_DEFAULT_RETENTION_DAYS;
  return new Date(deps.clock.now().getTime() - days * 86_400_000);
}
