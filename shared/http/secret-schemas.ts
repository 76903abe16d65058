import * as z from 'zod/mini';
import type * as zc from 'zod/v4/core';
import type { Grant, Secret, SecretItem, Vault, VaultRole } from '../domain/secrets/model';
import { SECRET_ITEM_TYPES, VAULT_ROLES } from '../domain/secrets/model';
import { displayName } from './schemas';

/** Request and response shapes of vaults and secrets. Values appear only in `secretWithValues`. */

const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));
/** A principal is a user id (`usr_...`) or a team id of the directory (`team_...`). */
const principalId = z
  .string()
  .check(
    z.maxLength(64),
    z.regex(/^(usr|team)_[\w-]{1,60}$/, 'must be a user id (usr_...) or a team id (team_...)'),
  );

export const vaultIdParams = z.strictObject({ id });
export const vaultMemberParams = z.strictObject({ id, principalId });
export const secretMemberParams = z.strictObject({ id, principalId });
export const versionParams = z.strictObject({
  id,
  version: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1_000_000_000)),
});

export const vaultSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(VAULT_ROLES).check(z.describe("The caller's strongest role on this vault.")),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'Vault' });
export const vaultBody = z.strictObject({ name: displayName });
export const vaultResponse = z.object({ vault: vaultSchema });
export const vaultListResponse = z.object({
  items: z.array(vaultSchema),
  nextCursor: z.nullable(z.string()),
});

export const grantSchema = z
  .object({ principalId: z.string(), role: z.enum(VAULT_ROLES), addedAt: z.string(), addedBy: z.string() })
  .register(z.globalRegistry, { id: 'Grant' });
export const grantBody = z.strictObject({ role: z.enum(VAULT_ROLES) });
export const grantResponse = z.object({ member: grantSchema });
export const grantListResponse = z.object({
  items: z.array(grantSchema),
  nextCursor: z.nullable(z.string()),
});

const itemSummary = z.object({ type: z.enum(SECRET_ITEM_TYPES), name: z.string() });
const itemWithValue = z.strictObject({
  type: z.enum(SECRET_ITEM_TYPES),
  name: displayName,
  value: z.string().check(z.minLength(1), z.maxLength(4096)),
});
const items = z.array(itemWithValue).check(z.minLength(1), z.maxLength(20));

const secretFields = {
  id: z.string(),
  vaultId: z.string(),
  name: z.string(),
  version: z.number(),
  role: z.enum(VAULT_ROLES).check(z.describe("The caller's role on this secret (vault and own grants).")),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  deletedAt: z.optional(z.string()),
  purgeAt: z.optional(z.string().check(z.describe('When the trash lets go of it for good.'))),
};
export const secretSchema = z
  .object({ ...secretFields, items: z.array(itemSummary) })
  .register(z.globalRegistry, { id: 'SecretMetadata' });
export const secretWithValues = z
  .object({
    ...secretFields,
    items: z.array(z.object({ type: z.enum(SECRET_ITEM_TYPES), name: z.string(), value: z.string() })),
  })
  .register(z.globalRegistry, { id: 'Secret' });

export const createSecretBody = z.strictObject({ name: displayName, items });
export const updateSecretBody = z.strictObject({ name: z.optional(displayName), items: z.optional(items) });
export const secretQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
  trash: z.optional(z.enum(['true', 'false']).check(z.describe('true lists the vault’s trash (editors).'))),
});
export const historyQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(25))),
  before: z.optional(z.coerce.number().check(z.int(), z.minimum(2))),
});
export const secretMetadataResponse = z.object({ secret: secretSchema });
export const secretResponse = z.object({ secret: secretWithValues });
export const secretListResponse = z.object({
  items: z.array(secretSchema),
  nextCursor: z.nullable(z.string()),
});
export const trashedResponse = z.object({ deleted: z.literal(true), purgeAt: z.string() });
export const historyResponse = z.object({
  items: z.array(
    z.object({
      version: z.number(),
      name: z.string(),
      items: z.array(z.object({ type: z.enum(SECRET_ITEM_TYPES), name: z.string(), value: z.string() })),
      createdBy: z.string(),
      createdAt: z.string(),
      restoredFrom: z.optional(z.number()),
    }),
  ),
  nextBefore: z.nullable(z.number().check(z.describe('Pass as `before` for older versions.'))),
});

export function toVaultView(vault: Vault, role: VaultRole): zc.input<typeof vaultSchema> {
  return { id: vault.id, name: vault.name, role, createdAt: vault.createdAt, updatedAt: vault.updatedAt };
}

export function toGrantView(grant: Grant): zc.input<typeof grantSchema> {
  return { principalId: grant.principalId, role: grant.role, addedAt: grant.addedAt, addedBy: grant.addedBy };
}

function secretBase(secret: Secret, role: VaultRole) {
  return {
    id: secret.id,
    vaultId: secret.vaultId,
    name: secret.name,
    version: secret.version,
    role,
    createdBy: secret.createdBy,
    createdAt: secret.createdAt,
    updatedBy: secret.updatedBy,
    updatedAt: secret.updatedAt,
    ...(secret.deletedAt ? { deletedAt: secret.deletedAt } : {}),
    ...(secret.purgeAt ? { purgeAt: secret.purgeAt } : {}),
  };
}

/** Metadata only: item types and names, never a value. */
export function toSecretView(secret: Secret, role: VaultRole): zc.input<typeof secretSchema> {
  return { ...secretBase(secret, role), items: secret.items.map(({ type, name }) => ({ type, name })) };
}

export function toSecretWithValues(
  secret: Secret,
  role: VaultRole,
  values: SecretItem[],
): zc.input<typeof secretWithValues> {
  return {
    ...secretBase(secret, role),
    items: values.map(({ type, name, value }) => ({ type, name, value })),
  };
}
