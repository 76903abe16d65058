import type { Account } from '../accounts/model';
import { currentTotpCode } from '../accounts/totp-use-cases';
import { type AccountDeps, passwordContext, requireMember } from '../accounts/use-cases';
import { addSeconds, type Device, type DevicePublicKey } from '../devices/model';
import { type DeviceDeps, disableDevice } from '../devices/use-cases';
import { sendNotice } from '../email-caps';
import { NotFoundError } from '../errors';
import type { LoginGrantRepository } from '../ports';
import type { User } from '../users/model';
import {
  DeviceKeyMissingError,
  GrantAlreadyReportedError,
  GrantExpiredError,
  LoginGrantLimitError,
} from './errors';
import { LOGIN_RULES, type LoginGrant, type LoginRules, networkOf, sameSender } from './model';

/**
 * Extension points for what other features do around a grant (password rotation: refuse a grant
 * while a rotation runs, rotate after a login). None is needed for grants to work.
 */
export interface GrantHooks {
  /** Runs before the password is read for a grant; throwing refuses the grant (e.g. 409 rotation_in_progress). */
  beforeCredentialRead?(account: Account, grant: LoginGrant): Promise<void>;
  /** Runs after a grant was issued (the client holds the JWE). */
  afterGrant?(account: Account, grant: LoginGrant): Promise<void>;
}

export type LoginDeps = AccountDeps &
  DeviceDeps & {
    grants: LoginGrantRepository;
    grantHooks?: GrantHooks;
    loginRules?: Partial<LoginRules>;
  };

function rules(deps: Pick<LoginDeps, 'loginRules'>): LoginRules {
  return { ...LOGIN_RULES, ...deps.loginRules };
}

const HOUR_MS = 3_600_000;
const DAY_SECONDS = 86_400;

/** What the client decrypts: everything one login needs, and nothing stored anywhere in clear. */
export interface GrantPayload {
  v: 1;
  grantId: string;
  accountId: string;
  appName: string;
  loginUrl: string | null;
  username: string;
  password: string;
  totp: { code: string; expiresAt: string } | null;
  issuedAt: string;
  expiresAt: string;
}

/**
 * THE place a grant reads the account's password (and TOTP code). Anything that must hold a grant
 * back (a password rotation in progress) goes in `grantHooks.beforeCredentialRead`, called here.
 */
export async function readCredentialsForGrant(
  account: Account,
  grant: LoginGrant,
  deps: Pick<LoginDeps, 'keyring' | 'clock' | 'grantHooks'>,
): Promise<Pick<GrantPayload, 'username' | 'password' | 'totp'>> {
  await deps.grantHooks?.beforeCredentialRead?.(account, grant);
  const [password, totp] = await Promise.all([
    deps.keyring.open(account.password, passwordContext(account.id)),
    account.totp ? currentTotpCode(account, deps) : undefined,
  ]);
  return {
    username: account.username,
    password,
    totp: totp ? { code: totp.code, expiresAt: totp.expiresAt } : null,
  };
}

function requireKey(device: Device): DevicePublicKey {
  if (!device.publicKey) throw new DeviceKeyMissingError();
  return device.publicKey;
}

/**
 * A login grant for a member's trusted device that holds a key: the credentials sealed to that key
 * (compact JWE), alive 60 s. Counted per user and per account before anything is read; audited with
 * who, device, address and time; a network the user has not used in 90 days raises
 * `unrecognized_login`.
 */
export async function issueLoginGrant(
  caller: User,
  device: Device,
  accountId: string,
  ip: string,
  deps: LoginDeps,
): Promise<{ id: string; expiresAt: string; jwe: string }> {
  const limits = rules(deps);
  const { account } = await requireMember(caller, accountId, deps);
  const key = requireKey(device);
  const now = deps.clock.now();
  const event = { event: 'login.granted', userId: caller.id, deviceId: device.id, ip };
  const grant: LoginGrant = {
    id: deps.newId('lgr'),
    accountId,
    workspaceId: caller.workspaceId,
    userId: caller.id,
    deviceId: device.id,
    keyThumbprint: key.thumbprint,
    ip,
    network: networkOf(ip),
    issuedAt: now.toISOString(),
    validUntil: addSeconds(now, limits.grantLifetimeSeconds).toISOString(),
    codeUntil: addSeconds(now, limits.codeWindowSeconds).toISOString(),
  };
  const hour = Math.floor(now.getTime() / HOUR_MS);
  const created = await deps.grants.create(
    grant,
    { perUser: limits.grantsPerUserPerHour, perAccount: limits.grantsPerAccountPerHour, hour },
    limits.recordRetentionDays * DAY_SECONDS,
  );
  if (created !== 'applied') {
    deps.security.record({ ...event, outcome: 'failure', reason: `${created}:${accountId}` });
    const retryAfter = Math.ceil(((hour + 1) * HOUR_MS - now.getTime()) / 1000);
    throw new LoginGrantLimitError(created === 'user_cap' ? 'user' : 'account', retryAfter);
  }
  const credentials = await readCredentialsForGrant(account, grant, deps);
  const payload: GrantPayload = {
    v: 1,
    grantId: grant.id,
    accountId,
    appName: account.appName,
    loginUrl: account.loginUrl ?? null,
    ...credentials,
    issuedAt: grant.issuedAt,
    expiresAt: grant.validUntil,
  };
  const jwe = await deps.deviceKeys.seal(key, { ...payload });
  deps.security.record({ ...event, outcome: 'success', reason: `${grant.id}:${accountId}` });
  await warnOnNewNetwork(caller, grant, deps);
  await deps.grantHooks?.afterGrant?.(account, grant);
  return { id: grant.id, expiresAt: grant.validUntil, jwe };
}

/**
 * The user's first network ever sets the baseline (no warning: there is nothing to compare with);
 * after that, a network not used for a grant in the last 90 days raises `unrecognized_login`.
 */
async function warnOnNewNetwork(caller: User, grant: LoginGrant, deps: LoginDeps): Promise<boolean> {
  const limits = rules(deps);
  const now = new Date(grant.issuedAt);
  const memorySeconds = limits.networkMemoryDays * DAY_SECONDS;
  const seen = await deps.grants.recordNetwork(caller.id, grant.network, now, memorySeconds);
  const recent = seen.lastUsedAt !== undefined && addSeconds(new Date(seen.lastUsedAt), memorySeconds) > now;
  if (recent || (seen.lastUsedAt === undefined && seen.firstNetwork)) return false;
  deps.security.record({
    event: 'login.unrecognized_network',
    outcome: 'success',
    reason: `${grant.id}:${grant.network}`,
    userId: caller.id,
    deviceId: grant.deviceId,
    ip: grant.ip,
  });
  await deps.notifier.notify('unrecognized_login', [caller.id], {
    grantId: grant.id,
    accountId: grant.accountId,
    deviceId: grant.deviceId,
  });
  return true;
}

/** The caller's own grant on this account, asked from the device it was issued to; else 404 (BOLA). */
async function ownGrant(
  caller: User,
  accountId: string,
  grantId: string,
  deps: LoginDeps,
): Promise<LoginGrant> {
  const grant = await deps.grants.get(grantId);
  if (!grant || grant.userId !== caller.id || grant.accountId !== accountId)
    throw new NotFoundError('No such login grant.');
  return grant;
}

export type CodePoll = { status: 'waiting'; retryAfter: number } | { status: 'ready'; jwe: string };

/**
 * Zero-touch codes: `waiting` until a code reaches the account's inbox after the grant was issued,
 * then that code sealed to the same device key (a fresh TOTP code when the account has TOTP). Each
 * inbox code goes to one grant only; `from` keeps a grant to one sender, so two logins in flight are
 * told apart when their codes come from different senders (see docs/logins.md for when they cannot).
 */
export async function pollGrantCode(
  caller: User,
  device: Device,
  accountId: string,
  grantId: string,
  from: string | undefined,
  deps: LoginDeps,
): Promise<CodePoll> {
  const grant = await ownGrant(caller, accountId, grantId, deps);
  if (grant.deviceId !== device.id) throw new NotFoundError('No such login grant.');
  const { account } = await requireMember(caller, accountId, deps);
  const now = deps.clock.now();
  // A re-keyed device no longer holds the key the grant was for; a reported grant is dead.
  if (
    grant.codeUntil <= now.toISOString() ||
    grant.reportedAt ||
    device.publicKey?.thumbprint !== grant.keyThumbprint
  )
    throw new GrantExpiredError();
  const key = requireKey(device);
  const seal = async (code: Record<string, unknown>) => {
    deps.security.record({
      event: 'login.code_delivered',
      outcome: 'success',
      reason: `${grant.id}:${String(code.source)}`,
      userId: caller.id,
      deviceId: device.id,
    });
    return { status: 'ready' as const, jwe: await deps.deviceKeys.seal(key, { v: 1, grantId, ...code }) };
  };
  if (account.totp) {
    const totp = await currentTotpCode(account, deps);
    return seal({ source: 'totp', code: totp.code, expiresAt: totp.expiresAt });
  }
  const page = await deps.inbox.list([accountId], { limit: 25, since: new Date(grant.issuedAt) });
  const candidates = page.items
    .filter((message) => message.code !== null && message.receivedAt >= grant.issuedAt)
    .filter((message) => from === undefined || sameSender(message.from, from))
    .reverse();
  for (const message of candidates) {
    if (await deps.grants.claimCode(accountId, message.id, grant.id, new Date(grant.codeUntil))) {
      return seal({
        source: message.channel,
        code: message.code,
        from: message.from,
        receivedAt: message.receivedAt,
        messageId: message.id,
      });
    }
  }
  return { status: 'waiting', retryAfter: 2 };
}

/**
 * "Not me" on an unrecognised login: the device that asked for the grant is disabled (its next
 * request is refused) and the workspace admins are alerted. Once per grant.
 */
export async function reportUnrecognizedLogin(
  caller: User,
  actor: Device,
  accountId: string,
  grantId: string,
  deps: LoginDeps,
): Promise<{ grant: LoginGrant; device: Device }> {
  const grant = await ownGrant(caller, accountId, grantId, deps);
  const now = deps.clock.now();
  if ((await deps.grants.markReported(grant.id, now)) === 'conflict') throw new GrantAlreadyReportedError();
  const device = await disableDevice(caller, actor, grant.deviceId, deps);
  const account = await deps.accounts.get(accountId);
  deps.security.record({
    event: 'login.reported',
    outcome: 'success',
    reason: grant.id,
    userId: caller.id,
    deviceId: grant.deviceId,
    actorDeviceId: actor.id,
    ip: grant.ip,
  });
  for (const admin of await deps.workspaceAdmins(caller.workspaceId)) {
    const email = deps.emails.loginReported({
      to: admin.email,
      reporter: caller,
      device,
      appName: account?.appName ?? accountId,
      ip: grant.ip,
      at: grant.issuedAt,
    });
    await sendNotice(deps, admin.id, 'security_alert', email);
  }
  return { grant: { ...grant, reportedAt: now.toISOString() }, device };
}
