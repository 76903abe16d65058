import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { AppWebhook, AppWebhookRepository } from '../../domain/rotation/webhooks';
import { type Condition, itemExists, itemIsNew } from './conditions';
import { queryAll, withoutTableAttributes } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const SK_PREFIX = 'APP_WEBHOOK#';

export const appWebhookKey = (workspaceId: string, appId: string) => ({
  [PK]: `WORKSPACE#${workspaceId}`,
  [SK]: `${SK_PREFIX}${appId}`,
});

/** The stored webhook is still the revision the writer read: two admins cannot overwrite each other. */
const revisionIs = (rev: number): Condition => ({
  ConditionExpression: `${itemExists.ConditionExpression} AND #rev = :rev`,
  ExpressionAttributeNames: { ...itemExists.ExpressionAttributeNames, '#rev': 'rev' },
  ExpressionAttributeValues: { ':rev': rev },
});

/** One item per workspace and app, next to the workspace's other settings; the secret stays sealed. */
export function makeAppWebhookRepository(
  doc: DynamoDBDocumentClient,
  tableName: string,
): AppWebhookRepository {
  return {
    async get(workspaceId, appId) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: appWebhookKey(workspaceId, appId),
          ConsistentRead: true,
        }),
      );
      return out.Item ? (withoutTableAttributes(out.Item) as unknown as AppWebhook) : undefined;
    },

    async appIds(workspaceId) {
      // One query over the workspace's webhook items (one per app without a connector: a handful),
      // projecting the app id only: the sealed secrets never leave the table for a list.
      const items = await queryAll(doc, tableName, {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#app': 'appId' },
        ExpressionAttributeValues: { ':pk': `WORKSPACE#${workspaceId}`, ':prefix': SK_PREFIX },
        ProjectionExpression: '#app',
        ConsistentRead: true,
      });
      return items.map((item) => item.appId as string);
    },

    async put(next, expectedRev) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...appWebhookKey(next.workspaceId, next.appId),
              [TABLE.entityAttribute]: 'AppWebhook',
              ...next,
            },
            ...(expectedRev === undefined ? itemIsNew : revisionIs(expectedRev)),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async remove(workspaceId, appId) {
      try {
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: appWebhookKey(workspaceId, appId), ...itemExists }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
