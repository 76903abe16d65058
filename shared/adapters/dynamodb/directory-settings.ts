import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import {
  type DirectorySettings,
  type DirectorySettingsStore,
  LINK_METHODS,
} from '../../domain/directory/settings';
import { itemIsNew } from './conditions';
import { queryAll } from './operations';
import { userKeys } from './user-repository';

const directorySettingsKey = userKeys.directorySettings;

const settingsItem = z.object({
  jitProvisioning: z.boolean(),
  allowedEmailDomains: z.array(z.string()),
  linkBy: z.optional(z.enum(LINK_METHODS)),
  source: z.enum(['legacy', 'bootstrap', 'admin']),
  updatedAt: z.string(),
  universalLogout: z.optional(
    z.object({ issuer: z.string(), jwksUrl: z.string(), audience: z.optional(z.string()) }),
  ),
});

const parse = (item: Record<string, unknown>): DirectorySettings => {
  const { universalLogout, ...parsed } = settingsItem.parse(item);
  const { audience, ...logout } = universalLogout ?? { issuer: '', jwksUrl: '' };
  return {
    ...parsed,
    linkBy: parsed.linkBy ?? 'verified_email',
    ...(universalLogout ? { universalLogout: { ...logout, ...(audience ? { audience } : {}) } } : {}),
  };
};

/** Legacy derivation reads at most this many users: a workspace past it had best set its domains. */
const LEGACY_MEMBER_CAP = 10_000;

/** A workspace's directory settings: one item beside the workspace's own. */
export function makeDirectorySettingsStore(
  doc: DynamoDBDocumentClient,
  tableName: string,
): DirectorySettingsStore {
  const item = (workspaceId: string, settings: DirectorySettings) => ({
    ...directorySettingsKey(workspaceId),
    [TABLE.entityAttribute]: 'DirectorySettings',
    ...settings,
  });

  async function get(workspaceId: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: directorySettingsKey(workspaceId), ConsistentRead: true }),
    );
    return Item ? parse(Item) : undefined;
  }

  return {
    get,
    async initialise(workspaceId, settings) {
      try {
        await doc.send(
          new PutCommand({ TableName: tableName, Item: item(workspaceId, settings), ...itemIsNew }),
        );
        return settings;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
        return (await get(workspaceId)) ?? settings;
      }
    },
    async put(workspaceId, settings) {
      await doc.send(new PutCommand({ TableName: tableName, Item: item(workspaceId, settings) }));
    },
    async memberEmails(workspaceId) {
      const items = await queryAll(
        doc,
        tableName,
        {
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          FilterExpression: '#role <> :guest',
          ProjectionExpression: '#email',
          ExpressionAttributeNames: {
            '#gpk': TABLE.gsi1.partitionKey,
            '#role': 'workspaceRole',
            '#email': 'email',
          },
          ExpressionAttributeValues: {
            ':gpk': userKeys.workspaceMember(workspaceId, '')[TABLE.gsi1.partitionKey],
            ':guest': 'guest',
          },
        },
        LEGACY_MEMBER_CAP,
      );
      return items.map((entry) => String(entry.email));
    },
  };
}
