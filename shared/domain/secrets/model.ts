import type { EncryptedSecret } from '../accounts/model';
import type { WorkspaceRole } from '../users/model';

/** Roles on a vault and on a secret's own member list, weakest first. */
export const VAULT_ROLES = ['viewer', 'editor', 'manager'] as const;
export type VaultRole = (typeof VAULT_ROLES)[number];

export const SECRET_ITEM_TYPES = ['login', 'note', 'api_key', 'card'] as const;
export type SecretItemType = (typeof SECRET_ITEM_TYPES)[number];

/** Days a deleted secret stays in the trash before it is gone for good. */
export const TRASH_DAYS = 30;

export interface Vault {
  id: string;
  workspaceId: string;
  name: string;
  /** Managers are counted on the vault so that "the last manager stays" is one condition. */
  managerCount: number;
  /** Secrets not in the trash: a vault is deleted only when it holds none. */
  liveSecretCount: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A principal's role on a vault or a secret. Principals are user ids today (team ids later). */
export interface Grant {
  principalId: string;
  role: VaultRole;
  addedAt: string;
  addedBy: string;
}

export interface SecretItem {
  type: SecretItemType;
  name: string;
  value: string;
}

/** What is stored in the clear about an item: its type and name, never its value. */
export type ItemSummary = Pick<SecretItem, 'type' | 'name'>;

export interface Secret {
  id: string;
  vaultId: string;
  workspaceId: string;
  name: string;
  items: ItemSummary[];
  /** Every item's value, as one JSON array, envelope-encrypted under KMS. */
  sealed: EncryptedSecret;
  /** The current version (1 at creation, +1 per edit or history restore). */
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** Set while the secret is in the trash. */
  deletedAt?: string;
  /** When the trash lets go of it: `deletedAt` + TRASH_DAYS. */
  purgeAt?: string;
}

/** One entry of a secret's history: the content as it was after that version's write. */
export interface SecretVersion {
  secretId: string;
  version: number;
  name: string;
  items: ItemSummary[];
  sealed: EncryptedSecret;
  createdBy: string;
  createdAt: string;
  /** Set when this version was written by restoring an older one. */
  restoredFrom?: number;
}

export function rank(role: VaultRole): number {
  return VAULT_ROLES.indexOf(role);
}

/** The strongest of several roles, or undefined when there is none. */
export function strongest(roles: readonly (VaultRole | undefined)[]): VaultRole | undefined {
  let best: VaultRole | undefined;
  for (const role of roles) if (role && (!best || rank(role) > rank(best))) best = role;
  return best;
}

export function atLeast(role: VaultRole | undefined, needed: VaultRole): boolean {
  return role !== undefined && rank(role) >= rank(needed);
}

/** Guests and login-only users may view and edit, never manage (the accounts rule for owners). */
export function mayHoldRole(workspaceRole: WorkspaceRole, role: VaultRole): boolean {
  return role !== 'manager' || (workspaceRole !== 'guest' && workspaceRole !== 'login_only');
}

/**
 * The role a user actually gets from their grants: the strongest one, capped at what their workspace
 * role may hold. A guest in a team that manages a vault edits it, never manages it.
 */
export function effectiveRole(workspaceRole: WorkspaceRole, roles: readonly (VaultRole | undefined)[]) {
  const best = strongest(roles);
  if (!best) return undefined;
  for (let i = rank(best); i > 0; i--) {
    const role = VAULT_ROLES[i] as VaultRole;
    if (mayHoldRole(workspaceRole, role)) return role;
  }
  return VAULT_ROLES[0];
}

/** Who may create vaults: everyone but guests and login-only users. */
export function mayCreateVaults(workspaceRole: WorkspaceRole): boolean {
  return workspaceRole !== 'guest' && workspaceRole !== 'login_only';
}

/** The encryption context of a secret's values: they open only for this secret and purpose. */
export const secretContext = (secretId: string) => ({ secretId, purpose: 'secret-items' });

export function inTrash(secret: Secret): boolean {
  return secret.deletedAt !== undefined;
}

/** A trashed secret past its purge date is gone, whether or not TTL has removed the item yet. */
export function purged(secret: Secret, now: Date): boolean {
  return secret.purgeAt !== undefined && secret.purgeAt <= now.toISOString();
}

export function summarizeItems(items: readonly SecretItem[]): ItemSummary[] {
  return items.map(({ type, name }) => ({ type, name }));
}

/**
 * A file attached to a secret. The bytes live in S3 under a key nobody can guess; the API hands out
 * short-lived presigned URLs, never the bytes (shared/domain/secrets/attachments.ts).
 */
export interface Attachment {
  id: string;
  secretId: string;
  name: string;
  contentType: string;
  /** The declared size: the upload policy admits exactly this many bytes. */
  size: number;
  /**
   * `attachments/<secretId>/<attachmentId>/<256 random bits>`: unguessable, and derivable up to the
   * random part from the record's key alone, so the stream clean-up (which sees only keys) can delete
   * an attachment's object, and a secret's objects, by prefix (docs/secrets.md, attachment lifetime).
   */
  objectKey: string;
  createdBy: string;
  createdAt: string;
}

/** Ids in object keys: what newId makes, so a prefix never widens beyond its own secret or attachment. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The prefix of a secret's objects, or of one attachment's: undefined for an id that could widen it
 * (empty, a slash, anything newId never makes).
 */
export function attachmentObjectPrefix(secretId: string, attachmentId?: string): string | undefined {
  if (!SAFE_ID.test(secretId) || (attachmentId !== undefined && !SAFE_ID.test(attachmentId)))
    return undefined;
  return attachmentId === undefined ? `attachments/${secretId}/` : `attachments/${secretId}/${attachmentId}/`;
}

export const ATTACHMENT_RULES = {
  maxBytes: 100 * 1024 * 1024,
  maxPerSecret: 20,
  /** Presigned POST and GET lifetimes: long enough to start a transfer, short enough to not leak. */
  uploadSeconds: 300,
  downloadSeconds: 60,
};
