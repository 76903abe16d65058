import type { Grant, Secret, SecretVersion, Vault, VaultRole } from './model';

export type GrantOutcome = 'applied' | 'conflict' | 'last_manager';

/** Vaults, their secrets, versions and grants, in the one table. */
export interface VaultRepository {
  createVault(vault: Vault, manager: Grant): Promise<void>;
  getVault(vaultId: string): Promise<Vault | undefined>;
  renameVault(vaultId: string, name: string, now: Date): Promise<Vault | undefined>;
  /** Deletes the vault and its grants only while it holds no live secret. */
  deleteVault(vaultId: string): Promise<'applied' | 'not_empty' | 'conflict'>;
  vaultGrants(vaultId: string): Promise<Grant[]>;
  /** The vault grants of these principals (one read per principal, batched). */
  vaultGrantsOf(vaultId: string, principalIds: readonly string[]): Promise<Grant[]>;
  /** The vault ids a principal holds a grant on, with the role, in vault id order (`after` one id). */
  vaultsOf(
    principalId: string,
    options: { limit: number; cursor?: string | undefined; after?: string | undefined },
  ): Promise<{ items: { vaultId: string; role: VaultRole }[]; nextCursor: string | null }>;
  getVaults(vaultIds: readonly string[]): Promise<Vault[]>;
  /** Adds or changes a vault grant; demoting the last manager is refused. */
  putVaultGrant(vaultId: string, grant: Grant, previous: VaultRole | undefined): Promise<GrantOutcome>;
  removeVaultGrant(vaultId: string, principalId: string, role: VaultRole): Promise<GrantOutcome>;

  /** The secret, its first version and the vault's live count, in one transaction (vault must exist). */
  createSecret(secret: Secret, first: SecretVersion): Promise<'applied' | 'conflict'>;
  getSecret(secretId: string): Promise<Secret | undefined>;
  /** Secret metadata of a vault, live or trashed. */
  listSecrets(
    vaultId: string,
    options: { limit: number; cursor?: string | undefined; trash: boolean },
  ): Promise<{ items: Secret[]; nextCursor: string | null }>;
  /** Writes the next version and moves the secret to it, only from `expectedVersion` and out of the trash. */
  writeVersion(
    secret: Secret,
    version: SecretVersion,
    expectedVersion: number,
  ): Promise<'applied' | 'conflict'>;
  getVersion(secretId: string, version: number): Promise<SecretVersion | undefined>;
  /** Newest first; `before` pages backwards. */
  listVersions(
    secretId: string,
    options: { limit: number; before?: number | undefined },
  ): Promise<SecretVersion[]>;
  trashSecret(secret: Secret, deletedAt: Date, purgeAt: Date): Promise<'applied' | 'conflict'>;
  /** Out of the trash, while the purge date is ahead and the vault still exists. */
  restoreSecret(secret: Secret, now: Date): Promise<'applied' | 'conflict'>;
  /** Ends a trashed secret's stay in the trash now (reads treat it as gone; TTL removes it). */
  purgeSecret(secret: Secret, now: Date): Promise<'applied' | 'conflict'>;
  secretGrants(secretId: string): Promise<Grant[]>;
  /** The vault's and the secret's grants of these principals, in one batched read. */
  accessGrants(
    vaultId: string,
    secretId: string,
    principalIds: readonly string[],
  ): Promise<{ vault: Grant[]; secret: Grant[] }>;
  /** A secret grant (no last-manager rule: the vault's managers always keep access). Secret must be live. */
  putSecretGrant(secretId: string, grant: Grant): Promise<'applied' | 'conflict'>;
  removeSecretGrant(secretId: string, principalId: string): Promise<'applied' | 'conflict'>;
}

/**
 * Who a user acts as: their own id plus the ids of the teams they belong to. Membership checks ask
 * only this port, per request, so leaving a team takes its grants away on the next request.
 */
export type PrincipalsOf = (userId: string) => Promise<string[]>;

/** A user and the teams the directory lists them in. */
export function teamPrincipals(teamsOfUser: (userId: string) => Promise<string[]>): PrincipalsOf {
  return async (userId) => [userId, ...(await teamsOfUser(userId))];
}

/** A user acting only as themselves (fixtures without the directory). */
export const userOnlyPrincipals: PrincipalsOf = async (userId) => [userId];
