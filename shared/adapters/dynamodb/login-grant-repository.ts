import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import type { LoginGrantRepository } from '../../domain/ports';
import { cancellationCodes, itemIsNew } from './conditions';
import { hourlyCount, conditionalUpdate as update, withoutTableAttributes } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/** Key builders for login grants, the networks users log in from and the codes grants took. */
export const loginKeys = {
  grant: (grantId: string) => ({ [PK]: `LOGIN_GRANT#${grantId}`, [SK]: 'GRANT' }),
  /** Grants a user asked for in one clock hour (fixed window). */
  userGrants: (userId: string, hour: number) => ({ [PK]: `USER#${userId}`, [SK]: `LOGIN_GRANTS#${hour}` }),
  /** Grants on one account in one clock hour (fixed window). */
  accountGrants: (accountId: string, hour: number) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `LOGIN_GRANTS#${hour}`,
  }),
  /** A network (IPv4 /24, IPv6 /48) the user asked for a grant from, with when they last did. */
  network: (userId: string, network: string) => ({
    [PK]: `USER#${userId}`,
    [SK]: `LOGIN_NETWORK#${network}`,
  }),
  networkPrefix: 'LOGIN_NETWORK#',
  /** Which grant an inbox message's code went to: one message, one grant. */
  codeClaim: (accountId: string, messageId: string) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `GRANT_CODE#${messageId}`,
  }),
};

const grantItem = z.object({
  id: z.string(),
  accountId: z.string(),
  workspaceId: z.string(),
  userId: z.string(),
  deviceId: z.string(),
  keyThumbprint: z.string(),
  ip: z.string(),
  network: z.string(),
  issuedAt: z.string(),
  validUntil: z.string(),
  codeUntil: z.string(),
  reportedAt: z.optional(z.string()),
});

const epochSeconds = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

export function makeLoginGrantRepository(
  doc: DynamoDBDocumentClient,
  tableName: string,
): LoginGrantRepository {
  return {
    async create(grant, limits, retentionSeconds) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: hourlyCount(
                  tableName,
                  loginKeys.userGrants(grant.userId, limits.hour),
                  limits.perUser,
                  limits.hour,
                  'LoginGrantWindow',
                ),
              },
              {
                Update: hourlyCount(
                  tableName,
                  loginKeys.accountGrants(grant.accountId, limits.hour),
                  limits.perAccount,
                  limits.hour,
                  'LoginGrantWindow',
                ),
              },
              {
                // No secret rides along: the JWE goes to the client only, never to the table.
                Put: {
                  TableName: tableName,
                  Item: {
                    ...loginKeys.grant(grant.id),
                    [TABLE.entityAttribute]: 'LoginGrant',
                    ...grant,
                    [TABLE.ttlAttribute]: epochSeconds(grant.issuedAt) + retentionSeconds,
                  },
                  ...itemIsNew,
                },
              },
            ],
          }),
        );
        return 'applied';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === 'ConditionalCheckFailed') return 'user_cap';
        if (codes[1] === 'ConditionalCheckFailed') return 'account_cap';
        throw error;
      }
    },

    async get(grantId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: loginKeys.grant(grantId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const parsed = grantItem.parse(withoutTableAttributes(Item));
      const { reportedAt, ...grant } = parsed;
      return reportedAt ? { ...grant, reportedAt } : grant;
    },

    async recordNetwork(userId, network, now, memorySeconds) {
      // One write that both remembers the network and returns when it was last used: two grants
      // racing from a new network cannot both see it as known, nor both miss it.
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: loginKeys.network(userId, network),
          UpdateExpression: 'SET #lastUsedAt = :now, #ttl = :ttl, #entity = :entity',
          ExpressionAttributeNames: {
            '#lastUsedAt': 'lastUsedAt',
            '#ttl': TABLE.ttlAttribute,
            '#entity': TABLE.entityAttribute,
          },
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':ttl': epochSeconds(now) + memorySeconds,
            ':entity': 'LoginNetwork',
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const lastUsedAt = typeof Attributes?.lastUsedAt === 'string' ? Attributes.lastUsedAt : undefined;
      if (lastUsedAt) return { lastUsedAt, firstNetwork: false };
      // Only on a network never seen: did the user log in from anywhere before this one?
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': loginKeys.networkPrefix },
          ProjectionExpression: '#sk',
          ConsistentRead: true,
          Limit: 2,
        }),
      );
      return { lastUsedAt: undefined, firstNetwork: Items.length <= 1 };
    },

    async claimCode(accountId, messageId, grantId, expiresAt) {
      // First grant wins the message; the same grant asking again finds its own claim.
      const claimed = await update(doc, tableName, {
        Key: loginKeys.codeClaim(accountId, messageId),
        UpdateExpression: 'SET #grantId = :grantId, #ttl = :ttl, #entity = :entity',
        ConditionExpression: 'attribute_not_exists(#grantId) OR #grantId = :grantId',
        ExpressionAttributeNames: {
          '#grantId': 'grantId',
          '#ttl': TABLE.ttlAttribute,
          '#entity': TABLE.entityAttribute,
        },
        ExpressionAttributeValues: {
          ':grantId': grantId,
          ':ttl': epochSeconds(expiresAt),
          ':entity': 'GrantCodeClaim',
        },
      });
      return claimed !== undefined;
    },

    async markReported(grantId, now) {
      const result = await update(doc, tableName, {
        Key: loginKeys.grant(grantId),
        UpdateExpression: 'SET #reportedAt = :now',
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#reportedAt)',
        ExpressionAttributeNames: { '#reportedAt': 'reportedAt', '#pk': PK },
        ExpressionAttributeValues: { ':now': now.toISOString() },
      });
      return result ? 'applied' : 'conflict';
    },
  };
}
