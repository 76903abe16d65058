import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { AppWebhook, AppWebhookRepository } from '../../domain/rotation/webhooks';
import { type Condition, itemExists, itemIsNew } from './conditions';
import { withoutTableAttributes } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const appWebhookKey = (workspaceId: string, appId: string) => ({
  [PK]: `WORKSPACE#${workspaceId}`,
  [SK]: `APP_WEBHOOK#${appId}`,
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
