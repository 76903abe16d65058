import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import { InvalidCursorError } from '../../domain/errors';
import { pushJobsEvent } from '../../domain/events';
import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/notifications/catalogue';
import type { StoredPreferences, StoredWorkspaceSettings } from '../../domain/notifications/policy';
import type {
  IdGenerator,
  NotificationInbox,
  NotificationRecipient,
  NotificationRecord,
  NotificationSettingsRepository,
  PushDeliveryLog,
  PushJob,
} from '../../domain/ports';
import type { User } from '../../domain/users/model';
import { newId } from '../ids';
import { cancellationCodes } from './conditions';
import { inboxKeys } from './inbox-repository';
import { batchGetAll, transactEach } from './operations';
import { outboxPut } from './outbox';
import { userItem, userKeys } from './user-repository';

/** Push jobs per outbox event of a notification commit (a job is a few hundred bytes). */
const JOBS_PER_EVENT = 25;

const chunksOf = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const notificationKeys = {
  workspaceSettings: (workspaceId: string) => ({
    [PK]: `WORKSPACE#${workspaceId}`,
    [SK]: 'NOTIFICATION_SETTINGS',
  }),
  preferences: (userId: string) => ({ [PK]: `USER#${userId}`, [SK]: 'NOTIFICATION_PREFERENCES' }),
  /** Newest first by sort key: creation time, then id. */
  notification: (userId: string, createdAt: string, id: string) => ({
    [PK]: `USER#${userId}`,
    [SK]: `NOTIFICATION#${createdAt}#${id}`,
  }),
  notificationPrefix: 'NOTIFICATION#',
  /** The delivery log of one push job: a notification to its recipients' devices. */
  delivery: (notificationId: string) => ({ [PK]: `PUSH#${notificationId}`, [SK]: 'JOB' }),
};

/** One attribute per type (`type_<name>`), so changing some types never overwrites the others. */
const attribute = (type: NotificationType) => `type_${type}`;

function readTypes<T>(item: Record<string, unknown> | undefined): Partial<Record<NotificationType, T>> {
  const result: Partial<Record<NotificationType, T>> = {};
  for (const type of NOTIFICATION_TYPES) {
    const value = item?.[attribute(type)];
    if (value && typeof value === 'object') result[type] = value as T;
  }
  return result;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The cursor carries only the sort key; the partition always comes from the caller. */
function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify({ sk: key[SK] })).toString('base64url') : null;
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    return typeof sk === 'string' && sk.startsWith(notificationKeys.notificationPrefix) ? sk : undefined;
  } catch {
    return undefined;
  }
}

const recordItem = (notification: NotificationRecord, retentionSeconds: number) => ({
  ...notificationKeys.notification(notification.userId, notification.createdAt, notification.id),
  [TABLE.entityAttribute]: 'Notification',
  ...notification,
  [TABLE.ttlAttribute]: epochSeconds(new Date(notification.createdAt)) + retentionSeconds,
});

/** TransactWriteItems takes at most 100 operations. */
const TRANSACTION_LIMIT = 100;

export function makeNotificationRepository(
  doc: DynamoDBDocumentClient,
  tableName: string,
  ids: { newId: IdGenerator } = { newId },
) {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  async function updateTypes<T>(
    key: Record<string, string>,
    entity: string,
    changes: Partial<Record<NotificationType, T>>,
    now: Date,
  ) {
    const types = NOTIFICATION_TYPES.filter((type) => changes[type] !== undefined);
    const names: Record<string, string> = { '#entity': TABLE.entityAttribute, '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':entity': entity, ':now': now.toISOString() };
    const sets = ['#entity = :entity', '#updatedAt = :now'];
    types.forEach((type, index) => {
      names[`#t${index}`] = attribute(type);
      values[`:t${index}`] = changes[type];
      sets.push(`#t${index} = :t${index}`);
    });
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return readTypes<T>(Attributes);
  }

  const settings: NotificationSettingsRepository = {
    async recipients(userIds) {
      const unique = [...new Set(userIds)];
      const items = await batchGetAll(
        doc,
        tableName,
        unique.flatMap((id) => [userKeys.user(id), notificationKeys.preferences(id)]),
      );
      const found = new Map<string, NotificationRecipient>(unique.map((id) => [id, { preferences: {} }]));
      for (const item of items) {
        const userId = String(item[PK]).slice('USER#'.length);
        const entry = found.get(userId);
        if (!entry) continue;
        if (item[SK] === notificationKeys.preferences(userId)[SK]) {
          entry.preferences = readTypes(item) as StoredPreferences;
        } else {
          const parsed = userItem.safeParse(item);
          if (parsed.success) entry.user = parsed.data as User;
        }
      }
      return found;
    },
    getWorkspaceSettings: async (workspaceId) =>
      readTypes(await get(notificationKeys.workspaceSettings(workspaceId))) as StoredWorkspaceSettings,
    updateWorkspaceSettings: (workspaceId, changes, now) =>
      updateTypes(notificationKeys.workspaceSettings(workspaceId), 'NotificationSettings', changes, now),
    getPreferences: async (userId) =>
      readTypes(await get(notificationKeys.preferences(userId))) as StoredPreferences,
    updatePreferences: (userId, changes, now) =>
      updateTypes(notificationKeys.preferences(userId), 'NotificationPreferences', changes, now),
  };

  const inbox: NotificationInbox = {
    async record(notification: NotificationRecord, retentionSeconds: number) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: recordItem(notification, retentionSeconds),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
    },
    async commit({ records, jobs, retentionSeconds, inboundMessageId }) {
      const occurredAt = new Date().toISOString();
      const operations: Record<string, unknown>[] = [
        ...records.map((record) => ({
          Put: {
            TableName: tableName,
            Item: recordItem(record, retentionSeconds),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
          },
        })),
        // Push jobs go through the outbox: relayed to SQS after commit, never lost with the request.
        // One `push.job` event per JOBS_PER_EVENT jobs (`detail.jobs`, the relay sends them 10 per
        // SendMessageBatch): fewer transaction items, and well under the 400 KB item limit.
        ...chunksOf(jobs, JOBS_PER_EVENT).map((chunk: PushJob[]) =>
          outboxPut(tableName, pushJobsEvent(chunk, ids.newId('evt'), occurredAt)),
        ),
      ];
      // The claim is marked in the last transaction: a crash before it makes a replay send again
      // (at least once), never lose the announcement.
      const marker = inboundMessageId
        ? {
            Update: {
              TableName: tableName,
              Key: inboxKeys.claim(inboundMessageId),
              UpdateExpression: 'SET #notified = :true',
              ConditionExpression: 'attribute_exists(#pk) AND #notified = :false',
              ExpressionAttributeNames: { '#pk': PK, '#notified': 'notified' },
              ExpressionAttributeValues: { ':true': true, ':false': false },
            },
          }
        : undefined;
      const chunks: Record<string, unknown>[][] = [];
      for (let i = 0; i < operations.length; i += TRANSACTION_LIMIT) {
        chunks.push(operations.slice(i, i + TRANSACTION_LIMIT));
      }
      if (marker) {
        const last = chunks.at(-1);
        if (last && last.length < TRANSACTION_LIMIT) last.push(marker);
        else chunks.push([marker]);
      }
      for (const [index, chunk] of chunks.entries()) {
        for (let attempt = 0; ; attempt++) {
          try {
            await doc.send(new TransactWriteCommand({ TransactItems: chunk as never }));
            break;
          } catch (error) {
            const codes = cancellationCodes(error);
            const markerRefused =
              marker && index === chunks.length - 1 && codes?.at(-1) === 'ConditionalCheckFailed';
            if (markerRefused) return 'already_notified';
            if (!codes || codes.includes('ConditionalCheckFailed') || attempt >= 3) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
          }
        }
      }
      return 'committed';
    },
    async list(userId, { limit, cursor, since }) {
      const after = decodeCursor(cursor);
      if (cursor && !after) throw new InvalidCursorError();
      // Retention is enforced here (TTL may lag by days): only items newer than `since`.
      const lowest = `${notificationKeys.notificationPrefix}${since.toISOString()}`;
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: {
            ':pk': `USER#${userId}`,
            ':low': lowest,
            ':high': `${notificationKeys.notificationPrefix}\uffff`,
          },
          ScanIndexForward: false,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { [PK]: `USER#${userId}`, [SK]: after } } : {}),
        }),
      );
      const items = (page.Items ?? []).map((item) => ({
        id: String(item.id),
        userId: String(item.userId),
        type: item.type as NotificationType,
        title: String(item.title),
        body: String(item.body),
        data: (item.data ?? {}) as Record<string, string>,
        createdAt: String(item.createdAt),
      }));
      return { items, nextCursor: encodeCursor(page.LastEvaluatedKey) };
    },
  };

  const leaseNames = { '#status': 'status', '#leaseUntil': 'leaseUntil' };
  /**
   * Takes a job's claim: a first claim when it was never claimed, a takeover when it was released or
   * its lease ran out. `delivered` is kept, so a retry skips the devices already handled.
   */
  const claimUpdate = (notificationId: string, now: Date, leaseUntil: string, takeover: boolean) => ({
    TableName: tableName,
    Key: notificationKeys.delivery(notificationId),
    UpdateExpression: 'SET #entity = :entity, #status = :sending, #leaseUntil = :leaseUntil, #ttl = :ttl',
    ConditionExpression: takeover ? '#status = :sending AND #leaseUntil < :now' : 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: {
      ...leaseNames,
      '#entity': TABLE.entityAttribute,
      '#ttl': TABLE.ttlAttribute,
      ...(takeover ? {} : { '#pk': PK }),
    },
    ExpressionAttributeValues: {
      ':entity': 'PushDelivery',
      ':sending': 'sending',
      ':leaseUntil': leaseUntil,
      ':ttl': epochSeconds(now) + 24 * 60 * 60,
      ...(takeover ? { ':now': now.toISOString() } : {}),
    },
  });

  const deliveries: PushDeliveryLog = {
    async claimJobs(notificationIds, now, leaseSeconds) {
      const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
      // First delivery, the common case: never claimed, in transactions of up to 100.
      const fresh = await transactEach(
        doc,
        notificationIds.map((id) => ({
          Update: claimUpdate(id, now, leaseUntil, false),
        })),
      );
      // A retry: released, or claimed by a worker whose lease ran out; the update returns what an
      // earlier attempt already handled. A job done or held by a live lease is refused.
      return Promise.all(
        notificationIds.map(async (id, i) => {
          if (fresh[i]) return { granted: true, delivered: [], leaseUntil };
          try {
            const taken = await doc.send(
              new UpdateCommand({
                ...claimUpdate(id, now, leaseUntil, true),
                ReturnValues: 'ALL_NEW',
              }),
            );
            const delivered = (taken.Attributes?.delivered as string[] | undefined) ?? [];
            return { granted: true, delivered, leaseUntil };
          } catch (error) {
            if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
              return { granted: false, delivered: [], leaseUntil };
            }
            throw error;
          }
        }),
      );
    },
    async completeJobs(items) {
      // Only while this worker's claim is the current one: a worker whose lease ran out and was taken
      // over writes nothing (the new owner records the job).
      await transactEach(
        doc,
        items.map((item) => ({
          Update: {
            TableName: tableName,
            Key: notificationKeys.delivery(item.notificationId),
            UpdateExpression: 'SET #status = :status, #leaseUntil = :leaseUntil, delivered = :delivered',
            ConditionExpression: '#status = :sending AND #leaseUntil = :mine',
            ExpressionAttributeNames: leaseNames,
            ExpressionAttributeValues: {
              ':status': item.done ? 'done' : 'sending',
              // Released: a retry may take it over at once.
              ':leaseUntil': item.done ? item.leaseUntil : new Date(0).toISOString(),
              ':delivered': item.delivered,
              ':sending': 'sending',
              ':mine': item.leaseUntil,
            },
          },
        })),
      );
    },
  };

  return { settings, inbox, deliveries };
}
