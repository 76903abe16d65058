import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { OrphanedAccountEntry, OrphanedAccountIndex } from '../../domain/directory/continuity';
import { accountKeys, memberPut, ownerCountChange } from './account-repository';
import { cancellationCodes, itemExists, itemIsNew } from './conditions';
import { outboxPut } from './outbox';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

export const continuityKeys = {
  /** The workspace's orphaned accounts: one partition per workspace, one item per account. */
  orphan: (workspaceId: string, accountId: string) => ({
    [PK]: `WORKSPACE#${workspaceId}#ORPHANED_ACCOUNTS`,
    [SK]: `ACCOUNT#${accountId}`,
  }),
  /** An alert sent once (per deprovisioning), kept long enough to outlive the IdP's retries. */
  alert: (workspaceId: string, key: string) => ({ [PK]: `WORKSPACE#${workspaceId}#ALERTS`, [SK]: key }),
};

const ALERT_CLAIM_SECONDS = 30 * 24 * 60 * 60;

/** A stored entry, narrowed (the former owners are a string set, read back as a Set). */
function toEntry(item: Record<string, unknown>): OrphanedAccountEntry {
  const { accountId, workspaceId, orphanedAt, formerOwnerIds } = item;
  if (typeof accountId !== 'string' || typeof workspaceId !== 'string' || typeof orphanedAt !== 'string')
    throw new Error('malformed orphaned-account entry');
  const former = formerOwnerIds instanceof Set || Array.isArray(formerOwnerIds) ? [...formerOwnerIds] : [];
  return { accountId, workspaceId, orphanedAt, formerOwnerIds: former.map(String).sort() };
}

/**
 * Only the marking (what the accounts function needs when an owner leaves): kept apart from the rest of
 * the index so that bundles which only mark do not carry the listing and the assignment.
 */
export function makeOrphanMarker(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<OrphanedAccountIndex, 'mark'> {
  return {
    async mark(workspaceId, accountId, formerOwnerId, now) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              // Only an account that exists is listed (a deleted one would never be cleared by an owner).
              {
                ConditionCheck: { TableName: tableName, Key: accountKeys.account(accountId), ...itemExists },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: continuityKeys.orphan(workspaceId, accountId),
                  // A string set: marking again for the same former owner (a retry) changes nothing.
                  UpdateExpression:
                    'SET #entity = :entity, #accountId = :accountId, #ws = :ws, #at = if_not_exists(#at, :now) ADD #former :former',
                  ExpressionAttributeNames: {
                    '#entity': TABLE.entityAttribute,
                    '#accountId': 'accountId',
                    '#ws': 'workspaceId',
                    '#at': 'orphanedAt',
                    '#former': 'formerOwnerIds',
                  },
                  ExpressionAttributeValues: {
                    ':entity': 'OrphanedAccount',
                    ':accountId': accountId,
                    ':ws': workspaceId,
                    ':now': now.toISOString(),
                    ':former': new Set([formerOwnerId]),
                  },
                },
              },
            ],
          }),
        );
      } catch (error) {
        // The account was deleted meanwhile: nothing to list.
        if (!cancellationCodes(error)) throw error;
      }
    },
  };
}

/** The orphaned-account index and the once-only alert claims of workspace continuity. */
export function makeContinuityRepository(doc: DynamoDBDocumentClient, tableName: string) {
  const orphans: OrphanedAccountIndex = {
    ...makeOrphanMarker(doc, tableName),

    async list(workspaceId, { limit, cursor }) {
      const start = cursor ? continuityKeys.orphan(workspaceId, cursor) : undefined;
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':pk': continuityKeys.orphan(workspaceId, '')[PK] },
          Limit: limit,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (page.Items ?? []).map(toEntry);
      const last = items.at(-1);
      return { items, nextCursor: page.LastEvaluatedKey && last ? last.accountId : null };
    },

    async get(workspaceId, accountId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: continuityKeys.orphan(workspaceId, accountId),
          ConsistentRead: true,
        }),
      );
      return Item ? toEntry(Item) : undefined;
    },

    async clear(workspaceId, accountId) {
      await doc.send(
        new DeleteCommand({ TableName: tableName, Key: continuityKeys.orphan(workspaceId, accountId) }),
      );
    },

    async assignOwner(account, membership, previous, event) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // The entry is still there: of two admins assigning at once, one wins.
                Delete: {
                  TableName: tableName,
                  Key: continuityKeys.orphan(account.workspaceId, account.id),
                  ...itemExists,
                },
              },
              // Still the membership that was read (none, or a collaborator's).
              memberPut(tableName, membership, previous),
              ...(previous === 'owner' ? [] : [ownerCountChange(tableName, account.id, 1)]),
              outboxPut(tableName, event),
            ] as never,
          }),
        );
        return 'applied';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        return codes[0] === 'ConditionalCheckFailed' ? 'not_orphaned' : 'conflict';
      }
    },
  };

  async function claimAlert(workspaceId: string, key: string, now: Date): Promise<boolean> {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...continuityKeys.alert(workspaceId, key),
            [TABLE.entityAttribute]: 'AlertClaim',
            claimedAt: now.toISOString(),
            // Clean-up only: the claim's existence is what the condition reads.
            [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + ALERT_CLAIM_SECONDS,
          },
          ...itemIsNew,
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  return { orphans, claimAlert };
}
