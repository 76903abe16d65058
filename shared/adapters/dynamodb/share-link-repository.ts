import { randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import { InvalidCursorError } from '../../domain/errors';
import type { ShareLink, ShareLinkView, ShareResource } from '../../domain/share-links/model';
import type { ShareLinkRepository } from '../../domain/share-links/ports';
import { cancellationCodes, itemIsNew } from './conditions';
import { conditionalUpdate, hourlyCount, queryAll, queryPrefix, withoutTableAttributes } from './operations';
import { outboxPut } from './outbox';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GPK = TABLE.gsi1.partitionKey;
const GSK = TABLE.gsi1.sortKey;
const ENTITY = TABLE.entityAttribute;
const TTL = TABLE.ttlAttribute;

export const shareLinkKeys = {
  link: (linkId: string) => ({ [PK]: `SHARELINK#${linkId}`, [SK]: 'META' }),
  /** gsi1: the links a user owns, newest last. */
  ownedBy: (ownerId: string, createdAt: string, linkId: string) => ({
    [GPK]: `USER#${ownerId}#SHARELINKS`,
    [GSK]: `${createdAt}#${linkId}`,
  }),
  /** One item per link under its object, so deleting the object finds its links. */
  ofResource: (resource: ShareResource, linkId: string) => ({
    [PK]: `SHAREOBJ#${resource.type}#${resource.id}`,
    [SK]: `LINK#${linkId}`,
  }),
  view: (linkId: string, at: string, nonce: string) => ({
    [PK]: `SHARELINK#${linkId}`,
    [SK]: `VIEW#${at}#${nonce}`,
  }),
  ipCounter: (ip: string, hour: number) => ({ [PK]: `SHAREIP#${ip}`, [SK]: `HOUR#${hour}` }),
};

/** The link is live: active and not expired (checked in the write, whatever TTL has done). */
const linkIsLive = (now: Date) => ({
  ConditionExpression: 'attribute_exists(#pk) AND #status = :active AND #expiresAt > :now',
  ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#expiresAt': LINK_EXPIRY },
  ExpressionAttributeValues: { ':active': 'active', ':now': now.toISOString() },
});

/** The link's own expiry, apart from the table's TTL attribute (which only cleans up, later). */
const LINK_EXPIRY = 'linkExpiresAt';

function toLink(item: Record<string, unknown>): ShareLink {
  const { [LINK_EXPIRY]: expiresAt, ...rest } = withoutTableAttributes(item);
  return { ...rest, expiresAt } as unknown as ShareLink;
}

function withoutExpiry(link: ShareLink): Omit<ShareLink, 'expiresAt'> {
  const { expiresAt: _x, ...rest } = link;
  return rest;
}

export function makeShareLinkRepository(doc: DynamoDBDocumentClient, tableName: string): ShareLinkRepository {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const update = (input: Parameters<typeof conditionalUpdate>[2]) => conditionalUpdate(doc, tableName, input);

  const revokeOne = async (linkId: string, ownerId?: string) =>
    update({
      Key: shareLinkKeys.link(linkId),
      UpdateExpression: 'SET #status = :revoked REMOVE #ciphertext, #codeHmac',
      ConditionExpression: `#status = :active${ownerId ? ' AND #owner = :owner' : ''}`,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#ciphertext': 'ciphertext',
        '#codeHmac': 'codeHmac',
        ...(ownerId ? { '#owner': 'ownerId' } : {}),
      },
      ExpressionAttributeValues: {
        ':revoked': 'revoked',
        ':active': 'active',
        ...(ownerId ? { ':owner': ownerId } : {}),
      },
    });

  return {
    async create(link) {
      const ttl = Math.ceil(Date.parse(link.expiresAt) / 1000) + 30 * 86_400;
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...shareLinkKeys.link(link.id),
                  ...shareLinkKeys.ownedBy(link.ownerId, link.createdAt, link.id),
                  [ENTITY]: 'ShareLink',
                  ...withoutExpiry(link),
                  [LINK_EXPIRY]: link.expiresAt,
                  // Clean-up only, a month after expiry (the owner still sees the views meanwhile).
                  [TTL]: ttl,
                },
                ...itemIsNew,
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...shareLinkKeys.ofResource(link.resource, link.id),
                  [ENTITY]: 'ShareLinkRef',
                  linkId: link.id,
                  [TTL]: ttl,
                },
                ...itemIsNew,
              },
            },
          ],
        }),
      );
    },

    async get(linkId) {
      if (!/^shl_[\w-]{1,60}$/.test(linkId)) return undefined;
      const item = await get(shareLinkKeys.link(linkId));
      return item ? toLink(item) : undefined;
    },

    async listByOwner(ownerId, { limit, cursor }) {
      // The position is the index sort key of the last link shown: `<createdAt>#<linkId>`.
      let start: Record<string, unknown> | undefined;
      if (cursor !== undefined) {
        const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)#(shl_[\w-]{1,60})$/.exec(cursor);
        if (!match) throw new InvalidCursorError();
        const [, createdAt, linkId] = match as unknown as [string, string, string];
        start = { ...shareLinkKeys.link(linkId), ...shareLinkKeys.ownedBy(ownerId, createdAt, linkId) };
      }
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': GPK },
          ExpressionAttributeValues: { ':gpk': `USER#${ownerId}#SHARELINKS` },
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const last = page.LastEvaluatedKey?.[GSK];
      return {
        items: (page.Items ?? []).map(toLink),
        nextCursor: page.LastEvaluatedKey && typeof last === 'string' ? last : null,
      };
    },

    async views(linkId) {
      return (await queryPrefix(doc, tableName, `SHARELINK#${linkId}`, 'VIEW#')).map(
        (item) =>
          ({ at: String(item.at), ip: String(item.ip), userAgent: String(item.userAgent) }) as ShareLinkView,
      );
    },

    async storeCode(linkId, code, now, limits, events = []) {
      const live = linkIsLive(now);
      const cooledAt = new Date(now.getTime() - limits.cooldownSeconds * 1000).toISOString();
      const input = {
        Key: shareLinkKeys.link(linkId),
        // Each send replaces the code and resets its attempts; the send count only grows.
        UpdateExpression:
          'SET #codeHmac = :hmac, #codeExpiresAt = :codeExpiresAt, #attempts = :zero, #sentAt = :now ADD #sends :one',
        ConditionExpression: `${live.ConditionExpression} AND (attribute_not_exists(#sentAt) OR #sentAt <= :cooled) AND (attribute_not_exists(#sends) OR #sends < :maxSends)`,
        ExpressionAttributeNames: {
          ...live.ExpressionAttributeNames,
          '#codeHmac': 'codeHmac',
          '#codeExpiresAt': 'codeExpiresAt',
          '#attempts': 'codeAttempts',
          '#sentAt': 'codeSentAt',
          '#sends': 'sends',
        },
        ExpressionAttributeValues: {
          ...live.ExpressionAttributeValues,
          ':hmac': code.hmac,
          ':codeExpiresAt': code.expiresAt,
          ':zero': 0,
          ':one': 1,
          ':cooled': cooledAt,
          ':maxSends': limits.maxSends,
        },
      };
      if (events.length === 0) return (await update(input)) ? 'applied' : 'conflict';
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: tableName, ...input } },
              ...events.map((event) => outboxPut(tableName, event)),
            ],
          }),
        );
        return 'applied';
      } catch (error) {
        if (!cancellationCodes(error)) throw error;
        return 'conflict';
      }
    },

    async countIp(ip, now, max) {
      const hour = Math.floor(now.getTime() / 3_600_000);
      const { TableName: _table, ...counter } = hourlyCount(
        tableName,
        shareLinkKeys.ipCounter(ip, hour),
        max,
        hour,
        'ShareLinkIpCount',
      );
      return (await update(counter)) !== undefined;
    },

    async recordFailure(linkId, max) {
      await update({
        Key: shareLinkKeys.link(linkId),
        UpdateExpression: 'ADD #attempts :one',
        ConditionExpression: 'attribute_exists(#codeHmac) AND #attempts < :max',
        ExpressionAttributeNames: { '#attempts': 'codeAttempts', '#codeHmac': 'codeHmac' },
        ExpressionAttributeValues: { ':one': 1, ':max': max },
      });
    },

    async consume(link, codeHmac, view, now, maxAttempts) {
      const live = linkIsLive(now);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: shareLinkKeys.link(link.id),
                  UpdateExpression: link.oneTime
                    ? 'SET #status = :used ADD #views :one REMOVE #codeHmac, #ciphertext'
                    : 'ADD #views :one REMOVE #codeHmac',
                  ConditionExpression: `${live.ConditionExpression} AND #codeHmac = :hmac AND #codeExpiresAt > :now AND #attempts < :max`,
                  ExpressionAttributeNames: {
                    ...live.ExpressionAttributeNames,
                    '#views': 'views',
                    '#codeHmac': 'codeHmac',
                    '#codeExpiresAt': 'codeExpiresAt',
                    '#attempts': 'codeAttempts',
                    ...(link.oneTime ? { '#ciphertext': 'ciphertext' } : {}),
                  },
                  ExpressionAttributeValues: {
                    ...live.ExpressionAttributeValues,
                    ':one': 1,
                    ':hmac': codeHmac,
                    ':max': maxAttempts,
                    ...(link.oneTime ? { ':used': 'used' } : {}),
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...shareLinkKeys.view(link.id, view.at, randomBytes(6).toString('hex')),
                    [ENTITY]: 'ShareLinkView',
                    ...view,
                  },
                },
              },
            ],
          }),
        );
        return 'applied';
      } catch (error) {
        if (!cancellationCodes(error)) throw error;
        return 'conflict';
      }
    },

    async revoke(linkId, ownerId) {
      return (await revokeOne(linkId, ownerId)) ? 'applied' : 'conflict';
    },

    async revokeForResource(resource) {
      const refs = await queryPrefix(doc, tableName, `SHAREOBJ#${resource.type}#${resource.id}`, 'LINK#');
      const results = await Promise.all(refs.map((ref) => revokeOne(String(ref.linkId))));
      return results.filter(Boolean).length;
    },

    async revokeForOwner(ownerId) {
      // Every link the owner has, not the newest page the owner's list shows.
      const links = (
        await queryAll(doc, tableName, {
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': GPK },
          ExpressionAttributeValues: { ':gpk': `USER#${ownerId}#SHARELINKS` },
        })
      ).map(toLink);
      const results = await Promise.all(
        links.filter((l) => l.status === 'active').map((l) => revokeOne(l.id)),
      );
      return results.filter(Boolean).length;
    },
  };
}
