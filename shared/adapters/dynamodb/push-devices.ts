import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import { forEachLimited } from '../../domain/concurrency';
import { CLIENT_TYPES, type Device, PUSH_PLATFORMS, type PushDevice } from '../../domain/devices/model';
import { batchGetAll } from './operations';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/**
 * One item per user listing the devices a push may go to (trusted, with a push registration), so the
 * fan-out reads a whole batch of recipients with BatchGetItem instead of a Query per recipient.
 *
 * It is kept exact by the device writes: every write that changes a device's trust or push
 * registration updates the device's entry in the same transaction (`pushDevicesUpdate`), and bumps
 * `version`. An item is only trusted once `complete`: users whose devices predate the item (or whose
 * item only holds entries written since) get it built on the first read that misses it, from a
 * consistent Query of their devices, written only if `version` did not move meanwhile; otherwise that
 * read uses the Query's answer and a later read builds it.
 */
export const pushDevicesKey = (userId: string) => ({ [PK]: `USER#${userId}`, [SK]: 'PUSH_DEVICES' });

const ENTRY_PREFIX = 'push_';
const entry = z.object({
  clientType: z.enum(CLIENT_TYPES),
  platform: z.enum(PUSH_PLATFORMS),
  endpointArn: z.optional(z.string()),
  active: z.boolean(),
});
type Entry = z.infer<typeof entry>;

/** The entry a device has in its user's item: only trusted devices with a push registration. */
export function pushEntry(device: Pick<Device, 'status' | 'clientType' | 'push'>): Entry | undefined {
  if (device.status !== 'trusted' || !device.push) return undefined;
  const { platform, endpointArn, active } = device.push;
  return { clientType: device.clientType, platform, active, ...(endpointArn ? { endpointArn } : {}) };
}

/**
 * The transaction item that sets (or, with no entry, removes) devices' entries in their user's item.
 * It goes in the same TransactWriteItems as the device write, whose condition guards both.
 */
export function pushDevicesUpdate(
  tableName: string,
  userId: string,
  changes: Array<{ deviceId: string; entry: Entry | undefined }>,
) {
  const names: Record<string, string> = { '#version': 'version', '#entity': TABLE.entityAttribute };
  const values: Record<string, unknown> = { ':one': 1, ':entity': 'PushDevices' };
  const sets = ['#entity = :entity'];
  const removes: string[] = [];
  changes.forEach(({ deviceId, entry }, i) => {
    names[`#d${i}`] = `${ENTRY_PREFIX}${deviceId}`;
    if (entry) {
      values[`:d${i}`] = entry;
      sets.push(`#d${i} = :d${i}`);
    } else removes.push(`#d${i}`);
  });
  return {
    Update: {
      TableName: tableName,
      Key: pushDevicesKey(userId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''} ADD #version :one`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function entriesOf(item: Record<string, unknown>): PushDevice[] {
  const devices: PushDevice[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(ENTRY_PREFIX)) continue;
    const parsed = entry.safeParse(value);
    if (!parsed.success) continue;
    const { clientType, ...push } = parsed.data;
    devices.push({ id: name.slice(ENTRY_PREFIX.length), clientType, status: 'trusted', push });
  }
  return devices;
}

/** The complete item of a user whose devices are `devices` (the lazy build writes it; so does the bench's seed). */
export function completePushDevicesItem(
  userId: string,
  devices: Array<Pick<Device, 'id' | 'status' | 'clientType' | 'push'>>,
  version: number,
): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...pushDevicesKey(userId),
    [TABLE.entityAttribute]: 'PushDevices',
    complete: true,
    version,
  };
  for (const device of devices) {
    const found = pushEntry(device);
    if (found) item[`${ENTRY_PREFIX}${device.id}`] = found;
  }
  return item;
}

/** Users whose item is missing or incomplete are built this many at a time. */
const BUILD_CONCURRENCY = 8;

export function makePushDevicesReader(
  doc: DynamoDBDocumentClient,
  tableName: string,
  listDevices: (userId: string) => Promise<Device[]>,
) {
  /** Writes the complete item from `devices`, unless a device write moved `version` since it was read. */
  async function build(userId: string, devices: Device[], version: number | undefined) {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: completePushDevicesItem(userId, devices, (version ?? 0) + 1),
          ...(version === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': version },
              }),
        }),
      );
    } catch (error) {
      // A device changed while the Query ran: this read keeps the Query's answer, the next one builds.
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  return async function pushDevices(userIds: string[]): Promise<Map<string, PushDevice[]>> {
    const unique = [...new Set(userIds)];
    const items = await batchGetAll(doc, tableName, unique.map(pushDevicesKey));
    const byUser = new Map(items.map((item) => [String(item[PK]).slice('USER#'.length), item]));
    const result = new Map<string, PushDevice[]>();
    const misses: string[] = [];
    for (const userId of unique) {
      const item = byUser.get(userId);
      if (item?.complete === true) result.set(userId, entriesOf(item));
      else misses.push(userId);
    }
    await forEachLimited(misses, BUILD_CONCURRENCY, async (userId) => {
      const devices = await listDevices(userId);
      result.set(
        userId,
        devices.filter((device) => pushEntry(device)),
      );
      const version = byUser.get(userId)?.version;
      await build(userId, devices, typeof version === 'number' ? version : undefined);
    });
    return result;
  };
}
