import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import {
  CLIENT_TYPES,
  DEVICE_STATUSES,
  type Device,
  nameKey,
  PUSH_PLATFORMS,
} from '../../domain/devices/model';
import type { DeviceRepository } from '../../domain/ports';
import { conditionalUpdate, queryPrefix } from './operations';

/*
 * The devices' keys and items, and the reads every authenticated HTTP group needs (the device check,
 * the confirmation's phones, the notifier's recipients): apart from the full repository
 * (`device-repository.ts`, which builds on them), so a function that only checks devices does not ship
 * the enrolment and approval writes (bundle budget, docs/performance.md).
 */

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/** Key builders for the devices context; everything lives in the owning user's partition. */
export const deviceKeys = {
  device: (userId: string, deviceId: string) => ({ [PK]: `USER#${userId}`, [SK]: `DEVICE#${deviceId}` }),
  devicePrefix: 'DEVICE#',
  /** Unique, case-insensitive device name per user. */
  name: (userId: string, name: string) => ({ [PK]: `USER#${userId}`, [SK]: `DEVICE_NAME#${nameKey(name)}` }),
  /** How many slots the user's devices hold, and their consecutive wrong codes. */
  slots: (userId: string) => ({ [PK]: `USER#${userId}`, [SK]: 'DEVICE_SLOTS' }),
  /** Code resends in one clock hour (fixed window), for the per-user hourly cap. */
  sends: (userId: string, hour: number) => ({ [PK]: `USER#${userId}`, [SK]: `CODE_SENDS#${hour}` }),
  /** One of the user's few pending-approval lanes, held by one request until it is decided or expires. */
  approvalLane: (userId: string, lane: number) => ({
    [PK]: `USER#${userId}`,
    [SK]: `APPROVAL_LANE#${lane}`,
  }),
  approvalLanePrefix: 'APPROVAL_LANE#',
  /** Approval requests in one clock hour (fixed window), for the per-user hourly cap. */
  approvals: (userId: string, hour: number) => ({ [PK]: `USER#${userId}`, [SK]: `APPROVALS#${hour}` }),
  /** Which device holds a push token (by its HMAC): one token, one device. */
  pushToken: (tokenHash: string) => ({ [PK]: `PUSH_TOKEN#${tokenHash}`, [SK]: 'OWNER' }),
  /** Set by "deny and report": no approval request until `until`. */
  approvalBlock: (userId: string) => ({ [PK]: `USER#${userId}`, [SK]: 'APPROVAL_BLOCK' }),
};

const codeSchema = z.object({
  hash: z.string(),
  expiresAt: z.string(),
  attempts: z.number(),
  sentAt: z.string(),
});
const deviceItem = z.object({
  id: z.string(),
  userId: z.string(),
  workspaceId: z.string(),
  clientType: z.enum(CLIENT_TYPES),
  os: z.string(),
  browser: z.optional(z.string()),
  model: z.optional(z.string()),
  name: z.string(),
  status: z.enum(DEVICE_STATUSES),
  verificationMethod: z.enum(['email_code', 'approval']),
  credentialHash: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeenAt: z.string(),
  trustedAt: z.optional(z.string()),
  pendingUntil: z.optional(z.string()),
  code: z.optional(codeSchema),
  numberToMatch: z.optional(z.string()),
  candidates: z.optional(z.array(z.string())),
  approvalLane: z.optional(z.number()),
  flags: z.optional(z.array(z.string())),
  push: z.optional(
    z.object({
      platform: z.enum(PUSH_PLATFORMS),
      tokenHash: z.string(),
      endpointArn: z.optional(z.string()),
      active: z.boolean(),
      updatedAt: z.string(),
    }),
  ),
  publicKey: z.optional(
    z.object({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
      thumbprint: z.string(),
      setAt: z.string(),
    }),
  ),
});

export function toDevice(item: Record<string, unknown>): Device {
  const parsed = deviceItem.parse(item);
  const device: Device = { ...parsed } as Device;
  const optional = [
    'browser',
    'model',
    'trustedAt',
    'pendingUntil',
    'code',
    'push',
    'numberToMatch',
    'candidates',
    'approvalLane',
    'flags',
    'publicKey',
  ] as const;
  for (const key of optional) {
    if (device[key] === undefined) delete device[key];
  }
  return device;
}

/** A device, the user's devices, and the last-seen stamp of an authenticated request. */
export function makeDeviceReads(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<DeviceRepository, 'getDevice' | 'listDevices' | 'touch'> {
  return {
    async getDevice(userId: string, deviceId: string) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: deviceKeys.device(userId, deviceId),
          ConsistentRead: true,
        }),
      );
      return Item ? toDevice(Item) : undefined;
    },
    async listDevices(userId: string) {
      return (await queryPrefix(doc, tableName, `USER#${userId}`, deviceKeys.devicePrefix)).map(toDevice);
    },
    async touch(device: Device, now: Date) {
      await conditionalUpdate(doc, tableName, {
        Key: deviceKeys.device(device.userId, device.id),
        UpdateExpression: 'SET #lastSeenAt = :now',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#lastSeenAt': 'lastSeenAt', '#pk': PK },
        ExpressionAttributeValues: { ':now': now.toISOString() },
      });
    },
  };
}
