import type { DynamoDBRecord } from 'aws-lambda';
import { TABLE } from '../../config/table';
import type { Removal } from '../../domain/secrets/cleanup';

// The key shapes of `vaultKeys.secret` and `attachmentKeys.attachment`, spelled out so that this module
// (loaded with the handler, and by infra for the filter) pulls in no repository and no SDK; a unit
// test holds them equal.
export const SECRET_PARTITION = 'SECRET#';
export const SECRET_ITEM = 'META';
export const ATTACHMENT_ITEM = 'ATTACHMENT#';

/** Who removes an item whose TTL has passed (AWS documents this identity on TTL deletions only). */
export const TTL_DELETER = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/**
 * The event filter of the attachment clean-up's event source mapping (Lambda filter pattern syntax,
 * JSON; infra wraps each in `FilterCriteria.filter`): a secret item removed by TTL, and an attachment
 * record removed by anyone (its route, a purge, the clean-up itself). The stream carries keys only on
 * REMOVE (NEW_IMAGE view), which is all both patterns need. `removalOf` below applies the same rule,
 * so a record the filter would not pass changes nothing even where no filter runs.
 */
export const ATTACHMENT_CLEANUP_FILTERS = [
  {
    eventName: ['REMOVE'],
    userIdentity: { type: [TTL_DELETER.type], principalId: [TTL_DELETER.principalId] },
    dynamodb: {
      Keys: {
        [TABLE.partitionKey]: { S: [{ prefix: SECRET_PARTITION }] },
        [TABLE.sortKey]: { S: [SECRET_ITEM] },
      },
    },
  },
  {
    eventName: ['REMOVE'],
    dynamodb: {
      Keys: {
        [TABLE.partitionKey]: { S: [{ prefix: SECRET_PARTITION }] },
        [TABLE.sortKey]: { S: [{ prefix: ATTACHMENT_ITEM }] },
      },
    },
  },
] as const;

function keyString(record: DynamoDBRecord, name: string): string | undefined {
  const value = record.dynamodb?.Keys?.[name];
  return typeof value?.S === 'string' ? value.S : undefined;
}

/** The removal a stream record reports, or undefined for anything the clean-up does not act on. */
export function removalOf(record: DynamoDBRecord): Removal | undefined {
  if (record.eventName !== 'REMOVE') return undefined;
  const pk = keyString(record, TABLE.partitionKey);
  const sk = keyString(record, TABLE.sortKey);
  if (!pk?.startsWith(SECRET_PARTITION) || sk === undefined) return undefined;
  const secretId = pk.slice(SECRET_PARTITION.length);
  if (sk.startsWith(ATTACHMENT_ITEM))
    return { kind: 'attachment', secretId, attachmentId: sk.slice(ATTACHMENT_ITEM.length) };
  const byTtl =
    record.userIdentity?.type === TTL_DELETER.type &&
    record.userIdentity?.principalId === TTL_DELETER.principalId;
  // A secret's item is only ever removed by TTL; any other removal is not ours to follow.
  return sk === SECRET_ITEM && byTtl ? { kind: 'secret', secretId } : undefined;
}
