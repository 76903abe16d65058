import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { EmailQuota } from '../../domain/ports';
import { conditionalUpdate, hourlyCount } from './operations';

export const emailQuotaKey = (userId: string, purpose: string, hour: number) => ({
  [TABLE.partitionKey]: `USER#${userId}`,
  [TABLE.sortKey]: `EMAILS#${purpose}#${hour}`,
});

export function makeEmailQuota(doc: DynamoDBDocumentClient, tableName: string): EmailQuota {
  return {
    async take(userId, purpose, cap, hour) {
      const { TableName: _table, ...update } = hourlyCount(
        tableName,
        emailQuotaKey(userId, purpose, hour),
        cap,
        hour,
        'EmailQuota',
      );
      return (await conditionalUpdate(doc, tableName, update)) !== undefined;
    },
    async release(userId, purpose, hour) {
      await conditionalUpdate(doc, tableName, {
        Key: emailQuotaKey(userId, purpose, hour),
        UpdateExpression: 'SET #count = #count - :one',
        ConditionExpression: '#count > :zero',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      });
    },
  };
}
