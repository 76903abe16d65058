import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { PushCoalescer } from '../../domain/ports';
import { conditionalUpdate, transactEach } from './operations';

export const pushWindowKey = (userId: string, subject: string) => ({
  [TABLE.partitionKey]: `USER#${userId}`,
  [TABLE.sortKey]: `PUSH_WINDOW#${subject}`,
});

export function makePushCoalescer(doc: DynamoDBDocumentClient, tableName: string): PushCoalescer {
  // One push per window: the first writer after the window closed opens the next one.
  const windowUpdate = (userId: string, subject: string, until: Date, now: Date) => ({
    Key: pushWindowKey(userId, subject),
    UpdateExpression: 'SET #until = :until, #ttl = :ttl, #entity = :entity',
    ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now',
    ExpressionAttributeNames: {
      '#until': 'until',
      '#ttl': TABLE.ttlAttribute,
      '#entity': TABLE.entityAttribute,
    },
    ExpressionAttributeValues: {
      ':until': until.toISOString(),
      ':now': now.toISOString(),
      ':ttl': Math.floor(until.getTime() / 1000) + 3600,
      ':entity': 'PushWindow',
    },
  });
  return {
    async claim(userId, subject, until, now) {
      return (
        (await conditionalUpdate(doc, tableName, windowUpdate(userId, subject, until, now))) !== undefined
      );
    },
    async claimMany(userIds, subject, until, now) {
      const applied = await transactEach(
        doc,
        userIds.map((userId) => ({
          Update: { TableName: tableName, ...windowUpdate(userId, subject, until, now) },
        })),
      );
      return new Set(userIds.filter((_, index) => applied[index]));
    },
  };
}
