import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { InboxMessage } from '../../domain/accounts/model';
import { InvalidCursorError } from '../../domain/errors';
import type { InboxRepository } from '../../domain/ports';
import { cancellationCodes } from './conditions';
import { deleteKeys } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const inboxKeys = {
  /** Newest first by sort key: receive time, then the message id. */
  message: (accountId: string, receivedAt: string, id: string) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `MESSAGE#${receivedAt}#${id}`,
  }),
  prefix: 'MESSAGE#',
  /** One per inbound message id: the deduplication claim. */
  claim: (messageId: string) => ({ [PK]: `INBOUND#${messageId}`, [SK]: 'CLAIM' }),
};

const epochSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

function toMessage(item: Record<string, unknown>): InboxMessage {
  const {
    [PK]: _pk,
    [SK]: _sk,
    [TABLE.entityAttribute]: _e,
    [TABLE.ttlAttribute]: _t,
    notified: _n,
    ...rest
  } = item;
  return rest as unknown as InboxMessage;
}

/** The cursor is the sort key of the last message returned; any account's messages compare with it. */
function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sk.startsWith(inboxKeys.prefix) || sk.length > 200) throw new InvalidCursorError();
  return sk;
}

export function makeInboxRepository(doc: DynamoDBDocumentClient, tableName: string): InboxRepository {
  return {
    async store(message, retentionDays, options = {}) {
      const claim = inboxKeys.claim(message.id);
      const expiresAt = epochSeconds(message.receivedAt) + retentionDays * 86_400;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // Deduplication on the natural id (the message id derives from it), whatever the
                // delivery's timestamp: a replayed event finds this claim.
                Put: {
                  TableName: tableName,
                  Item: {
                    ...claim,
                    [TABLE.entityAttribute]: 'InboundClaim',
                    notified: options.notified ?? false,
                    [TABLE.ttlAttribute]: expiresAt,
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': PK },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...inboxKeys.message(message.accountId, message.receivedAt, message.id),
                    [TABLE.entityAttribute]: 'InboxMessage',
                    ...message,
                    [TABLE.ttlAttribute]: expiresAt,
                  },
                },
              },
            ],
          }),
        );
        return { stored: true, notified: options.notified ?? false };
      } catch (error) {
        if (!cancellationCodes(error)) throw error;
        const { Item } = await doc.send(
          new GetCommand({ TableName: tableName, Key: claim, ConsistentRead: true }),
        );
        return { stored: false, notified: Item?.notified === true };
      }
    },

    async markNotified(message) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: inboxKeys.claim(message.id),
          UpdateExpression: 'SET #notified = :true',
          ExpressionAttributeNames: { '#notified': 'notified' },
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    async list(accountIds, { limit, cursor, since }) {
      const before = decodeCursor(cursor);
      // Retention is enforced here, on read: TTL only cleans up and may lag by days.
      const low = `${inboxKeys.prefix}${since.toISOString()}`;
      const high = before ?? `${inboxKeys.prefix}\uffff`;
      // A position older than the retention window (a cursor kept for days): nothing is left to show.
      if (high < low) return { items: [], nextCursor: null };
      const pages = await Promise.all(
        accountIds.map((accountId) =>
          doc.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
              ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
              ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':low': low, ':high': high },
              ScanIndexForward: false,
              Limit: limit + 1,
            }),
          ),
        ),
      );
      const merged = pages
        .flatMap((page) => page.Items ?? [])
        .filter((item) => item[SK] !== before)
        .sort((a, b) => String(b[SK]).localeCompare(String(a[SK])));
      const items = merged.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toMessage),
        nextCursor:
          merged.length > limit && last ? Buffer.from(String(last[SK])).toString('base64url') : null,
      };
    },

    async deleteAll(accountId) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
            ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': inboxKeys.prefix },
            ProjectionExpression: '#pk, #sk',
            ...(cursor ? { ExclusiveStartKey: cursor } : {}),
          }),
        );
        const keys = (page.Items ?? []).map((item) => ({ [PK]: item[PK], [SK]: item[SK] }));
        await deleteKeys(doc, tableName, keys);
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    },
  };
}
