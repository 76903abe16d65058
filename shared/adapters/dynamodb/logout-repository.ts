import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import { InvalidCursorError } from '../../domain/errors';
import type {
  GrantLedger,
  LogoutTokenClaims,
  RotateByHandEntry,
  RotateByHandList,
} from '../../domain/logout/ports';
import { itemIsNew } from './conditions';
import { conditionalUpdate, queryPrefix, withoutTableAttributes } from './operations';
import { userKeys } from './user-repository';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/** Key builders of universal logout: grants per (user, account), the rotate-by-hand list, used token ids. */
export const logoutKeys = {
  /** In the user's partition: one query lists every account the user was granted. */
  grantRecord: (userId: string, accountId: string) => ({
    [PK]: `USER#${userId}`,
    [SK]: `GRANTED_ACCOUNT#${accountId}`,
  }),
  grantRecordPrefix: 'GRANTED_ACCOUNT#',
  rotateByHand: (workspaceId: string, accountId: string) => ({
    [PK]: `WORKSPACE#${workspaceId}`,
    [SK]: `ROTATE_BY_HAND#${accountId}`,
  }),
  rotateByHandPrefix: 'ROTATE_BY_HAND#',
  /** A Global Token Revocation request token already used (issuer hashed: it is a URL of any length). */
  logoutTokenId: (issuer: string, jti: string) => ({
    [PK]: `LOGOUT_TOKEN#${createHash('sha256').update(issuer).digest('base64url')}#${jti}`,
    [SK]: 'USED',
  }),
};

const grantRecordItem = z.object({
  userId: z.string(),
  accountId: z.string(),
  workspaceId: z.string(),
  lastGrantAt: z.string(),
});

export function makeGrantLedger(doc: DynamoDBDocumentClient, tableName: string): GrantLedger {
  return {
    async record(entry, since) {
      // Only the first grant after the account's last successful rotation writes: later ones fail the
      // condition (nothing to change), so the ledger costs one small write per (user, account, rotation).
      await conditionalUpdate(doc, tableName, {
        Key: logoutKeys.grantRecord(entry.userId, entry.accountId),
        UpdateExpression:
          'SET #entity = :entity, #userId = :userId, #accountId = :accountId, #ws = :ws, #last = :at',
        ConditionExpression: since
          ? 'attribute_not_exists(#last) OR (#last <= :since AND #last < :at)'
          : 'attribute_not_exists(#last)',
        ExpressionAttributeNames: {
          '#entity': TABLE.entityAttribute,
          '#userId': 'userId',
          '#accountId': 'accountId',
          '#ws': 'workspaceId',
          '#last': 'lastGrantAt',
        },
        ExpressionAttributeValues: {
          ':entity': 'AccountGrantRecord',
          ':userId': entry.userId,
          ':accountId': entry.accountId,
          ':ws': entry.workspaceId,
          ':at': entry.lastGrantAt,
          ...(since ? { ':since': since } : {}),
        },
      });
    },
    async accountsGrantedTo(userId) {
      const items = await queryPrefix(doc, tableName, `USER#${userId}`, logoutKeys.grantRecordPrefix);
      return items.map((item) => grantRecordItem.parse(withoutTableAttributes(item)));
    },
  };
}

const rotateByHandItem = z.object({
  workspaceId: z.string(),
  accountId: z.string(),
  appName: z.string(),
  userIds: z.array(z.string()),
  triggers: z.array(z.enum(['universal_logout', 'deprovisioning'])),
  firstListedAt: z.string(),
  lastListedAt: z.string(),
});

const toEntry = (item: Record<string, unknown>): RotateByHandEntry => {
  const parsed = rotateByHandItem.parse({
    ...withoutTableAttributes(item),
    // String sets come back as Sets.
    userIds: [...((item.userIds as Set<string> | undefined) ?? [])].sort(),
    triggers: [...((item.triggers as Set<string> | undefined) ?? [])].sort(),
  });
  return parsed;
};

export function makeRotateByHandList(doc: DynamoDBDocumentClient, tableName: string): RotateByHandList {
  return {
    async add(entry, userId, trigger, at) {
      // Sets: the same user and trigger again (a redelivered event) changes nothing but lastListedAt.
      await conditionalUpdate(doc, tableName, {
        Key: logoutKeys.rotateByHand(entry.workspaceId, entry.accountId),
        UpdateExpression:
          'SET #entity = :entity, #ws = :ws, #accountId = :accountId, #appName = :appName, #first = if_not_exists(#first, :at), #lastAt = :at ADD #userIds :user, #triggers :trigger',
        ExpressionAttributeNames: {
          '#entity': TABLE.entityAttribute,
          '#ws': 'workspaceId',
          '#accountId': 'accountId',
          '#appName': 'appName',
          '#first': 'firstListedAt',
          '#lastAt': 'lastListedAt',
          '#userIds': 'userIds',
          '#triggers': 'triggers',
        },
        ExpressionAttributeValues: {
          ':entity': 'RotateByHand',
          ':ws': entry.workspaceId,
          ':accountId': entry.accountId,
          ':appName': entry.appName,
          ':at': at,
          ':user': new Set([userId]),
          ':trigger': new Set([trigger]),
        },
      });
    },
    async list(workspaceId, page) {
      let start: Record<string, unknown> | undefined;
      if (page.cursor) {
        const accountId = Buffer.from(page.cursor, 'base64url').toString('utf8');
        if (!/^[\w-]{1,64}$/.test(accountId)) throw new InvalidCursorError();
        start = logoutKeys.rotateByHand(workspaceId, accountId);
      }
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: {
            ':pk': `WORKSPACE#${workspaceId}`,
            ':prefix': logoutKeys.rotateByHandPrefix,
          },
          Limit: page.limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (out.Items ?? []).map(toEntry);
      const last = items.at(-1);
      return {
        items,
        nextCursor: out.LastEvaluatedKey && last ? Buffer.from(last.accountId).toString('base64url') : null,
      };
    },
    async clear(workspaceId, accountId) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: logoutKeys.rotateByHand(workspaceId, accountId),
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}

/** Consumes a request token's `jti` once: the conditional put is the replay check (kept past `exp`). */
export function makeLogoutTokenStore(doc: DynamoDBDocumentClient, tableName: string) {
  return async (claims: LogoutTokenClaims): Promise<boolean> => {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...logoutKeys.logoutTokenId(claims.issuer, claims.jti),
            [TABLE.entityAttribute]: 'LogoutTokenUse',
            // TTL only cleans up: a token past `exp` is refused by the verifier before it gets here.
            [TABLE.ttlAttribute]: claims.expiresAt + 300,
          },
          ...itemIsNew,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
}

/** A workspace member by email (the workspace's users index), for `sub_id` format `email`. */
export function makeUserByEmail(doc: DynamoDBDocumentClient, tableName: string) {
  return async (workspaceId: string, email: string): Promise<string | undefined> => {
    const member = userKeys.workspaceMember(workspaceId, email);
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#gpk = :gpk AND #gsk = :gsk',
        ExpressionAttributeNames: {
          '#gpk': TABLE.gsi1.partitionKey,
          '#gsk': TABLE.gsi1.sortKey,
          '#id': 'id',
        },
        ExpressionAttributeValues: {
          ':gpk': member[TABLE.gsi1.partitionKey],
          ':gsk': member[TABLE.gsi1.sortKey],
        },
        ProjectionExpression: '#id',
        Limit: 2,
      }),
    );
    const ids = (out.Items ?? []).map((item) => String(item.id));
    return ids.length === 1 ? ids[0] : undefined;
  };
}
