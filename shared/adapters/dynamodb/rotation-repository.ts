import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { EncryptedSecret } from '../../domain/accounts/model';
import type { PasswordVersion, Rotation, RotationPolicy } from '../../domain/rotation/model';
import type { RotationEffect, RotationRepository } from '../../domain/rotation/ports';
import { accountKeys } from './account-repository';
import { cancellationCodes, itemExists, itemIsNew } from './conditions';
import { conditionalUpdate, queryPrefix, withoutTableAttributes } from './operations';
import { outboxPut } from './outbox';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GPK = TABLE.gsi1.partitionKey;
const GSK = TABLE.gsi1.sortKey;

/** The sparse index partition of accounts with a due rotation: only they carry gsi1 keys on their item. */
export const ROTATIONS_DUE = 'ROTATIONS_DUE';

export const rotationKeys = {
  rotation: (accountId: string, rotationId: string) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `ROTATION#${rotationId}`,
  }),
  rotationPrefix: 'ROTATION#',
  version: accountKeys.passwordVersion,
  versionPrefix: accountKeys.passwordVersionPrefix,
  policy: (accountId: string) => ({ [PK]: `ACCOUNT#${accountId}`, [SK]: 'ROTATION_POLICY' }),
  workspacePolicy: (workspaceId: string) => ({ [PK]: `WORKSPACE#${workspaceId}`, [SK]: 'ROTATION_POLICY' }),
  due: (dueAt: string, accountId: string) => ({ [GPK]: ROTATIONS_DUE, [GSK]: `${dueAt}#${accountId}` }),
  /** A trigger (a `user.deprovisioned` event, say) that already queued this account's rotation. */
  claim: (accountId: string, claim: string) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `ROTATION_CLAIM#${claim}`,
  }),
};

/** Claims outlive any redelivery (EventBridge retries a day, the consumer queue keeps 14 days). */
const CLAIM_RETENTION_SECONDS = 30 * 86_400;

/** The account still carries this rotation's marker: a stale worker cannot touch a later rotation. */
const ownsMarker = (rotationId: string) => ({
  condition: '#ar.#arid = :rid',
  names: { '#ar': 'activeRotation', '#arid': 'id' },
  values: { ':rid': rotationId },
});

export function makeRotationRepository(doc: DynamoDBDocumentClient, tableName: string): RotationRepository {
  type Op = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

  const transact = async (items: Op[]) => {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (!cancellationCodes(error)) throw error;
      return false;
    }
  };

  const getItem = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const accountUpdate = (
    accountId: string,
    expression: string,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Op => ({
    Update: {
      TableName: tableName,
      Key: accountKeys.account(accountId),
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    },
  });

  const effectOp = (rotation: Rotation, effect: RotationEffect, at: string): Op => {
    const marker = ownsMarker(rotation.id);
    const lastRotation = (status: 'succeeded' | 'failed') => ({ id: rotation.id, status, at });
    switch (effect.type) {
      case 'putVersion':
        return {
          Put: {
            TableName: tableName,
            Item: {
              ...rotationKeys.version(effect.version.accountId, effect.version.version),
              [TABLE.entityAttribute]: 'PasswordVersion',
              ...effect.version,
            },
            ...itemIsNew,
          },
        };
      case 'versionStatus':
        return {
          Update: {
            TableName: tableName,
            Key: rotationKeys.version(rotation.accountId, effect.version),
            UpdateExpression: 'SET #status = :status',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#status': 'status', '#pk': PK },
            ExpressionAttributeValues: { ':status': effect.status },
          },
        };
      case 'markChanging':
        // Keeps the first instant: grants wait from when the app may first have changed.
        return accountUpdate(
          rotation.accountId,
          'SET #ar.#since = if_not_exists(#ar.#since, :at)',
          marker.condition,
          { ...marker.names, '#since': 'changingSince' },
          { ...marker.values, ':at': effect.at },
        );
      case 'promotePassword': {
        // Still the version the rotation started from: an edit in between cannot be overwritten.
        const fromCondition =
          effect.fromVersion === 1 ? '(#pv = :from OR attribute_not_exists(#pv))' : '#pv = :from';
        const due = effect.nextDueAt ? rotationKeys.due(effect.nextDueAt, rotation.accountId) : undefined;
        return accountUpdate(
          rotation.accountId,
          `SET #pw = :pw, #pv = :v, #last = :last, #updatedAt = :at${due ? ', #gpk = :gpk, #gsk = :gsk' : ''} REMOVE #ar${due ? '' : ', #gpk, #gsk'}`,
          `${marker.condition} AND ${fromCondition}`,
          {
            ...marker.names,
            '#pw': 'password',
            '#pv': 'passwordVersion',
            '#last': 'lastRotation',
            '#updatedAt': 'updatedAt',
            '#gpk': GPK,
            '#gsk': GSK,
          },
          {
            ...marker.values,
            ':pw': effect.secret,
            ':v': effect.version,
            ':from': effect.fromVersion,
            ':last': lastRotation('succeeded'),
            ':at': at,
            ...(due ? { ':gpk': due[GPK], ':gsk': due[GSK] } : {}),
          },
        );
      }
      case 'promoteTotp':
        return accountUpdate(
          rotation.accountId,
          'SET #totp = :totp, #updatedAt = :at REMOVE #ar',
          `${marker.condition} AND attribute_not_exists(#totp)`,
          { ...marker.names, '#totp': 'totp', '#updatedAt': 'updatedAt' },
          {
            ...marker.values,
            ':totp': { seed: effect.seed, digits: 6, period: 30, algorithm: 'SHA1' },
            ':at': at,
          },
        );
      case 'release':
        return rotation.kind === 'password'
          ? accountUpdate(
              rotation.accountId,
              'SET #last = :last REMOVE #ar',
              marker.condition,
              { ...marker.names, '#last': 'lastRotation' },
              { ...marker.values, ':last': lastRotation('failed') },
            )
          : accountUpdate(rotation.accountId, 'REMOVE #ar', marker.condition, marker.names, marker.values);
    }
  };

  const rotationItem = (rotation: Rotation) => ({
    ...rotationKeys.rotation(rotation.accountId, rotation.id),
    [TABLE.entityAttribute]: 'Rotation',
    ...rotation,
  });

  return {
    async start(rotation, job, options = {}) {
      const ops: Op[] = [
        { Put: { TableName: tableName, Item: rotationItem(rotation), ...itemIsNew } },
        accountUpdate(
          rotation.accountId,
          'SET #ar = :ar REMOVE #gpk, #gsk',
          'attribute_exists(#pk) AND attribute_not_exists(#ar)',
          { '#ar': 'activeRotation', '#pk': PK, '#gpk': GPK, '#gsk': GSK },
          { ':ar': { id: rotation.id, kind: rotation.kind, startedAt: rotation.createdAt } },
        ),
        outboxPut(tableName, job),
      ];
      if (options.claim) {
        // The trigger's claim commits with the rotation: a redelivered trigger finds it and queues nothing.
        ops.push({
          Put: {
            TableName: tableName,
            Item: {
              ...rotationKeys.claim(rotation.accountId, options.claim),
              [TABLE.entityAttribute]: 'RotationClaim',
              rotationId: rotation.id,
              createdAt: rotation.createdAt,
              [TABLE.ttlAttribute]:
                Math.floor(Date.parse(rotation.createdAt) / 1000) + CLAIM_RETENTION_SECONDS,
            },
            ...itemIsNew,
          },
        });
      }
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: ops }));
        return 'applied';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[3] === 'ConditionalCheckFailed') return 'duplicate';
      }
      return (await getItem(accountKeys.account(rotation.accountId))) ? 'in_progress' : 'missing';
    },

    async get(accountId, rotationId) {
      const item = await getItem(rotationKeys.rotation(accountId, rotationId));
      return item ? (withoutTableAttributes(item) as unknown as Rotation) : undefined;
    },

    async list(accountId) {
      const items = await queryPrefix(doc, tableName, `ACCOUNT#${accountId}`, rotationKeys.rotationPrefix);
      return items.map((item) => withoutTableAttributes(item) as unknown as Rotation);
    },

    async save(current, next, effects = []) {
      const at = next.updatedAt;
      const ok = await transact([
        {
          Put: {
            TableName: tableName,
            Item: rotationItem(next),
            // The revision the worker read: a racing or replayed step loses here and writes nothing.
            ConditionExpression: '#rev = :rev',
            ExpressionAttributeNames: { '#rev': 'rev' },
            ExpressionAttributeValues: { ':rev': current.rev },
          },
        },
        ...effects.map((effect) => effectOp(current, effect, at)),
      ]);
      return ok ? next : undefined;
    },

    async versions(accountId) {
      const items = await queryPrefix(doc, tableName, `ACCOUNT#${accountId}`, rotationKeys.versionPrefix);
      return items.map((item) => withoutTableAttributes(item) as unknown as PasswordVersion);
    },

    async sealedPassword(accountId, version) {
      const item = await getItem(rotationKeys.version(accountId, version));
      if (item) return item.secret as EncryptedSecret;
      const account = await getItem(accountKeys.account(accountId));
      if (account && ((account.passwordVersion as number | undefined) ?? 1) === version) {
        return account.password as EncryptedSecret;
      }
      return undefined;
    },

    async getPolicy(accountId) {
      const item = await getItem(rotationKeys.policy(accountId));
      return item ? (item.policy as RotationPolicy) : undefined;
    },

    async putPolicy(account, policy, nextDueAt, now) {
      const due = nextDueAt ? rotationKeys.due(nextDueAt, account.id) : undefined;
      return transact([
        {
          Put: {
            TableName: tableName,
            Item: {
              ...rotationKeys.policy(account.id),
              [TABLE.entityAttribute]: 'RotationPolicy',
              policy,
              updatedAt: now.toISOString(),
            },
          },
        },
        accountUpdate(
          account.id,
          due
            ? 'SET #rotates = :rotates, #gpk = :gpk, #gsk = :gsk'
            : 'SET #rotates = :rotates REMOVE #gpk, #gsk',
          itemExists.ConditionExpression,
          { ...itemExists.ExpressionAttributeNames, '#rotates': 'rotates', '#gpk': GPK, '#gsk': GSK },
          {
            ':rotates': policy.everyDays !== null || policy.afterLogin,
            ...(due ? { ':gpk': due[GPK], ':gsk': due[GSK] } : {}),
          },
        ),
      ]);
    },

    async getWorkspacePolicy(workspaceId) {
      const item = await getItem(rotationKeys.workspacePolicy(workspaceId));
      return item ? (item.policy as RotationPolicy) : undefined;
    },

    async putWorkspacePolicy(workspaceId, policy, now) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...rotationKeys.workspacePolicy(workspaceId),
            [TABLE.entityAttribute]: 'RotationPolicy',
            policy,
            updatedAt: now.toISOString(),
          },
        }),
      );
    },

    async markDue(accountId, dueAt) {
      const due = rotationKeys.due(dueAt, accountId);
      // An earlier due time wins; an account with a rotation running is marked for afterwards.
      await conditionalUpdate(doc, tableName, {
        Key: accountKeys.account(accountId),
        UpdateExpression: 'SET #gpk = :gpk, #gsk = :gsk',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#gsk) OR #gsk > :gsk)',
        ExpressionAttributeNames: { '#pk': PK, '#gpk': GPK, '#gsk': GSK },
        ExpressionAttributeValues: { ':gpk': due[GPK], ':gsk': due[GSK] },
      });
    },

    async clearDue(accountId) {
      await conditionalUpdate(doc, tableName, {
        Key: accountKeys.account(accountId),
        UpdateExpression: 'REMOVE #gpk, #gsk',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK, '#gpk': GPK, '#gsk': GSK },
      });
    },

    async due(now, limit) {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk AND #gsk <= :until',
          ExpressionAttributeNames: { '#gpk': GPK, '#gsk': GSK, '#id': 'id' },
          ExpressionAttributeValues: { ':gpk': ROTATIONS_DUE, ':until': `${now.toISOString()}#\uffff` },
          ProjectionExpression: '#id, #gsk',
          Limit: limit,
        }),
      );
      return (page.Items ?? []).map((item) => ({
        accountId: String(item.id),
        dueAt: String(item[GSK]).split('#')[0] as string,
      }));
    },
  };
}
