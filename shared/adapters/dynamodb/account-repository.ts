import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { Account, AccountRole, Membership, TotpConfig } from '../../domain/accounts/model';
import { InvalidCursorError } from '../../domain/errors';
import type { AccountChanges, AccountRepository, WriteOutcome } from '../../domain/ports';
import { cancellationCodes, itemExists, itemIsNew } from './conditions';
import { conditionalUpdate, deleteKeys, type UpdateInput } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const accountKeys = {
  account: (accountId: string) => ({ [PK]: `ACCOUNT#${accountId}`, [SK]: 'META' }),
  member: (accountId: string, userId: string) => ({ [PK]: `ACCOUNT#${accountId}`, [SK]: `MEMBER#${userId}` }),
  memberPrefix: 'MEMBER#',
  /** gsi1: the accounts of a user. */
  memberOf: (userId: string, accountId: string) => ({
    [TABLE.gsi1.partitionKey]: `USER#${userId}#ACCOUNTS`,
    [TABLE.gsi1.sortKey]: `ACCOUNT#${accountId}`,
  }),
  /** Inbound routing: one item per managed number or address, claimed with a condition. */
  phoneRoute: (phoneNumber: string) => ({ [PK]: `PHONE#${phoneNumber}`, [SK]: 'ROUTE' }),
  emailRoute: (address: string) => ({ [PK]: `MAILBOX#${address.toLowerCase()}`, [SK]: 'ROUTE' }),
  /** One item per password version (history), zero-padded so versions sort in order. */
  passwordVersion: (accountId: string, version: number) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `PWVER#${String(version).padStart(9, '0')}`,
  }),
  passwordVersionPrefix: 'PWVER#',
};

const FAILED = 'ConditionalCheckFailed';

function toAccount(item: Record<string, unknown>): Account {
  const {
    [PK]: _pk,
    [SK]: _sk,
    [TABLE.entityAttribute]: _entity,
    // The sparse "rotation due" index keys live on the account item; they are not account fields.
    [TABLE.gsi1.partitionKey]: _gpk,
    [TABLE.gsi1.sortKey]: _gsk,
    phoneNumberId: _id,
    ...rest
  } = item;
  return rest as unknown as Account;
}

function toMembership(item: Record<string, unknown>): Membership {
  return {
    accountId: String(item.accountId),
    userId: String(item.userId),
    role: item.role as AccountRole,
    addedAt: String(item.addedAt),
  };
}

/** A membership item: under the account, and in the user's accounts (gsi1). */
export const memberItem = (membership: Membership) => ({
  ...accountKeys.member(membership.accountId, membership.userId),
  ...accountKeys.memberOf(membership.userId, membership.accountId),
  [TABLE.entityAttribute]: 'AccountMember',
  ...membership,
});

/**
 * Writes a membership only if it is still the one that was read (none, or `previous`'s role): two
 * writers changing one membership cannot both win.
 */
export const memberPut = (tableName: string, membership: Membership, previous: AccountRole | undefined) => ({
  Put: {
    TableName: tableName,
    Item: memberItem(membership),
    ...(previous
      ? {
          ConditionExpression: '#role = :previous',
          ExpressionAttributeNames: { '#role': 'role' },
          ExpressionAttributeValues: { ':previous': previous },
        }
      : itemIsNew),
  },
});

/** Owners are counted on the account so that "the last owner stays" is one condition. */
export const ownerCountChange = (tableName: string, accountId: string, delta: number) => ({
  Update: {
    TableName: tableName,
    Key: accountKeys.account(accountId),
    UpdateExpression: 'SET #owners = #owners + :delta',
    ConditionExpression: delta < 0 ? 'attribute_exists(#pk) AND #owners > :one' : 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#owners': 'ownerCount', '#pk': PK },
    ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':one': 1 } : {}) },
  },
});

/** Reading one account only (the rotation triggers): the repository's `get` without the rest of it. */
export function makeAccountReader(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<AccountRepository, 'get'> {
  return {
    async get(accountId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: accountKeys.account(accountId), ConsistentRead: true }),
      );
      return Item ? toAccount(Item) : undefined;
    },
  };
}

export function makeAccountRepository(doc: DynamoDBDocumentClient, tableName: string): AccountRepository {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  /** One transaction; false when a condition in it failed (nothing was written). */
  const transact = async (items: NonNullable<TransactWriteCommandInput['TransactItems']>) => {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (!cancellationCodes(error)) throw error;
      return false;
    }
  };

  const aliases = (names: string[]) => Object.fromEntries(names.map((name, i) => [`#a${i}`, name]));

  /**
   * A managed number or address is two items changed together: attributes on the account (the first
   * must be absent) and the route item inbound messages are looked up by (which must be new).
   */
  const claimRoute = (
    accountId: string,
    attributes: Record<string, string>,
    route: Record<string, string>,
    now: Date,
  ) => {
    const names = Object.keys(attributes);
    return transact([
      {
        Update: {
          TableName: tableName,
          Key: accountKeys.account(accountId),
          UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :a${i}`).join(', ')}, #updatedAt = :now`,
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#a0)',
          ExpressionAttributeNames: { ...aliases(names), '#updatedAt': 'updatedAt', '#pk': PK },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])),
            ':now': now.toISOString(),
          },
        },
      },
      { Put: { TableName: tableName, Item: { ...route, accountId }, ...itemIsNew } },
    ]);
  };

  /** The reverse of claimRoute, only while the account still holds `held` in the first attribute. */
  const dropRoute = (
    accountId: string,
    names: string[],
    held: string,
    routeKey: Record<string, string>,
    now: Date,
  ) =>
    transact([
      {
        Update: {
          TableName: tableName,
          Key: accountKeys.account(accountId),
          UpdateExpression: `REMOVE ${Object.keys(aliases(names)).join(', ')} SET #updatedAt = :now`,
          ConditionExpression: '#a0 = :held',
          ExpressionAttributeNames: { ...aliases(names), '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':held': held, ':now': now.toISOString() },
        },
      },
      { Delete: { TableName: tableName, Key: routeKey } },
    ]);

  const ownerDelta = (accountId: string, delta: number) => ownerCountChange(tableName, accountId, delta);

  const conditional = (input: UpdateInput) => conditionalUpdate(doc, tableName, input);

  return {
    async create(account, owner) {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...accountKeys.account(account.id), [TABLE.entityAttribute]: 'Account', ...account },
                ...itemIsNew,
              },
            },
            { Put: { TableName: tableName, Item: memberItem(owner), ...itemIsNew } },
          ],
        }),
      );
    },

    async get(accountId) {
      const item = await get(accountKeys.account(accountId));
      return item ? toAccount(item) : undefined;
    },

    async membership(accountId, userId) {
      const item = await get(accountKeys.member(accountId, userId));
      return item ? toMembership(item) : undefined;
    },

    async members(accountId) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': accountKeys.memberPrefix },
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map(toMembership);
    },

    async accountIdsOf(userId, { limit, cursor }) {
      let start: Record<string, unknown> | undefined;
      if (cursor) {
        const accountId = Buffer.from(cursor, 'base64url').toString('utf8');
        if (!/^acc_[\w-]+$/.test(accountId)) throw new InvalidCursorError();
        start = { ...accountKeys.member(accountId, userId), ...accountKeys.memberOf(userId, accountId) };
      }
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': TABLE.gsi1.partitionKey },
          ExpressionAttributeValues: { ':gpk': `USER#${userId}#ACCOUNTS` },
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const ids = (page.Items ?? []).map((item) => String(item.accountId));
      const roles = Object.fromEntries(
        (page.Items ?? []).map((item) => [String(item.accountId), item.role as AccountRole]),
      );
      const last = page.LastEvaluatedKey?.accountId ?? (page.LastEvaluatedKey ? ids.at(-1) : undefined);
      return {
        ids,
        roles,
        nextCursor: page.LastEvaluatedKey && last ? Buffer.from(String(last)).toString('base64url') : null,
      };
    },

    async getMany(accountIds) {
      if (accountIds.length === 0) return [];
      const found: Account[] = [];
      for (let i = 0; i < accountIds.length; i += 100) {
        let keys: Record<string, unknown>[] = accountIds.slice(i, i + 100).map(accountKeys.account);
        while (keys.length > 0) {
          const out = await doc.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          found.push(...(out.Responses?.[tableName] ?? []).map(toAccount));
          keys = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        }
      }
      const order = new Map(accountIds.map((id, index) => [id, index]));
      return found.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    },

    async update(accountId, changes: AccountChanges, now) {
      const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
      const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':now': now.toISOString() };
      const sets = ['#updatedAt = :now'];
      entries.forEach(([key, value], index) => {
        names[`#f${index}`] = key;
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      });
      const result = await conditional({
        Key: accountKeys.account(accountId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ...itemExists,
        ExpressionAttributeNames: { ...itemExists.ExpressionAttributeNames, ...names },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      return result?.Attributes ? toAccount(result.Attributes) : undefined;
    },

    async replacePassword(account, expectedVersion, secret, by, now) {
      const at = now.toISOString();
      const version = (item: Record<string, unknown>) => ({
        Put: {
          TableName: tableName,
          Item: { ...item, [TABLE.entityAttribute]: 'PasswordVersion' },
        },
      });
      const ok = await transact([
        {
          Update: {
            TableName: tableName,
            Key: accountKeys.account(account.id),
            UpdateExpression: 'SET #pw = :pw, #pv = :next, #updatedAt = :at',
            // The version the owner replaces is still current, and no rotation is changing it.
            ConditionExpression: `attribute_exists(#pk) AND attribute_not_exists(#ar) AND ${
              expectedVersion === 1 ? '(#pv = :expected OR attribute_not_exists(#pv))' : '#pv = :expected'
            }`,
            ExpressionAttributeNames: {
              '#pk': PK,
              '#pw': 'password',
              '#pv': 'passwordVersion',
              '#ar': 'activeRotation',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':pw': secret,
              ':next': expectedVersion + 1,
              ':expected': expectedVersion,
              ':at': at,
            },
          },
        },
        // The replaced version as read (the condition above proves it is what the account held).
        version({
          ...accountKeys.passwordVersion(account.id, expectedVersion),
          accountId: account.id,
          version: expectedVersion,
          status: 'previous',
          kind: 'password',
          secret: account.password,
          createdBy: account.createdBy,
          createdAt: account.updatedAt,
        }),
        {
          ...version({
            ...accountKeys.passwordVersion(account.id, expectedVersion + 1),
            accountId: account.id,
            version: expectedVersion + 1,
            status: 'current',
            kind: 'password',
            secret,
            createdBy: by,
            createdAt: at,
          }),
        },
      ]);
      return ok ? 'applied' : 'conflict';
    },

    async putMember(accountId, membership, previous): Promise<WriteOutcome | 'last_owner'> {
      const items: unknown[] = [memberPut(tableName, membership, previous)];
      if (previous === 'owner' && membership.role !== 'owner') items.push(ownerDelta(accountId, -1));
      else if (previous !== 'owner' && membership.role === 'owner') items.push(ownerDelta(accountId, 1));
      else
        items.push({
          ConditionCheck: { TableName: tableName, Key: accountKeys.account(accountId), ...itemExists },
        });
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: items as never }));
        return 'applied';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        return codes[1] === FAILED && previous === 'owner' ? 'last_owner' : 'conflict';
      }
    },

    async removeMember(accountId, userId, role) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: accountKeys.member(accountId, userId),
                  ConditionExpression: '#role = :role',
                  ExpressionAttributeNames: { '#role': 'role' },
                  ExpressionAttributeValues: { ':role': role },
                },
              },
              role === 'owner'
                ? ownerDelta(accountId, -1)
                : {
                    ConditionCheck: {
                      TableName: tableName,
                      Key: accountKeys.account(accountId),
                      ...itemExists,
                    },
                  },
            ] as never,
          }),
        );
        return 'applied';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        return codes[1] === FAILED && role === 'owner' ? 'last_owner' : 'conflict';
      }
    },

    async delete(account) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${account.id}` },
          ProjectionExpression: '#pk, #sk',
          ConsistentRead: true,
        }),
      );
      const keys = [
        ...(Items ?? []).map((item) => ({ [PK]: item[PK], [SK]: item[SK] })),
        ...(account.emailAddress ? [accountKeys.emailRoute(account.emailAddress)] : []),
      ];
      await deleteKeys(doc, tableName, keys);
    },

    async assignPhone(accountId, phone, now) {
      const claimed = await claimRoute(
        accountId,
        { phoneNumber: phone.phoneNumber, phoneNumberId: phone.phoneNumberId },
        { ...accountKeys.phoneRoute(phone.phoneNumber), [TABLE.entityAttribute]: 'PhoneRoute' },
        now,
      );
      return claimed ? 'applied' : 'conflict';
    },

    async releasePhone(account, now) {
      const item = await get(accountKeys.account(account.id));
      const phoneNumber = item?.phoneNumber as string | undefined;
      const phoneNumberId = item?.phoneNumberId as string | undefined;
      if (!phoneNumber || !phoneNumberId) return undefined;
      const released = await dropRoute(
        account.id,
        ['phoneNumber', 'phoneNumberId'],
        phoneNumber,
        accountKeys.phoneRoute(phoneNumber),
        now,
      );
      return released ? { phoneNumberId } : undefined;
    },

    async assignEmail(accountId, address, now) {
      const claimed = await claimRoute(
        accountId,
        { emailAddress: address },
        { ...accountKeys.emailRoute(address), [TABLE.entityAttribute]: 'MailboxRoute' },
        now,
      );
      return claimed ? 'applied' : 'conflict';
    },

    async releaseEmail(account, now) {
      if (!account.emailAddress) return;
      await dropRoute(
        account.id,
        ['emailAddress'],
        account.emailAddress,
        accountKeys.emailRoute(account.emailAddress),
        now,
      );
    },

    async setTotp(accountId, totp: TotpConfig | undefined, now) {
      const result = await conditional({
        Key: accountKeys.account(accountId),
        UpdateExpression: totp
          ? 'SET #totp = :totp, #updatedAt = :now'
          : 'REMOVE #totp SET #updatedAt = :now',
        ...itemExists,
        ExpressionAttributeNames: {
          ...itemExists.ExpressionAttributeNames,
          '#totp': 'totp',
          '#updatedAt': 'updatedAt',
        },
        ExpressionAttributeValues: { ':now': now.toISOString(), ...(totp ? { ':totp': totp } : {}) },
      });
      return result ? 'applied' : 'conflict';
    },

    async markCodeReceived(accountId, at) {
      await conditional({
        Key: accountKeys.account(accountId),
        UpdateExpression: 'SET #last = :at',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#last) OR #last < :at)',
        ExpressionAttributeNames: { '#last': 'lastCodeReceivedAt', '#pk': PK },
        ExpressionAttributeValues: { ':at': at },
      });
    },

    async routeByPhone(phoneNumber) {
      const item = await get(accountKeys.phoneRoute(phoneNumber));
      return item ? String(item.accountId) : undefined;
    },

    async routeByEmail(address) {
      const item = await get(accountKeys.emailRoute(address));
      return item ? String(item.accountId) : undefined;
    },
  };
}
