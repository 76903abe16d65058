import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import { InvalidCursorError } from '../../domain/errors';
import type { Grant, Secret, SecretVersion, Vault, VaultRole } from '../../domain/secrets/model';
import type { GrantOutcome, VaultRepository } from '../../domain/secrets/ports';
import { cancellationCodes, itemExists, itemIsNew } from './conditions';
import { conditionalUpdate, deleteKeys, queryPrefix, withoutTableAttributes } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GPK = TABLE.gsi1.partitionKey;
const GSK = TABLE.gsi1.sortKey;
const ENTITY = TABLE.entityAttribute;

export const vaultKeys = {
  vault: (vaultId: string) => ({ [PK]: `VAULT#${vaultId}`, [SK]: 'META' }),
  vaultGrant: (vaultId: string, principalId: string) => ({
    [PK]: `VAULT#${vaultId}`,
    [SK]: `GRANT#${principalId}`,
  }),
  /** gsi1: the vaults of a principal. */
  grantsOf: (principalId: string, vaultId: string) => ({
    [GPK]: `PRINCIPAL#${principalId}#VAULTS`,
    [GSK]: `VAULT#${vaultId}`,
  }),
  secret: (secretId: string) => ({ [PK]: `SECRET#${secretId}`, [SK]: 'META' }),
  /** gsi1: the secrets of a vault. */
  inVault: (vaultId: string, secretId: string) => ({
    [GPK]: `VAULT#${vaultId}#SECRETS`,
    [GSK]: `SECRET#${secretId}`,
  }),
  /** Zero-padded so that versions sort numerically. */
  version: (secretId: string, version: number) => ({
    [PK]: `SECRET#${secretId}`,
    [SK]: `VERSION#${String(version).padStart(10, '0')}`,
  }),
  secretGrant: (secretId: string, principalId: string) => ({
    [PK]: `SECRET#${secretId}`,
    [SK]: `GRANT#${principalId}`,
  }),
  grantPrefix: 'GRANT#',
};

const FAILED = 'ConditionalCheckFailed';
type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const strip = withoutTableAttributes;
const toVault = (item: Record<string, unknown>) => strip(item) as unknown as Vault;
const toSecret = (item: Record<string, unknown>) => strip(item) as unknown as Secret;
const toVersion = (item: Record<string, unknown>) => strip(item) as unknown as SecretVersion;
function toGrant(item: Record<string, unknown>): Grant {
  return {
    principalId: String(item.principalId),
    role: item.role as VaultRole,
    addedAt: String(item.addedAt),
    addedBy: String(item.addedBy),
  };
}

/** Condition fragments of this repository's rules. */
const secretIsLive = {
  ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#deletedAt)',
  ExpressionAttributeNames: { '#pk': PK, '#deletedAt': 'deletedAt' },
};
const roleStill = (role: VaultRole) => ({
  ConditionExpression: '#role = :role',
  ExpressionAttributeNames: { '#role': 'role' },
  ExpressionAttributeValues: { ':role': role },
});

const cursorOf = (id: string) => Buffer.from(id).toString('base64url');
function idFromCursor(cursor: string, prefix: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!new RegExp(`^${prefix}_[\\w-]+$`).test(id)) throw new InvalidCursorError();
  return id;
}

export function makeVaultRepository(doc: DynamoDBDocumentClient, tableName: string): VaultRepository {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  /** One transaction; the cancellation codes when a condition in it failed (nothing was written). */
  const transact = async (items: TransactItems): Promise<string[] | undefined> => {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      return codes;
    }
  };

  const batchGet = async (keys: Record<string, unknown>[]) => {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending = keys.slice(i, i + 100);
      while (pending.length > 0) {
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        pending = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return found;
  };

  const vaultGrantItem = (vaultId: string, grant: Grant) => ({
    ...vaultKeys.vaultGrant(vaultId, grant.principalId),
    ...vaultKeys.grantsOf(grant.principalId, vaultId),
    [ENTITY]: 'VaultGrant',
    vaultId,
    ...grant,
  });

  /** Managers are counted on the vault so that "the last manager stays" is one condition. */
  const managerDelta = (vaultId: string, delta: number) => ({
    Update: {
      TableName: tableName,
      Key: vaultKeys.vault(vaultId),
      UpdateExpression: 'SET #managers = #managers + :delta',
      ConditionExpression: delta < 0 ? 'attribute_exists(#pk) AND #managers > :one' : 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#managers': 'managerCount', '#pk': PK },
      ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':one': 1 } : {}) },
    },
  });
  const vaultExists = (vaultId: string) => ({
    ConditionCheck: { TableName: tableName, Key: vaultKeys.vault(vaultId), ...itemExists },
  });
  /** The live count moves with every secret entering or leaving the trash, in the same transaction. */
  const liveDelta = (vaultId: string, delta: number) => ({
    Update: {
      TableName: tableName,
      Key: vaultKeys.vault(vaultId),
      UpdateExpression: 'SET #live = #live + :delta',
      ...itemExists,
      ExpressionAttributeNames: { ...itemExists.ExpressionAttributeNames, '#live': 'liveSecretCount' },
      ExpressionAttributeValues: { ':delta': delta },
    },
  });
  const managerChange = (vaultId: string, before: VaultRole | undefined, after: VaultRole | undefined) => {
    if (before === 'manager' && after !== 'manager') return managerDelta(vaultId, -1);
    if (before !== 'manager' && after === 'manager') return managerDelta(vaultId, 1);
    return vaultExists(vaultId);
  };
  const grantOutcome = (codes: string[] | undefined, demotesManager: boolean): GrantOutcome => {
    if (!codes) return 'applied';
    return codes[1] === FAILED && demotesManager ? 'last_manager' : 'conflict';
  };

  const secretItem = (secret: Secret) => ({
    ...vaultKeys.secret(secret.id),
    ...vaultKeys.inVault(secret.vaultId, secret.id),
    [ENTITY]: 'Secret',
    ...secret,
  });
  const versionItem = (version: SecretVersion) => ({
    ...vaultKeys.version(version.secretId, version.version),
    [ENTITY]: 'SecretVersion',
    ...version,
  });

  return {
    async createVault(vault, manager) {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...vaultKeys.vault(vault.id), [ENTITY]: 'Vault', ...vault },
                ...itemIsNew,
              },
            },
            { Put: { TableName: tableName, Item: vaultGrantItem(vault.id, manager), ...itemIsNew } },
          ],
        }),
      );
    },

    async getVault(vaultId) {
      const item = await get(vaultKeys.vault(vaultId));
      return item ? toVault(item) : undefined;
    },

    async renameVault(vaultId, name, now) {
      const out = await conditionalUpdate(doc, tableName, {
        Key: vaultKeys.vault(vaultId),
        UpdateExpression: 'SET #name = :name, #updatedAt = :now',
        ...itemExists,
        ExpressionAttributeNames: {
          ...itemExists.ExpressionAttributeNames,
          '#name': 'name',
          '#updatedAt': 'updatedAt',
        },
        ExpressionAttributeValues: { ':name': name, ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      });
      return out?.Attributes ? toVault(out.Attributes) : undefined;
    },

    async deleteVault(vaultId) {
      const codes = await transact([
        {
          Delete: {
            TableName: tableName,
            Key: vaultKeys.vault(vaultId),
            // Only an empty vault goes: a secret created meanwhile raised the count and stops this.
            ConditionExpression: 'attribute_exists(#pk) AND #live = :zero',
            ExpressionAttributeNames: { '#pk': PK, '#live': 'liveSecretCount' },
            ExpressionAttributeValues: { ':zero': 0 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]);
      if (codes) {
        const existing = await get(vaultKeys.vault(vaultId));
        return existing ? 'not_empty' : 'conflict';
      }
      // Grants of a deleted vault open nothing (every check reads the vault); remove them anyway.
      const grants = await queryPrefix(doc, tableName, `VAULT#${vaultId}`, vaultKeys.grantPrefix);
      await deleteKeys(
        doc,
        tableName,
        grants.map((item) => ({ [PK]: item[PK], [SK]: item[SK] })),
      );
      return 'applied';
    },

    async vaultGrants(vaultId) {
      return (await queryPrefix(doc, tableName, `VAULT#${vaultId}`, vaultKeys.grantPrefix)).map(toGrant);
    },

    async vaultGrantsOf(vaultId, principalIds) {
      if (principalIds.length === 1) {
        const item = await get(vaultKeys.vaultGrant(vaultId, principalIds[0] as string));
        return item ? [toGrant(item)] : [];
      }
      return (await batchGet(principalIds.map((p) => vaultKeys.vaultGrant(vaultId, p)))).map(toGrant);
    },

    async vaultsOf(principalId, { limit, cursor, after }) {
      let start: Record<string, unknown> | undefined;
      if (cursor || after) {
        const vaultId = after ?? idFromCursor(cursor as string, 'vlt');
        start = {
          ...vaultKeys.vaultGrant(vaultId, principalId),
          ...vaultKeys.grantsOf(principalId, vaultId),
        };
      }
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': GPK },
          ExpressionAttributeValues: { ':gpk': `PRINCIPAL#${principalId}#VAULTS` },
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (page.Items ?? []).map((item) => ({
        vaultId: String(item.vaultId),
        role: item.role as VaultRole,
      }));
      const last = items.at(-1);
      return { items, nextCursor: page.LastEvaluatedKey && last ? cursorOf(last.vaultId) : null };
    },

    async getVaults(vaultIds) {
      const found = (await batchGet(vaultIds.map(vaultKeys.vault))).map(toVault);
      const order = new Map(vaultIds.map((id, index) => [id, index]));
      return found.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    },

    async putVaultGrant(vaultId, grant, previous) {
      const codes = await transact([
        {
          Put: {
            TableName: tableName,
            Item: vaultGrantItem(vaultId, grant),
            // Still the role that was read: two managers changing one grant cannot both win.
            ...(previous ? roleStill(previous) : itemIsNew),
          },
        },
        managerChange(vaultId, previous, grant.role),
      ] as TransactItems);
      return grantOutcome(codes, previous === 'manager' && grant.role !== 'manager');
    },

    async removeVaultGrant(vaultId, principalId, role) {
      const codes = await transact([
        {
          Delete: {
            TableName: tableName,
            Key: vaultKeys.vaultGrant(vaultId, principalId),
            ...roleStill(role),
          },
        },
        managerChange(vaultId, role, undefined),
      ] as TransactItems);
      return grantOutcome(codes, role === 'manager');
    },

    async createSecret(secret, first) {
      const codes = await transact([
        { Put: { TableName: tableName, Item: secretItem(secret), ...itemIsNew } },
        { Put: { TableName: tableName, Item: versionItem(first), ...itemIsNew } },
        liveDelta(secret.vaultId, 1),
      ] as TransactItems);
      return codes ? 'conflict' : 'applied';
    },

    async getSecret(secretId) {
      const item = await get(vaultKeys.secret(secretId));
      return item ? toSecret(item) : undefined;
    },

    async listSecrets(vaultId, { limit, cursor, trash }) {
      let start: Record<string, unknown> | undefined;
      if (cursor) {
        const secretId = idFromCursor(cursor, 'sec');
        start = { ...vaultKeys.secret(secretId), ...vaultKeys.inVault(vaultId, secretId) };
      }
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          FilterExpression: trash ? 'attribute_exists(#deletedAt)' : 'attribute_not_exists(#deletedAt)',
          ExpressionAttributeNames: { '#gpk': GPK, '#deletedAt': 'deletedAt' },
          ExpressionAttributeValues: { ':gpk': `VAULT#${vaultId}#SECRETS` },
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const lastId = page.LastEvaluatedKey
        ? String(page.LastEvaluatedKey[GSK]).slice('SECRET#'.length)
        : undefined;
      return { items: (page.Items ?? []).map(toSecret), nextCursor: lastId ? cursorOf(lastId) : null };
    },

    async writeVersion(secret, version, expectedVersion) {
      const codes = await transact([
        { Put: { TableName: tableName, Item: versionItem(version), ...itemIsNew } },
        {
          Update: {
            TableName: tableName,
            Key: vaultKeys.secret(secret.id),
            UpdateExpression:
              'SET #name = :name, #items = :items, #sealed = :sealed, #version = :version, #updatedBy = :by, #updatedAt = :at',
            // From the version that was read and never in the trash: a racing edit fails, none is lost.
            ConditionExpression: `${secretIsLive.ConditionExpression} AND #version = :expected`,
            ExpressionAttributeNames: {
              ...secretIsLive.ExpressionAttributeNames,
              '#name': 'name',
              '#items': 'items',
              '#sealed': 'sealed',
              '#version': 'version',
              '#updatedBy': 'updatedBy',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':name': secret.name,
              ':items': secret.items,
              ':sealed': secret.sealed,
              ':version': secret.version,
              ':by': secret.updatedBy,
              ':at': secret.updatedAt,
              ':expected': expectedVersion,
            },
          },
        },
      ] as TransactItems);
      return codes ? 'conflict' : 'applied';
    },

    async getVersion(secretId, version) {
      const item = await get(vaultKeys.version(secretId, version));
      return item ? toVersion(item) : undefined;
    },

    async listVersions(secretId, { limit, before }) {
      const upper = vaultKeys.version(secretId, Math.max(0, (before ?? 10_000_000_000) - 1))[SK];
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: {
            ':pk': `SECRET#${secretId}`,
            ':low': vaultKeys.version(secretId, 1)[SK],
            ':high': upper,
          },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (page.Items ?? []).map(toVersion);
    },

    async trashSecret(secret, deletedAt, purgeAt) {
      const codes = await transact([
        {
          Update: {
            TableName: tableName,
            Key: vaultKeys.secret(secret.id),
            UpdateExpression: 'SET #deletedAt = :deletedAt, #purgeAt = :purgeAt, #ttl = :ttl',
            ...secretIsLive,
            ExpressionAttributeNames: {
              ...secretIsLive.ExpressionAttributeNames,
              '#purgeAt': 'purgeAt',
              '#ttl': TABLE.ttlAttribute,
            },
            ExpressionAttributeValues: {
              ':deletedAt': deletedAt.toISOString(),
              ':purgeAt': purgeAt.toISOString(),
              // TTL only cleans up, days later; reads treat the secret as gone from purgeAt on.
              ':ttl': Math.ceil(purgeAt.getTime() / 1000),
            },
          },
        },
        liveDelta(secret.vaultId, -1),
      ] as TransactItems);
      return codes ? 'conflict' : 'applied';
    },

    async restoreSecret(secret, now) {
      const codes = await transact([
        {
          Update: {
            TableName: tableName,
            Key: vaultKeys.secret(secret.id),
            UpdateExpression: 'REMOVE #deletedAt, #purgeAt, #ttl',
            // Still in the trash and not past its purge date, whatever TTL has done so far.
            ConditionExpression: 'attribute_exists(#deletedAt) AND #purgeAt > :now',
            ExpressionAttributeNames: {
              '#deletedAt': 'deletedAt',
              '#purgeAt': 'purgeAt',
              '#ttl': TABLE.ttlAttribute,
            },
            ExpressionAttributeValues: { ':now': now.toISOString() },
          },
        },
        liveDelta(secret.vaultId, 1),
      ] as TransactItems);
      return codes ? 'conflict' : 'applied';
    },

    async purgeSecret(secret, now) {
      const done = await conditionalUpdate(doc, tableName, {
        Key: vaultKeys.secret(secret.id),
        UpdateExpression: 'SET #purgeAt = :now, #ttl = :ttl',
        // Only out of the trash, and only while it is still there.
        ConditionExpression: 'attribute_exists(#deletedAt) AND #purgeAt > :now',
        ExpressionAttributeNames: {
          '#deletedAt': 'deletedAt',
          '#purgeAt': 'purgeAt',
          '#ttl': TABLE.ttlAttribute,
        },
        ExpressionAttributeValues: { ':now': now.toISOString(), ':ttl': Math.ceil(now.getTime() / 1000) },
      });
      return done ? 'applied' : 'conflict';
    },

    async secretGrants(secretId) {
      return (await queryPrefix(doc, tableName, `SECRET#${secretId}`, vaultKeys.grantPrefix)).map(toGrant);
    },

    async accessGrants(vaultId, secretId, principalIds) {
      const items = await batchGet([
        ...principalIds.map((p) => vaultKeys.vaultGrant(vaultId, p)),
        ...principalIds.map((p) => vaultKeys.secretGrant(secretId, p)),
      ]);
      return {
        vault: items.filter((item) => item[PK] === `VAULT#${vaultId}`).map(toGrant),
        secret: items.filter((item) => item[PK] === `SECRET#${secretId}`).map(toGrant),
      };
    },

    async putSecretGrant(secretId, grant) {
      const codes = await transact([
        {
          Put: {
            TableName: tableName,
            Item: {
              ...vaultKeys.secretGrant(secretId, grant.principalId),
              [ENTITY]: 'SecretGrant',
              secretId,
              ...grant,
            },
          },
        },
        // Only a live secret is shared: a grant written while it sits in the trash would fail here.
        { ConditionCheck: { TableName: tableName, Key: vaultKeys.secret(secretId), ...secretIsLive } },
      ] as TransactItems);
      return codes ? 'conflict' : 'applied';
    },

    async removeSecretGrant(secretId, principalId) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: vaultKeys.secretGrant(secretId, principalId),
            ...itemExists,
          }),
        );
        return 'applied';
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'conflict';
        throw error;
      }
    },
  };
}
