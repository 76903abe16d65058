import type { DirectoryRepository } from '../directory/ports';
import { ForbiddenError, InvalidCursorError, NotFoundError } from '../errors';
import { openCursor, pageFor, sealCursor } from '../pagination';
import type { Clock, Hmac, IdGenerator, Keyring, SecurityLog, UserRepository } from '../ports';
import type { User } from '../users/model';
import {
  LastManagerError,
  NotInTrashError,
  SecretConflictError,
  VaultNotEmptyError,
  VaultRoleNotAllowedError,
} from './errors';
import {
  atLeast,
  effectiveRole,
  type Grant,
  mayCreateVaults,
  mayHoldRole,
  purged,
  type Secret,
  type SecretItem,
  type SecretVersion,
  secretContext,
  summarizeItems,
  TRASH_DAYS,
  type Vault,
  type VaultRole,
} from './model';
import type { GrantOutcome, PrincipalsOf, VaultRepository } from './ports';

export interface SecretDeps {
  vaults: VaultRepository;
  users: Pick<UserRepository, 'getUser'>;
  keyring: Keyring;
  principalsOf: PrincipalsOf;
  /** Teams that can be granted a role (another workspace's team is absent). */
  teams: Pick<DirectoryRepository, 'getTeam'>;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  /** Seals list cursors (shared/domain/pagination.ts): a client cannot forge a position. */
  hmac: Hmac;
  /** Revokes the public share links of an object that left (trash); absent where links do not exist. */
  revokeShareLinks?: (resource: { type: 'secret'; id: string }) => Promise<unknown>;
  /** This request's access memo (see `forRequest`); absent, every check reads the grants. */
  access?: AccessMemo;
}

/**
 * One request's access resolutions, by object: the confirmation check and the use case of the same
 * request share them, so the grants are read once per request (never cached across requests).
 */
export type AccessMemo = Map<string, Promise<unknown>>;

export type AccessDeps = Pick<SecretDeps, 'vaults' | 'principalsOf' | 'access'>;

function memoized<T>(deps: AccessDeps, key: string, load: () => Promise<T>): Promise<T> {
  if (!deps.access) return load();
  let found = deps.access.get(key) as Promise<T> | undefined;
  if (!found) {
    found = load();
    deps.access.set(key, found);
  }
  return found;
}

const NO_VAULT = 'No such vault.';
const NO_SECRET = 'No such secret.';

/** The caller's effective role from the grants of all their principals (capped by workspace role). */
function roleOf(caller: User, grants: readonly Grant[]): VaultRole | undefined {
  return effectiveRole(
    caller.workspaceRole,
    grants.map((grant) => grant.role),
  );
}

/** The caller's role on a vault; no role (or another workspace) is 404, too weak a role is 403. */
export async function requireVaultRole(
  caller: User,
  vaultId: string,
  needed: VaultRole,
  deps: AccessDeps,
): Promise<{ vault: Vault; role: VaultRole }> {
  const { vault, role } = await memoized(deps, `vault:${caller.id}:${vaultId}`, async () => {
    const principals = await deps.principalsOf(caller.id);
    const [found, grants] = await Promise.all([
      deps.vaults.getVault(vaultId),
      deps.vaults.vaultGrantsOf(vaultId, principals),
    ]);
    return { vault: found, role: roleOf(caller, grants) };
  });
  if (!vault || vault.workspaceId !== caller.workspaceId || !role) throw new NotFoundError(NO_VAULT);
  if (!atLeast(role, needed)) throw new ForbiddenError(`This needs the ${needed} role on the vault.`);
  return { vault, role };
}

/**
 * The caller's role on a secret: the strongest of the vault's grants and the secret's own grants to
 * any of the caller's principals. A trashed secret is reachable only where `trash` allows it, and a
 * purged one never.
 */
export async function requireSecretRole(
  caller: User,
  secretId: string,
  needed: VaultRole,
  deps: AccessDeps & { clock: Clock },
  options: { trash?: 'only' | 'exclude' } = {},
): Promise<{ secret: Secret; role: VaultRole }> {
  const { secret, role } = await memoized(deps, `secret:${caller.id}:${secretId}`, async () => {
    const [found, principals] = await Promise.all([
      deps.vaults.getSecret(secretId),
      deps.principalsOf(caller.id),
    ]);
    if (!found) return { secret: undefined, role: undefined };
    const grants = await deps.vaults.accessGrants(found.vaultId, found.id, principals);
    return { secret: found, role: roleOf(caller, [...grants.vault, ...grants.secret]) };
  });
  if (!secret || secret.workspaceId !== caller.workspaceId || purged(secret, deps.clock.now()))
    throw new NotFoundError(NO_SECRET);
  if (!role) throw new NotFoundError(NO_SECRET);
  const trashed = secret.deletedAt !== undefined;
  if (trashed !== ((options.trash ?? 'exclude') === 'only'))
    throw trashed ? new NotFoundError(NO_SECRET) : new NotInTrashError();
  if (!atLeast(role, needed)) throw new ForbiddenError(`This needs the ${needed} role on the secret.`);
  return { secret, role };
}

/**
 * A principal that can be granted a role: an active user or a team of the caller's workspace. A team
 * may hold any role; each member gets at most what their own workspace role allows (`effectiveRole`).
 */
async function requireGrantee(caller: User, principalId: string, role: VaultRole, deps: SecretDeps) {
  if (principalId.startsWith('team_')) {
    if (!(await deps.teams.getTeam(caller.workspaceId, principalId)))
      throw new NotFoundError('No such team.');
    return;
  }
  const user = await deps.users.getUser(principalId);
  if (!user || user.workspaceId !== caller.workspaceId || user.status !== 'active')
    throw new NotFoundError('No such user.');
  if (!mayHoldRole(user.workspaceRole, role)) throw new VaultRoleNotAllowedError();
}

function grantOutcome(outcome: GrantOutcome, notFound: string): void {
  if (outcome === 'last_manager') throw new LastManagerError();
  if (outcome === 'conflict') throw new NotFoundError(notFound);
}

export async function createVault(caller: User, input: { name: string }, deps: SecretDeps): Promise<Vault> {
  if (!mayCreateVaults(caller.workspaceRole))
    throw new ForbiddenError('Your workspace role cannot create vaults.');
  const now = deps.clock.now().toISOString();
  const vault: Vault = {
    id: deps.newId('vlt'),
    workspaceId: caller.workspaceId,
    name: input.name,
    managerCount: 1,
    liveSecretCount: 0,
    createdBy: caller.id,
    createdAt: now,
    updatedAt: now,
  };
  await deps.vaults.createVault(vault, {
    principalId: caller.id,
    role: 'manager',
    addedAt: now,
    addedBy: caller.id,
  });
  deps.security.record({ event: 'vault.created', outcome: 'success', userId: caller.id, reason: vault.id });
  return vault;
}

const VAULT_ID = /^vlt_[\w-]{1,64}$/;

/**
 * The vaults any of the caller's principals holds a grant on, with the caller's effective role, in
 * vault id order. Every principal (the user and each team) is read from the same position and the
 * pages are merged, so a vault reached only through a team pages exactly like one granted directly.
 */
export async function listVaults(
  caller: User,
  page: { limit: number; cursor?: string | undefined },
  deps: SecretDeps,
): Promise<{ items: { vault: Vault; role: VaultRole }[]; nextCursor: string | null }> {
  // The position is the last vault id shown, sealed for this caller (shared/domain/pagination.ts).
  const scope = { list: 'vaults', callerId: caller.id };
  const after = await openCursor(page.cursor, scope, deps.hmac);
  if (after !== undefined && !VAULT_ID.test(after)) throw new InvalidCursorError();
  const principals = await deps.principalsOf(caller.id);
  const pages = await Promise.all(
    principals.map((principal) => deps.vaults.vaultsOf(principal, { limit: page.limit, after })),
  );
  const roles = new Map<string, VaultRole[]>();
  // A principal with more grants past its page could still hold vaults before another page's last
  // one: this page stops at the smallest such bound.
  let bound: string | undefined;
  for (const found of pages) {
    for (const entry of found.items)
      roles.set(entry.vaultId, [...(roles.get(entry.vaultId) ?? []), entry.role]);
    const last = found.items.at(-1)?.vaultId;
    if (found.nextCursor !== null && last !== undefined && (bound === undefined || last < bound))
      bound = last;
  }
  const candidates = [...roles.keys()].filter((id) => bound === undefined || id <= bound).sort();
  const ids = candidates.slice(0, page.limit);
  const more = bound !== undefined || candidates.length > ids.length || roles.size > candidates.length;
  const vaults = (await deps.vaults.getVaults(ids)).filter(
    (vault) => vault.workspaceId === caller.workspaceId,
  );
  return {
    items: vaults.map((vault) => ({
      vault,
      role: effectiveRole(caller.workspaceRole, roles.get(vault.id) ?? []) ?? 'viewer',
    })),
    nextCursor: await sealCursor(more && ids.length > 0 ? (ids.at(-1) as string) : null, scope, deps.hmac),
  };
}

export async function renameVault(caller: User, vaultId: string, name: string, deps: SecretDeps) {
  const { role } = await requireVaultRole(caller, vaultId, 'manager', deps);
  const vault = await deps.vaults.renameVault(vaultId, name, deps.clock.now());
  if (!vault) throw new NotFoundError(NO_VAULT);
  return { vault, role };
}

export async function deleteVault(caller: User, vaultId: string, deps: SecretDeps): Promise<void> {
  await requireVaultRole(caller, vaultId, 'manager', deps);
  const outcome = await deps.vaults.deleteVault(vaultId);
  if (outcome === 'not_empty') throw new VaultNotEmptyError();
  if (outcome === 'conflict') throw new NotFoundError(NO_VAULT);
  deps.security.record({ event: 'vault.deleted', outcome: 'success', userId: caller.id, reason: vaultId });
}

export async function listVaultMembers(caller: User, vaultId: string, deps: SecretDeps) {
  await requireVaultRole(caller, vaultId, 'viewer', deps);
  return deps.vaults.vaultGrants(vaultId);
}

export async function putVaultMember(
  caller: User,
  vaultId: string,
  principalId: string,
  role: VaultRole,
  deps: SecretDeps,
): Promise<Grant> {
  await requireVaultRole(caller, vaultId, 'manager', deps);
  await requireGrantee(caller, principalId, role, deps);
  const [previous] = await deps.vaults.vaultGrantsOf(vaultId, [principalId]);
  if (previous?.role === role) return previous;
  const grant: Grant = {
    principalId,
    role,
    addedAt: previous?.addedAt ?? deps.clock.now().toISOString(),
    addedBy: previous?.addedBy ?? caller.id,
  };
  grantOutcome(await deps.vaults.putVaultGrant(vaultId, grant, previous?.role), NO_VAULT);
  deps.security.record({
    event: 'share.created',
    outcome: 'success',
    userId: principalId,
    actorUserId: caller.id,
    reason: `${vaultId}:${role}`,
  });
  return grant;
}

export async function removeVaultMember(
  caller: User,
  vaultId: string,
  principalId: string,
  deps: SecretDeps,
) {
  await requireVaultRole(caller, vaultId, 'manager', deps);
  const [grant] = await deps.vaults.vaultGrantsOf(vaultId, [principalId]);
  if (!grant) throw new NotFoundError('No such member.');
  grantOutcome(await deps.vaults.removeVaultGrant(vaultId, principalId, grant.role), 'No such member.');
  deps.security.record({
    event: 'share.removed',
    outcome: 'success',
    userId: principalId,
    actorUserId: caller.id,
    reason: vaultId,
  });
}

export interface SecretInput {
  name: string;
  items: SecretItem[];
}

async function sealVersion(
  secretId: string,
  version: number,
  content: SecretInput,
  caller: User,
  now: string,
  deps: SecretDeps,
): Promise<SecretVersion> {
  return {
    secretId,
    version,
    name: content.name,
    items: summarizeItems(content.items),
    sealed: await deps.keyring.seal(JSON.stringify(content.items), secretContext(secretId)),
    createdBy: caller.id,
    createdAt: now,
  };
}

export async function createSecret(caller: User, vaultId: string, input: SecretInput, deps: SecretDeps) {
  const { role } = await requireVaultRole(caller, vaultId, 'editor', deps);
  const now = deps.clock.now().toISOString();
  const id = deps.newId('sec');
  const first = await sealVersion(id, 1, input, caller, now, deps);
  const secret: Secret = {
    id,
    vaultId,
    workspaceId: caller.workspaceId,
    name: first.name,
    items: first.items,
    sealed: first.sealed,
    version: 1,
    createdBy: caller.id,
    createdAt: now,
    updatedBy: caller.id,
    updatedAt: now,
  };
  if ((await deps.vaults.createSecret(secret, first)) === 'conflict') throw new NotFoundError(NO_VAULT);
  deps.security.record({ event: 'secret.created', outcome: 'success', userId: caller.id, reason: id });
  return { secret, role };
}

export async function listSecrets(
  caller: User,
  vaultId: string,
  page: { limit: number; cursor?: string | undefined; trash: boolean },
  deps: SecretDeps,
) {
  await requireVaultRole(caller, vaultId, page.trash ? 'editor' : 'viewer', deps);
  const now = deps.clock.now();
  const found = await pageFor(
    (cursor) => deps.vaults.listSecrets(vaultId, { ...page, cursor }),
    page.cursor,
    { list: `secrets:${vaultId}:${page.trash ? 'trash' : 'live'}`, callerId: caller.id },
    deps.hmac,
  );
  return { items: found.items.filter((secret) => !purged(secret, now)), nextCursor: found.nextCursor };
}

async function openItems(
  secretId: string,
  sealed: Secret['sealed'],
  deps: SecretDeps,
): Promise<SecretItem[]> {
  return JSON.parse(await deps.keyring.open(sealed, secretContext(secretId))) as SecretItem[];
}

/** The values, decrypted for this response only; a security event records the view. */
export async function viewSecret(caller: User, secretId: string, deps: SecretDeps) {
  const { secret, role } = await requireSecretRole(caller, secretId, 'viewer', deps);
  const items = await openItems(secret.id, secret.sealed, deps);
  deps.security.record({ event: 'secret.viewed', outcome: 'success', userId: caller.id, reason: secretId });
  return { secret, role, items };
}

/** A new version from the current one; a concurrent edit makes this one fail rather than be lost. */
async function nextVersion(
  caller: User,
  secret: Secret,
  content: SecretInput,
  deps: SecretDeps,
  restoredFrom?: number,
): Promise<Secret> {
  const now = deps.clock.now().toISOString();
  const version = {
    ...(await sealVersion(secret.id, secret.version + 1, content, caller, now, deps)),
    ...(restoredFrom !== undefined ? { restoredFrom } : {}),
  };
  const updated: Secret = {
    ...secret,
    name: version.name,
    items: version.items,
    sealed: version.sealed,
    version: version.version,
    updatedBy: caller.id,
    updatedAt: now,
  };
  if ((await deps.vaults.writeVersion(updated, version, secret.version)) === 'conflict')
    throw new SecretConflictError();
  return updated;
}

export async function editSecret(
  caller: User,
  secretId: string,
  changes: Partial<SecretInput>,
  deps: SecretDeps,
) {
  const { secret, role } = await requireSecretRole(caller, secretId, 'editor', deps);
  const items = changes.items ?? (await openItems(secret.id, secret.sealed, deps));
  const updated = await nextVersion(caller, secret, { name: changes.name ?? secret.name, items }, deps);
  deps.security.record({ event: 'secret.edited', outcome: 'success', userId: caller.id, reason: secretId });
  return { secret: updated, role };
}

export async function deleteSecret(caller: User, secretId: string, deps: SecretDeps) {
  const { secret } = await requireSecretRole(caller, secretId, 'editor', deps);
  const now = deps.clock.now();
  const purgeAt = new Date(now.getTime() + TRASH_DAYS * 86_400_000);
  if ((await deps.vaults.trashSecret(secret, now, purgeAt)) === 'conflict') throw new SecretConflictError();
  await deps.revokeShareLinks?.({ type: 'secret', id: secretId });
  deps.security.record({ event: 'secret.deleted', outcome: 'success', userId: caller.id, reason: secretId });
  return { purgeAt: purgeAt.toISOString() };
}

export async function restoreSecret(caller: User, secretId: string, deps: SecretDeps) {
  const { secret, role } = await requireSecretRole(caller, secretId, 'editor', deps, { trash: 'only' });
  if ((await deps.vaults.restoreSecret(secret, deps.clock.now())) === 'conflict') throw new NotInTrashError();
  const { deletedAt: _d, purgeAt: _p, ...restored } = secret;
  deps.security.record({ event: 'secret.restored', outcome: 'success', userId: caller.id, reason: secretId });
  return { secret: restored as Secret, role };
}

/** Past versions with their values, newest first (viewers: they could read each when it was current). */
export async function secretHistory(
  caller: User,
  secretId: string,
  page: { limit: number; before?: number | undefined },
  deps: SecretDeps,
) {
  await requireSecretRole(caller, secretId, 'viewer', deps);
  const versions = await deps.vaults.listVersions(secretId, page);
  const items = await Promise.all(
    versions.map(async (version) => ({ version, items: await openItems(secretId, version.sealed, deps) })),
  );
  deps.security.record({
    event: 'secret.history_viewed',
    outcome: 'success',
    userId: caller.id,
    reason: secretId,
  });
  const last = versions.at(-1);
  return {
    items,
    nextBefore: versions.length === page.limit && last && last.version > 1 ? last.version : null,
  };
}

/** Writes a new version with an old version's content: history only grows. */
export async function restoreVersion(
  caller: User,
  secretId: string,
  versionNumber: number,
  deps: SecretDeps,
) {
  const { secret, role } = await requireSecretRole(caller, secretId, 'editor', deps);
  const old = await deps.vaults.getVersion(secretId, versionNumber);
  if (!old) throw new NotFoundError('No such version.');
  const items = await openItems(secretId, old.sealed, deps);
  const updated = await nextVersion(caller, secret, { name: old.name, items }, deps, versionNumber);
  deps.security.record({
    event: 'secret.version_restored',
    outcome: 'success',
    userId: caller.id,
    reason: `${secretId}:${versionNumber}`,
  });
  return { secret: updated, role };
}

export async function listSecretMembers(caller: User, secretId: string, deps: SecretDeps) {
  await requireSecretRole(caller, secretId, 'viewer', deps);
  return deps.vaults.secretGrants(secretId);
}

/** Managers (of the vault or of the secret) share a secret with someone outside the vault's members. */
export async function putSecretMember(
  caller: User,
  secretId: string,
  principalId: string,
  role: VaultRole,
  deps: SecretDeps,
): Promise<Grant> {
  await requireSecretRole(caller, secretId, 'manager', deps);
  await requireGrantee(caller, principalId, role, deps);
  const existing = (await deps.vaults.secretGrants(secretId)).find((g) => g.principalId === principalId);
  if (existing?.role === role) return existing;
  const grant: Grant = {
    principalId,
    role,
    addedAt: existing?.addedAt ?? deps.clock.now().toISOString(),
    addedBy: existing?.addedBy ?? caller.id,
  };
  if ((await deps.vaults.putSecretGrant(secretId, grant)) === 'conflict') throw new NotFoundError(NO_SECRET);
  deps.security.record({
    event: 'share.created',
    outcome: 'success',
    userId: principalId,
    actorUserId: caller.id,
    reason: `${secretId}:${role}`,
  });
  return grant;
}

export async function removeSecretMember(
  caller: User,
  secretId: string,
  principalId: string,
  deps: SecretDeps,
) {
  await requireSecretRole(caller, secretId, 'manager', deps);
  if ((await deps.vaults.removeSecretGrant(secretId, principalId)) === 'conflict')
    throw new NotFoundError('No such member.');
  deps.security.record({
    event: 'share.removed',
    outcome: 'success',
    userId: principalId,
    actorUserId: caller.id,
    reason: secretId,
  });
}
